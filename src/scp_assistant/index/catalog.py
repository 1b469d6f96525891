"""What is in the index, per document: metadata, sections, and the original file (for deep links)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from scp_assistant.errors import NotFoundError
from scp_assistant.index.store import VectorStore
from scp_assistant.models import Chunk, DocumentMeta


@dataclass(frozen=True)
class SectionInfo:
    section: str
    page: int | None
    chunk_id: str


@dataclass(frozen=True)
class DocumentInfo:
    meta: DocumentMeta  # its ``path`` is relative to the corpus dir
    chunks: int
    has_file: bool
    sections: list[SectionInfo] = field(default_factory=list)


class Catalog:
    def __init__(self, store: VectorStore, corpus_dir: Path) -> None:
        self._store = store
        self._corpus = corpus_dir.resolve()
        self._docs: dict[str, DocumentInfo] | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            self._docs = None

    def _load(self) -> dict[str, DocumentInfo]:
        with self._lock:
            if self._docs is None:
                grouped: dict[str, list] = {}  # type: ignore[type-arg]
                for item in self._store.all_chunks():
                    grouped.setdefault(item.chunk.doc_id, []).append(item)
                docs = {}
                for doc_id, items in sorted(grouped.items()):
                    items.sort(key=lambda i: i.chunk.chunk_id)
                    first = items[0].chunk
                    path = items[0].path
                    meta = DocumentMeta(
                        doc_id,
                        first.title,
                        first.publisher,
                        first.source_url,
                        first.date,
                        first.doc_type,
                        first.region,
                        path,
                    )
                    sections = [SectionInfo(i.chunk.section, i.chunk.page, i.chunk.chunk_id) for i in items]
                    docs[doc_id] = DocumentInfo(meta, len(items), self._safe(path) is not None, sections)
                self._docs = docs
            return self._docs

    def documents(self) -> list[DocumentInfo]:
        return list(self._load().values())

    def document(self, doc_id: str) -> DocumentInfo:
        doc = self._load().get(doc_id)
        if doc is None:
            raise NotFoundError(f"Kein Dokument mit der id {doc_id!r}")
        return doc

    def chunks(self, doc_id: str) -> list[Chunk]:
        """The indexed passages of one document, in order."""
        chunks = [i.chunk for i in self._store.all_chunks() if i.chunk.doc_id == doc_id]
        return sorted(chunks, key=lambda c: c.chunk_id)

    def file(self, doc_id: str) -> Path:
        """The original file of a document; never a path outside the corpus directory."""
        path = self._safe(self.document(doc_id).meta.path)
        if path is None:
            raise NotFoundError(f"Zum Dokument {doc_id!r} liegt keine Originaldatei vor")
        return path

    def _safe(self, relative: str) -> Path | None:
        if not relative:
            return None
        candidate = (self._corpus / relative).resolve()
        if not candidate.is_relative_to(self._corpus) or not candidate.is_file():
            return None
        return candidate
