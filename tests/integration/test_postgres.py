"""The feedback store on a real PostgreSQL that the test starts itself (Debian's postgresql package)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import free_port
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, create_feedback_store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        if os.environ.get("SCP_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL fehlt; scripts/test.sh installiert das Debian-Paket postgresql")
        pytest.skip("PostgreSQL nicht installiert")
    bindir = Path(bins[-1])
    root = Path(tempfile.mkdtemp(prefix="scp-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_postgres,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.time() + 30
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        import psycopg

        while time.time() < deadline:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def test_feedback_and_answers_in_postgres(postgres_url: str, tmp_path: Path) -> None:
    first = create_feedback_store(postgres_url, tmp_path)
    second = create_feedback_store(postgres_url, tmp_path)  # another worker, same database
    assert type(first).__name__ == "PostgresFeedbackStore"
    first.record_answer(AnswerRecord("a" * 32, "Frage?", "Antwort [1]", [{"n": 1, "doc_id": "rlp-cb1"}]))
    stored = second.get_answer("a" * 32)
    assert stored is not None and stored.citations == [{"n": 1, "doc_id": "rlp-cb1"}] and not stored.refused
    second.record_answer(AnswerRecord("a" * 32, "Frage?", "Neue Antwort", [], refused=True))  # upsert
    assert first.get_answer("a" * 32).refused  # type: ignore[union-attr]
    fid = second.add(
        FeedbackRecord(
            rating="down",
            question="Frage?",
            answer="Antwort",
            reason="falsch",
            citations=[{"doc_id": "rlp-cb1"}],
            answer_id="a" * 32,
        )
    )
    records = first.list("down")
    assert [r.id for r in records] == [fid] and records[0].reason == "falsch"
    assert first.list("up") == [] and second.get_answer("b" * 32) is None


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    from scp_assistant.errors import BackendUnavailableError

    with pytest.raises(BackendUnavailableError, match="PostgreSQL ist nicht erreichbar"):
        create_feedback_store(f"postgresql://nobody@127.0.0.1:{free_port()}/none", tmp_path)
