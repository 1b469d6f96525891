"""What every answering backend shares: a question prepared for answering (cleaned, screened, retrieved, scored),
the notices an answer owes the user, and the answer cut into pieces for streaming."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from scp_assistant.answer import messages
from scp_assistant.answer.scoring import Featurized, Scored
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.models import Answer, Chunk, Citation, RetrievedRef, ScoredChunk

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    question: str  # cleaned
    query: str  # what was searched (the genuine question when instructions were stripped)
    stripped: bool
    ranked: list[ScoredChunk]
    retrieved: list[RetrievedRef]
    started: float
    refusal: Answer | None = None
    featurized: Featurized | None = None  # None when the guard declined before scoring
    scored: Scored | None = None
    foreign_places: tuple[str, ...] = ()  # places asked about that the documents never name
    scope_note: str = ""  # why the scope check declined it, in German (for ``scp-assistant explain``)
    shown: list[UnitCandidate] | None = None  # the units the extractive answer shows, once composed


def finish(prep: Prepared, answer: Answer) -> Answer:
    answer.latency_ms = (time.perf_counter() - prep.started) * 1000
    answer.searched = prep.query
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
    places = messages.local_examples(cited, prep.question)
    if places:
        notices.append(messages.local_example_notice(places))
    if prep.featurized is not None and prep.featurized.evidence.english:
        notices.append(messages.ENGLISH_NOTICE)
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
