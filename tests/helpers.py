"""Builders for test corpora: Markdown, FAQ YAML and real PDF files written from scratch."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from scp_assistant.answer.scoring import UNIT_MODEL_FEATURES
from scp_assistant.learn.model import LinearModel, Models, SelectionParams
from scp_assistant.learn.question_features import QUESTION_FEATURES
from scp_assistant.models import Chunk
from scp_assistant.retrieve.bm25 import BM25Index


def bm25_over(texts: list[str]) -> BM25Index:
    """A BM25 index over hand-written passages, one FAQ document each ("d0", "d1", …)."""
    return BM25Index(
        [Chunk(f"d{i}", f"d{i}::000", "T", "P", "", "", "faq", "RLP", "", None, t) for i, t in enumerate(texts)]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def at_once(work: Callable[[int], Any], threads: int, timeout: float = 60) -> tuple[list[Any], list[BaseException]]:
    """``work(0)`` … ``work(threads - 1)``, each in its own thread and let go together; their results and errors
    (a thread's failure must fail the test, not vanish)."""
    start = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results.append(work(n))
        except BaseException as exc:
            errors.append(exc)

    started = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout)
    return results, errors


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one text page per entry (an empty string gives a page without text)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, text in enumerate(pages):
        content_id = 4 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_id} 0 R >> >> "
            f"/Contents {content_id} 0 R >>".encode()
        )
        lines = []
        for j, line in enumerate(text.split("\n")):
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            lines.append(f"BT /F1 11 Tf 50 {800 - 16 * j} Td ({safe}) Tj ET")
        stream = "\n".join(lines).encode("cp1252")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def meta(doc_id: str, title: str, **extra: str) -> dict[str, str]:
    data = {
        "id": doc_id,
        "title": title,
        "publisher": extra.pop("publisher", "Ministerium für Bildung Rheinland-Pfalz"),
        "source_url": extra.pop("source_url", f"https://example.org/{doc_id}"),
        "date": extra.pop("date", "2024-08-14"),
        "doc_type": extra.pop("doc_type", "landesseite"),
        "region": extra.pop("region", "RLP"),
    }
    data.update(extra)
    return data


def write_markdown(corpus: Path, doc_id: str, title: str, sections: dict[str, str], **extra: str) -> Path:
    path = corpus / "docs" / f"{doc_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta(doc_id, title, **extra), allow_unicode=True, sort_keys=False)
    body = "\n\n".join(f"## {h}\n\n{t}" for h, t in sections.items())
    path.write_text(f"---\n{front}---\n# {title}\n\nEinleitung zur Quelle {title}.\n\n{body}\n", encoding="utf-8")
    return path


