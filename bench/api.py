#!/usr/bin/env python3
"""API benchmarks: prints figures (and writes bench/results/api.json). Never part of the test suite.

usage: python bench/api.py [--repeat 3]

Starts `scp-assistant serve` as a user would, on an already ingested data dir (built here once), on loopback:
- server start to ready (process start until /readyz answers 200);
- POST /api/v1/ask latency p50/p95 at one client, warm, over the distinct dev questions;
- time to the first Server-Sent Event of POST /api/v1/ask/stream.
Targets (issue 4): ask p95 <= 200 ms, start to ready <= 10 s, first SSE event <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from _common import free_port, pct, print_targets, write_results  # noqa: E402

from scp_assistant.container import Container  # noqa: E402
from scp_assistant.settings import Settings  # noqa: E402


def post(url: str, body: dict[str, object]) -> bytes:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return bytes(res.read())


def first_event_ms(url: str, question: str) -> float:
    req = urllib.request.Request(
        url, data=json.dumps({"question": question}).encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as res:
        line = res.readline()
        elapsed = (time.perf_counter() - started) * 1000
        assert line.startswith(b"event: meta"), line
        res.read()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="scp-bench-api-"))
    Container(Settings(data_dir=data, corpus_dir=REPO / "corpus")).ingest_pipeline().run(REPO / "corpus")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SCP_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scp_assistant.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    try:
        ready = None
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as res:
                    if res.status == 200:
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.05)
        if ready is None:
            print("server did not become ready", file=sys.stderr)
            return 1
        questions = list(
            dict.fromkeys(
                q["question"] for q in yaml.safe_load((REPO / "eval" / "dev.yaml").read_text(encoding="utf-8"))
            )
        )
        post(base + "/api/v1/ask", {"question": questions[0]})
        latencies = []
        for _ in range(args.repeat):
            for q in questions:
                t0 = time.perf_counter()
                post(base + "/api/v1/ask", {"question": q})
                latencies.append((time.perf_counter() - t0) * 1000)
        sse = [first_event_ms(base + "/api/v1/ask/stream", q) for q in questions[:20]]
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    figures = {
        "machine": f"{os.cpu_count()} cores",
        "start_to_ready_s": round(ready, 2),
        "ask_p50_ms": round(statistics.median(latencies), 1),
        "ask_p95_ms": round(pct(latencies, 0.95), 1),
        "ask_requests": len(latencies),
        "first_sse_event_p50_ms": round(statistics.median(sse), 1),
        "first_sse_event_p95_ms": round(pct(sse, 0.95), 1),
    }
    targets = {"start_to_ready_s": 10, "ask_p95_ms": 200, "first_sse_event_p95_ms": 150}
    write_results("api", {"figures": figures, "targets": targets})
    print_targets(figures, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
