"""Loaders for the three document formats: Markdown with front matter, FAQ YAML, PDF with a sidecar.

Each loader turns one file into a :class:`Document` (metadata + natural sections) or raises
:class:`DocumentError` with a message that says what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Any

import yaml

from scp_assistant.errors import DocumentError
from scp_assistant.ingest.pdf_check import unreadable_reason
from scp_assistant.ingest.pdf_text import page_text
from scp_assistant.models import DOC_TYPES, Document, DocumentMeta, Section

logger = logging.getLogger(__name__)

META_KEYS = ("id", "title", "publisher", "source_url", "date", "doc_type", "region")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# the front matter's fields as the console's upload form names them
FIELD_NAMES = {"publisher": "Herausgeber", "source_url": "Quelle (Link)", "date": "Stand", "doc_type": "Art",
               "region": "Region"}  # fmt: skip


def missing_field(key: str) -> str:
    """The warning for an empty front-matter field, in the words of the console ("Stand (date) fehlt")."""
    return f"{FIELD_NAMES.get(key, key)} ({key}) fehlt"


def file_hash(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()[:16]


def is_own_source(path: Path | str) -> bool:
    """Is the file the original (a PDF, which the API serves and citations link to page by page)? Then a document
    without a web address lacks nothing (the ism's slides warned on every start)."""
    return Path(path).suffix.lower() == ".pdf"


def parse_meta(raw: Any, path: Path, warnings: list[str]) -> DocumentMeta:
    """Validate the metadata keys shared by all formats; missing optional keys become warnings."""
    if not isinstance(raw, dict):
        raise DocumentError(str(path), "Metadaten fehlen oder sind kein YAML-Objekt")
    doc_id = str(raw.get("id") or "").strip()
    if not doc_id:
        raise DocumentError(str(path), "Metadaten ohne 'id'")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", doc_id):
        raise DocumentError(str(path), f"ungültige id {doc_id!r} (erlaubt: Buchstaben, Ziffern, . _ -)")
    title = str(raw.get("title") or "").strip()
    if not title:
        raise DocumentError(str(path), "Metadaten ohne 'title'")
    for key in ("publisher", "source_url", "doc_type", "region"):
        if key == "source_url" and is_own_source(path):
            continue
        if not str(raw.get(key) or "").strip():
            warnings.append(missing_field(key))
    date = str(raw.get("date") or "").strip()
    if date and not _DATE.match(date):
        warnings.append(f"Datum {date!r} ist nicht ISO (JJJJ, JJJJ-MM oder JJJJ-MM-TT); ignoriert")
        date = ""
    doc_type = str(raw.get("doc_type") or "").strip()
    if doc_type and doc_type not in DOC_TYPES:
        warnings.append(f"unbekannter doc_type {doc_type!r}")
    return DocumentMeta(
        doc_id=doc_id,
        title=title,
        publisher=str(raw.get("publisher") or "").strip(),
        source_url=str(raw.get("source_url") or "").strip(),
        date=date,
        doc_type=doc_type,
        region=str(raw.get("region") or "").strip(),
        path=str(path),
    )


def _read_text(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    try:
        return data, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(str(path), f"keine gültige UTF-8-Datei ({exc.reason})") from exc


def load_markdown(path: Path) -> Document:
    data, text = _read_text(path)
    match = _FRONT_MATTER.match(text)
    if not match:
        raise DocumentError(str(path), "YAML-Front-Matter zwischen zwei '---'-Zeilen fehlt")
    try:
        raw = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise DocumentError(str(path), f"ungültiges Front Matter: {exc}") from exc
    warnings: list[str] = []
    meta = parse_meta(raw, path, warnings)
    body = text[match.end() :]
    sections: list[Section] = []
    heading = ""
    lines: list[str] = []

    def flush() -> None:
        content = "\n".join(lines).strip()
        if content:
            sections.append(Section(heading=heading, text=content))

    for line in body.splitlines():
        if line.startswith("## "):
            flush()
            heading, lines = line[3:].strip(), []
        elif line.startswith("# ") and not sections and not heading:
            continue  # the document title repeats the metadata
        else:
            lines.append(line)
    flush()
    return Document(meta=meta, sections=sections, content_hash=file_hash(data), warnings=warnings)


def load_faq(path: Path) -> Document:
    data, text = _read_text(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocumentError(str(path), f"ungültiges YAML: {exc}") from exc
    warnings: list[str] = []
    meta = parse_meta(raw, path, warnings)
    entries = raw.get("entries")
    if not isinstance(entries, list):
        raise DocumentError(str(path), "FAQ ohne Liste 'entries'")
    sections: list[Section] = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("question") or not entry.get("answer"):
            warnings.append(f"Eintrag {i} ohne 'question' oder 'answer' übersprungen")
            continue
        question = " ".join(str(entry["question"]).split())
        sections.append(Section(heading=question, text=str(entry["answer"]).strip(), question=question))
    return Document(meta=meta, sections=sections, content_hash=file_hash(data), warnings=warnings)


def sidecar_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".meta.yaml")


def load_pdf(path: Path, max_pages: int = 2000) -> Document:
    from pypdf import PdfReader

    side = sidecar_path(path)
    warnings: list[str] = []
    side_bytes = b""
    if side.exists():
        side_bytes, side_text = _read_text(side)
        try:
            raw = yaml.safe_load(side_text)
        except yaml.YAMLError as exc:
            raise DocumentError(str(side), f"ungültiges YAML: {exc}") from exc
    else:
        warnings.append(f"keine Metadaten-Datei {side.name}; Titel aus dem Dateinamen")
        raw = {"id": path.stem, "title": path.stem.replace("-", " ").replace("_", " ")}
    meta = parse_meta(raw, path, warnings)
    data = path.read_bytes()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise DocumentError(str(path), "verschlüsselte PDF-Datei, kann nicht gelesen werden") from exc
            if not ok:
                raise DocumentError(str(path), "verschlüsselte PDF-Datei (Passwort nötig)")
        pages = reader.pages
        if len(pages) > max_pages:
            raise DocumentError(str(path), f"{len(pages)} Seiten, mehr als die erlaubten {max_pages}")
        sections: list[Section] = []
        empty: list[int] = []
        for number, page in enumerate(pages, 1):
            text = page_text(page)
            if len(text) < 20:
                empty.append(number)
                continue
            sections.append(
                Section(
                    heading=f"Folie {number}" if meta.doc_type == "praesentation" else f"Seite {number}",
                    text=text,
                    page=number,
                )
            )
    except DocumentError:
        raise
    except Exception as exc:  # pypdf can fail in many ways on broken files
        logger.info("pypdf could not read %s: %s: %s", path, type(exc).__name__, exc)
        raise DocumentError(str(path), unreadable_reason(data)) from exc
    if empty:
        warnings.append(f"Seiten ohne Text (Scan?): {', '.join(map(str, empty))} – nicht durchsuchbar, ggf. OCR nötig")
    return Document(meta=meta, sections=sections, content_hash=file_hash(data, side_bytes), warnings=warnings)


LOADERS = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".yaml": load_faq,
    ".yml": load_faq,
    ".pdf": load_pdf,
}
DOC_DIRS = ("docs", "faq", "pdf")


def discover(corpus_dir: Path) -> list[Path]:
    """Document files under corpus/docs, corpus/faq and corpus/pdf (PDF sidecars are not documents)."""
    files: list[Path] = []
    for sub in DOC_DIRS:
        base = corpus_dir / sub
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.name.endswith((".meta.yaml", ".meta.yml")):
                continue
            if path.suffix.lower() in LOADERS:
                files.append(path)
    return files


def load_document(path: Path) -> Document:
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentError(str(path), "unbekanntes Dateiformat")
    try:
        return loader(path)
    except OSError as exc:
        raise DocumentError(str(path), f"Datei nicht lesbar ({exc.strerror})") from exc
