"""Sections to chunks: one chunk per natural section, long sections split at sentence boundaries."""

from __future__ import annotations

from scp_assistant.models import Chunk, Document, Section
from scp_assistant.text_units import split_units

SLIDE_MAX_CHARS = 2000


def _split_long(text: str, max_chars: int, overlap: int) -> list[str]:
    units = [u.text for u in split_units(text)]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for unit in units:
        if current and size + len(unit) > max_chars:
            parts.append("\n".join(current))
            current = current[-overlap:] if overlap else []
            size = sum(len(u) for u in current)
        current.append(unit)
        size += len(unit) + 1
    if current:
        parts.append("\n".join(current))
    return parts


def chunk_document(doc: Document, max_chars: int = 900, overlap: int = 1) -> list[Chunk]:
    """Chunk ids are ``<doc_id>::<nnn>``: stable as long as the document does not change."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        # a slide stays whole unless it is very long: its lines only make sense together
        limit = max(max_chars, SLIDE_MAX_CHARS) if section.page is not None else max_chars
        texts = [section.text] if len(section.text) <= limit else _split_long(section.text, limit, overlap)
        for text in texts:
            if not text.strip():
                continue
            chunks.append(_make_chunk(doc, section, text, len(chunks)))
    return chunks


def _make_chunk(doc: Document, section: Section, text: str, index: int) -> Chunk:
    meta = doc.meta
    return Chunk(
        doc_id=meta.doc_id,
        chunk_id=f"{meta.doc_id}::{index:03d}",
        title=meta.title,
        publisher=meta.publisher,
        source_url=meta.source_url,
        date=meta.date,
        doc_type=meta.doc_type,
        region=meta.region,
        section=section.heading,
        page=section.page,
        text=text.strip(),
        question=section.question,
    )
