"""The eval suite's fact rule: does a text state a key fact? Numbers must all occur (1.000 = 1000, "12. September
2024" = "12.09.2024"), and 60 % of the fact's content words (German stems; a compound counts for its parts). The
reference scorer (../shared/eval/score.py) uses the same rule; metrics, training labels and the question memory
(``learn/memory.py``) all read it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scp_assistant.text import german_stemmer

STOP = frozenset(
    [
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "und",
        "oder",
        "aber",
        "mit",
        "von",
        "zu",
        "zum",
        "zur",
        "für",
        "auf",
        "an",
        "in",
        "im",
        "am",
        "aus",
        "bei",
        "bis",
        "nach",
        "über",
        "unter",
        "vor",
        "als",
        "wie",
        "auch",
        "nur",
        "nicht",
        "kein",
        "keine",
        "ist",
        "sind",
        "wird",
        "werden",
        "wurde",
        "wurden",
        "hat",
        "haben",
        "sein",
        "es",
        "sie",
        "er",
        "wir",
        "ihr",
        "man",
        "sich",
        "so",
        "dass",
        "da",
        "wo",
        "was",
        "wer",
        "wie",
        "pro",
        "je",
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "for",
        "on",
    ]
)
ABBREV = {
    r"\bIGS\b": "Integrierte Gesamtschule",
    r"\bRS\+": "Realschule plus",
    r"\bFOS\b": "Fachoberschule",
    r"\bBBS\b": "berufsbildende Schule",
    r"\bPL\b": "Pädagogisches Landesinstitut",
    r"\bBM\b": "Bildungsministerium",
    r"\bSCP\b": "Startchancen-Programm",
    r"\bMio\.": "Millionen",
    r"\bMrd\.": "Milliarden",
    r"\bRLP\b": "Rheinland-Pfalz",
    r"\bMPT\b": "multiprofessionelle Teams",
    r"\bBLV\b": "Bund-Länder-Vereinbarung",
    r"\bVV\b": "Verwaltungsvereinbarung",
    r"\bGS\b": "Grundschule",
    r"€": " Euro ",
    r"%": " Prozent ",
}
FACT_WINDOW = 1000
_MONTH_NAMES = "januar februar märz april mai juni juli august september oktober november dezember"
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
MONTHS["maerz"] = 3
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.\s*(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=262_144)
def _stem(word: str) -> str:
    w = word.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")
    return str(german_stemmer().stemWord(w))


@lru_cache(maxsize=16_384)  # training judges the same answers and facts again and again (≤ ~16 MB)
def expand(text: str) -> str:
    for pattern, replacement in ABBREV.items():
        text = re.sub(pattern, replacement, text)
    # "12. September 2024" and "12.09.2024" carry the same numbers
    return _DAY_MONTH.sub(lambda m: f"{m.group(1)}.{MONTHS[m.group(2).lower()]:02d}.", text)


def numbers(text: str) -> list[str]:
    """1.000 -> 1000, 49,4 -> 49.4; dates and 2024/25 are split into their parts."""
    out: list[str] = []
    for tok in re.findall(r"\d[\d.,/]*\d|\d", text):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d+)?", tok):
            out.append(tok.replace(".", "").replace(",", ".").lstrip("0") or "0")
        else:
            out += [p.replace(",", ".").lstrip("0") or "0" for p in re.split(r"[./]", tok) if p]
    return out


def content_stems(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text) if w.lower() not in STOP]


@dataclass(frozen=True)
class Signature:
    """What the fact rule reads of a text: its numbers and its content-word stems."""

    numbers: frozenset[str]
    stems: frozenset[str]


@lru_cache(maxsize=65_536)  # units of the corpus and facts are read again and again (memory, training)
def signature(text: str) -> Signature:
    expanded = expand(text)
    return Signature(frozenset(numbers(expanded)), frozenset(content_stems(expanded)))


def covers(fact: Signature, text: Signature) -> bool:
    """Does a text (its signature) state the fact: all its numbers, and 60 % of its stems (also inside a compound)?"""
    if not fact.numbers <= text.numbers:
        return False
    if not fact.stems:
        return True
    present, n = text.stems, len(fact.stems)
    hits = len(fact.stems & present)  # the exact ones first: the scan inside compounds is the slow part
    left = n - hits
    for w in fact.stems - present:
        if hits / n >= 0.6 or (hits + left) / n < 0.6:
            break
        left -= 1
        hits += len(w) >= 4 and any(w in x or (len(x) >= 5 and x in w) for x in present)
    return hits / n >= 0.6


def fact_covered(fact: str, answer: str) -> bool:
    return covers(signature(fact), signature(answer[:FACT_WINDOW]))
