"""Conversations: sessions, follow-up rewriting, answer records for feedback, and the event stream."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scp_assistant.answer.followup import SessionStore, rewrite
from scp_assistant.answer.guard import clean_question
from scp_assistant.answer.service import AnswerService
from scp_assistant.errors import NotFoundError
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, FeedbackStore, Rating
from scp_assistant.models import Answer
from scp_assistant.retrieve.hybrid import Filters

log = logging.getLogger(__name__)


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
        self, answers: AnswerService, sessions: SessionStore, feedback: FeedbackStore, max_question_chars: int
    ) -> None:
        self._answers = answers
        self._sessions = sessions
        self._feedback = feedback
        self._max = max_question_chars

    def ask(self, question: str, session_id: str | None = None, filters: Filters | None = None) -> ChatReply:
        text = clean_question(question, self._max)
        session = self._sessions.get_or_create(session_id)
        previous = session.turns[-1] if session.turns else None
        standalone = rewrite(text, previous)
        answer = self._answers.ask(standalone, filters)
        answer.question = text
        self._sessions.record(session, text, standalone)
        answer_id = uuid.uuid4().hex
        self._feedback.record_answer(
            AnswerRecord(answer_id, text, answer.answer, answer.to_dict()["citations"], answer.refused)
        )
        return ChatReply(answer, answer_id, session.id, standalone)

    def stream(
        self, question: str, session_id: str | None = None, filters: Filters | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events for Server-Sent Events: meta, delta (one or more), citations, done."""
        reply = self.ask(question, session_id, filters)
        data = reply.to_dict()
        yield (
            "meta",
            {
                "answer_id": reply.answer_id,
                "session_id": reply.session_id,
                "rewritten_question": reply.rewritten_question,
                "refused": data["refused"],
                "refusal_reason": data["refusal_reason"],
                "backend": data["backend"],
                "retrieved": data["retrieved"][:5],
            },
        )
        for piece in _pieces(data["answer"]):
            yield "delta", {"text": piece}
        yield "citations", {"citations": data["citations"], "notice": data["notice"]}
        yield "done", {"latency_ms": data["latency_ms"]}

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


def _pieces(text: str) -> list[str]:
    """Answer text in small pieces (sentence by sentence), keeping every character."""
    parts = re.split(r"(?<=\]) (?=\S)|(?<=\n\n)", text)
    return [p if i == len(parts) - 1 else (p if p.endswith("\n") else p + " ") for i, p in enumerate(parts) if p]
