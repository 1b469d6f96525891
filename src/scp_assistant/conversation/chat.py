"""The chat service: sessions, follow-up resolution, answer records for feedback, and the event stream.

Each turn is resolved on its own first (scope and guard run on what the user just wrote), then, if it depends on
the previous turn, searched with that turn's topic; the answer stage itself only ever sees one standalone query.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from scp_assistant.answer.guard import clean_question
from scp_assistant.conversation.followup import QueryRewriter
from scp_assistant.conversation.sessions import Session, SessionStore
from scp_assistant.errors import NotFoundError
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, FeedbackStore, Rating
from scp_assistant.models import Answer
from scp_assistant.retrieve.hybrid import Filters

log = logging.getLogger(__name__)


class Answerer(Protocol):
    """The answer stage as the chat sees it: the extractive service or a generative one."""

    def ask(self, question: str, filters: Filters | None = None) -> Answer: ...

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]: ...


@dataclass(frozen=True)
class ChatReply:
    answer: Answer
    answer_id: str
    session_id: str
    rewritten_question: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.answer.to_dict(),
            "answer_id": self.answer_id,
            "session_id": self.session_id,
            "rewritten_question": self.rewritten_question,
        }


class ChatService:
    def __init__(
        self,
        answers: Answerer,
        sessions: SessionStore,
        feedback: FeedbackStore,
        max_question_chars: int,
        resolver: QueryRewriter,
    ) -> None:
        self._answers = answers
        self._sessions = sessions
        self._feedback = feedback
        self._max = max_question_chars
        self._resolver = resolver

    def _begin(self, question: str, session_id: str | None) -> tuple[str, Session, str]:
        text = clean_question(question, self._max)
        session = self._sessions.get_or_create(session_id)
        previous = session.turns[-1] if session.turns else None
        return text, session, self._resolver.resolve(text, previous).standalone

    def _end(
        self, text: str, session: Session, standalone: str, answer: Answer, answer_id: str | None = None
    ) -> ChatReply:
        answer.question = text
        standalone = answer.searched or standalone  # with typing errors corrected
        self._sessions.record(session, text, standalone)
        answer_id = answer_id or uuid.uuid4().hex
        self._feedback.record_answer(
            AnswerRecord(answer_id, text, answer.answer, answer.to_dict()["citations"], answer.refused)
        )
        return ChatReply(answer, answer_id, session.id, standalone)

    def ask(self, question: str, session_id: str | None = None, filters: Filters | None = None) -> ChatReply:
        text, session, standalone = self._begin(question, session_id)
        return self._end(text, session, standalone, self._answers.ask(standalone, filters))

    def stream(
        self, question: str, session_id: str | None = None, filters: Filters | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events for Server-Sent Events: meta, delta (one or more), citations, done."""
        text, session, standalone = self._begin(question, session_id)
        answer_id = uuid.uuid4().hex
        answer: Answer | None = None
        for kind, value in self._answers.stream(standalone, filters):
            if kind == "prepared":
                refusal = value.refusal
                yield (
                    "meta",
                    {
                        "answer_id": answer_id,
                        "session_id": session.id,
                        "rewritten_question": value.query or standalone,
                        "refused": refusal is not None,
                        "refusal_reason": refusal.refusal_reason if refusal else None,
                        "retrieved": [r.__dict__ for r in value.retrieved[:5]],
                    },
                )
            elif kind == "delta":
                yield "delta", {"text": value}
            elif kind == "answer":
                answer = value
        assert answer is not None
        data = self._end(text, session, standalone, answer, answer_id).to_dict()
        yield "citations", {"citations": data["citations"], "notice": data["notice"], "backend": data["backend"]}
        yield "done", {"latency_ms": data["latency_ms"], "answer_id": answer_id}

    def feedback(self, answer_id: str, rating: Rating, reason: str | None, comment: str | None) -> str:
        record = self._feedback.get_answer(answer_id)
        if record is None:
            raise NotFoundError(f"Keine Antwort mit der id {answer_id!r}")
        return self._feedback.add(
            FeedbackRecord(
                rating=rating,
                question=record.question,
                answer=record.answer,
                reason=reason,
                comment=comment,
                citations=record.citations,
                answer_id=answer_id,
            )
        )
