"""Follow-up questions without a generative model.

A session (:mod:`scp_assistant.answer.sessions`) keeps its recent turns. A follow-up such as "Und wer
genehmigt das?" is turned into a standalone query by adding the topic words of the previous standalone
question, so that retrieval finds the same subject; the user sees what was searched ("Gesucht wurde: …").
"""

from __future__ import annotations

import re
from typing import Protocol

from scp_assistant.answer.sessions import Turn
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
