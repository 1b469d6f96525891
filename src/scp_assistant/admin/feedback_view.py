"""The console's list of feedback: newest first, filtered (rating, reason, since a day, words in the question or
comment), one page at a time, each entry with what its answer was searched with and the test case made from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scp_assistant.feedback.store import FeedbackRecord, FeedbackStore, Rating
from scp_assistant.text import fold

PAGE = 50  # entries per page in the console


@dataclass(frozen=True)
class FeedbackFilter:
    rating: Rating | None = None
    reason: str | None = None
    since: str | None = None  # an ISO day ("2026-12-01"): entries from that day on
    text: str | None = None  # words that must all occur in the question, the comment or the searched query
    limit: int = PAGE
    offset: int = 0


def feedback_page(store: FeedbackStore, cases: list[dict[str, Any]], wanted: FeedbackFilter) -> dict[str, Any]:
    """``{"total": n, "entries": [...]}``: how many entries match, and the page of them asked for."""
    case_of = {str(c["answer_id"]): str(c["id"]) for c in cases if c.get("answer_id")}
    words = fold(wanted.text or "").split()
    matching: list[tuple[FeedbackRecord, str]] = []
    for record in reversed(store.list(wanted.rating)):
        if wanted.reason is not None and record.reason != wanted.reason:
            continue
        if wanted.since and record.created_at[:10] < wanted.since:
            continue
        searched = searched_with(store, record) if words or len(matching) < wanted.offset + wanted.limit else ""
        if words and not all(w in fold(f"{record.question} {record.comment or ''} {searched}") for w in words):
            continue
        matching.append((record, searched))
    page = matching[wanted.offset : wanted.offset + wanted.limit]
    entries = [{**asdict(r), "searched": searched, "case_id": case_of.get(r.answer_id or "")} for r, searched in page]
    return {"total": len(matching), "entries": entries}


def searched_with(store: FeedbackStore, record: FeedbackRecord) -> str:
    """What the answer a feedback rates was searched with, where that was not the question as typed (a follow-up
    with its topic), from the answer record; empty otherwise."""
    answer = store.get_answer(record.answer_id) if record.answer_id else None
    return answer.searched if answer else ""
