"""Feedback on answers: the FeedbackStore seam and its SQL implementation (see :mod:`scp_assistant.database`).

A record holds rating, reason code, free comment, the question, the answer, its citations and a timestamp; no
user, address or cookie. E-mail addresses and telephone numbers in the question and the comment are replaced by
markers before they are stored (``redact.py``). Negative feedback can be exported as candidate entries for a
question set.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, cast

import yaml

from scp_assistant.database import Database
from scp_assistant.errors import InputError
from scp_assistant.feedback.redact import redact_contacts

Rating = Literal["up", "down"]
REASONS = ("falsch", "unvollständig", "quelle-falsch", "nicht-hilfreich", "veraltet", "sonstiges")


@dataclass(frozen=True)
class FeedbackRecord:
    rating: Rating
    question: str
    answer: str
    reason: str | None = None
    comment: str | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    answer_id: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def validated(self) -> FeedbackRecord:
        if self.rating not in ("up", "down"):
            raise InputError(f"Bewertung {self.rating!r} ist ungültig (up oder down)")
        if self.reason is not None and self.reason not in REASONS:
            raise InputError(f"Grund {self.reason!r} ist ungültig (erlaubt: {', '.join(REASONS)})")
        if self.comment is not None and len(self.comment) > 2000:
            raise InputError("Kommentar ist zu lang (höchstens 2000 Zeichen)")
        comment = redact_contacts(self.comment) if self.comment is not None else None
        return replace(self, question=redact_contacts(self.question), comment=comment)


@dataclass(frozen=True)
class AnswerRecord:
    """What the assistant answered, kept under its answer_id so that feedback can refer to it."""

    answer_id: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    refused: bool = False
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    # what was searched, when it was not the question as typed: a follow-up with the previous turn's topic ("Und bis
    # wann? (Anträge Chancenbudget)"), a question with its typing errors corrected
    searched: str = ""


class FeedbackStore(Protocol):
    def add(self, record: FeedbackRecord) -> str: ...

    def list(self, rating: Rating | None = None) -> list[FeedbackRecord]: ...

    def record_answer(self, record: AnswerRecord) -> None: ...

    def get_answer(self, answer_id: str) -> AnswerRecord | None: ...

    def searched_for(self, answer_ids: Sequence[str]) -> dict[str, str]:
        """What each of these answers was searched with, where that is known (one query, not one per answer)."""
        ...


_FEEDBACK_DDL = (
    "CREATE TABLE IF NOT EXISTS feedback (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, rating TEXT NOT NULL, "
    "reason TEXT, comment TEXT, question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, "
    "answer_id TEXT)"
)
_ANSWERS_DDL = (
    "CREATE TABLE IF NOT EXISTS answers (answer_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
    "question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, refused INTEGER NOT NULL, searched TEXT)"
)
_SELECT_FEEDBACK = (
    "SELECT id, created_at, rating, reason, comment, question, answer, citations, answer_id FROM feedback"
)


_UPSERT_ANSWER = (
    "INSERT INTO answers (answer_id, created_at, question, answer, citations, refused, searched) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (answer_id) DO UPDATE SET "
    "answer = excluded.answer, citations = excluded.citations, refused = excluded.refused, searched = excluded.searched"
)


class SQLFeedbackStore:
    """Feedback and answer records in the shared database (SQLite by default, PostgreSQL for several hosts)."""

    def __init__(self, database: Database) -> None:
        self._db = database
        with database.transaction() as db:
            db.execute(_FEEDBACK_DDL)
            db.execute(_ANSWERS_DDL)
        self._add_searched()

    def _add_searched(self) -> None:
        """Answer records written before the searched query was kept get its column (empty for them). Workers
        starting together may both add it: whoever comes second finds it there."""
        for _ in range(3):
            try:
                with self._db.transaction() as db:
                    db.execute("SELECT searched FROM answers WHERE 1 = 0")
                return
            except Exception:
                try:
                    with self._db.transaction() as db:
                        db.execute("ALTER TABLE answers ADD COLUMN searched TEXT")
                except Exception:
                    time.sleep(0.2)

    def add(self, record: FeedbackRecord) -> str:
        r = record.validated()
        with self._db.transaction() as db:
            db.execute(
                self._db.sql("INSERT INTO feedback VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"),
                (
                    r.id,
                    r.created_at,
                    r.rating,
                    r.reason,
                    r.comment,
                    r.question,
                    r.answer,
                    json.dumps(r.citations, ensure_ascii=False),
                    r.answer_id,
                ),
            )
        return r.id

    def list(self, rating: Rating | None = None) -> list[FeedbackRecord]:
        query, args = _SELECT_FEEDBACK, cast(tuple[str, ...], ())
        if rating:
            query, args = query + self._db.sql(" WHERE rating = {p}"), (rating,)
        with self._db.transaction() as db:
            rows = db.execute(query + " ORDER BY created_at, id", args).fetchall()
        return [
            FeedbackRecord(
                id=row[0],
                created_at=row[1],
                rating=row[2],
                reason=row[3],
                comment=row[4],
                question=row[5],
                answer=row[6],
                citations=json.loads(row[7]),
                answer_id=row[8],
            )
            for row in rows
        ]

    def record_answer(self, record: AnswerRecord) -> None:
        record = replace(record, question=redact_contacts(record.question), searched=redact_contacts(record.searched))
        with self._db.transaction() as db:
            db.execute(
                self._db.sql(_UPSERT_ANSWER),
                (
                    record.answer_id,
                    record.created_at,
                    record.question,
                    record.answer,
                    json.dumps(record.citations, ensure_ascii=False),
                    int(record.refused),
                    record.searched,
                ),
            )

    def searched_for(self, answer_ids: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(a for a in answer_ids if a))
        out: dict[str, str] = {}
        with self._db.transaction() as db:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                marks = ", ".join(["{p}"] * len(batch))
                query = self._db.sql(f"SELECT answer_id, searched FROM answers WHERE answer_id IN ({marks})")
                out.update({row[0]: row[1] or "" for row in db.execute(query, tuple(batch)).fetchall()})
        return out

    def get_answer(self, answer_id: str) -> AnswerRecord | None:
        with self._db.transaction() as db:
            row = db.execute(
                self._db.sql(
                    "SELECT answer_id, created_at, question, answer, citations, refused, searched FROM answers "
                    "WHERE answer_id = {p}"
                ),
                (answer_id,),
            ).fetchone()
        if row is None:
            return None
        return AnswerRecord(
            answer_id=row[0],
            created_at=row[1],
            question=row[2],
            answer=row[3],
            citations=json.loads(row[4]),
            refused=bool(row[5]),
            searched=row[6] or "",
        )


def to_json(records: list[FeedbackRecord]) -> str:
    return json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=1)


def to_eval_yaml(records: list[FeedbackRecord]) -> str:
    """Negative feedback as candidate question entries; a person fills in expect, key_facts and sources."""
    entries = []
    for r in records:
        if r.rating != "down":
            continue
        entries.append(
            {
                "id": f"fb-{r.id[:8]}",
                "question": r.question,
                "category": "feedback",
                "expect": "TODO: answer oder refuse",
                "key_facts": ["TODO"],
                "sources": sorted({str(c.get("doc_id")) for c in r.citations if c.get("doc_id")}) or ["TODO"],
                "behaviour": [f"Rückmeldung: {r.reason or 'ohne Grund'}" + (f" – {r.comment}" if r.comment else "")],
                "expected_answer": f"TODO (bisherige Antwort: {r.answer[:400]})",
            }
        )
    header = (
        "# Kandidaten aus negativem Feedback. Bitte 'expect', 'key_facts' und 'sources' prüfen und ausfüllen,\n"
        "# dann mit `scp-assistant eval validate` prüfen und in einen Fragensatz übernehmen.\n"
    )
    return header + (yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=110) if entries else "[]\n")
