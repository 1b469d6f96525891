"""The console's list of feedback: newest first, filtered (rating, reason, since a day, words in the question or
comment), one page at a time, each entry with what its answer was searched with and the test case made from it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scp_assistant.errors import InputError
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
    after: str | None = None  # the id of the last entry shown: the page goes on after it, however many came since


def feedback_page(store: FeedbackStore, cases: list[dict[str, Any]], wanted: FeedbackFilter) -> dict[str, Any]:
    """``{"total": n, "remaining": m, "entries": [...]}``: how many entries match, how many come after this page, and
    the page asked for. "Weitere laden" goes on after the last entry shown (``after``), so that feedback given in
    the meantime does not push an entry seen already onto the next page. What each answer was searched with comes in
    one query for all of them, not one per entry."""
    case_of = {str(c["answer_id"]): str(c["id"]) for c in cases if c.get("answer_id")}
    start = _day_start(wanted.since) if wanted.since else None
    records = [
        r for r in reversed(store.list(wanted.rating))
        if (wanted.reason is None or r.reason == wanted.reason)
        and (start is None or _moment(r.created_at) >= start)
    ]  # fmt: skip
    words = fold(wanted.text or "").split()
    searched: dict[str, str] = {}
    if words:  # the searched query counts as text of the entry
        searched = store.searched_for([r.answer_id for r in records if r.answer_id])
        records = [r for r in records if _mentions(f"{r.question} {r.comment or ''} {_searched(searched, r)}", words)]
    first = _after(records, wanted.after) if wanted.after else wanted.offset
    page = records[first : first + wanted.limit]
    if not words:
        searched = store.searched_for([r.answer_id for r in page if r.answer_id])
    entries = [
        {**asdict(r), "searched": _searched(searched, r), "case_id": case_of.get(r.answer_id or "")} for r in page
    ]
    return {"total": len(records), "remaining": max(0, len(records) - first - len(page)), "entries": entries}


def _after(records: list[FeedbackRecord], entry_id: str) -> int:
    """Where the list goes on after the entry with this id; nothing more if it is not in the list (the filter
    changed meanwhile, or it was deleted): never the first page again below what is shown."""
    return next((i + 1 for i, r in enumerate(records) if r.id == entry_id), len(records))


def searched_with(store: FeedbackStore, record: FeedbackRecord) -> str:
    """What the answer a feedback rates was searched with, where that was not the question as typed (a follow-up
    with its topic), from the answer record; empty otherwise."""
    return store.searched_for([record.answer_id]).get(record.answer_id, "") if record.answer_id else ""


def _searched(searched: dict[str, str], record: FeedbackRecord) -> str:
    return searched.get(record.answer_id or "", "")


def _mentions(text: str, words: list[str]) -> bool:
    """Every word occurs in a word of the text ("budget" in "Trägerbudget"); one or two letters ("Säule I") only as a
    word of their own."""
    tokens = re.findall(r"[\w-]+", fold(text))
    return all(any(t == w if len(w) <= 2 else w in t for t in tokens) for w in words)


def _day_start(day: str) -> datetime:
    """Midnight of ``day`` where the console's users are (Germany), so that "Ab Datum" means the day they see."""
    try:
        zone: tzinfo = ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # a system without time zone data: UTC
        zone = UTC
    try:
        return datetime.fromisoformat(day).replace(tzinfo=zone)
    except ValueError:  # "2024-13-45", "2024-02-30", "0000-01-01": the right shape, but no day
        raise InputError(f"Den Tag „{day}“ gibt es nicht; bitte als JJJJ-MM-TT, etwa 2025-03-01.") from None


def _moment(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
