"""Chat sessions: the recent turns a follow-up question is read against.

Two stores behind one seam: in process memory (one worker only), or in the shared SQL database (the default)
so that a follow-up works whichever worker or machine answers it. Both keep at most ``turns`` turns per
session and forget a session after ``ttl_s`` seconds without a question. A session forgotten on purpose ("Neue
Unterhaltung") stays forgotten for that long: an answer still on its way records no turn under its id, and the id
is not handed out again.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from scp_assistant.database import Database

_VALID_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass
class Turn:
    question: str
    standalone: str
    off_topic: bool = False  # declined as off-topic or manipulation: it lends the next turn no topic


@dataclass
class Session:
    id: str
    turns: list[Turn] = field(default_factory=list)


class SessionStore(Protocol):
    def get_or_create(self, session_id: str | None) -> Session:
        """The live session with this id, or a new one (under this id when it is well-formed)."""

    def record(self, session: Session, question: str, standalone: str, off_topic: bool = False) -> None:
        """Append a turn (the oldest beyond the limit is dropped) and keep the session alive."""

    def keep_alive(self, session: Session) -> None:
        """Keep a stored session alive without a turn (small talk: "Danke!" between two questions)."""

    def forget(self, session_id: str) -> None:
        """Delete a session at once ("Neue Unterhaltung"), not only when it expires, and keep it from coming back: a
        turn recorded under its id later (an answer that was still on its way) is dropped. An unknown id is no
        error."""


def _new(session_id: str | None) -> Session:
    valid = session_id if session_id and _VALID_ID.fullmatch(session_id) else None
    return Session(valid or uuid.uuid4().hex)


def _turn(stored: list[Any]) -> Turn:
    """A stored turn: [question, standalone, off_topic]; rows written before the mark hold the first two."""
    return Turn(str(stored[0]), str(stored[1]), len(stored) > 2 and bool(stored[2]))


def _append(session: Session, turn: Turn, limit: int) -> None:
    session.turns = [*session.turns, turn][-limit:]


class MemorySessionStore:
    """In-process sessions for a single worker: at most ``max_sessions`` (least recently used dropped).
    Kept in the order of their last turn, so expiring and dropping both take from the front."""

    def __init__(
        self, ttl_s: float = 1800, turns: int = 6, max_sessions: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._ttl, self._turns, self._max, self._clock = ttl_s, turns, max_sessions, clock
        self._sessions: OrderedDict[str, tuple[float, list[Turn]]] = OrderedDict()
        self._forgotten: OrderedDict[str, float] = OrderedDict()  # id -> when it was forgotten, oldest first
        self._lock = threading.Lock()

    def get_or_create(self, session_id: str | None) -> Session:
        now = self._clock()
        with self._lock:
            while self._sessions:  # ordered by last turn: the expired ones are at the front
                oldest, (touched, _) = next(iter(self._sessions.items()))
                if now - touched <= self._ttl:
                    break
                del self._sessions[oldest]
            while self._forgotten and now - next(iter(self._forgotten.values())) > self._ttl:
                self._forgotten.popitem(last=False)
            if session_id and session_id in self._sessions:
                return Session(session_id, list(self._sessions[session_id][1]))
            if session_id in self._forgotten:
                return _new(None)  # a forgotten id is not handed out again
        return _new(session_id)

    def record(self, session: Session, question: str, standalone: str, off_topic: bool = False) -> None:
        _append(session, Turn(question, standalone, off_topic), self._turns)
        with self._lock:
            if session.id in self._forgotten:
                return  # the user started over while this turn was being answered
            self._sessions[session.id] = (self._clock(), list(session.turns))
            self._sessions.move_to_end(session.id)
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)

    def keep_alive(self, session: Session) -> None:
        with self._lock:
            if session.id in self._sessions:
                self._sessions[session.id] = (self._clock(), self._sessions[session.id][1])
                self._sessions.move_to_end(session.id)

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)
            self._forgotten[session_id] = self._clock()
            self._forgotten.move_to_end(session_id)
            while len(self._forgotten) > self._max:
                self._forgotten.popitem(last=False)


_SESSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, touched DOUBLE PRECISION NOT NULL, turns TEXT NOT NULL)"
)
_FORGOTTEN_DDL = "CREATE TABLE IF NOT EXISTS forgotten_sessions (id TEXT PRIMARY KEY, at DOUBLE PRECISION NOT NULL)"
# one statement, so that a session forgotten between reading it and recording its turn is not written back
_UPSERT = (
    "INSERT INTO sessions SELECT {p}, {p}, {p} WHERE NOT EXISTS (SELECT 1 FROM forgotten_sessions WHERE id = {p}) "
    "ON CONFLICT (id) DO UPDATE SET touched = excluded.touched, turns = excluded.turns"
)
_MARK_FORGOTTEN = "INSERT INTO forgotten_sessions VALUES ({p}, {p}) ON CONFLICT (id) DO UPDATE SET at = excluded.at"


class SQLSessionStore:
    """Sessions in the shared database: every worker reads and writes the same rows.

    Expired sessions are deleted now and then (at most every ``sweep_s`` seconds per process) and never read;
    beyond ``max_sessions`` the least recently used are deleted by the same sweep.
    """

    def __init__(
        self,
        database: Database,
        ttl_s: float = 1800,
        turns: int = 6,
        max_sessions: int = 100_000,
        clock: Callable[[], float] = time.time,
        sweep_s: float = 60.0,
    ) -> None:
        self._db = database
        self._ttl, self._turns, self._max, self._clock, self._sweep_s = ttl_s, turns, max_sessions, clock, sweep_s
        self._swept = clock()
        with database.transaction() as db:
            db.execute(_SESSIONS_DDL)
            db.execute(_FORGOTTEN_DDL)
            db.execute("CREATE INDEX IF NOT EXISTS sessions_touched ON sessions (touched)")  # for the sweep

    def get_or_create(self, session_id: str | None) -> Session:
        now = self._clock()
        if now - self._swept > self._sweep_s:
            self.sweep(now)
        if session_id and _VALID_ID.fullmatch(session_id):
            with self._db.transaction() as db:
                row = db.execute(
                    self._db.sql("SELECT turns FROM sessions WHERE id = {p} AND touched >= {p}"),
                    (session_id, now - self._ttl),
                ).fetchone()
                forgotten = db.execute(
                    self._db.sql("SELECT 1 FROM forgotten_sessions WHERE id = {p}"), (session_id,)
                ).fetchone()
            if row is not None:
                return Session(session_id, [_turn(t) for t in json.loads(row[0])])
            if forgotten is not None:
                return _new(None)  # a forgotten id is not handed out again
        return _new(session_id)

    def record(self, session: Session, question: str, standalone: str, off_topic: bool = False) -> None:
        _append(session, Turn(question, standalone, off_topic), self._turns)
        turns = json.dumps([[t.question, t.standalone, t.off_topic] for t in session.turns], ensure_ascii=False)
        with self._db.transaction() as db:
            db.execute(self._db.sql(_UPSERT), (session.id, self._clock(), turns, session.id))

    def keep_alive(self, session: Session) -> None:
        with self._db.transaction() as db:
            db.execute(self._db.sql("UPDATE sessions SET touched = {p} WHERE id = {p}"), (self._clock(), session.id))

    def forget(self, session_id: str) -> None:
        with self._db.transaction() as db:
            db.execute(self._db.sql(_MARK_FORGOTTEN), (session_id, self._clock()))
            db.execute(self._db.sql("DELETE FROM sessions WHERE id = {p}"), (session_id,))

    def sweep(self, now: float | None = None) -> None:
        """Delete expired sessions and, beyond ``max_sessions``, the least recently used."""
        now = self._clock() if now is None else now
        self._swept = now
        with self._db.transaction() as db:
            db.execute(self._db.sql("DELETE FROM sessions WHERE touched < {p}"), (now - self._ttl,))
            db.execute(self._db.sql("DELETE FROM forgotten_sessions WHERE at < {p}"), (now - self._ttl,))
            db.execute(
                self._db.sql(
                    "DELETE FROM sessions WHERE touched < "
                    "(SELECT touched FROM sessions ORDER BY touched DESC LIMIT 1 OFFSET {p})"
                ),
                (self._max - 1,),
            )
