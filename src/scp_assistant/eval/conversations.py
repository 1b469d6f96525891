"""Conversations in the eval suite: played through the same session logic as the API, judged on the last turn,
and the training data of the follow-up model.

Labels of the follow-up decision come from the conversation kinds: the last turn of a ``followup``,
``refuse_followup`` or ``topic_switch`` conversation depends on the previous turn; that of a
``standalone_in_session`` or ``scope_in_session`` conversation does not; and every single question of a set,
asked after another question, does not either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from scp_assistant.conversation.chat import Answerer, ChatService
from scp_assistant.conversation.followup import FOLLOWUP_FEATURES, FollowupResolver
from scp_assistant.conversation.resolution import QueryRewriter, Resolution
from scp_assistant.conversation.sessions import MemorySessionStore, Turn
from scp_assistant.eval.dataset import is_conversation, last_turn
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, Rating
from scp_assistant.learn.fit import fit_linear
from scp_assistant.learn.model import LinearModel
from scp_assistant.models import Answer

DEPENDENT = ("followup", "refuse_followup", "topic_switch")
STANDALONE = ("standalone_in_session", "scope_in_session")


@dataclass(frozen=True)
class Played:
    """The turns of a conversation as the session resolved them: (question, searched query) per turn."""

    turns: list[tuple[str, str]]

    @property
    def last_query(self) -> str:
        return self.turns[-1][1]


def play(entry: dict[str, Any], resolve: Callable[[str, Turn | None], Resolution]) -> Played:
    """Resolve every turn against the session's previous turn, as the chat service does. Earlier turns are not
    answered here, so one the answer stage would decline as off-topic is not marked as such (the chat marks it, and
    it lends no topic); no conversation of the sets has an off-topic turn before its last."""
    previous: Turn | None = None
    turns: list[tuple[str, str]] = []
    for turn in entry["turns"]:
        question = str(turn["question"]).strip()
        standalone = resolve(question, previous).standalone
        turns.append((question, standalone))
        previous = Turn(question, standalone)
    return Played(turns)


def followup_examples(entries: Sequence[dict[str, Any]]) -> list[tuple[str, Turn, float]]:
    """(turn, previous turn, 1 = depends on it) from conversations, plus single questions asked after the
    question before them in their set (they stand alone)."""
    out: list[tuple[str, Turn, float]] = []
    singles = [e for e in entries if not is_conversation(e)]
    for entry in entries:
        if not is_conversation(entry) or entry.get("category") not in (*DEPENDENT, *STANDALONE):
            continue
        before = str(entry["turns"][-2]["question"])
        out.append((str(last_turn(entry)["question"]), Turn(before, before), float(entry["category"] in DEPENDENT)))
    for earlier, single in pairwise(singles):
        out.append((str(single["question"]), Turn(str(earlier["question"]), str(earlier["question"])), 0.0))
    return out


def fit_followup(resolver: FollowupResolver, examples: Sequence[tuple[str, Turn, float]]) -> LinearModel | None:
    if not examples:
        return None
    rows = np.stack([resolver.features(q, prev) for q, prev, _ in examples])
    labels = np.array([y for _, _, y in examples])
    return fit_linear(rows, labels, FOLLOWUP_FEATURES, c=1.0)


class _NoRecords:
    """A feedback store that keeps nothing: eval runs do not belong in the answer log."""

    def add(self, record: FeedbackRecord) -> str:
        return record.id

    def list(self, rating: Rating | None = None) -> list[FeedbackRecord]:
        return []

    def record_answer(self, record: AnswerRecord) -> None:
        return None

    def get_answer(self, answer_id: str) -> AnswerRecord | None:
        return None

    def searched_for(self, answer_ids: Sequence[str]) -> dict[str, str]:
        return {}


def session_player(
    answers: Answerer, resolver: QueryRewriter, max_question_chars: int
) -> Callable[[dict[str, Any]], tuple[Answer, list[tuple[str, str]]]]:
    """Plays a conversation through a fresh chat session (the API's logic): the last turn's answer and each
    turn's (question, searched query)."""

    def run(entry: dict[str, Any]) -> tuple[Answer, list[tuple[str, str]]]:
        chat = ChatService(answers, MemorySessionStore(), _NoRecords(), max_question_chars, resolver)
        session: str | None = None
        turns: list[tuple[str, str]] = []
        reply = None
        for turn in entry["turns"]:
            reply = chat.ask(str(turn["question"]), session)
            session = reply.session_id
            turns.append((reply.answer.question, reply.rewritten_question))
        assert reply is not None
        return reply.answer, turns

    return run
