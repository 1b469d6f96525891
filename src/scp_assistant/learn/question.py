"""What a question asks: its kind (who, how much, when, yes/no, ...), its parts, and its specific terms.

Used by the features of the learned models and by the composer, which answers each part of a multi-part
question ("Wer … und bis wann …?", "Anzahl … Koblenz, Trier, Worms?"). Plain patterns over German and
English question words; nothing here is keyed to a particular question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scp_assistant.asking import asks
from scp_assistant.text import chat_sentences, figures

KINDS = ("who", "where", "amount", "count", "when", "yesno", "which", "how", "why", "what")

_KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "when",
        re.compile(
            r"\b(wann|bis wann|seit wann|ab wann|bis zu(m)? welche[mn]|"
            r"welche[mnrs]? (datum|tag|frist|zeitpunkt|jahr|termin|"
            r"schuljahr)|wie lange|zeitraum|laufzeit|frist|deadline|until when|by when|since when|how long)\b"
            # English "when" asks only where a clause starts ("When …?", "Who issued it, when, and …?"), not as a
            # conjunction ("What does the federal level require … when the Länder select …?")
            r"|(?:^|[:–?,;]\s*|\b(?:and|or|but)\s+)when\b",
            re.I,
        ),
    ),
    ("count", re.compile(r"\b(wie ?viele|anzahl|zahl der|how many)\b", re.I)),
    (  # "wo" opening a clause asks for a place ("Wo sehen die Schulen ihren Betrag?"); "ein Format, wo …" does not
        "where",
        re.compile(r"(?:^|[:–?]\s*|\b(?:und|and)\s+)(?:wo|wohin|woher|where)\b|\b(an wen|bei wem)\b", re.I),
    ),
    (
        "amount",
        re.compile(
            r"\b(wie ?viel|wie hoch|in welcher höhe|höhe|betrag|summe|kosten|how much|what amount|eigenanteil)\b"
            # what a place or body gets is money: "Was bekommt Worms?", "Was hat die VG fürs Schuljahr … bekommen?"
            r"|\bwas (bekommt|bekommen|erhält|erhalten|kriegt|kriegen)\b"
            r"|\bwas (hat|haben)\b[^?,]*(?<!\bzu )\b(bekommen|erhalten|gekriegt)\b",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"\b(wer|wem|wen|welche (stelle|behörde|institution|einrichtung)|zuständig\w*|who|whom|"
            r"which (body|authority))\b",
            re.I,
        ),
    ),
    ("why", re.compile(r"\b(warum|wieso|weshalb|wozu|why)\b", re.I)),
    (
        "how",
        re.compile(
            r"\b(wie (läuft|funktioniert|geht|gehen|beantrag\w*|stell\w*|organisier\w*|erfolgt|werden)|"
            r"auf welche[mn]? weg|"
            r"ablauf|verfahren|schritte|how (do|does|can|to|is)|procedure)\b",
            re.I,
        ),
    ),
    (
        "yesno",
        re.compile(
            r"^(und |aber |also |auch )?(darf|dürfen|kann|können|könnte|könnten|muss|müssen|"
            r"ist|sind|gibt|gilt|soll|sollen|"
            r"werden|wird|hat|haben|bekommt|bekommen|erhält|erhalten|zählt|zählen|fällt|fallen|übernimmt|zahlt|zahlen|"
            r"may|can|is|are|do|does|did|will|must|should)\b",
            re.I,
        ),
    ),
    ("which", re.compile(r"\b(welche\w*|was für|which|what kinds?|wofür|wozu)\b", re.I)),
]
_WH = (
    r"bis wann|seit wann|ab wann|bis zu welche\w*|wer|wem|wen|wie|was|wann|wo|woher|wohin|wofür|wozu|welche\w*|"
    r"warum|wieso|weshalb|ob|gibt|gilt|darf|dürfen|"
    r"kann|können|muss|müssen|ist|sind|hat|haben|bekommt|bekommen|who|what|when|how|which|can|may|is|are|do|does"
)
# a question word after a preposition: "…, und für wie viele Schulen?", "… und an wen wenden wir uns?"
_PREPOSITION = r"(?:für|an|mit|von|bei|auf|aus|nach|zu|über|um|durch|in|for|to|with|from|by|on)"
# "…, und bis wann …?" / "… – und wer …?" / "… sowie welche …": a new clause with its own question word
# "…, bis wann …" / "…, wer …": a comma before a question word that opens a clause of its own
_ASKING_CLAUSE = r"bis wann|seit wann|ab wann|wann|wer|wie ?viele?|wie hoch|wie lange"
_CLAUSE_SPLIT = re.compile(
    rf"\s*(?:,|–|-|;)?\s+(?:und|sowie|oder|and|or)\s+(?=(?:{_PREPOSITION}\s+)?(?:{_WH})\b)|\s+–\s+(?=(?:{_WH})\b)"
    rf"|,\s+(?=(?:{_ASKING_CLAUSE})\b)",
    re.I,
)
_ASKS = re.compile(rf"\?\s*$|^(?:{_WH})\b|\b(?:{_ASKING_CLAUSE}|wie|was|warum|wo|ob)\b", re.I)
# where a statement ends and the question after it begins ("… 6 Milliarden. Is das …", "Zwei Fragen zu Worms: Hat
# …"), not "am 4. Juni" or "Mio. €"
_SENTENCE_END = re.compile(r"(?<=[a-zäöüß)“\"][.!]|[\w)“\"]:)\s+(?=[A-ZÄÖÜ])")
_NAME = r"[A-ZÄÖÜ][\wÄÖÜäöüß.]*(?:-[A-ZÄÖÜ][\wÄÖÜäöüß.]*)*"
_ENUMERATION = re.compile(rf"(?<![\w-])({_NAME}(?:\s*,\s*{_NAME})+(?:\s*,?\s*(?:und|sowie|and)\s+{_NAME})?)")


@dataclass(frozen=True)
class QuestionProfile:
    text: str
    kind: str
    parts: tuple[str, ...]  # sub-questions; one entry for a simple question
    numbers: tuple[str, ...]  # numbers and years written in the question

    @property
    def multi_part(self) -> bool:
        return len(self.parts) > 1


def asking_text(text: str) -> str:
    """The question of a message from its first question sentence on: "Unser Team hat keinen Platz. Können wir
    Arbeitsplätze aus Säule I bezahlen?" asks yes or no; the statement before only sets the scene."""
    sentences = chat_sentences(text)
    first = next((i for i, s in enumerate(sentences) if asks(s)), 0)
    return " ".join(sentences[first:]) if first else text.strip()


