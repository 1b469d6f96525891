"""The answer stage: screen the question, retrieve, judge the evidence, compose and cite, or decline."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from scp_assistant.answer import messages
from scp_assistant.answer.citations import render
from scp_assistant.answer.evidence import EvidenceJudge
from scp_assistant.answer.extractive import ExtractiveComposer, Picked
from scp_assistant.answer.guard import clean_question, screen
from scp_assistant.models import Answer, Chunk, Citation, RefusalReason, RetrievedRef, ScoredChunk
from scp_assistant.retrieve.hybrid import Filters, HybridRetriever
from scp_assistant.settings import AnswerSettings, RetrieveSettings

log = logging.getLogger(__name__)

_ANSWER_HARD_LIMIT = 1100
_FIGURE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*(Mio\.|Millionen|Mrd\.|Milliarden)", re.IGNORECASE)


@dataclass
class Prepared:
    question: str  # cleaned
    query: str  # what was searched (the genuine question when instructions were stripped)
    stripped: bool
    ranked: list[ScoredChunk]
    retrieved: list[RetrievedRef]
    started: float
    refusal: Answer | None = None


def finish(prep: Prepared, answer: Answer) -> Answer:
    answer.latency_ms = (time.perf_counter() - prep.started) * 1000
    log.info(
        "answered refused=%s reason=%s backend=%s in %.0f ms",
        answer.refused,
        answer.refusal_reason,
        answer.backend,
        answer.latency_ms,
    )
    return answer


def answered(
    prep: Prepared,
    body: str,
    citations: list[Citation],
    cited: Sequence[Chunk],
    backend: str,
    extra_notices: Sequence[str] = (),
) -> Answer:
    """An answer with the notices every backend owes the user: instructions that were ignored, and sources that
    describe another Land (said in the answer text too)."""
    notices = [messages.STRIPPED_NOTICE] if prep.stripped else []
    other_land = [c for c in cited if c.doc_type == "anderes-land"]
    if other_land:
        note = messages.other_land_notice(other_land)
        body = f"{body}\n\n{note}"
        notices.append(note)
    notices.extend(extra_notices)
    return Answer(
        question=prep.question,
        answer=body,
        refused=False,
        refusal_reason=None,
        notice=" ".join(notices) or None,
        backend=backend,
        citations=citations,
        retrieved=prep.retrieved,
    )


def split_for_stream(text: str) -> list[str]:
    """Answer text in small pieces (sentence by sentence), keeping every character."""
    parts = re.split(r"(?<=\]) (?=\S)|(?<=\n\n)", text)
    return [p if i == len(parts) - 1 else (p if p.endswith("\n") else p + " ") for i, p in enumerate(parts) if p]


class AnswerService:
    backend = "extractive"

    def __init__(self, retriever: HybridRetriever, settings: AnswerSettings, retrieve: RetrieveSettings) -> None:
        self._retriever = retriever
        self._settings = settings
        self._retrieve = retrieve
        self.judge = EvidenceJudge(retriever.bm25)
        self.composer = ExtractiveComposer(retriever.bm25, settings.max_answer_chars, passages=retrieve.k)

    def prepare(self, question: str, filters: Filters | None = None) -> Prepared:
        """Everything before an answer is written: clean and screen the question, retrieve, and apply the
        refusal policy. Generative backends reuse this, so the policy always runs before a model is called."""
        started = time.perf_counter()
        text = clean_question(question, self._settings.max_question_chars)
        screening = screen(text, self.judge.is_programme_text)
        ranked = self._retriever.retrieve(screening.query, filters)
        retrieved = [
            RetrievedRef(s.chunk.doc_id, s.chunk.chunk_id, round(s.score, 5))
            for s in ranked[: max(self._retrieve.min_retrieved, 20)]
        ]
        prep = Prepared(text, screening.query, screening.stripped, ranked, retrieved, started)
        if screening.kind in ("adversarial", "out_of_scope"):
            reason: RefusalReason = "adversarial" if screening.kind == "adversarial" else "out_of_scope"
            prep.refusal = self._refusal(text, reason, screening.category, [], retrieved)
            return prep
        evidence = self.judge.judge(screening.query, ranked)
        log.debug("evidence %s", evidence)
        if evidence.score < self._settings.refusal_threshold:
            reason = "not_covered" if evidence.programme else "out_of_scope"
            related = _related(ranked) if reason == "not_covered" else []
            prep.refusal = self._refusal(text, reason, "", related, retrieved)
        return prep

    def compose(self, prep: Prepared) -> Answer:
        """The extractive answer for a prepared question that passed the refusal policy."""
        picked = self.composer.compose(prep.query, prep.ranked)
        if not picked:
            return self._refusal(prep.question, "not_covered", "", _related(prep.ranked), prep.retrieved)
        body, citations = render(picked)
        while len(body) > _ANSWER_HARD_LIMIT and len(picked) > 1:  # never pad past what a reader takes in
            picked = picked[:-1]
            body, citations = render(picked)
        conflict = _conflicting_figures(picked, citations)
        extra = [messages.conflict_notice(conflict)] if conflict else []
        return answered(prep, body, citations, _cited_chunks(picked), self.backend, extra)

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        prep = self.prepare(question, filters)
        return finish(prep, prep.refusal or self.compose(prep))

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]:
        """("prepared", Prepared), then ("delta", text) pieces, then ("answer", Answer)."""
        prep = self.prepare(question, filters)
        yield "prepared", prep
        answer = finish(prep, prep.refusal or self.compose(prep))
        for piece in split_for_stream(answer.answer):
            yield "delta", piece
        yield "answer", answer

    def _refusal(
        self,
        question: str,
        reason: RefusalReason,
        category: str,
        related: Sequence[Chunk],
        retrieved: list[RetrievedRef],
    ) -> Answer:
        return Answer(
            question=question,
            answer=messages.refusal(reason, category, self._settings.contact_email, related),
            refused=True,
            refusal_reason=reason,
            notice=None,
            backend=self.backend,
            citations=[],
            retrieved=retrieved,
        )


def _related(ranked: Sequence[ScoredChunk], limit: int = 3) -> list[Chunk]:
    out: list[Chunk] = []
    seen: set[str] = set()
    for s in ranked:
        if s.chunk.doc_id not in seen:
            seen.add(s.chunk.doc_id)
            out.append(s.chunk)
        if len(out) == limit:
            break
    return out


def _cited_chunks(picked: Sequence[Picked]) -> list[Chunk]:
    return list({p.chunk.chunk_id: p.chunk for p in picked}.values())


def _conflicting_figures(picked: Sequence[Picked], citations: Sequence[Citation]) -> list[tuple[str, int, str]]:
    """Figures of the same magnitude that differ slightly between documents (49,4 Mio. vs. 50 Mio.)."""
    number = {c.chunk_id: c for c in citations}
    found: list[tuple[float, str, str, int, str]] = []
    for p in picked:
        cit = number[p.chunk.chunk_id]
        for match in _FIGURE.finditer(p.text):
            value = (
                float(match.group(1).replace(".", "").replace(",", "."))
                if "," in match.group(1)
                else float(match.group(1))
            )
            unit = match.group(2).lower()[:2]
            found.append((value, unit, match.group(0), cit.n, cit.date))
    pairs: list[tuple[str, int, str]] = []
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            if a[1] == b[1] and a[0] != b[0] and abs(a[0] - b[0]) <= 0.05 * max(a[0], b[0]) and a[3] != b[3]:
                for item in (a, b):
                    entry = (item[2], item[3], item[4])
                    if entry not in pairs:
                        pairs.append(entry)
    return pairs
