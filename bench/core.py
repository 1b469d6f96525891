#!/usr/bin/env python3
"""Core benchmarks: prints figures (and writes bench/results/core.json). Never part of the test suite.

usage: python bench/core.py [--questions eval/dev.yaml] [--repeat 3]

Measures, on the bundled corpus with the embedded defaults (e5 + embedded Chroma):
- cold ingest (fresh data dir), pages/s (PDF pages, a text document as one page), documents/s and chunks/s;
- the whole `scp-assistant ingest corpus` command on an unchanged corpus (a new process, as a user runs it);
- cold start to first answer (`scp-assistant ask ... --json` in a new process);
- warm answer latency p50/p95 over the question set (in-process, repeated);
- peak RSS of the benchmark process after answering.
Targets (issue 2): cold ingest <= 60 s, unchanged re-ingest <= 3 s, warm ask p95 <= 150 ms,
cold start to first answer <= 5 s, RSS <= 800 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from _common import pct, print_targets, write_results  # noqa: E402

from scp_assistant.container import Container  # noqa: E402
from scp_assistant.settings import Settings  # noqa: E402


def _cli(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scp_assistant.cli", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=REPO / "eval" / "dev.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="scp-bench-"))
    env = {**os.environ, "SCP_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO / "src")}
    settings = Settings(data_dir=data, corpus_dir=REPO / "corpus")
    container = Container(settings)
    t0 = time.perf_counter()
    report = container.ingest_pipeline().run(REPO / "corpus")
    cold_ingest = time.perf_counter() - t0

    reingest = min(_cli(["ingest", "corpus"], env) for _ in range(2))
    cold_first = min(
        _cli(["ask", "Wer begleitet die Schulträger im Startchancen-Programm?", "--json"], env) for _ in range(2)
    )

    service = container.answer_service
    questions = [q["question"] for q in yaml.safe_load(args.questions.read_text(encoding="utf-8"))]
    service.ask(questions[0])  # warm
    latencies: list[float] = []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            service.ask(q)
            latencies.append((time.perf_counter() - started) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pdfs = sorted((REPO / "corpus").rglob("*.pdf"))
    pdf_pages = sum(len(PdfReader(p).pages) for p in pdfs)
    pages = pdf_pages + report.documents - len(pdfs)  # a text document counts as one page
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "documents": report.documents,
        "chunks": report.chunks,
        "cold_ingest_s": round(cold_ingest, 1),
        "pages": pages,
        "ingest_pages_per_s": round(pages / cold_ingest, 1),
        "ingest_chunks_per_s": round(report.chunks / cold_ingest, 1),
        "ingest_documents_per_s": round(report.documents / cold_ingest, 2),
        "reingest_unchanged_cli_s": round(reingest, 2),
        "cold_start_first_answer_cli_s": round(cold_first, 2),
        "warm_ask_p50_ms": round(statistics.median(latencies), 1),
        "warm_ask_p95_ms": round(pct(latencies, 0.95), 1),
        "warm_ask_max_ms": round(max(latencies), 1),
        "answers_measured": len(latencies),
        "peak_rss_mb": round(rss_mb),
    }
    targets = {
        "cold_ingest_s": 60,
        "reingest_unchanged_cli_s": 3,
        "warm_ask_p95_ms": 150,
        "cold_start_first_answer_cli_s": 5,
        "peak_rss_mb": 800,
    }
    write_results("core", {"figures": figures, "targets": targets})
    print_targets(figures, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
