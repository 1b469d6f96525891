"""Grounded extractive answers: pick the sentences and lists from the top passages that answer the question.

Lessons applied (see MODELS.md): keep lists and FAQ answers whole, skip headings and question lines, prefer
the passage that answers over one that merely repeats the question, and add a second source only when it
contributes something the first one does not say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scp_assistant.answer.layout import MARKER_SPACE, PARAGRAPH_SPACE, lead
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.hybrid import dense_z
from scp_assistant.text import Unit, split_units

_QUANTITY = re.compile(
    r"\b(wie ?viele?|wieviel|wie hoch|wie lange|wann|seit wann|bis wann|betrag|summe|"
    r"how much|how many|when)\b",
    re.IGNORECASE,
)
_LIST_WANTED = re.compile(r"\b(welche|was genau|beispiele?|aufz[äa]hl|liste|nenn|which|examples?)\b", re.IGNORECASE)
_COUNT_OF = re.compile(r"\b(?:wie ?viele|wieviele|anzahl der|zahl der|how many)\s+(\w+)", re.IGNORECASE)
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:€|euro|eur\b|mio|mrd|millionen|milliarden|prozent|%)", re.IGNORECASE)
BM25_CLEAR_WIN = 1.5  # the BM25 top hit scores at least this much more than the runner-up
_CARRIED = re.compile(r"\(([^()]*)\)\s*$")
# Official sources answer first; press and associations after them; another Land's rules last.
AUTHORITY = {
    "faq": 0.05,
    "landesseite": 0.05,
    "bund": 0.05,
    "praesentation": 0.02,
    "kommune": 0.02,
    "forschung": 0.0,
    "verband": -0.02,
    "presse": -0.03,
    "anderes-land": -0.08,
}


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
    terms: frozenset[str]  # of the unit's own text (novelty, duplicates)
    match_terms: frozenset[str]  # plus its section heading or FAQ question (relevance to the question)


class ExtractiveComposer:
    def __init__(self, bm25: BM25Index, max_chars: int = 950, passages: int = 8) -> None:
        self._bm25 = bm25
        self._max = max_chars
        self._passages = passages
        self._cache: dict[str, tuple[set[str], list[Unit], list[frozenset[str]], set[str]]] = {}

    def _weights(self, question: str) -> dict[str, float]:
        """IDF-weighted query terms. Topic words carried over from an earlier turn (the trailing parenthesis of a
        rewritten follow-up, see answer/followup.py) count less than the words the user just wrote."""
        own, carried = question, ""
        match = _CARRIED.search(question)
        if match:
            own, carried = question[: match.start()], match.group(1)
        weighted = self._bm25.expanded_terms(own)
        for term, w in self._bm25.expanded_terms(carried).items() if carried else ():
            weighted.setdefault(term, 0.4 * w)
        return {t: self._bm25.idf(t) * w for t, w in weighted.items() if self._bm25.idf(t) > 0}

    def _overlap(self, weights: dict[str, float], terms: set[str] | frozenset[str]) -> float:
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0

    def _title_terms(self, chunk: Chunk) -> set[str]:
        return set(self._bm25.query_terms(chunk.title))

    def _analysis(self, chunk: Chunk) -> tuple[set[str], list[Unit], list[frozenset[str]], set[str]]:
        """Units and terms of a passage, computed once per passage (the index does not change under us)."""
        cached = self._cache.get(chunk.chunk_id)
        if cached is None:
            head = set(self._bm25.query_terms(f"{chunk.section} {chunk.question} {chunk.title}"))
            units = split_units(chunk.text, by_line=chunk.page is not None)
            unit_terms = [frozenset(self._bm25.query_terms(u.text)) for u in units]
            body: set[str] = set().union(*unit_terms) if unit_terms else set()
            cached = (head, units, unit_terms, body)
            if len(self._cache) < 200_000:
                self._cache[chunk.chunk_id] = cached
        return cached

    def candidates(self, question: str, ranked: Sequence[ScoredChunk]) -> list[list[_Candidate]]:
        """Units of the top passages, grouped by passage, ordered by how well the passage answers."""
        weights = self._weights(question)
        quantity = bool(_QUANTITY.search(question))
        count_of = _COUNT_OF.search(question)
        counted = set(self._bm25.query_terms(count_of.group(1))) if count_of else set()
        rows: list[tuple[float, list[_Candidate]]] = []
        z = dense_z(ranked)
        for rank, scored in enumerate(_with_leaders(ranked, self._passages)):
            chunk = scored.chunk
            head_terms, units, unit_terms, body_terms = self._analysis(chunk)
            fit = self._overlap(weights, body_terms | head_terms)
            heading_fit = self._overlap(weights, head_terms - self._title_terms(chunk))
            relevance = (
                0.08 * max(z[chunk.chunk_id], -1.0)
                + 0.6 * fit
                + 0.3 * heading_fit
                + 0.15 / (1 + rank)
                + AUTHORITY.get(chunk.doc_type, 0.0)
            )
            if not chunk.section and chunk.page is None:
                relevance -= 0.15  # the lead paragraph describes the source; it rarely answers
            if chunk.page is not None and _low_content(units):
                relevance -= 0.25  # title pages and diagram labels echo the question's words but say little
            row = []
            context = frozenset(head_terms - self._title_terms(chunk))
            for pos, (unit, terms) in enumerate(zip(units, unit_terms, strict=True)):
                if _is_filler(unit.text):
                    continue
                score = relevance + 0.5 * self._overlap(weights, terms | context)
                if quantity and _answers_quantity(unit.text, counted, self._bm25):
                    score += 0.1
                if chunk.page is not None and len(unit.text) < 45 and not unit.is_list:
                    score -= 0.1  # slide titles and labels
                row.append(_Candidate(unit, chunk, rank, pos, score, terms, terms | context))
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
        opened: set[str] = set()  # chunks that already have a paragraph (lead-in and spacing paid)

        def cost(cand: _Candidate, text: str) -> int:
            extra = 0
            if cand.chunk.chunk_id not in opened:
                opened.add(cand.chunk.chunk_id)
                extra = len(lead(cand.chunk, text)) + PARAGRAPH_SPACE
            return len(text) + MARKER_SPACE + extra

        # 1. the best passage, mostly whole (lists and FAQ answers stay together)
        for cand in sorted(primary, key=lambda c: -c.score):
            if cand.score < best - 0.35 and used > 0.4 * self._max:
                continue
            text = self._fit(cand, self._max - used, wants_list)
            if text is None:
                continue
            picked.append(_replace_text(cand, text))
            used += cost(cand, text)
        # 2. units from the next passages: nearly as relevant, or covering a part of the question that is still
        #    open ("Wer schließt ... und wann ...?"), and saying something new
        covered = set().union(*(c.match_terms for c in picked)) if picked else set()
        pool = [c for row in rows[1:] for c in row]
        while pool and used < self._max:
            open_weights = {t: w for t, w in weights.items() if t not in covered}
            gains = {id(c): self._overlap(open_weights, c.match_terms) for c in pool}
            pool.sort(key=lambda c: c.score + 0.8 * gains[id(c)], reverse=True)
            cand = pool.pop(0)
            gain = gains[id(cand)]
            if cand.score < best - 0.4 and gain < 0.15:
                break
            if len(cand.terms - covered) < max(1, len(cand.terms) // 5) or _duplicate(cand, picked):
                continue
            text = self._fit(cand, self._max - used, wants_list)
            if text is None:
                continue
            picked.append(_replace_text(cand, text))
            covered |= cand.match_terms
            used += len(text) + MARKER_SPACE
        order = {row[0].chunk.chunk_id: i for i, row in enumerate(rows)}
        picked.sort(key=lambda c: (order[c.chunk.chunk_id], c.position))
        return [Picked(c.unit.text, c.chunk, c.position, c.score) for c in picked]

    @staticmethod
    def _fit(cand: _Candidate, room: int, wants_list: bool) -> str | None:
        """The unit's text if it fits; a long list is cut to its leading items (lists stay lists)."""
        text = cand.unit.text
        if len(text) + MARKER_SPACE <= room:
            return text
        if not cand.unit.is_list:
            return None
        lines = text.split("\n")
        kept: list[str] = []
        size = 0
        for line in lines:
            if size + len(line) + 1 + MARKER_SPACE > room:
                break
            kept.append(line)
            size += len(line) + 1
        items = [k for k in kept if k.startswith("- ")]
        if len(items) < (3 if wants_list else 2):
            return None
        return "\n".join(kept)


