"""Text of a PDF page as readable lines: slide layouts break sentences and bullets over many lines.

pypdf gives the text in content-stream order. We also read where each line sits (its baseline and font size)
through pypdf's text visitor: a line at normal line spacing below a bullet item, in the same font, continues
that item even when it starts with a capital ("… sozialräumlichen / Angebotsstrukturen und …"), while a wider
gap or a change of font (a bold slide title under the last bullet) starts a new line. Without positions (odd
fonts, rotated text) the purely textual rules still apply.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

NORMAL_SPACING = 1.5  # a gap up to 1.5 × the font size is ordinary line spacing (typesetting uses ~1.2)
BLOCK_SPACING = 2.2  # a gap of more than 2.2 × the font size separates blocks (an empty line between them)

_FOOTER = re.compile(r"^.{0,40}·\s*(Folie|Seite)\s*\d+\s*$")
_BULLET = re.compile(r"^([•▪◦●]|[-–]\s|\d+\.\s)")
_JOIN_AFTER = re.compile(
    r"([,\-–(/]|\b(und|oder|der|die|das|den|dem|des|von|zu|zum|zur|mit|für|im|in|auf|aus|bei|über|eine?[rsmn]?))$"
)


@dataclass(frozen=True)
class PdfLine:
    text: str
    continues: bool = False  # set from the layout: normal spacing and the same font as the line above
    after_wrap: bool = False  # the line above is about as long as the page's longest line: it was wrapped
    new_block: bool = False  # a wider gap than line spacing above it: a new group of bullets or a new paragraph


def page_text(page: Any) -> str:
    """The cleaned text of one pypdf page."""
    lines = _layout_lines(page)
    if lines is None:
        return clean_lines([PdfLine(line) for line in (page.extract_text() or "").splitlines()])
    return clean_lines(lines)


def clean_lines(lines: list[PdfLine]) -> str:
    """Join lines broken by the slide layout, keep bullets apart, drop footers and rotated letter soup. A wide
    gap above a line (a new group of bullets: "ADD/Schulaufsicht" and its points) is kept as a blank line."""
    out: list[str] = []
    for item in lines:
        line = re.sub(r"[ \t]+", " ", item.text.replace("\u00ad", "").replace("\x00", "")).strip()
        if not line or _FOOTER.match(line):
            continue
        if len(line) <= 2 and not line[0].isdigit():
            continue  # single letters of rotated or vertical text
        if out and out[-1] and not _BULLET.match(line) and _joins(out[-1], line, item):
            previous = out[-1]
            out[-1] = (
                previous[:-1] + line if re.search(r"\w-$", previous) and line[:1].islower() else f"{previous} {line}"
            )
        elif item.new_block and out and out[-1]:
            out.extend(["", line])
        else:
            out.append(line)
    return "\n".join(out).strip()


def _joins(previous: str, line: str, item: PdfLine) -> bool:
    if re.search(r"[.:!?“\"]$", previous):
        return False
    if line[:1].islower() or _JOIN_AFTER.search(previous):
        return True
    # the layout says "same block"; the words must agree: the line above ends mid-phrase (a lower-case word such
    # as an adjective, or a number: "… sozialräumlichen / Angebotsstrukturen") or this line adds a parenthesis
    # or a quotation
    open_end = bool(re.search(r"\b[a-zäöüß0-9][\w-]*$", previous)) or line.startswith(("(", "„", '"'))
    return item.continues and open_end and (bool(_BULLET.match(previous)) or item.after_wrap)


def _layout_lines(page: Any) -> list[PdfLine] | None:
    """Lines with their layout relation to the line above, or None when pypdf reports no positions."""
    pieces: list[tuple[str, float, float, str]] = []  # text, baseline y, font size, font name

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        rotation = (tm[0] * cm[1] + tm[1] * cm[3], tm[2] * cm[0] + tm[3] * cm[2])
        if not text or abs(rotation[0]) > 1e-3 or abs(rotation[1]) > 1e-3:
            return  # rotated or vertical labels read as letter soup
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]) or 1.0
        name = str(font.get("/BaseFont", "")) if hasattr(font, "get") else ""
        pieces.append((text, y, (size or 0.0) * scale, name))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:
        return None
    if not any(p[0].strip() for p in pieces):
        return None
    lines: list[PdfLine] = []
    text, y, size, font = "", None, 0.0, ""
    prev_y: float | None = None
    prev_size, prev_font = 0.0, ""
    for piece, py, psize, pfont in pieces:
        same_line = y is not None and abs(py - y) < 0.5 * max(psize, 1.0) and "\n" not in text
        if same_line:
            text += piece
            continue
        if text.strip():
            lines.append(_line(text, y, size, font, prev_y, prev_size, prev_font))
            prev_y, prev_size, prev_font = y, size, font
        text, y, size, font = piece, py, psize, pfont
    if text.strip():
        lines.append(_line(text, y, size, font, prev_y, prev_size, prev_font))
    longest = max(len(line.text.strip()) for line in lines)
    out: list[PdfLine] = []
    above = ""
    for line in lines:
        for i, part in enumerate(line.text.splitlines()):
            first = i == 0
            wrapped = len(above.strip()) >= 0.6 * longest
            out.append(
                PdfLine(
                    part,
                    continues=line.continues and first,
                    after_wrap=first and wrapped,
                    new_block=line.new_block and first,
                )
            )
            above = part
    return out


def _line(
    text: str, y: float | None, size: float, font: str, prev_y: float | None, prev_size: float, prev_font: str
) -> PdfLine:
    gap = (prev_y - y) if prev_y is not None and y is not None else None
    normal = gap is not None and 0 < gap <= NORMAL_SPACING * max(size, prev_size, 1.0)
    wide = gap is not None and gap > BLOCK_SPACING * max(size, prev_size, 1.0)
    return PdfLine(text, continues=normal and font == prev_font and abs(size - prev_size) < 0.5, new_block=wide)
