"""From picked units to answer text with [n] markers and a gapless citation list.

Rules: citations are numbered 1..k in order of first use; every marker points to a citation whose quote
contains the sentence it follows; nothing is listed that is not cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.answer import layout
from scp_assistant.answer.extractive import Picked
from scp_assistant.models import Chunk, Citation

_MARKER = re.compile(r"\[(\d+)\]")


def render(picked: Sequence[Picked]) -> tuple[str, list[Citation]]:
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    chunks: dict[str, Chunk] = {}
    blocks: list[str] = []
    open_paragraph: str | None = None  # chunk id of the paragraph that can take another sentence
    led: set[str] = set()
    for item in picked:
        cid = item.chunk.chunk_id
        if cid not in numbers:
            numbers[cid] = len(numbers) + 1
            chunks[cid] = item.chunk
            quotes[cid] = []
        quotes[cid].append(item.text)
        body = f"{item.text} [{numbers[cid]}]"
        is_list = item.text.startswith("- ") or "\n- " in item.text
        if not is_list and open_paragraph == cid:
            blocks[-1] += " " + body
        else:
            lead = layout.lead(item.chunk, item.text) if cid not in led else ""
            led.add(cid)
            blocks.append(f"{lead}{body}")
        open_paragraph = None if is_list else cid
    text = "\n\n".join(blocks)
    citations = [
        chunks[cid].cite(n, " … ".join(quotes[cid])) for cid, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ]
    return text, citations


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
