"""A re-index killed with SIGKILL half way changes nothing for readers: the old version keeps serving, complete,
and the next ingest builds the new one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from scp_assistant.container import Container
from scp_assistant.settings import Settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def consistent(container: Container) -> dict[str, int]:
    """Every document in the store is complete: all its chunks are there, from one version of the file."""
    docs: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for item in container.store.all_chunks():
        docs[item.chunk.doc_id].append(item)
    for doc_id, items in docs.items():
        hashes = {i.doc_hash for i in items}
        if len(hashes) == 1:
            assert len(items) == items[0].doc_chunks, doc_id  # a complete version
    return {d: len(i) for d, i in docs.items()}


def test_kill_9_during_reindex(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, corpus_dir=corpus)
    assert Container(settings).ingest_pipeline().run(corpus).ok
    serving = Container(settings)
    before = {(s.chunk.chunk_id, s.doc_hash) for s in serving.store.all_chunks()}
    version = serving.store.version()
    for path in sorted((corpus / "docs").glob("*.md")):  # every document changes: a long re-embed
        path.write_text(
            path.read_text(encoding="utf-8") + "\n## Nachtrag\n\nErgänzung zur Aktualisierung.\n", encoding="utf-8"
        )
    env = {**os.environ, "SCP_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scp_assistant.cli", "ingest", str(corpus)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 8  # the model loads and the new version is being built
    asked = 0
    while time.monotonic() < deadline:  # queries during the re-index keep working on the serving version
        serving.refresh_if_stale(every_s=0.0)
        answer = serving.answer_service.ask("Wie viele Schulen nehmen in Rheinland-Pfalz am Programm teil?")
        assert not answer.refused and "200 Schulen" in answer.answer
        asked += 1
    assert asked > 10
    assert proc.poll() is None, "the re-index finished too early to be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    after_kill = Container(settings)
    counts = consistent(after_kill)
    assert len(counts) == 96
    assert {(s.chunk.chunk_id, s.doc_hash) for s in after_kill.store.all_chunks()} == before  # the old version
    assert after_kill.store.version() == version and serving.store.version() == version
    answer = after_kill.answer_service.ask("Wie viele Schulen nehmen in Rheinland-Pfalz am Programm teil?")
    assert not answer.refused and "200 Schulen" in answer.answer

    report = Container(settings).ingest_pipeline().run(corpus)
    assert report.ok and report.documents == 96 and report.updated  # finishes what the killed run left
    final = Container(settings)
    consistent(final)
    assert any(s.chunk.section == "Nachtrag" for s in final.store.all_chunks())
    assert Container(settings).ingest_pipeline().run(corpus).unchanged == 96
