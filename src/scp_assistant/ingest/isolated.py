"""PDF extraction in a child process with a time limit: a PDF bomb is stopped and reported, never hung on."""

from __future__ import annotations

import logging
import multiprocessing
import queue
from pathlib import Path
from typing import Any

from scp_assistant.errors import DocumentError
from scp_assistant.ingest.loaders import load_pdf
from scp_assistant.ingest.pdf_check import unreadable_reason
from scp_assistant.models import Document

logger = logging.getLogger(__name__)


def _work(path: str, max_pages: int, out: Any) -> None:
    try:
        out.put(("ok", load_pdf(Path(path), max_pages=max_pages)))
    except DocumentError as exc:
        out.put(("error", exc.reason))
    except Exception as exc:  # anything else a broken file can raise
        logger.info("reading %s failed: %s: %s", path, type(exc).__name__, exc)
        try:
            reason = unreadable_reason(Path(path).read_bytes())
        except OSError as err:
            reason = f"Datei nicht lesbar ({err.strerror})"
        out.put(("error", reason))


def load_isolated(path: Path, max_pages: int, seconds: float) -> Document:
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_work, args=(str(path), max_pages, out), daemon=True)
    child.start()
    try:
        kind, value = out.get(timeout=seconds)
    except queue.Empty as exc:
        child.kill()
        child.join(5)
        raise DocumentError(
            str(path), f"Textauszug dauerte länger als {seconds:g} s (defekte oder präparierte PDF?)"
        ) from exc
    finally:
        if child.is_alive():
            child.join(5)
    if kind == "error":
        raise DocumentError(str(path), str(value))
    document: Document = value
    return document
