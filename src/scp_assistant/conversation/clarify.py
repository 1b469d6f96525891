"""Turns that ask nothing the documents could answer as they stand: small talk ("Hallo", "Danke!", "Was kannst
du?") and questions that name no topic ("Wer ist zuständig?", "Was wird gefördert?"). Neither is searched: a
search would answer a guess. Both get a short reply and questions to ask instead, taken from the programme's own
FAQs (the ones nearest the turn's words), which the documents answer by construction.

What a turn names is read by ``TopicPhrases.names_something``; whether a turn points back at an earlier one ("Und wer
genehmigt das?") is the follow-up resolver's business. When there is none to point at, this module adds the
questions to offer in its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from scp_assistant.conversation.resolution import QueryRewriter, Resolution
from scp_assistant.conversation.sessions import Turn
from scp_assistant.conversation.topic_phrases import TopicPhrases
from scp_assistant.conversation.turn_words import QUESTION_WORD, WORD
from scp_assistant.models import Chunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.text import STOPWORDS, fold, plain

SUGGESTIONS = 3
# what a small-talk turn may consist of, besides punctuation: greetings, thanks, goodbyes, and asking what the
# assistant is or can do. A turn with any other word ("Danke! Und wer genehmigt das?") is read as a question
_SMALL_TALK = {
    "greeting": r"hallo|hallöchen|hi|hey|moin|servus|grüß gott|grüezi|guten (?:morgen|tag|abend)|good (?:morning|"
    r"afternoon|evening)|hello",
    "thanks": r"danke(?: schön| sehr)?|vielen dank|herzlichen dank|besten dank|merci|thanks|thank you|super|prima|"
    r"perfekt|alles klar|ok(?:ay)?",
    "goodbye": r"tschüss|tschüs|auf wiedersehen|bis bald|ciao|bye|goodbye",
    "capability": r"was (?:kannst du|können sie)(?: alles)?(?: für mich tun)?|wer bist du|wer sind sie|was bist du|"
    r"was sind sie|hilfe|help|what can you do|who are you",
}
# "Danke dir", "Vielen Dank für die Info", "Hallo zusammen"
_FILLER = (
    r"(?:\s+(?:dir|ihnen|euch|zusammen|nochmal|noch mal|auch|erstmal|erst mal|you|there|all|"
    r"für (?:die|ihre|deine|eure) (?:antworten|antwort|infos|info|informationen|information|hilfe|auskünfte|auskunft)"
    r"))*"
)
_KINDS = {kind: re.compile(rf"(?:{words}){_FILLER}", re.IGNORECASE) for kind, words in _SMALL_TALK.items()}
_ANY = re.compile(rf"\b(?:{'|'.join(_SMALL_TALK.values())}){_FILLER}\b", re.IGNORECASE)

_INTRO = (
    "Ich beantworte Fragen zum Startchancen-Programm, und zwar nur aus den hinterlegten Programmunterlagen und mit "
    "Quellenangaben."
)
REPLIES = {
    "greeting": f"Guten Tag! {_INTRO} Stellen Sie Ihre Frage gern mit ihrem Thema, etwa der Säule, dem Budget oder "
    "dem Ort.",
    "thanks": "Gern geschehen. Wenn Sie noch etwas zum Startchancen-Programm wissen möchten, fragen Sie einfach.",
    "goodbye": "Auf Wiedersehen! Für eine neue Frage bin ich jederzeit da.",
    "capability": f"{_INTRO} Ich sage auch, wenn die Unterlagen eine Frage nicht beantworten. Verbindlich sind die "
    "Auskünfte der zuständigen Stellen.",
    "too_general": "Ihre Frage nennt noch nicht, worum es geht – etwa welche Säule, welches Budget, welche Stelle "
    "oder welchen Ort. Bitte stellen Sie sie mit ihrem Thema.",
}
SUGGESTIONS_LEAD = "Zum Beispiel:"


def small_talk(text: str) -> str:
    """The kind of small talk a turn is ("greeting", "thanks", "goodbye", "capability"), or "" for any other turn.
    A turn of several kinds ("Hallo, was kannst du?") is read by its last words."""
    found = list(_ANY.finditer(text))
    if not found or re.search(r"\w", _ANY.sub(" ", text)):
        return ""
    last = found[-1].group(0)
    return next((kind for kind, pattern in _KINDS.items() if pattern.fullmatch(last)), "")


def reply(kind: str, suggestions: Sequence[str]) -> str:
    """The reply to small talk or a question that names no topic, with the questions to ask instead as a list (the
    chat offers each to click)."""
    return with_suggestions(REPLIES[kind], suggestions)


def with_suggestions(text: str, suggestions: Sequence[str]) -> str:
    """A reply with the questions to ask instead as a list after it (the chat offers each to click)."""
    if not suggestions:
        return text
    return f"{text}\n\n{SUGGESTIONS_LEAD}\n" + "\n".join(f"- {q}" for q in suggestions)


class Suggestions:
    """Questions to offer in place of a turn that names no topic: the programme's FAQ questions (of the Land and the
    Bund; not another Land's, nor one about the FAQ itself) that share the most of the turn's words, weighted by
    rarity; then the ones that ask with the same question word; the Land's first."""

    def __init__(self, bm25: BM25Index, home: str = "RLP") -> None:
        self._bm25 = bm25
        self._home = home
        self._questions = _faq_questions(bm25.chunks, home)
        self._plain = frozenset(plain(q) for q, _ in self._questions)
        self._terms = {q: frozenset(bm25.query_terms(q)) for q, _ in self._questions}

    def asked_by_documents(self, text: str) -> bool:
        """Is the turn one of the FAQ questions ("Wer ist für was zuständig?" names no topic, yet the FAQ answers
        it; every suggestion is such a question, and is searched when clicked)?"""
        return plain(text) in self._plain

    def for_turn(self, text: str, n: int = SUGGESTIONS) -> tuple[str, ...]:
        weights = {t: self._bm25.idf(t) * w for t, w in self._bm25.expanded_terms(text).items()}
        asks = _question_word(text)

        def key(entry: tuple[str, str]) -> tuple[float, int, int, int, str]:
            question, region = entry
            shared = sum(w for t, w in weights.items() if t in self._terms[question])
            same_word = int(bool(asks) and _question_word(question) == asks)
            return (-round(shared, 6), -same_word, int(self._home not in region), len(question), question)

        return tuple(q for q, _ in sorted(self._questions, key=key)[:n])


