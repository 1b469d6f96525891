"""The chat service: sessions, follow-up resolution, answer records for feedback, and the event stream.

Each turn is resolved on its own first (scope and guard run on what the user just wrote), then, if it depends on
the previous turn, searched with that turn's topic; the answer stage itself only ever sees one standalone query.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from scp_assistant.answer import messages
from scp_assistant.answer.guard import clean_question
from scp_assistant.answer.prepared import split_for_stream
from scp_assistant.asking import asked_in
from scp_assistant.conversation.clarify import reply, with_suggestions
from scp_assistant.conversation.resolution import QueryRewriter, Resolution
from scp_assistant.conversation.sessions import Session, SessionStore, Turn
from scp_assistant.errors import InputError, NotFoundError
from scp_assistant.feedback.redact import without_contacts
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, FeedbackStore, Rating
from scp_assistant.models import Answer, RefusalReason
from scp_assistant.retrieve.hybrid import Filters

log = logging.getLogger(__name__)


class Answerer(Protocol):
    """The answer stage as the chat sees it: the extractive service or a generative one."""

    @property
    def backend(self) -> str: ...  # "extractive", "openai", …: named in every answer

    def ask(self, question: str, filters: Filters | None = None) -> Answer: ...

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]: ...


@dataclass(frozen=True)
class ChatReply:
    answer: Answer
    answer_id: str
    session_id: str
    rewritten_question: str
    continued: bool = False  # read against an earlier turn (the session's, or the one the client still shows)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.answer.to_dict(),
            "answer_id": self.answer_id,
            "session_id": self.session_id,
            "rewritten_question": self.rewritten_question,
            "continued": self.continued,
        }


class ChatService:
    def __init__(
        self,
        answers: Answerer,
        sessions: SessionStore,
        feedback: FeedbackStore,
        max_question_chars: int,
        resolver: QueryRewriter,
        shown_question: Callable[[str], str] | None = None,
    ) -> None:
        """``shown_question``: what a question a client still shows contributes as the previous turn (the genuine
        question of a manipulation, nothing of an off-topic one); without it such a question is not used."""
        self._answers = answers
        self._sessions = sessions
        self._feedback = feedback
        self._max = max_question_chars
        self._resolver = resolver
        self._shown_question = shown_question

    def _begin(self, question: str, session_id: str | None, previous: str | None) -> tuple[str, Session, Resolution]:
        """The cleaned turn, its session, and how it is resolved (what to search, whether it points back to a turn
        that is not there). ``previous``: the question a client still shows above this one (it kept the conversation
        over a reload or onto the portal's next page); it stands in for a session the server no longer holds
        (expired, or a restart with sessions in memory), so what steers a follow-up is what the reader sees."""
        text = clean_question(question, self._max)
        session = self._sessions.get_or_create(session_id)
        if not session.turns and previous and self._shown_question is not None:
            session.turns = _shown_turn(previous, self._max, self._shown_question)
        last = session.turns[-1] if session.turns else None
        return text, session, self._resolver.resolve(text, last)

    def _answer(self, text: str, session: Session, resolution: Resolution, filters: Filters | None) -> Answer:
        after_off_topic = bool(session.turns) and session.turns[-1].off_topic
        return answer_turn(self._answers, text, resolution, after_off_topic, filters)

    def _end(
        self, text: str, session: Session, standalone: str, answer: Answer, answer_id: str | None = None
    ) -> ChatReply:
        continued = bool(session.turns)  # read before this turn is recorded
        answer.question = text
        standalone = answer.searched or standalone  # with typing errors corrected
        # a turn declined as off-topic ("Was kostet ein Bahnticket nach Mainz?") lends the next turn no topic, also
        # when only the answer stage's search, not the guard's wording check, found it off-topic; nor does one that
        # was asked for its topic ("Und wie hoch ist der Betrag?" first: "Was ist das Startchancen-Programm?" after
        # it was searched as "… (Betrag)", walk-through of round 37)
        off_topic = lends_no_topic(answer)
        # a session is kept in the database for its idle time: no contact details of a pasted e-mail in it either,
        # nor a marker in their place that the next question would take for its topic. Of a pasted e-mail the next
        # turn carries what it asked, not its background ("Und für Säule II?" after a letter on the Eigenanteil)
        if answer.refusal_reason == "small_talk":  # "Danke!" between two questions leaves the topic where it was
            self._sessions.keep_alive(session)
        else:
            self._sessions.record(session, without_contacts(text), without_contacts(asked_in(standalone)), off_topic)
        answer_id = answer_id or uuid.uuid4().hex
        searched = standalone if " ".join(standalone.split()) != " ".join(text.split()) else ""
        declined = answer.refused and answer.refusal_reason != "small_talk"  # "Hallo" is greeted, not declined
        self._feedback.record_answer(
            AnswerRecord(answer_id, text, answer.answer, answer.to_dict()["citations"], declined, searched=searched)
        )
        return ChatReply(answer, answer_id, session.id, standalone, continued)

    def ask(
        self, question: str, session_id: str | None = None, filters: Filters | None = None, previous: str | None = None
    ) -> ChatReply:
        text, session, resolution = self._begin(question, session_id, previous)
        answer = self._answer(text, session, resolution, filters)
        return self._end(text, session, resolution.standalone, answer)

    def stream(
        self, question: str, session_id: str | None = None, filters: Filters | None = None, previous: str | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events for Server-Sent Events: meta, delta (one or more), citations, done."""
        text, session, resolution = self._begin(question, session_id, previous)
        standalone = resolution.standalone
        answer_id = uuid.uuid4().hex
        answer: Answer | None = None
        if resolution.orphan or not resolution.searches:  # known only at the end, or not searched: replayed
            events = _replayed(self._answer(text, session, resolution, filters))
        else:
            events = self._answers.stream(standalone, filters)
        for kind, value in events:
            if kind == "prepared":
                refusal = value.refusal
                yield (
                    "meta",
                    {
                        "answer_id": answer_id,
                        "session_id": session.id,
                        # read against an earlier turn: the session's, or the one the client still shows
                        "continued": bool(session.turns),
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
        yield "citations", {
            "citations": data["citations"], "notice": data["notice"], "backend": data["backend"],
            "suggestions": data["suggestions"],
        }  # fmt: skip
        yield "done", {"latency_ms": data["latency_ms"], "answer_id": answer_id}

    def forget(self, session_id: str) -> None:
        """The user started over: the session's turns are deleted now, not when it expires."""
        self._sessions.forget(session_id)

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


def _shown_turn(previous: str, max_chars: int, contributes: Callable[[str], str]) -> list[Turn]:
    """The turn a client shows as the last one, as a session would hold it (no contact details; of a pasted e-mail
    what it asked; of a manipulation only the genuine question); none when it is no question ("   ", longer than any
    question may be) or one that lends no topic (off-topic, manipulation only)."""
    try:
        text = contributes(clean_question(previous, max_chars))
    except InputError:
        return []
    shown = without_contacts(asked_in(text)) if text else ""
    return [Turn(shown, shown)] if shown else []


def answer_turn(
    answers: Answerer, question: str, resolution: Resolution, after_off_topic: bool, filters: Filters | None = None
) -> Answer:
    """The answer to a resolved turn. One that points at nothing ("Und wer finanziert das?" asked first or after a
    turn declined as off-topic) is asked for its topic without a search: whatever the answer stage said would be a
    guess. One that only makes sense after another but names something of its own ("Und wer genehmigt das
    Chancenbudget?") keeps its answer, and is asked for its topic only when the answer stage declines it as not
    covered or out of scope."""
    if resolution.small_talk or resolution.too_general:
        return clarification(question, resolution, answers.backend)
    if resolution.points_at_nothing:
        return needs_context(question, resolution.standalone, after_off_topic, answers.backend, resolution.suggestions)
    answer = answers.ask(resolution.standalone, filters)
    if resolution.orphan and answer.refused and answer.refusal_reason in ("not_covered", "out_of_scope"):
        return needs_context(answer.question, answer.searched, after_off_topic, answer.backend, resolution.suggestions)
    return answer


def lends_no_topic(answer: Answer) -> bool:
    """A turn declined as off-topic or manipulation, or asked for its topic, gives the next turn no topic."""
    return answer.refused and answer.refusal_reason in ("out_of_scope", "adversarial", "needs_context", "small_talk")


def needs_context(
    question: str, searched: str, after_off_topic: bool, backend: str, suggestions: Sequence[str] = ()
) -> Answer:
    """The request for a turn's topic: nothing retrieved, nothing cited; the questions of the documents nearest to
    the turn's words are offered to click ("Und wer genehmigt das?" -> "Wer genehmigt …?"), else two examples."""
    if suggestions:
        ask = messages.NEEDS_CONTEXT_AFTER_OFF_TOPIC_ASK if after_off_topic else messages.NEEDS_CONTEXT_ASK
        text = with_suggestions(ask, suggestions)
    else:
        text = messages.NEEDS_CONTEXT_AFTER_OFF_TOPIC if after_off_topic else messages.NEEDS_CONTEXT
    return Answer(
        question, text, True, "needs_context", None, backend, [], [], searched=searched, suggestions=list(suggestions)
    )


def clarification(question: str, resolution: Resolution, backend: str) -> Answer:
    """The reply to small talk or to a question that names no topic, with questions to ask instead: nothing
    searched, nothing cited."""
    kind = resolution.small_talk or "too_general"
    text = reply(kind, resolution.suggestions)
    reason: RefusalReason = "small_talk" if resolution.small_talk else "needs_context"
    return Answer(
        question, text, True, reason, None, backend, [], [], searched=resolution.standalone,
        suggestions=list(resolution.suggestions),
    )  # fmt: skip


@dataclass(frozen=True)
class _Done:
    """What the "prepared" event of a finished answer carries: its refusal and what was searched."""

    refusal: Answer | None
    query: str
    retrieved: list[Any]


def _replayed(answer: Answer) -> Iterator[tuple[str, Any]]:
    """The events of an answer stage's stream, from an answer that is already complete."""
    yield "prepared", _Done(answer if answer.refused else None, answer.searched, list(answer.retrieved))
    for piece in split_for_stream(answer.answer):
        yield "delta", piece
    yield "answer", answer
