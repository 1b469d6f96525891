"""Incremental, idempotent ingestion: corpus files -> chunks -> vectors in the store.

- A document whose content hash (file bytes + chunking parameters) is unchanged is skipped; when
  nothing changed, the embedding model is never loaded.
- A changed document is re-embedded; a deleted file disappears.
- A broken file is reported and skipped; what was indexed for it before stays (nothing is lost).
- A run that changes anything builds a new index version beside the serving one (unchanged documents are
  carried over with their stored vectors) and switches readers to it only when it is complete. A run that
  dies half way (even kill -9) leaves the old version serving; the next run builds again.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scp_assistant.errors import CorpusError, DocumentError, IndexMismatchError
from scp_assistant.index.embedders import Embedder
from scp_assistant.index.store import StoredChunk, StoreInfo, VectorStore
from scp_assistant.ingest.chunking import chunk_document
from scp_assistant.ingest.isolated import load_isolated
from scp_assistant.ingest.loaders import discover, file_hash, load_document
from scp_assistant.ingest.report import FileIssue, IngestReport
from scp_assistant.models import Document
from scp_assistant.settings import IngestSettings

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
CHUNKER_VERSION = "5"


class IngestPipeline:
    def __init__(
        self,
        store: VectorStore,
        embedder_factory: Callable[[], Embedder],
        embedder_id: str,
        settings: IngestSettings,
    ) -> None:
        self._store = store
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._embedder_id = embedder_id
        self._settings = settings

    def _embedder_now(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
            if self._embedder.id != self._embedder_id:
                raise IndexMismatchError(f"Embedder {self._embedder.id} statt {self._embedder_id}")
        return self._embedder

    def _version_salt(self) -> bytes:
        s = self._settings
        return f"{CHUNKER_VERSION}:{s.max_chunk_chars}:{s.overlap_sentences}".encode()

    def run(self, corpus_dir: Path, progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        if not corpus_dir.is_dir():
            raise CorpusError(f"Korpus-Verzeichnis {corpus_dir} nicht gefunden")
        files = discover(corpus_dir)
        if not files:
            raise CorpusError(
                f"Keine Dokumente in {corpus_dir}: erwartet werden Dateien unter docs/ (.md), faq/ (.yaml) "
                "oder pdf/ (.pdf)"
            )
        report = IngestReport(corpus_dir=str(corpus_dir), embedder=self._embedder_id, files=len(files))
        info = self._store.info()
        report.rebuilt = info is not None and info.embedder_id != self._embedder_id
        serving = None if report.rebuilt else info  # the version whose documents and vectors can be reused
        if info is not None and report.rebuilt:
            log.warning("index was built with %s; rebuilding for %s", info.embedder_id, self._embedder_id)
        existing: dict[str, list[StoredChunk]] = defaultdict(list)
        if serving is not None:
            for item in self._store.all_chunks():
                existing[item.chunk.doc_id].append(item)

        plans: list[_Plan] = []
        seen: set[str] = set()
        failed_paths: set[str] = set()
        for index, path in enumerate(files, 1):
            rel = str(path.relative_to(corpus_dir))
            if progress:
                progress(index, len(files), rel)
            try:
                plans.append(self._plan(path, rel, existing, seen, report))
                seen.add(plans[-1].doc_id)
            except DocumentError as exc:
                failed_paths.add(rel)
                report.failures.append(FileIssue(rel, exc.reason))
                log.warning("skipped %s: %s", rel, exc.reason)
        kept: list[list[StoredChunk]] = []  # documents of files that failed this time: their last version stays
        for doc_id, items in existing.items():
            if doc_id in seen:
                continue
            if any(i.path in failed_paths for i in items):
                kept.append(items)
            else:
                report.removed.append(doc_id)
        changed = [p for p in plans if not p.unchanged]
        report.unchanged = len(plans) - len(changed)
        if changed or report.removed or serving is None:
            self._build_version(plans, kept, serving, report)
        stored = self._store.all_chunks()
        report.chunks = len(stored)
        report.documents = len({s.chunk.doc_id for s in stored})
        report.duration_s = time.perf_counter() - started
        return report

    def _build_version(
        self, plans: list[_Plan], kept: list[list[StoredChunk]], info: StoreInfo | None, report: IngestReport
    ) -> None:
        """Write every document into a new version, then switch to it. Unchanged documents (and the old chunks of
        files that failed this time) keep their stored vectors; only changed documents are embedded."""
        dim = info.dim if info is not None else self._embedder_now().dim
        self._store.begin_version(StoreInfo(self._embedder_id, dim))
        for items in [p.old for p in plans if p.unchanged] + kept:
            self._store.upsert(items, self._store.vectors([i.chunk.chunk_id for i in items]))
        for plan in plans:
            if plan.unchanged:
                continue
            vectors = self._embedder_now().embed_documents([i.chunk.embedding_text() for i in plan.items])
            self._store.upsert(plan.items, vectors)
            report.embedded_chunks += len(plan.items)
            (report.updated if plan.old else report.added).append(plan.doc_id)
        self._store.commit_version()

    def _load(self, path: Path) -> Document:
        s = self._settings
        size_mb = path.stat().st_size / 1_048_576
        if size_mb > s.max_file_mb:
            raise DocumentError(str(path), f"Datei ist zu groß ({size_mb:.1f} MB, höchstens {s.max_file_mb:g} MB)")
        if path.suffix.lower() != ".pdf":
            return load_document(path)
        return load_isolated(path, s.max_pdf_pages, s.max_seconds_per_file)

    def _plan(
        self, path: Path, rel: str, existing: dict[str, list[StoredChunk]], seen: set[str], report: IngestReport
    ) -> _Plan:
        doc = self._load(path)
        doc_id = doc.meta.doc_id
        if doc_id in seen:
            raise DocumentError(str(path), f"doppelte id {doc_id!r} (schon von einer anderen Datei vergeben)")
        report.warnings.extend(FileIssue(rel, w) for w in doc.warnings)
        chunks = chunk_document(doc, self._settings.max_chunk_chars, self._settings.overlap_sentences)
        if not chunks:
            raise DocumentError(str(path), "enthält keinen durchsuchbaren Text (leer oder nur Scans)")
        doc_hash = file_hash(doc.content_hash.encode(), self._version_salt())
        old = existing.get(doc_id, [])
        unchanged = bool(old) and len(old) == len(chunks) and all(o.doc_hash == doc_hash for o in old)
        items = [StoredChunk(c, doc_hash, len(chunks), rel) for c in chunks]
        return _Plan(doc_id, items, old, unchanged)


@dataclass
class _Plan:
    """One document of this run: its chunks now, what the serving version holds for it, and whether they agree."""

    doc_id: str
    items: list[StoredChunk]
    old: list[StoredChunk]
    unchanged: bool
