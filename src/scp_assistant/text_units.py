"""Passages into answer units: sentences, and lists with the sentence that introduces them; slides line by line.

Layout breaks of slides and PDFs are mended on the way: a point that goes on after a blank line ("- ggf.
zwischen" / "Gebietskörperschaften") stays one point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scp_assistant.text import MONTHS, is_editorial_note, split_sentences

# "1. Antrag stellen" is a numbered item, "04. Juni 2025" is a date
_LIST_ITEM = re.compile(rf"^\s*(?:[-*•▪◦●]|\d{{1,2}}[.)](?!\s+(?:{MONTHS})\b))\s+")


@dataclass(frozen=True)
class Unit:
    """One answer unit: a sentence, or a list with the sentence that introduces it."""

    text: str
    is_list: bool = False


def _keeping_notes_whole(sentences: list[str]) -> list[str]:
    """An editor's note runs to the end of its paragraph and is one unit: its second sentence alone ("Wie sich
    das zu der hier beschriebenen Landesvorgabe verhält, ist klärungsbedürftig.") would refer to nothing."""
    for i, sentence in enumerate(sentences):
        if is_editorial_note(sentence) and i + 1 < len(sentences):
            return [*sentences[:i], " ".join(sentences[i:])]
    return sentences


def split_units(text: str, by_line: bool = False, cut_off: Callable[[str], bool] | None = None) -> list[Unit]:
    """Paragraph sentences become units; consecutive list lines become one list unit together with the
    sentence right before them when that sentence ends with a colon. With ``by_line`` (slides), every line is a
    unit of its own instead of flowing into the next, unless it leaves a parenthesis open. A blank line ends a
    paragraph or a list unless the text goes on after it (``_goes_on``; ``cut_off``: does a text stop
    mid-phrase?)."""
    units: list[Unit] = []
    items: list[str] = []

    def flush_list() -> None:
        if not items:
            return
        lead = ""
        if units and not units[-1].is_list and units[-1].text.endswith(":"):
            lead = units.pop().text + "\n"
        units.append(Unit(lead + "\n".join(f"- {i}" for i in items), is_list=True))
        items.clear()

    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            units.extend(Unit(s) for s in _keeping_notes_whole(split_sentences(" ".join(paragraph))))
            paragraph.clear()

    def add_line(stripped: str) -> None:
        paragraph.append(stripped)
        if stripped.endswith(":") or (by_line and not _inside_parentheses(paragraph)):
            flush_paragraph()

    pending = False  # a blank line after a point that may go on (layout breaks of slides and PDFs)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            pending = bool(items or paragraph)  # flushed by the next line unless it goes on
            continue
        if pending:
            pending = False
            before = items[-1] if items else " ".join(paragraph)
            if _goes_on(before, stripped, bool(items), by_line, cut_off):
                if items:
                    items[-1] += " " + stripped
                else:
                    add_line(stripped)
                continue
            flush_paragraph()
            flush_list()
        if _LIST_ITEM.match(stripped):
            flush_paragraph()
            items.append(_LIST_ITEM.sub("", stripped).strip())
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped  # continuation of a list item
        else:
            flush_list()
            add_line(stripped)
    flush_paragraph()
    flush_list()
    return units


def _inside_parentheses(lines: list[str]) -> bool:
    """A slide line inside parentheses goes on in the next ("Fach-Beirat (Expert:innen aus Bereichen" /
    "Verwaltung, Kitas, … etc.)"), for three lines at most."""
    joined = " ".join(lines)
    return joined.count("(") > joined.count(")") and len(lines) < 3


def _goes_on(before: str, line: str, point: bool, slide: bool, cut_off: Callable[[str], bool] | None) -> bool:
    """Does ``line``, after a blank line, continue ``before`` (a list point if ``point``)? When ``before`` leaves its
    last parenthesis open and ``line`` closes it ("(u.a. durch gemeinsam erarbeitete" / "Ziele mit …)"), or stops
    mid-phrase ("- ggf. zwischen" / "Gebietskörperschaften"); a slide's point also when it stops at a lower-case
    word and ``line`` is the one sentence that ends it ("- … für eine hohe" / "Bildungsqualität vor Ort spezifisch
    sind."). Never a list point, a heading or label ("Schulträger:"), an editor's note, or after a full stop."""
    if _LIST_ITEM.match(line) or line.endswith(":") or re.search(r"[.!?:;]$", before) or is_editorial_note(line):
        return False
    if before.rfind("(") > before.rfind(")"):
        close, reopen = line.find(")"), line.find("(")
        return close >= 0 and (reopen < 0 or close < reopen)
    if cut_off is not None and cut_off(before):
        return True
    ends_lower = re.search(r"(?<![\w-])[a-zäöüß]+$", before) is not None
    return point and slide and ends_lower and line.endswith(".") and len(split_sentences(line)) == 1