def _faq_questions(chunks: Sequence[Chunk], home: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for chunk in chunks:
        question = chunk.question.strip()
        if not question or question in seen or chunk.doc_type == "anderes-land":
            continue
        if home not in chunk.region and chunk.region != "Bund":
            continue  # another Land's FAQ: its answer is not the Land's
        if re.search(r"\bFragen?\b", question):
            continue  # a question about the FAQ itself ("Welches Ministerium ist für diese Fragen zuständig?")
        seen[question] = chunk.region
    return sorted(seen.items())


def _question_word(text: str) -> str:
    """The word a question opens with, after a connector ("Und wer genehmigt das?" asks with "wer")."""
    found = re.match(r"\W*(?:(?:und|aber|auch|also|and|but)\W+)?(\w+)", text, re.IGNORECASE)
    return fold(found.group(1)) if found else ""


class Clarifier:
    """A query rewriter around another (``inner``) that takes small talk and topicless first turns out of the
    search, and reads the turn after a topicless one as the topic it was asked for: "Wer ist zuständig?" – "Für das
    Chancenbudget" searches "Wer ist zuständig für das Chancenbudget?". Turns are read with typing errors corrected
    (``correct``), as the resolver reads them."""

    def __init__(
        self, inner: QueryRewriter, topics: TopicPhrases, suggestions: Suggestions, in_scope: Callable[[str], bool],
        correct: Callable[[str], str] | None = None,
    ) -> None:  # fmt: skip
        self._inner = inner
        self._topics = topics
        self._suggestions = suggestions
        self._in_scope = in_scope
        self._correct = correct or (lambda text: text)

    def resolve(self, question: str, previous: Turn | None) -> Resolution:
        kind = small_talk(question)
        if kind:
            offered = self._suggestions.for_turn("") if kind in ("greeting", "capability") else ()
            return Resolution(question, False, small_talk=kind, suggestions=offered)
        corrected = self._correct(question)
        if previous is not None and previous.off_topic:
            before = self._correct(previous.standalone)
            completed = self._completed(corrected, before) if self.too_general(before) else ""
            if completed:
                return Resolution(completed, True, 1.0)
        resolution = self._inner.resolve(question, previous)
        first = previous is None or previous.off_topic
        if resolution.orphan:  # "Und wer genehmigt das?" with nothing before it: what the documents ask
            return replace(resolution, suggestions=self._suggestions.for_turn(corrected))
        if first and not resolution.dependent and self.too_general(corrected):
            return replace(resolution, too_general=True, suggestions=self._suggestions.for_turn(corrected))
        return resolution

    def too_general(self, question: str) -> bool:
        """A question in scope that names no topic ("Wer ist zuständig?", "Was wird gefördert?")."""
        if self._suggestions.asked_by_documents(question) or not self._in_scope(question):
            return False
        return not self._topics.names_something(question)

    def _completed(self, turn: str, before: str) -> str:
        """The topicless question with the topic the turn gives ("Für das Chancenbudget", "Säule III", "Worms");
        empty for a turn that asks a question of its own ("Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
        "Erklär mir das Chancenbudget", "Gilt das auch für BBS?") or names nothing either. A turn gives a topic when
        it opens with a preposition, an article or "und", or says nothing but names."""
        tokens = WORD.findall(turn)
        if not tokens or len(tokens) > 8 or QUESTION_WORD.search(turn) or self._suggestions.asked_by_documents(turn):
            return ""
        if not self._topics.names_something(turn):
            return ""
        content = [(i, t) for i, t in enumerate(tokens) if fold(t) not in STOPWORDS and len(t) >= 3]
        names_only = all(self._topics.is_noun(t, i == 0) or self._topics.is_place(fold(t)) for i, t in content)
        if fold(tokens[0]) not in _CONTINUING and not names_only:
            return ""
        first, _, rest = turn.strip().rstrip("?.! ").partition(" ")
        if fold(first) in STOPWORDS:  # "Für das Chancenbudget" continues the question: "… zuständig für das …"
            first = first.lower()
        return f"{before.strip().rstrip('?.! ')} {first} {rest}".rstrip() + "?"


# the words a turn that gives the topic of the question before may open with ("Für das Chancenbudget", "Bei Säule I")
_CONTINUING = frozenset(
    fold(w)
    for w in "für fürs zum zur im in ins bei beim zu über um an am auf aus vom von mit nach wegen bezüglich betreffend "
    "hinsichtlich und der die das den dem des ein eine einen einem einer".split()
)
