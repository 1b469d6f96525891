"""Documents uploaded in the console: checked completely before anything in the corpus changes.

An upload is written to a staging folder under names derived from its document id (the uploaded file name is
never used as a path), loaded with the same loaders as the corpus (PDF text in the killable child process) and
chunked. Only a document that would index is moved into ``SCP_CORPUS_DIR``; a broken or unsupported file is
refused with a German reason and the corpus and the index stay as they were.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scp_assistant.errors import DocumentError, InputError
from scp_assistant.ingest.chunking import chunk_document
from scp_assistant.ingest.isolated import load_isolated
from scp_assistant.ingest.loaders import load_faq, load_markdown
from scp_assistant.ingest.report import IngestReport
from scp_assistant.models import Document
from scp_assistant.settings import IngestSettings

KINDS = {".md": "docs", ".markdown": "docs", ".yaml": "faq", ".yml": "faq", ".pdf": "pdf"}
META_FIELDS = ("id", "title", "publisher", "source_url", "date", "doc_type", "region")


@dataclass(frozen=True)
class Staged:
    doc_id: str
    files: dict[str, bytes]  # path relative to the corpus dir -> content
    document: Document
    chunks: int


def slug(text: str) -> str:
    folded = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "dokument"


def parse_meta(text: str | None) -> dict[str, Any]:
    """The metadata form of a PDF upload, as YAML or JSON text."""
    if not text or not text.strip():
        raise InputError("Für eine PDF-Datei fehlen die Metadaten (mindestens Titel).")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"Die Metadaten sind kein gültiges YAML oder JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError("Die Metadaten müssen ein Objekt sein (Titel, Herausgeber, Stand, …).")
    meta = {k: str(v).strip() for k, v in data.items() if k in META_FIELDS and v is not None}
    if not meta.get("title"):
        raise InputError("Der Titel fehlt in den Metadaten.")
    meta["id"] = slug(meta.get("id") or meta["title"])
    return meta


def stage(filename: str, content: bytes, meta_text: str | None, settings: IngestSettings) -> Staged:
    """Check an upload completely; raises InputError (German reason) when it would not index."""
    try:
        return _stage(filename, content, meta_text, settings)
    except DocumentError as exc:
        shown = Path(filename or "Datei").name
        raise InputError(f"Die Datei „{shown}“ kann nicht eingelesen werden: {exc.reason}") from exc


def _stage(filename: str, content: bytes, meta_text: str | None, settings: IngestSettings) -> Staged:
    suffix = Path(filename or "").suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise InputError("Dieser Dateityp wird nicht unterstützt: erlaubt sind Markdown (.md), FAQ (.yaml) und PDF.")
    if len(content) > settings.max_file_mb * 1_048_576:
        raise InputError(f"Die Datei ist zu groß (höchstens {settings.max_file_mb:g} MB).")
    if not content:
        raise InputError("Die Datei ist leer.")
    with tempfile.TemporaryDirectory(prefix="scp-upload-") as tmp:
        root = Path(tmp)
        if kind == "pdf":
            if not content.startswith(b"%PDF"):
                raise InputError("Die Datei ist keine PDF-Datei.")
            meta = parse_meta(meta_text)
            doc_id = meta["id"]
            sidecar = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).encode()
            files = {f"pdf/{doc_id}.pdf": content, f"pdf/{doc_id}.meta.yaml": sidecar}
            _write(root, files)
            pdf = root / "pdf" / f"{doc_id}.pdf"
            document = load_isolated(pdf, settings.max_pdf_pages, settings.max_seconds_per_file)
        else:
            probe = root / kind / f"upload{'.md' if kind == 'docs' else '.yaml'}"
            _write(root, {str(probe.relative_to(root)): content})
            document = load_markdown(probe) if kind == "docs" else load_faq(probe)
            doc_id = document.meta.doc_id
            name = f"{kind}/{doc_id}{'.md' if kind == 'docs' else '.yaml'}"
            files = {name: content}
    chunks = chunk_document(document, 900, 1)
    if not chunks:
        raise DocumentError(filename, "Die Datei enthält keinen durchsuchbaren Text (leer oder nur Scans).")
    return Staged(doc_id, files, document, len(chunks))


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def install(staged: Staged, corpus_dir: Path, previous: list[Path]) -> list[Path]:
    """Put the staged files into the corpus (replacing the document's previous files); returns what was written.
    Each file is written beside its target and renamed into place."""
    written = []
    for old in previous:
        if old.exists() and str(old.relative_to(corpus_dir)) not in staged.files:
            old.unlink()
    for rel, data in staged.files.items():
        target = corpus_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        written.append(target)
    return written


def files_of(corpus_dir: Path, rel: str) -> list[Path]:
    """A document's files in the corpus: the file itself and, for a PDF, its metadata sidecar."""
    path = (corpus_dir / rel).resolve()
    if corpus_dir.resolve() not in path.parents:
        raise InputError("Ungültiger Pfad.")
    out = [path]
    if path.suffix.lower() == ".pdf":
        out.append(path.with_name(path.stem + ".meta.yaml"))
    return [p for p in out if p.exists()]


def backup(paths: list[Path]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths if p.exists()}


def restore(saved: dict[Path, bytes], written: list[Path]) -> None:
    """Undo an install or a delete: the corpus as it was before."""
    for path in written:
        if path not in saved and path.exists():
            path.unlink()
    for path, data in saved.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def report_dict(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(report.to_dict(), default=str))
    return data


def ingest_summary(report: IngestReport, files: Collection[str] = ()) -> dict[str, Any]:
    """What a job that changed one document reports: the index's size, the warnings of its ``files`` (paths relative
    to the corpus folder; another document whose name merely contains its id is not meant), other files' errors."""
    data = report_dict(report)
    return {
        "documents": data["documents"],
        "warnings": [w["message"] for w in data["warnings"] if w["path"] in files],
        "errors": [f"{f['path']}: {f['message']}" for f in data["failures"]],
        "duration_s": round(report.duration_s, 1),
    }


def reindex_summary(report: IngestReport, changed: set[str]) -> dict[str, Any]:
    """What a job that read the whole corpus folder again reports: what came, changed and went, what failed, and the
    warnings of the files that came or changed (``changed``: their paths; not those every re-read repeats)."""
    data = report_dict(report)
    return {
        "status": "neu eingelesen", "documents": report.documents, "chunks": report.chunks,
        "added": report.added, "updated": report.updated, "removed": report.removed,
        "errors": [f"{f['path']}: {f['message']}" for f in data["failures"]],
        "warnings": [f"{w['path']}: {w['message']}" for w in data["warnings"] if w["path"] in changed],
        "duration_s": round(report.duration_s, 1),
    }  # fmt: skip
