"""The words of a chat turn that the follow-up resolver reads (``followup.py``): connectors ("Und …"), pointing
words ("das", "dort"), question words, pillars, school types, years, the whole Land or country, and the phrases a
topic is carried in."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scp_assistant.learn.question import pillars
from scp_assistant.retrieve.places import PLACES
from scp_assistant.text import STOPWORDS, fold

CONNECTOR = re.compile(
    r"^(und|aber|also|auch|dann|sowie|oder|bzw|what about|and|how about|und was|wie ist es mit|was ist mit|"
    r"gilt das|geht das|klappt das|wie sieht es)\b",
    re.IGNORECASE,
)
PRONOUN = re.compile(  # "Bleibt dass jetzt so?": a verb, then "dass" is the pronoun mistyped
    r"^\w+\s+dass\b|\b(dies|diese[mnrs]?|dafür|dazu|davon|dabei|darauf|daran|darüber|damit|es|dort|da|dieselbe[n]?|"
    r"ebenfalls|sie|ihn|ihm|that|this|it|there|them|those|these)\b"
    # "der", "die", "das", "den", "dem" as pronouns ("Wer genehmigt die?", "Gilt das für Säule III?", "Zählt das als
    # Sachkosten?"), not as articles before a noun, an adjective between them or not ("aus dem Chancenbudget", "die
    # neuen Anträge"); a word in lower case between counts as an adjective by its ending only, and not "über"
    r"|\b(das|die|der|den|dem)\b(?!\s+(?:(?-i:(?!(?:über|unter|aber|oder|immer|sehr|mehr|eher|wieder|hinter|später|"
    r"jede[mnrs]?|diese[mnrs]?|keine[mnrs]?|eine[mnrs]?|alle[mnrs]?|ihre[mnrs]?|seine[mnrs]?|unsere[mnrs]?)\b)"
    r"[a-zäöüß]+(?:e|en|er|es|em))\s+)?(?-i:[A-ZÄÖÜ]))",
    re.IGNORECASE,
)
POINTING = re.compile(  # pointing words, not counted among a turn's own words ("der Schulträger" points nowhere)
    r"\b(das|dies\w*|dafür|dazu|davon|dabei|darauf|daran|darüber|damit|es|dort|that|this|it|there|those|these)\b",
    re.IGNORECASE,
)
# "das"/"es" as a pointer: not before a noun (an article: "Wer evaluiert das Startchancen-Programm eigentlich?" names
# what it asks about), not in "gibt es" (a phrase)
_DAS_ES = r"\b(?:das|es)\b(?!\s+(?-i:[A-ZÄÖÜ]))(?<!\bgibt es)"
# a turn that is nothing but what it asks for: "Bis wann?", "Wie viel genau?", "Und wer?" (not "Wer sind Sie?")
ONLY_ASKS = re.compile(
    r"^\W*(?:und\s+|aber\s+)?(?:(?:bis|ab|seit)\s+wann|wann|wie\s*viele?|wie\s+hoch|wie\s+lange|wie\s+oft|wer|"
    r"wo|wohin|womit|warum|wieso|weshalb|welche[mnrs]?)(?:\s+(?:genau|denn|dann|eigentlich))*\W*$",
    re.IGNORECASE,
)
# what points back in a turn that may stand first ("Und wer finanziert das?", "Gilt das auch für BBS?")
POINTS_BACK = re.compile(
    _DAS_ES + r"|\b(dies\w*|dafür|dazu|davon|dabei|darauf|daran|darüber|damit|dort|that|this|it|there|those|these)\b",
    re.IGNORECASE,
)
# what points back to something, someone or somewhere of the previous turn ("Gilt das …", "hat er da …", "so jemand")
POINTS_AT = re.compile(
    _DAS_ES + r"|\b(dies\w*|dafür|dazu|davon|dabei|darauf|daran|darüber|damit|"
    r"dort|da|er|sie|ihm|ihn|ihr|jemand|solche[mnrs]?|that|this|it|there|those|these|he|she|they)\b",
    re.IGNORECASE,
)
QUESTION_WORD = re.compile(
    r"\b(wer|wem|wen|wie|was|wann|wo|woher|wohin|wofür|wozu|welche\w*|warum|wieso|weshalb|ob|who|what|when|"
    r"where|which|why|how)\b",
    re.IGNORECASE,
)
PILLAR = re.compile(
    r"\b(?:S(?:ä|ae)ulen?|pillars?)[\s-]*(III|II|I|1|2|3)\b(?:\s*(?:und|and|,)\s*(III|II|I|1|2|3)\b)?", re.I
)
ROMAN = {"1": "I", "2": "II", "3": "III", "i": "I", "ii": "II", "iii": "III"}
SCHOOL = re.compile(
    r"\b(BBS|berufsbildende\w* Schule\w*|Grundschule\w*|IGS|Integrierte\w* Gesamtschule\w*|Realschule\w* plus|RS\+|"
    r"Förderschule\w*|Gymnasi\w*|Kita\w*|BVJ)\b",
    re.IGNORECASE,
)
# what a topic word says about the pillar: "Chancenbudget" is Säule II, "multiprofessionelle Teams" Säule III
PILLAR_TOPICS = (
    ("I", re.compile(r"investition|baumaßnahm|schulbau|lernumgebung", re.I)),
    ("II", re.compile(r"chancenbudget|trägerbudget", re.I)),
    ("III", re.compile(r"^(multiprofession\w*|mpt|teams?)$", re.I)),
)
# a turn about the whole Land or country asks the previous question without its place ("Und wie verteilt sich das
# landesweit?" after a question on Mainz); in a question rewritten whole, the place gives way to the wide one
LAND_WIDE, COUNTRY_WIDE = "landesweit|statewide", "bundesweit|deutschlandweit|nationwide"
IN_LAND, IN_COUNTRY = "in ganz (?:RLP|Rheinland-Pfalz)", "in ganz Deutschland"
WIDE = re.compile(rf"\b(?:((?:{LAND_WIDE})\w*|{IN_LAND})|((?:{COUNTRY_WIDE})\w*|{IN_COUNTRY}))\b", re.I)
# the adverbs and phrases for the whole Land or country that a place can stand in for ("bundesweit" -> "in RLP"); the
# adjectives stay ("der bundesweite Anteil" does not become "der in Mainz Anteil")
WIDE_ADVERB = re.compile(rf"\b(?:{LAND_WIDE}|{COUNTRY_WIDE})\b(?!-)|\b(?:{IN_LAND}|{IN_COUNTRY})\b", re.I)
YEAR = re.compile(r"\b(?:19|20)\d\d(?:/(?:19|20)?\d\d)?\b")  # 2025, 2025/26
WORD = re.compile(r"[A-Za-zÄÖÜäöüß][\wÄÖÜäöüß+-]*")


def content_words(text: str) -> list[str]:
    """The words of a turn that say something: three letters or more, no stopword ("Und wer genehmigt das?" ->
    "wer", "genehmigt")."""
    return [w for w in WORD.findall(text) if fold(w) not in STOPWORDS and len(w) >= 3]


@dataclass(frozen=True)
class Phrase:
    text: str
    slot: str  # pillar | place | school | year | topic


PLACE_NAME_WORDS = frozenset(fold(w) for place in PLACES if " " in place for w in place.split()) | {"rhein"}


def nouns(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Words the documents write capitalised more often than not (inside a sentence): nouns and names; and of
    those, the ones they write capitalised three times or more and at least three times as often as in lower case
    (a web address may write "startchancen-programm" once): surely nouns. "Stellen" (a verb as often) and a word
    seen capitalised once or twice ("Aktuell" heading a list) are not among them."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
            for token in WORD.findall(sentence)[1:]:
                (upper if token[0].isupper() else lower)[fold(token)] += 1
    likely = frozenset(w for w, n in upper.items() if n > lower[w])
    return likely, frozenset(w for w in likely if upper[w] >= 3 and upper[w] >= 3 * lower[w])


def pillar_phrase(match: re.Match[str]) -> Phrase:
    numerals = [ROMAN.get(n.lower(), n) for n in match.groups() if n]
    return Phrase("Säule " + " und ".join(numerals), "pillar")


def pillars_of(phrase: Phrase) -> set[str]:
    """The pillars a phrase names ("Säule II und III") or stands for ("Chancenbudgets" -> II): a new turn about
    the Chancenbudget does not carry the previous turn's "Teams" or "Säule III" along."""
    if phrase.slot == "pillar":
        return set(pillars(phrase.text))
    if phrase.slot == "topic":
        return {pillar for pillar, pattern in PILLAR_TOPICS if pattern.search(phrase.text)}
    return set()