def _with_leaders(ranked: Sequence[ScoredChunk], k: int) -> list[ScoredChunk]:
    """The top k of the fused ranking plus the best dense hit and a clear BM25 winner wherever fusion put them:
    an exact-term match that only BM25 finds ("Genehmigt Anträge aus Chancenbudget") must not get lost."""
    out = list(ranked[:k])
    bm25_leader = next((s for s in ranked if s.bm25_rank == 0 and s.bm25_margin >= BM25_CLEAR_WIN), None)
    dense_leader = next((s for s in ranked if s.dense_rank == 0), None)
    for leader in (bm25_leader, dense_leader):
        if leader is not None and leader not in out:
            out.append(leader)
    return out


def _low_content(units: Sequence[Unit]) -> bool:
    """A slide made of labels and titles: fewer than two lines that carry a statement (a list, ten words or
    more, or a figure in a line of four words or more)."""
    informative = sum(
        1
        for u in units
        if u.is_list or len(u.text.split()) >= 10 or (re.search(r"\d", u.text) and len(u.text.split()) >= 4)
    )
    return informative < 2


def _answers_quantity(text: str, counted: set[str], bm25: BM25Index) -> bool:
    """A count of the asked thing ("200 Schulen" for "Wie viele Schulen") or an amount (€, Mio., %);
    a date alone does not answer "wie viele"."""
    if counted:
        for match in re.finditer(r"\b\d[\d.,]*\s+(?:[a-zäöüß-]+\s+)?([A-Za-zÄÖÜäöüß-]+)", text):
            if set(bm25.query_terms(match.group(1))) & counted:
                return True
        return False
    return bool(_AMOUNT.search(text)) or bool(re.search(r"\b(19|20)\d\d\b", text))


def _replace_text(cand: _Candidate, text: str) -> _Candidate:
    if text == cand.unit.text:
        return cand
    return _Candidate(
        Unit(text, cand.unit.is_list), cand.chunk, cand.rank, cand.position, cand.score, cand.terms, cand.match_terms
    )


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
