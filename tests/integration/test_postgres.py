"""Feedback, answer records and chat sessions on a real PostgreSQL that the test starts itself (Debian's
postgresql package), shared by two stores as two workers would share it."""

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
from fastapi.testclient import TestClient

from helpers import at_once, free_port
from scp_assistant.container import Container
from scp_assistant.conversation.sessions import SQLSessionStore
from scp_assistant.database import open_database
from scp_assistant.feedback.store import AnswerRecord, FeedbackRecord, SQLFeedbackStore
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.server.app import create_app

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
    database = open_database(postgres_url, tmp_path)
    assert type(database).__name__ == "PostgresDatabase"
    first = SQLFeedbackStore(database)
    second = SQLFeedbackStore(open_database(postgres_url, tmp_path))  # another worker, same database
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


def test_answer_records_of_an_earlier_version_get_the_searched_column_from_workers_starting_together(
    postgres_url: str, tmp_path: Path
) -> None:
    SQLFeedbackStore(open_database(postgres_url, tmp_path))
    database = open_database(postgres_url, tmp_path)
    with database.transaction() as db:  # the table as earlier versions made it, with a record of theirs
        db.execute("ALTER TABLE answers DROP COLUMN searched")
        db.execute("INSERT INTO answers VALUES ('old1', '2026-01-01', 'Frage?', 'Antwort.', '[]', 0)")
    stores, errors = at_once(lambda _: SQLFeedbackStore(open_database(postgres_url, tmp_path)), 4)
    assert errors == [] and len(stores) == 4
    old = stores[0].get_answer("old1")
    assert old is not None and old.question == "Frage?" and old.searched == ""
    stores[1].record_answer(AnswerRecord("new1", "Und dort?", "Antwort.", [], searched="Und dort? (Worms)"))
    assert stores[2].get_answer("new1").searched == "Und dort? (Worms)"  # type: ignore[union-attr]
    # all at once, as the console's feedback list reads them
    assert stores[0].searched_for(["new1", "old1", "gibt-es-nicht"]) == {"new1": "Und dort? (Worms)", "old1": ""}


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    from scp_assistant.errors import BackendUnavailableError

    with pytest.raises(BackendUnavailableError, match="PostgreSQL ist nicht erreichbar"):
        open_database(f"postgresql://nobody@127.0.0.1:{free_port()}/none", tmp_path)


def test_sessions_shared_by_two_workers_in_postgres(postgres_url: str, tmp_path: Path) -> None:
    first = SQLSessionStore(open_database(postgres_url, tmp_path), ttl_s=600, turns=2)
    second = SQLSessionStore(open_database(postgres_url, tmp_path), ttl_s=600, turns=2)
    session = first.get_or_create(None)
    first.record(session, "Darf Mobiliar aus dem Chancenbudget?", "Darf Mobiliar aus dem Chancenbudget?")
    seen = second.get_or_create(session.id)
    assert [t.question for t in seen.turns] == ["Darf Mobiliar aus dem Chancenbudget?"]
    for q in ("Und wer stimmt zu?", "Und bis wann?"):
        second.record(seen, q, q)
    assert [t.question for t in first.get_or_create(session.id).turns] == ["Und wer stimmt zu?", "Und bis wann?"]
    first.sweep()  # nothing expired, nothing beyond the limit: the session stays
    assert len(second.get_or_create(session.id).turns) == 2
    # "Neue Unterhaltung" on one worker while the other still answers: the late turn does not bring it back
    in_flight = second.get_or_create(session.id)
    first.forget(session.id)
    second.record(in_flight, "Und wer zahlt?", "Und wer zahlt?")
    assert first.get_or_create(session.id).turns == [] and second.get_or_create(session.id).id != session.id


def test_follow_up_across_two_apps_on_postgres(postgres_url: str, tmp_path: Path, fake_container: Container) -> None:
    """Two app instances with their own containers, one PostgreSQL: the follow-up goes to the other one."""
    settings = fake_container.settings.model_copy(update={"database_url": postgres_url})
    apps = [
        TestClient(create_app(settings, Container(settings, store=fake_container.store, embedder=FakeEmbedder(64))))
        for _ in range(2)
    ]
    with apps[0] as first, apps[1] as second:
        question = "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"
        body = first.post("/api/v1/ask", json={"question": question}).json()
        follow = second.post(
            "/api/v1/ask", json={"question": "Und wer muss zustimmen?", "session_id": body["session_id"]}
        ).json()
        assert "Mobiliar" in follow["rewritten_question"] and "Chancenbudget" in follow["rewritten_question"]
        vote = second.post("/api/v1/feedback", json={"answer_id": body["answer_id"], "rating": "up"})
        assert vote.status_code == 200, vote.text  # the answer was recorded by the other app


def test_lost_database_connection_is_a_503_and_recovers(postgres_url: str, tmp_path: Path) -> None:
    import psycopg

    from scp_assistant.errors import BackendUnavailableError

    database = open_database(postgres_url, tmp_path)
    store = SQLSessionStore(database)
    session = store.get_or_create(None)
    store.record(session, "Frage", "Frage")
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # the server drops our connections
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()")
    with pytest.raises(BackendUnavailableError, match="PostgreSQL ist nicht erreichbar"):
        store.get_or_create(session.id)
    assert store.get_or_create(session.id).turns[0].question == "Frage"  # a new connection next time


def test_eval_cases_saved_at_once_by_workers_starting_together_are_stored_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """Workers that start together race to create the key table (a unique violation on PostgreSQL), and two clicks
    on two workers must store a test case once."""
    from scp_assistant.admin.records import AdminRecords

    case = {"id": "", "question": "Welche Entgeltgruppe gilt?", "expect": "refuse", "category": "feedback"}

    def worker(n: int) -> str | None:  # a worker starts (creating the tables) and saves the case
        return AdminRecords(open_database(postgres_url, tmp_path)).add_case({**case, "id": f"pg-{n}"})

    outcomes, errors = at_once(worker, 6)
    assert errors == []
    stored = [
        c for c in AdminRecords(open_database(postgres_url, tmp_path)).cases() if c["question"] == case["question"]
    ]
    assert len(stored) == 1 and outcomes.count(None) == 1 and {o for o in outcomes if o} == {stored[0]["id"]}
