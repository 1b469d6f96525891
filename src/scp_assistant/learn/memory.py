"""The question memory: the training questions with their key facts, as evidence for a new question.

Staff ask the same things in many wordings ("Wie läuft das formal ab …?", "Braucht es einen Vertrag …?"). A
question of the training sets (or of reviewed feedback) that resembles the new one says which statements
answered it: a unit that states one of its key facts is likely to answer the new question too, and a resembling
question the documents could not answer makes a refusal more likely. The memory finds the resembling questions by
their content words (German stems, weighted by how rare they are among the remembered questions) and checks units
against their facts with the eval suite's fact rule (``fact_rule.py``).

What it yields are features of the learned models (``MEMORY_UNIT_FEATURES``, ``MEMORY_QUESTION_FEATURES``); how
far to trust them is learned like any other feature. In training every question is read with a memory that does
not hold it (``exclude``), as a new question is.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scp_assistant.fact_rule import FACT_WINDOW, Signature, covers, signature
from scp_assistant.learn.question import split_parts
from scp_assistant.text import STOPWORDS, fold, stem

MEMORY_UNIT_FEATURES = ("memory_fact", "memory_source")
MEMORY_QUESTION_FEATURES = ("memory_nearest", "memory_refuse", "memory_fact_best")
NEIGHBOURS = 5  # remembered questions read per new question
MIN_SIMILARITY = 0.15  # below this a remembered question is not like the new one at all


@dataclass(frozen=True)
class Remembered:
    """A training question: its text as it is compared (corrected; a follow-up with the topic it carries), its key
    facts and the documents that answer it, and whether to decline it."""

    id: str
    question: str
    facts: tuple[str, ...]
    refuse: bool
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "facts": list(self.facts), "refuse": self.refuse,
            "sources": list(self.sources),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Remembered:
        facts, sources = (tuple(str(x) for x in data.get(key) or ()) for key in ("facts", "sources"))
        return cls(str(data["id"]), str(data["question"]), facts, bool(data["refuse"]), sources)


@dataclass(frozen=True)
class Recall:
    """What the memory says about one question and its candidate units."""

    unit: np.ndarray  # per candidate: similarity of the nearest remembered question whose key fact the unit states
    source: np.ndarray  # per candidate: similarity of the nearest one its document answered
    nearest: float = 0.0  # similarity of the most similar remembered question
    refuse: float = 0.0  # share of questions to decline among the similar ones (weighted by similarity)

    def question_values(self, keep: np.ndarray) -> dict[str, float]:
        """The question-level features, over the candidates an answer may use (``keep``: their indices)."""
        best = float(self.unit[keep].max()) if len(keep) and len(self.unit) else 0.0
        return {"memory_nearest": self.nearest, "memory_refuse": self.refuse, "memory_fact_best": best}


def nothing_recalled(candidates: int) -> Recall:
    return Recall(np.zeros(candidates), np.zeros(candidates))


def question_terms(text: str) -> frozenset[str]:
    """The content words of a question as stems (no stop words, nothing under three letters). Tried and dropped
    (``eval cv``, three splits): "Säule I" as a word of its own and hyphenated compounds split, 997 -> 987."""
    words = (fold(w) for w in re.findall(r"[A-Za-zÄÖÜäöüß0-9][\wÄÖÜäöüß-]*", text))
    return frozenset(stem(w) for w in words if len(w) >= 3 and w not in STOPWORDS)


class QuestionMemory:
    """Remembered questions, searchable by resemblance (cosine of rarity-weighted content words).

    Tried and dropped (``eval cv``, three splits): the mean of that and the e5 similarity of the two questions
    (rescaled above the mean of two random questions). It finds more questions that share a key fact (334 against
    280 of 530 among the three nearest), but the refusal threshold chosen with it swung from fold to fold: 997 -> 972.
    """

    def __init__(self, entries: Sequence[Remembered]) -> None:
        self.entries = tuple(entries)
        terms = [question_terms(e.question) for e in self.entries]
        counts = Counter(t for ts in terms for t in ts)
        n = max(1, len(self.entries))
        self._idf = {t: math.log(1.0 + n / c) for t, c in counts.items()}
        self._unknown_idf = math.log(1.0 + n)  # a word no remembered question uses is as rare as can be
        self._postings: dict[str, list[int]] = defaultdict(list)
        norms: list[float] = []
        for i, ts in enumerate(terms):
            for t in sorted(ts):
                self._postings[t].append(i)
            # summed in a fixed order: a set's order changes from process to process, and the sum's last bits with it
            norms.append(math.sqrt(sum(self._idf[t] ** 2 for t in sorted(ts))) or 1.0)
        self._norms = np.asarray(norms)
        self._wordings = [_wording(e.question) for e in self.entries]
        self._facts = [tuple(signature(f) for f in e.facts) for e in self.entries]
        self._fact_parts = [_fact_parts(e.question, facts) for e, facts in zip(self.entries, self._facts, strict=True)]

    def __len__(self) -> int:
        return len(self.entries)

    def neighbours(self, question: str, exclude: str | None = None) -> list[tuple[int, float]]:
        """The most similar remembered questions (index, similarity in 0..1), most similar first. A remembered
        question worded exactly like this one is no evidence for it: an eval run on the training sets reads each
        question as the training did, and as a new one (``exclude``: a training question's id, for the same)."""
        similarity = self._lexical(question)
        same = _wording(question)
        scored = [
            (i, float(s)) for i, s in enumerate(similarity)
            if s >= MIN_SIMILARITY and self.entries[i].id != exclude and self._wordings[i] != same
        ]  # fmt: skip
        scored.sort(key=lambda x: (-round(x[1], 9), x[0]))
        return scored[:NEIGHBOURS]

    def _lexical(self, question: str) -> np.ndarray:
        """Per remembered question: the cosine of the rarity-weighted content words."""
        out = np.zeros(len(self.entries))
        terms = sorted(question_terms(question))
        if not terms:
            return out
        weights = {t: self._idf.get(t, self._unknown_idf) for t in terms}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        for t in terms:
            for i in self._postings.get(t, ()):
                out[i] += weights[t] ** 2
        return out / (norm * self._norms)

    def recall(
        self,
        question: str,
        units: Sequence[str],
        documents: Sequence[str] = (),
        exclude: str | None = None,
    ) -> Recall:
        """Per unit text: the similarity of the nearest remembered question whose key fact it states, and of the
        nearest one its document (``documents``: per unit) answered; and how near and how often to decline the
        similar questions are."""
        near = self.neighbours(question, exclude)
        out = np.zeros(len(units))
        if not near:
            return Recall(out, np.zeros(len(units)))
        answered_by: dict[str, float] = {}
        for i, s in near:
            for doc in self.entries[i].sources:
                answered_by[doc] = max(answered_by.get(doc, 0.0), s)
        source = np.array([answered_by.get(d, 0.0) for d in documents]) if documents else np.zeros(len(units))
        total = sum(s for _, s in near)
        refuse = sum(s for i, s in near if self.entries[i].refuse) / total
        asked = question_terms(question)
        facts = [(s, f) for i, s in near for f in self._asked_facts(i, asked)]
        if facts:
            for u, text in enumerate(units):
                out[u] = _support(signature(text[:FACT_WINDOW]), facts)  # as the training labels read a unit
        return Recall(out, source, nearest=near[0][1], refuse=refuse)

    def _asked_facts(self, i: int, asked: frozenset[str]) -> tuple[Signature, ...]:
        """The key facts of a remembered question that answer what the new one asks: of a question of several
        parts ("Wer genehmigt die Anträge aus dem Chancenbudget, und was macht im Unterschied das PL?"), the facts
        of the parts the new question shares a word with ("Wer genehmigt Anträge aus dem Chancenbudget?" takes the
        ADD's, not the PL's); all of them when no fact belongs to a part it shares a word with."""
        split = self._fact_parts[i]
        if split is None:
            return self._facts[i]
        parts, of_fact = split
        if all(p & asked for p in parts):  # it asks what all of them ask
            return self._facts[i]
        shared = [bool(terms & asked) for terms in of_fact]
        return tuple(f for f, ok in zip(self._facts[i], shared, strict=True) if ok) if any(shared) else self._facts[i]

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionMemory:
        return cls([Remembered.from_dict(e) for e in data["entries"]])


def _fact_parts(question: str, facts: Sequence[Signature]) -> tuple[list[frozenset[str]], list[frozenset[str]]] | None:
    """Of a question of several parts: the content words of each part, and per fact those of the part it answers
    (the part it shares most words with; empty when it shares none, or as many with two parts); None for a question
    of one part."""
    parts = split_parts(question)
    if len(parts) < 2:
        return None
    terms = [question_terms(p) for p in parts]
    of_fact: list[frozenset[str]] = []
    for fact in facts:
        overlap = [len(fact.stems & t) for t in terms]
        best = max(overlap)
        of_fact.append(terms[overlap.index(best)] if best and overlap.count(best) == 1 else frozenset())
    return terms, of_fact


def _wording(text: str) -> str:
    return " ".join(fold(text).split())


def _support(unit: Signature, facts: Sequence[tuple[float, Signature]]) -> float:
    """The similarity of the nearest question one of whose facts the unit states. A unit sharing no word stem and no
    number with a fact is not checked further (the fact rule's search inside compounds is the slow part): the
    feature is a little narrower than the rule, in training as in answering."""
    best = 0.0
    for similarity, fact in facts:
        if similarity <= best or not (fact.stems & unit.stems or fact.numbers & unit.numbers):
            continue
        if covers(fact, unit):
            best = similarity
    return best