def asks_yes_or_no(text: str) -> bool:
    """Whether the question sentence of a message asks yes or no ("Unser Team hat keinen Platz. Können wir …?")."""
    return question_kind(asking_text(text)) == "yesno"


def question_kind(text: str) -> str:
    stripped = text.strip()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(stripped):
            return kind
    return "what"


def split_parts(text: str, is_place: Callable[[str], bool] | None = None) -> tuple[str, ...]:
    """Sub-questions: several question sentences, clauses joined by "und/sowie + question word", or an
    enumeration of names ("Koblenz, Trier, Worms"): each name becomes a part of its own. Two names joined by
    "und" ("Mainz und Worms", "in Hessen und in Niedersachsen") are parts only when ``is_place`` knows both as places:
    "Schulen und Kitas" is one subject."""
    sentences = [s.strip() for s in re.split(r"(?<=\?)\s+", text.strip()) if s.strip()]
    asked = [s for s in sentences if asks(s)] or sentences
    parts: list[str] = []
    for sentence in asked:
        clauses = [c.strip(" ,–-") for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip(" ,–-")]
        # "Kompendium Chancenbudget – wo gibt's …?": a heading, no question; "Hab gelesen, … 6 Milliarden. Is das …":
        # the question after a statement asks
        if len(clauses) > 1 and not (_ASKS.search(clauses[0]) or _ASKS.search(_SENTENCE_END.split(clauses[0])[-1])):
            clauses[:2] = [f"{clauses[0]} – {clauses[1]}"]
        parts.extend(c for c in clauses if len(c.split()) >= 2)
    if len(parts) <= 1:
        found = _enumerated_names(text) or _place_pair(text, is_place)
        if found is not None:
            (start, end), names = found
            return tuple(text[:start] + name + text[end:] for name in names)
    return tuple(parts) if len(parts) > 1 else (text.strip(),)


