"""Follow-up questions without a generative model.

A session keeps its recent turns (bounded, expiring). A follow-up such as "Und wer genehmigt das?" is turned
into a standalone query by adding the topic words of the previous standalone question, so that retrieval
finds the same subject; the user sees what was searched ("Gesucht wurde: …").
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Protocol

from scp_assistant.text import STOPWORDS, fold

_FOLLOW_START = re.compile(
    r"^(und|aber|also|auch|dann|sowie|oder|what about|and)\b|^(was|wie) ist (es )?mit\b|^(gilt|geht|klappt) das\b",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"\b(das|dies|diese[mnrs]?|dafür|dazu|davon|dabei|darauf|daran|darüber|es|dort|dieselbe[n]?|ebenfalls|"
    r"auch|that|this|it|there)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    fold(w)
    for w in (
        "wer wie was wann wo welche welcher welches welchen warum wieso weshalb wofür wozu ob gilt darf dürfen kann "
        "können muss müssen gibt bitte"
    ).split()
)


@dataclass
class Turn:
    question: str
    standalone: str


@dataclass
class Session:
    id: str
    turns: deque[Turn]
    touched: float = field(default_factory=time.monotonic)


def topic_words(question: str, limit: int = 6) -> list[str]:
    """The content words of a question, in order: nouns and specific terms, no question words."""
    out: list[str] = []
    for token in re.findall(r"[A-Za-zÄÖÜäöüß0-9][\wÄÖÜäöüß+-]*", question):
        folded = fold(token)
        if folded in STOPWORDS or folded in _QUESTION_WORDS or len(token) < 3:
            continue
        if token[0].isupper() or any(c.isdigit() for c in token) or "-" in token:
            out.append(token)
    return list(dict.fromkeys(out))[:limit]


def is_follow_up(question: str) -> bool:
    words = [w for w in re.findall(r"\w+", question) if fold(w) not in STOPWORDS]
    short = len(words) <= 4
    return bool(_FOLLOW_START.search(question.strip())) or (short and bool(_REFERENCE.search(question)))


def rewrite(question: str, previous: Turn | None) -> str:
    """The standalone query for a question, given the previous turn of its session."""
    if previous is None or not is_follow_up(question):
        return question
    new_topics = {fold(w) for w in topic_words(question)}
    carried = [w for w in topic_words(previous.standalone) if fold(w) not in new_topics]
    if not carried:
        return question
    return f"{question.rstrip()} ({' '.join(carried)})"


class QueryRewriter(Protocol):
    def rewrite(self, question: str, previous: Turn | None) -> str: ...


class RuleRewriter:
    """The rule-based rewrite (no model): carries the previous topic words over to a follow-up."""

    def rewrite(self, question: str, previous: Turn | None) -> str:
        return rewrite(question, previous)


class SessionStore:
    """In-memory sessions: at most ``max_sessions`` (oldest dropped), each expiring after ``ttl_s`` idle."""

    def __init__(self, ttl_s: float = 1800, turns: int = 6, max_sessions: int = 10_000) -> None:
        self._ttl, self._turns, self._max = ttl_s, turns, max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_create(self, session_id: str | None) -> Session:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if session_id and session_id in self._sessions:
                session = self._sessions.pop(session_id)
            else:
                sid = session_id if session_id and re.fullmatch(r"[A-Za-z0-9_-]{8,64}", session_id) else None
                session = Session(sid or uuid.uuid4().hex, deque(maxlen=self._turns))
            session.touched = now
            self._sessions[session.id] = session
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)
            return session

    def record(self, session: Session, question: str, standalone: str) -> None:
        with self._lock:
            session.turns.append(Turn(question, standalone))
            session.touched = time.monotonic()

    def _expire(self, now: float) -> None:
        stale = [sid for sid, s in self._sessions.items() if now - s.touched > self._ttl]
        for sid in stale:
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)