def write_faq(corpus: Path, doc_id: str, title: str, entries: list[tuple[str, str]], **extra: str) -> Path:
    path = corpus / "faq" / f"{doc_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = dict(meta(doc_id, title, doc_type="faq", **extra))
    data["entries"] = [{"question": q, "answer": a} for q, a in entries]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_pdf(corpus: Path, name: str, pages: list[str], sidecar: dict[str, str] | None = None) -> Path:
    path = corpus / "pdf" / f"{name}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_pdf(pages))
    if sidecar is not None:
        (corpus / "pdf" / f"{name}.meta.yaml").write_text(
            yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return path


def small_corpus(corpus: Path) -> Path:
    """A miniature Startchancen corpus covering the three formats."""
    write_markdown(
        corpus,
        "cb1",
        "Chancenbudget des Schulträgers",
        {
            "Keine Übertragung ins folgende Schuljahr": (
                "Mittel aus dem Trägerbudget lassen sich nicht in das folgende Schuljahr übertragen. "
                "Was nicht genutzt wird, gibt das Land als zentral geplante Maßnahmen an die Schulen weiter."
            ),
            "Personal aus dem Chancenbudget": (
                "Eine rein administrative Stelle darf aus dem Chancenbudget nicht finanziert werden. "
                "Finanzierbar ist pädagogisches Personal, das Maßnahmen im Sozialraum plant."
            ),
        },
    )
    write_markdown(
        corpus,
        "s3",
        "Multiprofessionelle Teams (Säule III)",
        {
            "Förderfähige Berufsgruppen": (
                "Nach der Bund-Länder-Vereinbarung sind 14 Berufsgruppen förderfähig:\n\n"
                "- Sozialarbeit/Sozialpädagogik\n- Kinderbetreuung/-erziehung\n- nichtklinische Psychologie\n"
                "- Assistenzberufe"
            ),
            "Finanzierung über die Schulträger": "Die Mittel für das Personal in Säule III fließen an die Schulträger.",
        },
    )
    write_markdown(
        corpus,
        "nrw",
        "Säule I in Nordrhein-Westfalen",
        {"Eigenanteil": "In Nordrhein-Westfalen tragen die Kommunen bei Säule I einen Eigenanteil von 30 %."},
        doc_type="anderes-land",
        region="Nordrhein-Westfalen",
    )
    write_faq(
        corpus,
        "faq1",
        "FAQ Schuleigenes Chancenbudget",
        [
            (
                "Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
                "Mobiliar ist nicht grundsätzlich ausgeschlossen. Der Schulträger muss vorher zustimmen.",
            ),
            (
                "Wie hoch ist das schuleigene Chancenbudget?",
                "Im Durchschnitt stehen einer Schule rund 20.000 € pro Schuljahr zur Verfügung.",
            ),
        ],
    )
    write_pdf(
        corpus,
        "folien",
        [
            "Schulträgeraustausch am 4. Juni 2025\nBildungskooperation im ländlichen Raum",
            "",
            "Praxisbeispiel Freiburg: durchgängige Sprachbildung\nFokus Übergang Kita-Schule",
        ],
        sidecar=meta("folien", "Schulträgeraustausch 2025", doc_type="praesentation", source_url=""),
    )
    (corpus / "README.md").write_text("Dieses Verzeichnis beschreibt den Korpus.\n", encoding="utf-8")
    return corpus


def hand_models(**params: float) -> Models:
    """Deterministic models with hand-set weights, for tests of the answer plumbing on the small corpus: a unit
    answers when it covers the question's words and names; a question is declined when no unit does, or when
    it names things the corpus does not know."""
    unit = {"cov_context": 6.0, "focus_unit": 2.0, "names_missing": -3.0, "heading_like": -2.0, "editorial": -3.0}
    refusal = {"p_best": -6.0, "unresolved": 2.0, "foreign": 3.0, "missing_numbers": 2.0, "programme": -1.0}

    def model(features: tuple[str, ...], weights: dict[str, float], intercept: float) -> LinearModel:
        n = len(features)
        return LinearModel(features, (0.0,) * n, (1.0,) * n, tuple(weights.get(f, 0.0) for f in features), intercept)

    defaults = {"refuse_above": 0.5, "add_above": 0.6, "part_above": 0.3, "budget": 600, "related_above": 0.2}
    chosen = {**defaults, **params}
    return Models(
        model(UNIT_MODEL_FEATURES, unit, -2.5),
        model(QUESTION_FEATURES, refusal, 3.5),
        SelectionParams(**chosen),  # type: ignore[arg-type]
    )


class Declining:
    """The answer stage declining as off-topic whatever contains ``word`` (everything when empty): as it does
    "Und wer genehmigt das?" alone, or a question whose wording passes the guard but not its search ("Was kostet ein
    Bahnticket nach Mainz?"). The chat answers such turns whole; it never streams them."""

    backend = "extractive"

    def __init__(self, real: Any, word: str = "") -> None:
        self._real, self._word = real, word

    def ask(self, question: str, filters: Any = None) -> Any:
        answer = self._real.ask(question, filters)
        if self._word in question:
            answer.refused, answer.refusal_reason, answer.answer = True, "out_of_scope", "Dazu kann ich nicht helfen."
        return answer

    def stream(self, question: str, filters: Any = None) -> Iterator[tuple[str, Any]]:
        raise AssertionError("a turn that points back is answered whole, then replayed")


class Portal:
    """A third-party page on its own localhost port that embeds the widget with one script tag."""

    def __init__(self, api: str, folder: Path, port: int, html: str | None = None) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            html
            or '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Portal</title>'
            '<link rel="icon" href="data:,"></head><body>'
            "<h1>Portal eines Schulträgers</h1><p>Inhalt des Portals.</p>"
            f'<script src="{api}/widget.js" data-title="Fragen zum Startchancen-Programm" data-position="right" '
            'data-accent="#7a1f5c" defer></script></body></html>',
            encoding="utf-8",
        )
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def running(app: Any, seconds: float = 60) -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + seconds
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
