#!/usr/bin/env python3
"""Load benchmark on loopback: answers/s and latency at 1, 10 and 50 concurrent clients with distinct questions.

Starts `scp-assistant serve` (rate limit off) on an ingested data dir, then runs each level for a bounded time.
Questions are distinct (the dev and calibration questions, each with a varying suffix) so nothing is served from
a cache. Never part of the test suite.  usage: python bench/load.py [--seconds 20] [--workers 2] [--levels 1,10,50]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from _common import free_port, write_results  # noqa: E402

from scp_assistant.container import Container  # noqa: E402
from scp_assistant.settings import Settings  # noqa: E402

SUFFIXES = ["", " Danke!", " Bitte kurz.", " (für unsere Verbandsgemeinde)", " Gilt das in RLP?", " Stand 2025?"]


def run_level(level: int, port: int, questions: list[str], seconds: float) -> dict[str, object]:
    """``level`` clients posting distinct questions for ``seconds``; answers/s, latency and errors."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal counter, errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            with lock:
                q = questions[counter % len(questions)]
                counter += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/ask", json.dumps({"question": q}), {"Content-Type": "application/json"})
                res = conn.getresponse()
                res.read()
                ok = res.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(level)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "clients": level,
        "answers": len(latencies),
        "errors": errors,
        "answers_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--levels", default="1,10,50")
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="scp-load-"))
    Container(Settings(data_dir=data, corpus_dir=REPO / "corpus")).ingest_pipeline().run(REPO / "corpus")
    base = [
        q["question"]
        for f in ("dev.yaml", "calibration.yaml")
        for q in yaml.safe_load((REPO / "eval" / f).read_text(encoding="utf-8"))
    ]
    questions = [q + s for s in SUFFIXES for q in base]

    port = free_port()
    env = {
        **os.environ,
        "SCP_DATA_DIR": str(data),
        "SCP_SERVER__RATE_LIMIT_PER_MINUTE": "0",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(REPO / "src"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "scp_assistant.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for level in [int(x) for x in args.levels.split(",")]:
            results.append(run_level(level, port, questions, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    write_results("load", {"workers": args.workers, "seconds": args.seconds, "levels": results})
    print(f"{args.workers} worker(s), {args.seconds:g} s per level, {len(questions)} distinct questions")
    print("| clients | answers/s | p50 ms | p95 ms | errors |\n|---|---|---|---|---|")
    for r in results:
        print(f"| {r['clients']} | {r['answers_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
