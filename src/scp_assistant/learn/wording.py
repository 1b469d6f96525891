"""How a question is worded, as a prior for the refusal model.

A question that asks for one exact detail ("An welchem Datum …?", "Wie viele … genau?", "Ab welchem Wert muss …?")
is more often one the documents cannot answer than a general one ("Was ist eigentlich …?"): the documents know its
terms but not the detail. The evidence features see the terms; the wording says what is asked of them. This model
reads only the question's German function words (question words, articles, prepositions, modal verbs, particles:
the stop-word list, no topic word, no place, no English) and whether it holds a number, and learns from the
question sets how often a wording goes with "decline". Its log-odds are one feature of the refusal model, fitted
out of fold like the unit scores (stacking), so the refusal model learns how far to trust it.

An English question gets no prior (see ``answer/scoring.py::reads_wording``). What it did out of fold and on the
held-out sets (eval/heldout, never trained on) is in the README ("Messwerte"); the refusal model's ranking of
decline against answer questions (AUC, out of fold) went from 0.74 to 0.85 when it was added.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scp_assistant.text import STOPWORDS, fold

# English function words are no part of the vocabulary (an English question gets no prior at all: answer/scoring.py
# ``reads_wording``); the German list also holds words both languages write alike ("was", "in", "an"), kept here
_ENGLISH = frozenset(
    "a and are at be by can do does for from how is it of on or that the this to what which who with".split()
)
VOCABULARY = STOPWORDS - _ENGLISH
NUMBER = "<zahl>"
MIN_COUNT = 3  # a word in fewer training questions than this gets no weight
_CLIP = 6.0


def wording_tokens(text: str) -> frozenset[str]:
    """The function words of a question (folded), and a marker for a number in it."""
    words = {fold(w) for w in re.findall(r"[A-Za-zÄÖÜäöüß]+", text)}
    out = {w for w in words if w in VOCABULARY}
    if re.search(r"\d", text):
        out.add(NUMBER)
    return frozenset(out)


@dataclass(frozen=True)
class WordingModel:
    """log-odds(decline | wording) = intercept + sum of the weights of the question's function words."""

    weights: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0

    def log_odds(self, text: str) -> float:
        # summed in a fixed order: a set's order changes between processes, and the sum's last bits with it
        z = self.intercept + sum(self.weights.get(t, 0.0) for t in sorted(wording_tokens(text)))
        return max(-_CLIP, min(_CLIP, z))

    def strongest(self, n: int = 8) -> list[tuple[str, float]]:
        order = sorted(self.weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
        return [(w, round(v, 3)) for w, v in order[:n]]

    def to_dict(self) -> dict[str, Any]:
        return {"weights": dict(sorted(self.weights.items())), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WordingModel:
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]))


def fit_wording(texts: Sequence[str], decline: Sequence[bool], c: float = 0.3) -> WordingModel:
    """L2-regularised logistic regression on the binary function-word indicators, classes balanced."""
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(decline, dtype=float)
    if len(set(labels.tolist())) < 2:
        return WordingModel()
    tokens = [wording_tokens(t) for t in texts]
    counts = Counter(t for toks in tokens for t in toks)
    vocab = sorted(t for t, n in counts.items() if n >= MIN_COUNT)
    if not vocab:
        return WordingModel()
    at = {t: i for i, t in enumerate(vocab)}
    rows = np.zeros((len(texts), len(vocab)))
    for i, toks in enumerate(tokens):
        for t in toks:
            if t in at:
                rows[i, at[t]] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(rows, labels)
    weights = {t: float(w) for t, w in zip(vocab, model.coef_[0], strict=True) if abs(w) > 1e-6}
    return WordingModel(weights, float(model.intercept_[0]))
