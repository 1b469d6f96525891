"""Pillars and years of the programme as the documents write them.

Staff type "Säule zwei", "die zweite Säule", "die 2. Säule" or "im 1. Jahr"; the documents say "Säule II" and "im
ersten Jahr". A question is read in the documents' words before it is searched, compared and resolved as a
follow-up ("Und in der dritten Säule?" swaps the pillar like "Und in Säule III?"). Only the forms below are
rewritten; anything else stays as typed (the patterns are case-sensitive on purpose: with ``re.IGNORECASE`` a
"ſ" or "İ" would match and name no numeral).
"""

from __future__ import annotations

import re

_NUMERALS = {
    "erst": "I", "zweit": "II", "dritt": "III", "1": "I", "2": "II", "3": "III", "eins": "I", "zwei": "II",
    "drei": "III",
}  # fmt: skip
_ORDINAL = r"(?:[Ee]rst|[Zz]weit|[Dd]ritt)e[nmrs]?|[123]\."
# a digit is a pillar unless a count or an amount follows ("Säule 1, 2 Stellen", "Säule 1 Mio. Euro")
_CARDINAL = r"[Ee]ins|[Zz]wei|[Dd]rei|[123](?![.,]\d|\s+(?:[A-ZÄÖÜ][a-zäöüß]|Mio|Mrd|%))"
_JOINS = r",|und|oder|bis|[–-]"  # between pillars; a dash is a range
_AND = rf"\s*(?:{_JOINS})\s*"
_SEPARATOR = re.compile(rf"\s*({_JOINS})\s*")
_PILLAR_WORD = r"[Ss](?:ä|ae)ule"
# "die zweite Säule", "der 2. und 3. Säule" (not "die erste Säule-III-Stelle": that pillar is named already)
_NTH_PILLAR = re.compile(
    rf"\b((?:{_ORDINAL})(?:{_AND}(?:{_ORDINAL}))*)\s+({_PILLAR_WORD})n?\b(?![\s-]*(?:III|II|I|[123])\b)"
)
# "Säule zwei", "Säulen zwei und drei", "Säule 2", "säule2", "Säule-1-Mittel" (not "Säule zweimal")
_PILLAR_IN_WORDS = re.compile(
    rf"\b({_PILLAR_WORD})n?(?:\s+|(?P<joined>-)?(?=[123]))((?:{_CARDINAL})(?:{_AND}(?:{_CARDINAL}))*)\b"
)
_ORDINAL_WORDS = ("erst", "zweit", "dritt", "viert", "fünft", "sechst", "siebt", "acht", "neunt", "zehnt")
# "im 1. Jahr", "das 2. Programmjahr" (not "am 1. August", "im 1. Schuljahr": a date, the first grade)
_NTH_YEAR = re.compile(
    r"\b(?:((?i:im|am|zum|vom|beim|dem|den|einem|das|die|ein))(\s+))?(10|[1-9])\.\s+((?:Programm|Förder)?[Jj]ahr)\b"
)
_DATIVE = ("im", "am", "zum", "vom", "beim", "dem", "den", "einem")


def as_documents_write(text: str) -> str:
    """``text`` with its pillars and programme years in the documents' words ("Säule zwei" -> "Säule II", "die 2.
    und 3. Säule" -> "Säulen II und III", "Im 1. Jahr" -> "Im ersten Jahr")."""
    text = _PILLAR_IN_WORDS.sub(lambda m: _pillars(m.group(1), m.group(3), m.group(0), bool(m.group("joined"))), text)
    text = _NTH_PILLAR.sub(lambda m: _pillars(m.group(2), m.group(1), m.group(0)), text)
    return _NTH_YEAR.sub(_year_in_words, text)


def _pillars(word: str, numerals: str, typed: str, joined: bool = False) -> str:
    """The pillars as numerals, joined as typed: "Säulen 1 bis 3" -> "Säulen I bis III", "Säule 2 oder 3" -> "Säule
    II oder III", "Säulen 1-3" -> "Säulen I bis III" (a range reads as one: ``pillars`` in ``learn/question.py``)."""
    pieces = _SEPARATOR.split(numerals.strip())
    found = [_NUMERALS.get(n.lower().rstrip(".")[:5].rstrip("e")) for n in pieces[::2]]
    if not found or not all(found):
        return typed
    if len(found) == 1:  # "Säule-3-Geld" -> "Säule-III-Geld", as the documents join "Säule-III-Personal"
        return f"{word}{'-' if joined else ' '}{found[0]}"
    separators = ["bis" if sep in "–-" else sep for sep in pieces[1::2]]
    plural = any(sep != "oder" for sep in separators)
    out = f"{word}{'n' if plural else ''} {found[0]}"
    for sep, numeral in zip(separators, found[1:], strict=True):
        out += f"{sep} {numeral}" if sep == "," else f" {sep} {numeral}"
    return out


def _year_in_words(match: re.Match[str]) -> str:
    article, space, number, year = match.group(1) or "", match.group(2) or "", match.group(3), match.group(4)
    key = article.lower()
    ending = "en" if key in _DATIVE else "es" if key == "ein" else "e"
    return f"{article}{space}{_ORDINAL_WORDS[int(number) - 1]}{ending} {year}"
