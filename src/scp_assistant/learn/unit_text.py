"""What the text of an answer unit holds, as plain patterns: an amount, a date, a count, a body, a verdict, words
about the document itself, a sentence cut off mid-phrase or one that points back to the sentence before it. Used by
the unit features (``learn/features.py``) and by the reader and selection of units (``answer/``)."""

from __future__ import annotations

import re

from scp_assistant.text import MONTHS

AMOUNT = re.compile(r"\d[\d.,]*\s*(?:€|euro|eur\b|mio|mrd|millionen|milliarden|prozent|%)|€\s*\d", re.I)
DATE = re.compile(
    rf"\b(19|20)\d\d\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.|\b({MONTHS}|schuljahr|halbjahr|jährlich|jahre?n?)\b", re.I
)
# the date a document or list was current ("Stand Mai 2025", "(Stand 14.12.2024)"): no date of what it reports
_STATUS_DAY = (
    rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:19|20)?\d\d|(?:\d{{1,2}}\.\s?)?(?:{MONTHS})\s+(?:19|20)\d\d|(?:19|20)\d\d)"
)
STATUS_DATE = re.compile(rf"\bStand:?\s+(?:vom\s+)?{_STATUS_DAY}(?:\s+(?:bzw\.|und|oder)\s+{_STATUS_DAY})?")


def without_status_dates(text: str) -> str:
    """The text without the dates that only say when a document was current: "Eine Präsentation des ism (Stand Mai
    2025) führt … auf" tells nobody until when anything runs."""
    return STATUS_DATE.sub("Stand", text)


# a year, a day or a month: what a "wann" needs ("jährlich", "Schuljahr" or "drei Jahre" do not say when)
DATED = re.compile(rf"\b(?:19|20)\d\d\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.|\b(?:{MONTHS})\b", re.IGNORECASE)
DAY = re.compile(rf"\b\d{{1,2}}\.\s?(?:\d{{1,2}}\.|(?:{MONTHS})\b)", re.I)  # "18.06.", "4. Juni 2024"
# a question for the day, not the month or year: "An welchem Tag …?", "Bis zu welchem Datum …?", "Wann genau …?"
ASKS_DAY = re.compile(r"\b(?:welche[mnrs]? (?:datum|tag)|datum|wann genau|genaue[mnrs]? (?:datum|tag|termin))\b", re.I)
# a question for how long something runs, not when it happens: "Wie lange …?", "Laufzeit", "how long"
ASKS_SPAN = re.compile(r"\b(?:wie lange|laufzeit|zeitraum|für wie viele jahre|wie viele jahre|how long)\b", re.I)
_COUNTED = r"(?:\d+|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)"
# a span of time: "auf zehn Jahre angelegt", "2024 bis 2034", "bis 2034", "befristet", "Laufzeit"
SPAN = re.compile(
    rf"\b{_COUNTED}\s+(?:(?:Schul|Kalender|Haushalts)?[Jj]ahren?|Monaten?|Wochen)\b"
    r"|\b(?:19|20)\d\d(?:/\d\d)?\s*(?:bis|–|-)\s*(?:(?:19|20)\d\d|\d\d)\b"
    r"|\bbis (?:(?:zum|Ende|Mitte|Anfang|Sommer|Herbst)\s+)*(?:des Schuljahres |Schuljahr )?(?:19|20)\d\d\b"
    r"|\b(?:Laufzeit|befristet|Programmende|Programmdauer)\b",
    re.I,
)
NUMBER = re.compile(
    r"\b\d[\d.,]*\b|\b(eine?|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|hundert)\b", re.I
)
_FIGURE = re.compile(r"\d(?:[\d.,/]*\d)?")
_NOT_A_COUNT = re.compile(r"(?:19|20)\d\d(?:/(?:19|20)?\d\d)?|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?")  # years, dates
_COUNT_WORD = re.compile(
    r"\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert\w*|tausend\w*|"
    r"dutzend\w*)\b",
    re.I,
)


def has_count(text: str) -> bool:
    """A figure that can answer "wie viele": a number that is not a year, a date or a sum of money or share
    ("1,24 Mio. €" does not say how many posts), or a number word ("zwei", "hundert"; "ein" is an article far more
    often than a count)."""
    text = AMOUNT.sub(" ", text)
    if any(not _NOT_A_COUNT.fullmatch(figure) for figure in _FIGURE.findall(text)):
        return True
    return bool(_COUNT_WORD.search(text))


