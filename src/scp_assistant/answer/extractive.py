"""Grounded extractive answers: pick the sentences and lists from the top passages that answer the question.

Lessons applied (see MODELS.md): keep lists and FAQ answers whole, skip headings and question lines, prefer
the passage that answers over one that merely repeats the question, and add a second source only when it
contributes something the first one does not say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.hybrid import dense_z
from scp_assistant.text import Unit, split_units

_QUANTITY = re.compile(r"\b(wie ?viele?|wieviel|wie hoch|wie lange|wann|seit wann|bis wann|betrag|summe|"
                       r"how much|how many|when)\b", re.IGNORECASE)
_LIST_WANTED = re.compile(r"\b(welche|was genau|beispiele?|aufz[äa]hl|liste|nenn|which|examples?)\b",
                          re.IGNORECASE)
_MARKER_SPACE = 5  # " [n]"


@dataclass(frozen=True)
class Picked:
    """One unit of the answer with the passage it was taken from (the quote is the unit itself)."""

    text: str
    chunk: Chunk
    position: int
    score: float


@dataclass(frozen=True)
class _Candidate:
    unit: Unit
    chunk: Chunk
    rank: int
    position: int
    score: float
    terms: frozenset[str]


class ExtractiveComposer:
    def __init__(self, bm25: BM25Index, max_chars: int = 950, passages: int = 8) -> None:
        self._bm25 = bm25
        self._max = max_chars
        self._passages = passages

    def _weights(self, question: str) -> dict[str, float]:
        weighted = self._bm25.expanded_terms(question)
        return {t: self._bm25.idf(t) * w for t, w in weighted.items() if self._bm25.idf(t) > 0}

    def _overlap(self, weights: dict[str, float], terms: set[str] | frozenset[str]) -> float:
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0

    def _title_terms(self, chunk: Chunk) -> set[str]:
        return set(self._bm25.query_terms(chunk.title))

    def candidates(self, question: str, ranked: Sequence[ScoredChunk]) -> list[list[_Candidate]]:
        """Units of the top passages, grouped by passage, ordered by how well the passage answers."""
        weights = self._weights(question)
        quantity = bool(_QUANTITY.search(question))
        rows: list[tuple[float, list[_Candidate]]] = []
        z = dense_z(ranked)
        for rank, scored in enumerate(ranked[: self._passages]):
            chunk = scored.chunk
            head_terms = set(self._bm25.query_terms(f"{chunk.section} {chunk.question} {chunk.title}"))
            units = split_units(chunk.text, by_line=chunk.page is not None)
            unit_terms = [frozenset(self._bm25.query_terms(u.text)) for u in units]
            body_terms: set[str] = set().union(*unit_terms) if unit_terms else set()
            fit = self._overlap(weights, body_terms | head_terms)
            dense = max(scored.dense_score, 0.80) if scored.dense_score else 0.80
            heading_fit = self._overlap(weights, head_terms - {t for t in head_terms if t in self._title_terms(chunk)})
            relevance = 3.0 * (dense - 0.85) + 0.6 * fit + 0.3 * heading_fit + 0.15 / (1 + rank)
            if not chunk.section and chunk.page is None:
                relevance -= 0.15  # the lead paragraph describes the source; it rarely answers
            row = []
            for pos, (unit, terms) in enumerate(zip(units, unit_terms, strict=True)):
                if _is_filler(unit.text):
                    continue
                score = relevance + 0.5 * self._overlap(weights, terms)
                if quantity and re.search(r"\d", unit.text):
                    score += 0.05
                if chunk.page is not None and len(unit.text) < 45 and not unit.is_list:
                    score -= 0.1  # slide titles and labels
                row.append(_Candidate(unit, chunk, rank, pos, score, terms))
            if row:
                rows.append((relevance, row))
        rows.sort(key=lambda r: -r[0])
        return [row for _, row in rows]

    def compose(self, question: str, ranked: Sequence[ScoredChunk]) -> list[Picked]:
        rows = self.candidates(question, ranked)
        if not rows:
            return []
        weights = self._weights(question)
        wants_list = bool(_LIST_WANTED.search(question))
        primary = rows[0]
        best = max(c.score for c in primary)
        picked: list[_Candidate] = []
        used = 0
        # 1. the best passage, mostly whole (lists and FAQ answers stay together)
        for cand in sorted(primary, key=lambda c: -c.score):
            if cand.score < best - 0.35 and used > 0.4 * self._max:
                continue
            text = self._fit(cand, self._max - used, wants_list)
            if text is None:
                continue
            picked.append(_replace_text(cand, text))
            used += len(text) + _MARKER_SPACE
        # 2. units from the next passages: nearly as relevant, or covering a part of the question that is still
        #    open ("Wer schließt ... und wann ...?"), and saying something new
        covered = set().union(*(c.terms for c in picked)) if picked else set()
        pool = [c for row in rows[1:] for c in row]
        while pool and used < self._max:
            open_weights = {t: w for t, w in weights.items() if t not in covered}
            def priority(c: _Candidate) -> float:
                return c.score + 0.8 * self._overlap(open_weights, c.terms)
            pool.sort(key=priority, reverse=True)
            cand = pool.pop(0)
            gain = self._overlap(open_weights, cand.terms) if open_weights else 0.0
            if cand.score < best - 0.3 and gain < 0.15:
                break
            if len(cand.terms - covered) < max(1, len(cand.terms) // 3) or _duplicate(cand, picked):
                continue
            text = self._fit(cand, self._max - used, wants_list)
            if text is None:
                continue
            picked.append(_replace_text(cand, text))
            covered |= cand.terms
            used += len(text) + _MARKER_SPACE
        order = {row[0].chunk.chunk_id: i for i, row in enumerate(rows)}
        picked.sort(key=lambda c: (order[c.chunk.chunk_id], c.position))
        return [Picked(c.unit.text, c.chunk, c.position, c.score) for c in picked]

    @staticmethod
    def _fit(cand: _Candidate, room: int, wants_list: bool) -> str | None:
        """The unit's text if it fits; a long list is cut to its leading items (lists stay lists)."""
        text = cand.unit.text
        if len(text) + _MARKER_SPACE <= room:
            return text
        if not cand.unit.is_list:
            return None
        lines = text.split("\n")
        kept: list[str] = []
        size = 0
        for line in lines:
            if size + len(line) + 1 + _MARKER_SPACE > room:
                break
            kept.append(line)
            size += len(line) + 1
        items = [k for k in kept if k.startswith("- ")]
        if len(items) < (3 if wants_list else 2):
            return None
        return "\n".join(kept)


def _replace_text(cand: _Candidate, text: str) -> _Candidate:
    if text == cand.unit.text:
        return cand
    return _Candidate(Unit(text, cand.unit.is_list), cand.chunk, cand.rank, cand.position, cand.score, cand.terms)


def _is_filler(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) < 12 or stripped.endswith("?"):
        return True
    return bool(re.match(r"^(#|Downloads?\b|Weitere Informationen|Mehr dazu|Quelle:)", stripped))


def _duplicate(cand: _Candidate, picked: list[_Candidate]) -> bool:
    for other in picked:
        inter = len(cand.terms & other.terms)
        union = len(cand.terms | other.terms) or 1
        if inter / union >= 0.6:
            return True
    return False
