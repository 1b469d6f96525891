"""From picked units to answer text with [n] markers and a gapless citation list.

Rules: citations are numbered 1..k in order of first use, one number per document; every marker points to a
citation whose quote contains the unit it follows; nothing is listed that is not cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.models import Chunk, Citation

_MARKER = re.compile(r"\[(\d+)\]")
# what joins a list item to the next one in its source ("- … helfen,", "- … beitragen und"): shown without its
# neighbours, the item ends where its words end; "Hin- und" keeps its "und", whose word follows in the next line
_JOINING = re.compile(r"(?:\s*[,;]|(?<=[^\s-])\s+(?:und|oder|sowie))+\s*$")


def render(units: Sequence[UnitCandidate], closing: Sequence[str] = ()) -> tuple[str, list[Citation]]:
    """Answer text and citations for the selected units: one number per document (first use first), a marker
    after every unit, list items under what they stand under ("ADD/Schulaufsicht:" / "- Genehmigt …"), and
    ``closing`` sentences (parts the documents do not cover) at the end."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    first: dict[str, Chunk] = {}
    blocks: list[str] = []
    last_parent: tuple[str, str] | None = None  # (chunk id, parent) of a list block that can take another item
    last_paragraph: str | None = None  # chunk id of a paragraph that can take another sentence
    for unit in units:
        doc = unit.chunk.doc_id
        if doc not in numbers:
            numbers[doc] = len(numbers) + 1
            first[doc] = unit.chunk
            quotes[doc] = []
        quotes[doc].append(unit.display)
        body = f"{_JOINING.sub('', unit.text) if unit.parent else unit.text} [{numbers[doc]}]"
        if unit.parent:
            key = (unit.chunk.chunk_id, unit.parent)
            if last_parent == key:
                blocks[-1] += "\n" + body
            else:
                head = unit.parent if unit.parent.endswith(":") else f"{unit.parent}:"
                blocks.append(f"{head}\n{body}")
            last_parent, last_paragraph = key, None
            continue
        is_list = unit.text.startswith("- ") or "\n- " in unit.text
        if not is_list and last_paragraph == unit.chunk.chunk_id:
            blocks[-1] += " " + body
        else:
            blocks.append(body)
        last_parent, last_paragraph = None, None if is_list else unit.chunk.chunk_id
    blocks.extend(closing)
    citations = [first[doc].cite(n, _quoted(quotes[doc])) for doc, n in numbers.items()]
    return "\n\n".join(blocks), citations


def _quoted(parts: Sequence[str]) -> str:
    """The units quoted from one document, in order: on one line when each is a sentence, on lines of their own
    when one is a list or a slide's block ("- Genehmigt Anträge aus Chancenbudget … Pädagogisches Landesinstitut:"
    ran a heading into the point before it, and a point after "…" kept its "- " mid-line)."""
    if any("\n" in p or p.startswith("- ") for p in parts):
        return "\n…\n".join(parts)
    return " … ".join(parts)


def check(answer: str, citations: Sequence[Citation]) -> list[str]:
    """Problems with the markers of an answer (empty list = consistent). Used in tests and by generators."""
    problems: list[str] = []
    numbers = [c.n for c in citations]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"citations not numbered 1..k: {numbers}")
    used = [int(m) for m in _MARKER.findall(answer)]
    for n in sorted(set(used)):
        if n not in numbers:
            problems.append(f"marker [{n}] points to no citation")
    for n in numbers:
        if n not in used:
            problems.append(f"citation {n} is never used")
    first_use = list(dict.fromkeys(used))
    if first_use != sorted(first_use):
        problems.append(f"citations not in order of first use: {first_use}")
    return problems


_FIGURE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*(Mio\.|Millionen|Mrd\.|Milliarden)", re.IGNORECASE)


def conflicting_figures(units: Sequence[UnitCandidate], citations: Sequence[Citation]) -> list[tuple[str, int, str]]:
    """Figures of the same magnitude that differ slightly between documents (49,4 Mio. vs. 50 Mio.)."""
    number = {c.doc_id: c for c in citations}
    found: list[tuple[float, str, str, int, str]] = []
    for p in units:
        cit = number[p.chunk.doc_id]
        for match in _FIGURE.finditer(p.text):
            value = (
                float(match.group(1).replace(".", "").replace(",", "."))
                if "," in match.group(1)
                else float(match.group(1))
            )
            unit = match.group(2).lower()[:2]
            found.append((value, unit, match.group(0), cit.n, cit.date))
    pairs: list[tuple[str, int, str]] = []
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            if a[1] == b[1] and a[0] != b[0] and abs(a[0] - b[0]) <= 0.05 * max(a[0], b[0]) and a[3] != b[3]:
                for item in (a, b):
                    entry = (item[2], item[3], item[4])
                    if entry not in pairs:
                        pairs.append(entry)
    return pairs
