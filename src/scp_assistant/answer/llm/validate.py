"""Citations that cannot lie: every generated sentence is checked against the passage it cites.

- markers that point to no source are removed; a sentence without a valid marker is dropped;
- a sentence is kept only with the markers whose passage supports it (lexical overlap of content stems, blended
  with the embedder's similarity of sentence and passage);
- sentences in another language than German are dropped (e.g. after an injected "answer in English");
- the remaining citations are renumbered 1..k in order of first use; unused sources are never listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scp_assistant.models import Chunk, Citation
from scp_assistant.text import analyze, split_sentences

_MARKER = re.compile(r"\s*\[(\d+)\]")
_ENGLISH = frozenset("the of and to is are for with that this from which can be by on as it not".split())
_GERMAN = frozenset("der die das und ist sind für mit dem den des ein eine nicht auch zu von im aus bei".split())
NOT_COVERED = "keine angabe"


def is_german(sentence: str) -> bool:
    words = re.findall(r"[a-zäöüß]+", sentence.lower())
    en = sum(w in _ENGLISH for w in words)
    de = sum(w in _GERMAN for w in words)
    return de >= en and not (en >= 2 and de == 0)


def split_claims(text: str) -> list[str]:
    """Sentences of a generated answer, each with the markers that follow it."""
    out: list[str] = []
    for block in re.split(r"\n+", text.strip()):
        block = block.strip()
        if not block:
            continue
        if re.match(r"^([-*•]|\d+\.)\s+", block):
            out.append(block)
            continue
        # "Satz. [1] Nächster" and "Satz [1]. Nächster" both end a sentence after the marker
        block = re.sub(r"(\[\d+\])\.\s+", r"\1.\n", block)
        block = re.sub(
            r"([.!?])\s*((?:\[\d+\]\s*)+)(?=[A-ZÄÖÜ„\"(])", lambda m: f"{m.group(1)} {m.group(2).strip()}\n", block
        )
        for part in block.split("\n"):
            out.extend(s for s in split_sentences(part) if s.strip())
    return out


class SupportChecker:
    """How well a passage supports a sentence, 0..1: content-stem overlap blended with embedding similarity."""

    def __init__(
        self,
        embed_query: Callable[[str], list[float]] | None = None,
        embed_passages: Callable[[Sequence[str]], list[list[float]]] | None = None,
        semantic_weight: float = 0.3,
    ) -> None:
        self._embed_query = embed_query
        self._embed_passages = embed_passages
        self._w = semantic_weight if embed_query and embed_passages else 0.0
        self._cache: dict[str, np.ndarray] = {}

    def lexical(self, sentence: str, passage: str) -> float:
        claim = set(analyze(sentence))
        if not claim:
            return 0.0
        have = set(analyze(passage))
        hits = sum(
            1 for s in claim if s in have or (len(s) >= 5 and any(s in h or h in s for h in have if len(h) >= 5))
        )
        return hits / len(claim)

    def semantic(self, sentence: str, passage: str) -> float:
        if not self._w:
            return 0.0
        assert self._embed_query and self._embed_passages
        if passage not in self._cache:
            self._cache[passage] = np.asarray(self._embed_passages([passage])[0])
        q = np.asarray(self._embed_query(sentence))
        return float(np.dot(q, self._cache[passage]))

    def score(self, sentence: str, passage: str) -> float:
        lex = self.lexical(sentence, passage)
        if not self._w:
            return lex
        return (1 - self._w) * lex + self._w * max(0.0, self.semantic(sentence, passage))


@dataclass
class Validated:
    text: str
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)
    not_covered: bool = False


class Renumberer:
    """Keeps sentences whose cited passages support them, renumbering markers 1..k in order of first use."""

    def __init__(self, sources: Sequence[Chunk], checker: SupportChecker, threshold: float) -> None:
        self._sources = list(sources)
        self._checker = checker
        self._threshold = threshold
        self._numbers: dict[int, int] = {}
        self._quotes: dict[int, list[str]] = {}
        self.dropped: list[str] = []
        self.not_covered = False

    def accept(self, sentence: str) -> str | None:
        """The sentence as shown (renumbered markers), or None when it is dropped."""
        markers = [int(m) for m in _MARKER.findall(sentence)]
        claim = _MARKER.sub("", sentence).strip()
        claim_text = re.sub(r"^([-*•]|\d+\.)\s+", "", claim)
        if NOT_COVERED in claim.lower() and "programmunterlagen" in claim.lower():
            self.not_covered = True
            return None
        if not claim_text or not is_german(claim_text):
            self.dropped.append(sentence)
            return None
        kept: list[int] = []
        for m in dict.fromkeys(markers):
            if not 1 <= m <= len(self._sources):
                continue  # a marker that points to no source
            if self._checker.score(claim_text, self._sources[m - 1].text) >= self._threshold:
                kept.append(m)
        if not kept:
            self.dropped.append(sentence)
            return None
        for m in kept:
            if m not in self._numbers:
                self._numbers[m] = len(self._numbers) + 1
                self._quotes[m] = []
            self._quotes[m].append(claim_text)
        marks = "".join(f" [{self._numbers[m]}]" for m in kept)
        return f"{claim}{marks}"

    def citations(self) -> list[Citation]:
        out = []
        for m, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            c = self._sources[m - 1]
            out.append(c.cite(n, best_quote(c.text, self._quotes[m])))
        return out


def best_quote(passage: str, claims: Sequence[str]) -> str:
    """The passage sentences that carry the claims (the whole passage when it is short)."""
    if len(passage) <= 400:
        return passage
    sentences = split_sentences(passage.replace("\n", " "))
    wanted = set().union(*(set(analyze(c)) for c in claims)) if claims else set()
    ranked = sorted(sentences, key=lambda s: -len(set(analyze(s)) & wanted))
    chosen = [s for s in sentences if s in ranked[:2]]
    return " … ".join(chosen) or passage[:400]


def validate(text: str, sources: Sequence[Chunk], checker: SupportChecker, threshold: float) -> Validated:
    renumber = Renumberer(sources, checker, threshold)
    shown = [s for s in (renumber.accept(c) for c in split_claims(text)) if s]
    return Validated(join_shown(shown), renumber.citations(), renumber.dropped, renumber.not_covered)


def is_list_item(sentence: str) -> bool:
    return bool(re.match(r"^([-*•]|\d+\.)\s+", sentence))


def join_shown(sentences: Sequence[str]) -> str:
    out = ""
    previous_list = False
    for s in sentences:
        item = is_list_item(s)
        sep = "" if not out else ("\n" if item or previous_list else " ")
        out += sep + s
        previous_list = item
    return out
