"""How an extractive answer is laid out: shared by the composer (to budget) and the renderer (to write)."""

from __future__ import annotations

from scp_assistant.models import Chunk

MARKER_SPACE = 5  # " [n]" after a sentence
PARAGRAPH_SPACE = 2  # blank line between paragraphs


def lead(chunk: Chunk, text: str) -> str:
    """The section heading of a document section as a short lead-in ("Keine Übertragung ins folgende
    Schuljahr: ..."): the editors' summary of the cited section. FAQ questions and slide numbers are not
    used, and neither is a heading that the sentence already repeats."""
    heading = chunk.section.strip()
    if not heading or chunk.question or chunk.page is not None or len(heading) > 80:
        return ""
    if heading.lower() in text.lower():
        return ""
    return f"{heading}:\n" if text.startswith("- ") else f"{heading}: "