# an address to write or call: the FAQ's contact line answers "An wen wende ich mich?", not every question that
# says "SCP" ("Probleme mit dem SCP-Portal richten Sie an startchancen(at)bm.rlp.de")
CONTACT = re.compile(r"\w\s?(?:\(at\)|@)\s?\w|\b(?:Tel\.|Telefon|Fax)\s*:?\s*[\d(+]", re.I)
ASKS_CONTACT = re.compile(
    r"\b(an wen|wohin|wende[nt]?|erreich\w*|kontakt\w*|ansprech\w*|e-?mail\w*|mail\w*|telefon\w*|anruf\w*|"
    r"hotline|postfach|contact|reach|phone|whom)\b",
    re.I,
)
# where something is or happens: a portal, mailbox or site, an address, a seat, a named town ("im SCP-Portal",
# "in Trier mit Außenstellen in Koblenz"); answers "Wo …?" / "An wen …?"
PLACE = re.compile(
    r"\b(Portal\w*|\w+portal|Postfach|Bildungsserver|Internet\w*|Website|Webseite|Homepage|online|www\.|Sitz|sitzt|"
    r"Außenstelle\w*|Standort\w*|Veranstaltungsort|Räume[n]?)\b"
    r"|\b(in|im|nach|bei der|beim) (?!Säule)[A-ZÄÖÜ][a-zäöüß]{3,}|\w\s?(?:\(at\)|@)\s?\w"
)
BODY = re.compile(
    r"\b(ADD|Schulaufsicht|Ministerium|Bildungsministerium|BM|BMBF|BMBFSFJ|Landesinstitut|PL|Schulträger\w*|Bund|"
    r"Länder|Land|Kommune\w*|Kreis\w*|Stadt|Verbandsgemeinde\w*|Jugendamt|Jugendhilfe|Träger|Stiftung|ism|"
    r"Schulleitung\w*|Schulen|Kultusministerkonferenz|KMK|Stadtrat|Gemeinderat|Oberbürgermeister\w*)\b"
)
VERDICT = re.compile(
    r"\b(nicht|kein\w*|ausgeschlossen|unzulässig|zulässig|möglich|erlaubt|darf|dürfen|kann|können|muss|müssen|"
    r"förderfähig|finanzierbar|ja|nein|nur|ausschließlich|ausdrücklich)\b",
    re.I,
)
# how editors and the documents talk about themselves, not about the programme
META = re.compile(
    r"\b(Redaktion|Fassung|undatiert|abgeschnitten|Download\w*|Link|PDF|Stand|Quelle|Seite|Dokument|Landesseite|"
    r"Pressemitteilung|Artikel|Blog|Beitrag|berichtet|Bericht)\b"
)
DANGLING = re.compile(
    r"\b(für|mit|von|zu|zum|zur|an|auf|aus|bei|in|im|über|unter|um|nach|vor|durch|und|oder|sowie|der|die|das|den|"
    r"dem|des|ein|eine|einer|eines|einem|einen|soll|sollen|wird|werden|ist|sind|etwa|insbesondere|wie|als|zwischen|"
    r"gegen|innerhalb)\s*$|[,–-]\s*$",
    re.IGNORECASE,
)


def dangling(text: str) -> bool:
    """Does the text stop mid-phrase ("Das zusätzliche Personal soll", "Anträge vornehmlich für")?"""
    return bool(DANGLING.search(text.strip()))


_ANAPHOR = re.compile(
    r"(Sie|Er|Dies|Diese[rsmn]?|Damit|Dabei|Dafür|Dazu|Daher|Deshalb|Darüber|Demnach|Dadurch|Hierfür|Hierzu|"
    r"Außerdem|Zudem|Ebenso|Dasselbe|Dieselbe[n]?|Gleiches)\b(?!-)"
)


def leans_on_previous(text: str) -> bool:
    """Does the sentence (or a list's lead-in) point back to the one before it: by its first word ("Sie dient der
    Finanzierung …", "Damit liegt …"), by a pointing adverb right after its subject ("Die Stadt trägt dabei …") or
    by "diese" before a noun ("stammt aus diesem Trägerbudget")? ("Es gibt …", "dient dazu, …", "in diesem Jahr"
    do not.)"""
    first = text.strip().split("\n", 1)[0]
    return bool(_ANAPHOR.match(first) or _EARLY_POINTER.match(first) or _THIS_ONE.search(first))


def unit_leans_on_previous(kind: str, text: str) -> bool:
    """A sentence, or a list by its lead-in ("Sie verteilen sich so auf die Schularten: …"), that points back: it is
    shown with the sentence before it or not at all (items and FAQ answers stand on their own)."""
    return kind in ("sentence", "list") and leans_on_previous(text)


# "diese" before a noun the sentence before named ("stammt aus diesem Trägerbudget", "Zu diesen Netzwerken gehören …");
# the source itself ("laut dieser Seite", "nach dieser FAQ") is named by the citation, and "in diesem Jahr" is a date
_THIS_ONE = re.compile(
    r"\bdiese[mnrs]?\s+(?:[a-zäöüß]+\s+)?"
    r"(?!(?:Seite|FAQ|Mitteilung|Meldung|Zusammenfassung|Pressemitteilung|Übersicht|Jahr|Schuljahr|Woche|Monat|Zeit)\b)"
    r"[A-ZÄÖÜ]"
    # "Für dasselbe Schuljahr erhielt …": the one named before ("dieselben Regeln wie für …" names it after)
    r"|\b(?:das|der|die|den|dem)selben?\s+[A-ZÄÖÜ][\wäöüß-]*\b(?!\s+wie\b)"
)
# a pointing adverb among the first words: "Die Stadt trägt dabei einen Eigenanteil von 30 %" (of what, which town?);
# not one that points ahead ("Das Budget dient dazu, …", "Der Schulträger sorgt dafür, dass …")
_EARLY_POINTER = re.compile(r"(?:[\wÄÖÜäöüß.-]+\s+){1,3}(dabei|damit|dafür|dazu|hierfür|hierzu|davon)\b(?!\s*,)")