_Names = tuple[tuple[int, int], list[str]]  # where the names stand in the question, and the names


def _enumerated_names(text: str) -> _Names | None:
    match = _ENUMERATION.search(text)
    if match is None or match.start() == 0:
        return None
    names = [n.strip() for n in re.split(r"\s*,\s*|\s+(?:und|sowie|and)\s+", match.group(1)) if n.strip()]
    return (match.span(), names) if len(names) >= 2 and all(len(n) >= 3 for n in names) else None


_PAIR = re.compile(rf"(?<![\w-])({_NAME})\s+(?:und|sowie|oder|and|or)\s+(?:(?:in|im|bei|für)\s+)?({_NAME})")


def _place_pair(text: str, is_place: Callable[[str], bool] | None) -> _Names | None:
    if is_place is None:
        return None
    for match in _PAIR.finditer(text):
        names = [match.group(1).rstrip("."), match.group(2).rstrip(".")]
        if match.start() > 0 and all(is_place(n) for n in names) and names[0] != names[1]:
            return match.span(), names
    return None


def profile(text: str, is_place: Callable[[str], bool] | None = None) -> QuestionProfile:
    parts = split_parts(text, is_place)
    return QuestionProfile(text=text, kind=question_kind(text), parts=parts, numbers=figures(text))


_NUMERAL = r"(?:III|II|I|1|2|3)\b"
_PILLARS = re.compile(
    rf"\b(?:S(?:ä|ae)ulen?|pillars?)[\s-]*({_NUMERAL}(?:\s*(?:,|und|and|sowie|bis|oder|or|–|-)\s*{_NUMERAL})*)",
    re.IGNORECASE,
)
_ROMAN = {"1": "I", "2": "II", "3": "III"}
_ORDER = ("I", "II", "III")


def pillars(text: str) -> frozenset[str]:
    """The programme pillars a text names: "Säule I", "Säule-II-Mittel", "Säulen II und III", "pillar 3";
    "Säulen I bis III" names all three."""
    out: set[str] = set()
    for match in _PILLARS.finditer(text):
        found = re.findall(r"\b(?:III|II|I|1|2|3)\b", match.group(1), re.IGNORECASE)
        numerals = [_ROMAN.get(n, n.upper()) for n in found]
        if re.search(r"\bbis\b|[–-]", match.group(1)) and len(numerals) == 2:  # a range
            first, last = sorted(_ORDER.index(n) for n in numerals)
            numerals = list(_ORDER[first : last + 1])
        out.update(numerals)
    return frozenset(out)


# a year of the programme: "im ersten Programmjahr", "im zweiten Jahr", "in the second year" (not "Jahrgang",
# "Jahreshälfte" or "erst Jahre später"; "im ersten Schuljahr" is the first grade)
NTH_YEAR = re.compile(
    r"\b(erst|zweit|dritt|viert|fünft|sechst|siebt|acht|neunt|zehnt)e[nmrs]?\s+(?:Programm|Förder)?jahr(?:e?s)?\b"
    r"|\b(first|second|third|fourth|fifth)\s+(?:programme\s+|program\s+)?year\b",
    re.IGNORECASE,
)

_CARRIED = re.compile(r"\s*\(([^()]*)\)\s*$")


def split_carried(query: str) -> tuple[str, str]:
    """A follow-up's standalone query as (what the user wrote, the topic carried over from the previous turn):
    'Bis wann? (Trägerbudget Zweibrücken)' -> ('Bis wann?', 'Trägerbudget Zweibrücken')."""
    match = _CARRIED.search(query)
    if not match:
        return query, ""
    return query[: match.start()], match.group(1)
