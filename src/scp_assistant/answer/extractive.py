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
from scp_assistant.answer.reading import (
    answers_quantity,
    block_context,
    is_filler,
    low_content,
    rare_term_holders,
    with_leaders,
)
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.hybrid import dense_z
from scp_assistant.text import MONTHS, Unit, split_units

_QUANTITY = re.compile(
    r"\b(wie ?viele?|wieviel|wie hoch|wie lange|wann|seit wann|bis wann|betrag|summe|"
    r"how much|how many|when)\b",
    re.IGNORECASE,
)
_WHEN = re.compile(r"\b(wann|seit wann|bis wann|zu welchem zeitpunkt|datum|when|what date)\b", re.IGNORECASE)
_DATE = re.compile(rf"\b(19|20)\d\d\b|\b\d{{1,2}}\.\d{{1,2}}\.|\b({MONTHS})\b", re.IGNORECASE)
_LIST_WANTED = re.compile(r"\b(welche|was genau|beispiele?|aufz[äa]hl|liste|nenn|which|examples?)\b", re.IGNORECASE)
_COUNT_OF = re.compile(r"\b(?:wie ?viele|wieviele|anzahl der|zahl der|how many)\s+(\w+)", re.IGNORECASE)
SLIDE_MARGIN = 0.12  # units of a slide this close to its best unit join the answer
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
class _Analysis:
    head: set[str]  # section heading, FAQ question and title
    units: list[Unit]
    terms: list[frozenset[str]]  # per unit
    body: set[str]
    blocks: list[frozenset[str]]  # per unit: the slide block heading it stands under ("Säule I: ...")
    title: frozenset[str]


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
        self._cache: dict[str, _Analysis] = {}

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

    def _title_terms(self, chunk: Chunk) -> frozenset[str]:
        return self._analysis(chunk).title

    def _with_affixes(self, terms: list[str]) -> frozenset[str]:
        """A unit's terms plus the index terms its words begin or end with: "Beantragung" also says "Antrag",
        "Planungen" says "Plan" (German derives and compounds at the edges of a word)."""
        out = set(terms)
        for term in terms:
            for cut in range(4, len(term) - 1):
                for part in (term[:cut], term[-cut:]):
                    if self._bm25.idf(part) > 0:
                        out.add(part)
        return frozenset(out)

    def _analysis(self, chunk: Chunk) -> _Analysis:
        """Units and terms of a passage, computed once per passage (the index does not change under us)."""
        cached = self._cache.get(chunk.chunk_id)
        if cached is None:
            head = set(self._bm25.query_terms(f"{chunk.section} {chunk.question} {chunk.title}"))
            units = split_units(chunk.text, by_line=chunk.page is not None)
            unit_terms = [self._with_affixes(self._bm25.query_terms(u.text)) for u in units]
            body: set[str] = set().union(*unit_terms) if unit_terms else set()
            blocks = block_context(units, unit_terms) if chunk.page is not None else [frozenset()] * len(units)
            title = frozenset(self._bm25.query_terms(chunk.title))
            cached = _Analysis(head, units, unit_terms, body, blocks, title)
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
        passages = with_leaders(ranked, self._passages)
        passages += [
            s
            for s in rare_term_holders(question, ranked, self._passages, self._bm25, lambda c: self._analysis(c).body)
            if s not in passages
        ]
        for rank, scored in enumerate(passages):
            chunk = scored.chunk
            analysis = self._analysis(chunk)
            head_terms, units, body_terms = analysis.head, analysis.units, analysis.body
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
            if chunk.page is not None and low_content(units):
                relevance -= 0.25  # title pages and diagram labels echo the question's words but say little
            row = []
            context = frozenset(head_terms - self._title_terms(chunk))
            for pos, (unit, terms, block) in enumerate(zip(units, analysis.terms, analysis.blocks, strict=True)):
                if is_filler(unit.text):
                    continue
                score = relevance + 0.5 * self._overlap(weights, terms | context | block)
                if quantity and answers_quantity(unit.text, counted, self._bm25):
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
        # a slide is a heap of labels and bullets, not a text to read whole: keep only its best-matching parts
        slide = primary[0].chunk.page is not None
        for cand in sorted(primary, key=lambda c: -c.score):
            if cand.score < best - (SLIDE_MARGIN if slide else 0.35) and (slide or used > 0.4 * self._max):
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
        if _WHEN.search(question) and not any(_DATE.search(c.unit.text) for c in picked):
            self._add_date(picked, rows, used)
        order = {row[0].chunk.chunk_id: i for i, row in enumerate(rows)}
        picked.sort(key=lambda c: (order[c.chunk.chunk_id], c.position))
        return [Picked(c.unit.text, c.chunk, c.position, c.score) for c in picked]

    def _add_date(self, picked: list[_Candidate], rows: list[list[_Candidate]], used: int) -> None:
        """A "when" question gets a date: the best dated unit of a passage the answer already cites, making room
        by dropping the weakest unit taken from another passage if needed."""
        cited = {c.chunk.chunk_id for c in picked}
        dated = [c for row in rows for c in row if c.chunk.chunk_id in cited and _DATE.search(c.unit.text)]
        if not dated:
            return
        best = max(dated, key=lambda c: c.score)
        need = len(best.unit.text) + MARKER_SPACE
        while used + need > self._max:
            spare = [c for c in picked if c.chunk.chunk_id != picked[0].chunk.chunk_id]
            if not spare:
                return
            weakest = min(spare, key=lambda c: c.score)
            picked.remove(weakest)
            used -= len(weakest.unit.text) + MARKER_SPACE
        picked.append(best)

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


def _replace_text(cand: _Candidate, text: str) -> _Candidate:
    if text == cand.unit.text:
        return cand
    return _Candidate(
        Unit(text, cand.unit.is_list), cand.chunk, cand.rank, cand.position, cand.score, cand.terms, cand.match_terms
    )


def _duplicate(cand: _Candidate, picked: list[_Candidate]) -> bool:
    for other in picked:
        inter = len(cand.terms & other.terms)
        union = len(cand.terms | other.terms) or 1
        if inter / union >= 0.6:
            return True
    return False
