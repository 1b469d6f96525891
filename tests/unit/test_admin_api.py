"""The ism console's HTTP contract: every admin route, uploads that are checked before anything changes,
jobs, eval cases, eval runs, the audit trail, and two workers that see an upload within seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from helpers import at_once, hand_models, make_pdf, small_corpus
from scp_assistant.admin.records import AdminRecords
from scp_assistant.container import Container
from scp_assistant.database import SQLiteDatabase
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.server import admin_routes
from scp_assistant.server.app import create_app
from scp_assistant.settings import Settings

TOKEN = "a-very-long-admin-token-for-tests-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MARKDOWN = """---
id: handreichung-test
title: "Handreichung Sprechstunden"
publisher: "Ministerium für Bildung Rheinland-Pfalz"
source_url: "https://example.org/handreichung"
date: "2025-03-01"
doc_type: landesseite
region: RLP
---
# Handreichung Sprechstunden

Einleitung.

## Digitale Sprechstunden

Das Land bietet Schulträgern jeden Dienstag eine digitale Sprechstunde zum Trägerbudget an.
"""


@pytest.fixture(autouse=True)
def no_sign_in_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_routes, "FAILED_SIGN_IN_DELAY_S", 0.0)


def make_settings(tmp_path: Path, corpus: Path, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        embedder={"backend": "fake"},  # type: ignore[arg-type]
        server={"admin_token": TOKEN, "rate_limit_per_minute": 0, **extra},  # type: ignore[arg-type]
    )


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[TestClient, Container]]:
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)
    container = Container(settings, embedder=FakeEmbedder(64), models=hand_models())
    assert container.ingest_pipeline().run(corpus).ok
    with TestClient(create_app(settings, container)) as client:
        yield client, container


def wait(client: TestClient, job_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/admin/jobs/{job_id}", headers=AUTH).json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_routes_need_the_token(console: tuple[TestClient, Container]) -> None:
    client, _ = console
    paths = ["documents", "audit", "eval-cases", "eval-runs", "jobs/x", "feedback/entries", "session"]
    routes = [("get", f"/api/v1/admin/{p}") for p in paths] + [("delete", "/api/v1/admin/documents/cb1")]
    for method, path in routes:
        assert getattr(client, method)(path).status_code == 401, path
        wrong = getattr(client, method)(path, headers={"Authorization": "Bearer falsch"})
        assert wrong.status_code == 401 and "falsch" in wrong.json()["error"]["message"], path
    assert client.get("/api/v1/admin/session", headers=AUTH).json()["actor"].startswith("token:")
    assert TOKEN not in client.get("/api/v1/admin/session", headers=AUTH).text
    page = client.get("/admin")
    assert page.status_code == 200 and "Admin-Token" in page.text and "Content-Security-Policy" in page.headers


def test_without_a_configured_token_the_console_is_closed(tmp_path: Path, fake_container: Container) -> None:
    with TestClient(create_app(fake_container.settings, fake_container)) as client:
        assert client.get("/api/v1/admin/documents", headers=AUTH).status_code == 403


def test_upload_markdown_then_answer_from_it_then_delete(console: tuple[TestClient, Container]) -> None:
    client, container = console
    upload = {"file": ("../../etc/passwd.md", MARKDOWN.encode(), "text/markdown")}
    res = client.post("/api/v1/admin/documents", headers=AUTH, files=upload)
    assert res.status_code == 202
    job = wait(client, res.json()["job_id"])
    assert job["status"] == "done" and job["report"]["doc_id"] == "handreichung-test" and job["report"]["chunks"] >= 1
    stored = container.settings.corpus_dir / "docs" / "handreichung-test.md"
    assert stored.exists() and not (container.settings.corpus_dir.parent / "etc").exists()  # never the file name
    docs = {d["doc_id"]: d for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    assert docs["handreichung-test"]["origin"] == "hochgeladen" and docs["cb1"]["origin"] == "im Korpusordner"
    answer = client.post("/api/v1/ask", json={"question": "Wann bietet das Land eine digitale Sprechstunde an?"}).json()
    assert "Dienstag" in answer["answer"] and answer["citations"][0]["doc_id"] == "handreichung-test"

    res = client.delete("/api/v1/admin/documents/handreichung-test", headers=AUTH)
    assert res.status_code == 202 and wait(client, res.json()["job_id"])["status"] == "done"
    assert not stored.exists()
    assert "handreichung-test" not in {d["doc_id"] for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    audit = client.get("/api/v1/admin/audit", headers=AUTH).json()
    actions = [(a["action"], a["doc_id"]) for a in audit]
    assert ("Dokument hochgeladen", "handreichung-test") in actions
    assert ("Dokument gelöscht", "handreichung-test") in actions
    assert all(a["actor"].startswith("token:") for a in audit)


def test_pdf_upload_with_metadata_cites_its_page(console: tuple[TestClient, Container]) -> None:
    client, _ = console
    pdf = make_pdf(["Deckblatt", "Die Kreisverwaltung richtet eine Koordinierungsstelle für Säule II ein."])
    meta = {"title": "Protokoll Kreistag", "publisher": "Landkreis", "date": "2025-05-20", "doc_type": "kommune"}
    res = client.post(
        "/api/v1/admin/documents", headers=AUTH, files={"file": ("protokoll.pdf", pdf, "application/pdf")},
        data={"meta": yaml.safe_dump(meta)},
    )  # fmt: skip
    job = wait(client, res.json()["job_id"])
    assert job["status"] == "done" and job["report"]["doc_id"] == "protokoll-kreistag"
    answer = client.post("/api/v1/ask", json={"question": "Wer richtet eine Koordinierungsstelle für Säule II ein?"})
    citation = answer.json()["citations"][0]
    assert citation["doc_id"] == "protokoll-kreistag" and citation["page"] == 2
    # the PDF is its own source: the console lists it without a missing web address (a Markdown summary lacks one)
    listed = {d["doc_id"]: d for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    assert listed["protokoll-kreistag"]["warnings"] == []


@pytest.mark.parametrize(
    ("name", "content", "meta", "reason"),
    [
        ("kaputt.pdf", make_pdf(["Text"])[:120], "title: Kaputt", "PDF"),
        ("leer.pdf", make_pdf(["", ""]), "title: Leer", "durchsuchbaren Text"),
        ("ohne.pdf", make_pdf(["Text"]), None, "Metadaten"),
        ("falsch.pdf", b"not a pdf at all", "title: Falsch", "keine PDF"),
        ("programm.exe", b"MZ...", None, "nicht unterstützt"),
        ("ohne-metadaten.md", b"# Nur Text\n\nOhne Metadaten.", None, "Front-Matter"),
        ("leer.md", b"", None, "leer"),
    ],
)
def test_a_broken_upload_is_refused_and_loses_nothing(
    console: tuple[TestClient, Container], name: str, content: bytes, meta: str | None, reason: str
) -> None:
    client, container = console
    corpus = container.settings.corpus_dir
    before = sorted(p.relative_to(corpus) for p in corpus.rglob("*"))
    version = container.store.version()
    data = {"meta": meta} if meta else None
    files = {"file": (name, content, "x/y")}
    res = client.post("/api/v1/admin/documents", headers=AUTH, files=files, data=data)
    assert res.status_code == 422 and reason in res.json()["error"]["message"]
    assert sorted(p.relative_to(corpus) for p in corpus.rglob("*")) == before
    assert container.store.version() == version


def test_uploads_have_a_size_limit(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)
    settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 0.01})})
    container = Container(settings, embedder=FakeEmbedder(64), models=hand_models())
    container.ingest_pipeline().run(corpus)
    with TestClient(create_app(settings, container)) as client:
        big = b"%PDF-1.4\n" + b"0" * 60_000
        upload = {"file": ("gross.pdf", big, "application/pdf")}
        res = client.post("/api/v1/admin/documents", headers=AUTH, files=upload)
        assert res.status_code in (413, 422)


def test_feedback_becomes_an_eval_case_checked_against_its_sources(console: tuple[TestClient, Container]) -> None:
    client, _ = console
    answer = client.post("/api/v1/ask", json={"question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"})
    answer_id = answer.json()["answer_id"]
    client.post("/api/v1/feedback", json={"answer_id": answer_id, "rating": "down", "reason": "unvollständig"})
    entries = client.get("/api/v1/admin/feedback/entries?rating=down", headers=AUTH).json()["entries"]
    assert entries[0]["answer_id"] == answer_id and entries[0]["reason"] == "unvollständig"
    assert entries[0]["case_id"] is None
    none = client.get("/api/v1/admin/feedback/entries?reason=falsch", headers=AUTH).json()
    assert none == {"total": 0, "remaining": 0, "entries": []}
    sources = client.get(f"/api/v1/admin/feedback/{entries[0]['id']}/sources", headers=AUTH).json()
    assert any(d["doc_id"] == "faq1" and d["cited"] for d in sources["documents"])

    case = {"question": entries[0]["question"], "expect": "answer", "key_facts": ["Schulträger muss zustimmen"],
            "sources": ["faq1"], "answer_id": answer_id}  # fmt: skip
    wrong_fact = {**case, "key_facts": ["Zustimmung der ADD nötig"]}
    bad = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=wrong_fact)
    assert bad.status_code == 422 and "steht in keiner der gewählten Quellen" in bad.json()["error"]["message"]
    sourceless = client.post("/api/v1/admin/eval-cases", headers=AUTH, json={**case, "sources": []})
    assert sourceless.status_code == 422 and "Quellen: fehlt" in sourceless.json()["error"]["message"]
    unknown = client.post("/api/v1/admin/eval-cases", headers=AUTH, json={**case, "sources": ["gibt-es-nicht"]})
    assert unknown.status_code == 422 and "nicht im Index" in unknown.json()["error"]["message"]
    invalid = client.post("/api/v1/admin/eval-cases", headers=AUTH, json={**case, "expect": "vielleicht"})
    assert invalid.status_code == 422
    good = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case)
    assert good.status_code == 201
    refuse = {"question": "Welche Entgeltgruppe gilt?", "expect": "refuse"}
    assert client.post("/api/v1/admin/eval-cases", headers=AUTH, json=refuse).status_code == 201
    exported = yaml.safe_load(client.get("/api/v1/admin/eval-cases?format=yaml", headers=AUTH).text)
    assert [c["expect"] for c in exported] == ["answer", "refuse"]
    from scp_assistant.eval.dataset import validate

    assert [i for i in validate(exported) if i.level == "error"] == []

    run = client.post("/api/v1/admin/eval-runs", headers=AUTH, json={"set": "cases"})
    assert run.status_code == 202
    job = wait(client, run.json()["job_id"])
    assert job["status"] == "done" and job["report"]["metrics"]["questions"] == 2
    report = client.get(f"/api/v1/admin/eval-runs/{job['id']}/report", headers=AUTH)
    assert report.status_code == 200 and "<html" in report.text
    assert "Auswertung „Testfälle aus Rückmeldungen vom " in report.text  # not the job's id
    assert client.get(f"/api/v1/admin/eval-runs/{job['id']}/report").status_code == 401
    assert client.get("/api/v1/admin/eval-runs", headers=AUTH).json()[0]["id"] == job["id"]
    assert client.post("/api/v1/admin/eval-runs", headers=AUTH, json={"set": "geheim"}).status_code == 422


def test_a_test_case_is_stored_once_and_can_be_deleted(console: tuple[TestClient, Container]) -> None:
    """A second click on "Testfall speichern" stored the same case twice, and a wrong case could not be removed
    (walk-through, round 32)."""
    client, _ = console
    case = {"question": "Welche Entgeltgruppe gilt?", "expect": "refuse"}
    first = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case)
    assert first.status_code == 201
    again = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case)
    assert again.status_code == 422 and f"gibt es schon ({first.json()['id']})" in again.json()["error"]["message"]
    other = {"question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?", "expect": "answer",
             "key_facts": ["Schulträger muss zustimmen"], "sources": ["faq1"]}  # fmt: skip
    second = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=other).json()["id"]
    assert client.delete(f"/api/v1/admin/eval-cases/{first.json()['id']}").status_code == 401
    assert client.delete(f"/api/v1/admin/eval-cases/{first.json()['id']}", headers=AUTH).status_code == 204
    assert [c["id"] for c in client.get("/api/v1/admin/eval-cases", headers=AUTH).json()] == [second]
    missing = client.delete(f"/api/v1/admin/eval-cases/{first.json()['id']}", headers=AUTH)
    assert missing.status_code == 404
    assert client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case).status_code == 201  # may be made anew
    deleted = [a for a in client.get("/api/v1/admin/audit", headers=AUTH).json() if a["action"] == "Testfall gelöscht"]
    assert deleted[0]["detail"]["question"] == "Welche Entgeltgruppe gilt?"  # what was deleted stays readable


def test_two_workers_see_an_upload_within_seconds(tmp_path: Path) -> None:
    """Two app instances on one data dir (embedded Chroma, SQLite): what one indexes, the other answers from."""
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)

    def worker() -> Container:
        return Container(settings, embedder=FakeEmbedder(64), models=hand_models())

    first, second = worker(), worker()
    assert first.ingest_pipeline().run(corpus).ok
    with TestClient(create_app(settings, first)) as a, TestClient(create_app(settings, second)) as b:
        assert "handreichung-test" not in {d["doc_id"] for d in b.get("/api/v1/documents").json()}
        upload = {"file": ("h.md", MARKDOWN.encode(), "text/markdown")}
        res = a.post("/api/v1/admin/documents", headers=AUTH, files=upload)
        assert wait(b, res.json()["job_id"])["status"] == "done"  # the job is visible on the other worker, too
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "handreichung-test" in {d["doc_id"] for d in b.get("/api/v1/documents").json()}:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the second worker did not see the upload")
        answer = b.post("/api/v1/ask", json={"question": "Wann bietet das Land eine digitale Sprechstunde an?"}).json()
        assert "Dienstag" in answer["answer"]


def test_an_upload_with_the_same_id_replaces_the_document(console: tuple[TestClient, Container]) -> None:
    client, container = console
    first = {"file": ("a.md", MARKDOWN.encode(), "text/markdown")}
    done = wait(client, client.post("/api/v1/admin/documents", headers=AUTH, files=first).json()["job_id"])
    assert done["status"] == "done"
    newer = MARKDOWN.replace("jeden Dienstag", "jeden Donnerstag").replace("2025-03-01", "2025-09-01")
    second = {"file": ("b.md", newer.encode(), "text/markdown")}
    job = wait(client, client.post("/api/v1/admin/documents", headers=AUTH, files=second).json()["job_id"])
    assert job["status"] == "done"
    stored = list((container.settings.corpus_dir / "docs").glob("handreichung-test*"))
    assert [p.name for p in stored] == ["handreichung-test.md"] and "Donnerstag" in stored[0].read_text()
    docs = {d["doc_id"]: d for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    assert docs["handreichung-test"]["date"] == "2025-09-01"
    answer = client.post("/api/v1/ask", json={"question": "Wann bietet das Land eine digitale Sprechstunde an?"}).json()
    assert "Donnerstag" in answer["answer"] and "Dienstag" not in answer["answer"]
    actions = [a["action"] for a in client.get("/api/v1/admin/audit", headers=AUTH).json()]
    assert "Dokument ersetzt" in actions


def test_the_same_test_case_sent_at_once_by_several_workers_is_stored_once(tmp_path: Path) -> None:
    """The duplicate check read every case and inserted afterwards: two clicks arriving together on two workers
    both passed it. Workers share the database, not memory: each thread here has its own records and connection."""
    database = SQLiteDatabase(tmp_path / "shared.sqlite3")
    case = {"question": "Welche Entgeltgruppe gilt?", "expect": "refuse", "category": "feedback"}
    # each thread with its own records and connection, the records made before the clicks arrive together
    workers = [AdminRecords(database) for _ in range(8)]
    outcomes, errors = at_once(lambda n: workers[n].add_case({**case, "id": f"fb-{n}"}), 8)
    stored = AdminRecords(database).cases()
    assert errors == [] and len(stored) == 1 and outcomes.count(None) == 1
    assert {o for o in outcomes if o} == {stored[0]["id"]}  # the others name the stored case
    # facts and sources in another order are the same case; a case stored before the keys existed is known too
    fact_case = {"question": "Wer genehmigt?", "expect": "answer", "key_facts": ["ADD", "Schulaufsicht"], "id": "a"}
    with database.transaction() as db:  # saved twice before, when the check was not atomic
        for n, case_id in enumerate(("old", "old-twin")):
            row = (case_id, f"2025-01-0{n + 1}", json.dumps({**fact_case, "id": case_id}))
            db.execute("INSERT INTO eval_cases VALUES (?, ?, ?)", row)
    records = AdminRecords(database)
    reordered = {**fact_case, "key_facts": ["Schulaufsicht", "ADD"], "id": "new"}
    assert records.add_case(reordered) == "old"
    # deleting one of the twins hands the key to the other: the case still cannot be saved a third time
    assert records.delete_case("old") is not None
    assert records.add_case(reordered) == "old-twin"


def test_a_job_whose_server_was_restarted_is_reported_as_interrupted_not_running_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quality run stopped by a restart stayed "läuft" for good (walk-through of round 34)."""
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta

    from scp_assistant.admin import records as records_module

    records = AdminRecords(SQLiteDatabase(tmp_path / "admin.sqlite3"))
    ours = records.new_job("eval")
    records.update_job(ours.id, "running", {"worker": records_module.WORKER})
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = {**records_module.WORKER, "pid": int(gone.stdout), "started": 0.0}  # a process that has ended
    left = records.new_job("eval")
    records.update_job(left.id, "running", {"worker": dead})
    far = records.new_job("ingest")
    records.update_job(far.id, "running", {"worker": {"host": "another-host", "pid": 1, "started": 0.0}})

    assert records.job(ours.id).status == "running"  # this process runs it
    interrupted = records.job(left.id)
    assert interrupted.status == "failed" and "neu gestartet" in interrupted.report["error"]
    assert records.jobs("eval")[0].status == "failed"  # the list says so too, and it is stored
    assert records.job(far.id).status == "running"  # another host: not known to be gone ...
    later = datetime.now(UTC) + records_module.STALE + timedelta(minutes=1)

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return later

    monkeypatch.setattr(records_module, "datetime", Later)
    assert records.job(far.id).status == "failed"  # ... until it has been quiet for too long


def test_feedback_on_a_follow_up_shows_what_was_searched(
    console: tuple[TestClient, Container],
) -> None:
    """ "Und bis wann?" rated down showed as "Frage: Und bis wann?" alone in the console (walk-through, round 34)."""
    client, _ = console
    first = client.post("/api/v1/ask", json={"question": "Welche Berufsgruppen sind in Säule III förderfähig?"})
    session = first.json()["session_id"]
    follow = client.post("/api/v1/ask", json={"question": "Und bis wann?", "session_id": session}).json()
    searched = follow["rewritten_question"]
    assert searched != "Und bis wann?" and "Säule III" in searched
    client.post("/api/v1/feedback", json={"answer_id": follow["answer_id"], "rating": "down"})
    client.post("/api/v1/feedback", json={"answer_id": first.json()["answer_id"], "rating": "up"})
    entries = client.get("/api/v1/admin/feedback/entries", headers=AUTH).json()["entries"]
    by_question = {e["question"]: e for e in entries}
    assert by_question["Und bis wann?"]["searched"] == searched
    assert by_question["Welche Berufsgruppen sind in Säule III förderfähig?"]["searched"] == ""  # asked as typed


def test_answer_records_written_before_the_searched_query_was_kept_still_read(tmp_path: Path) -> None:
    import sqlite3

    from scp_assistant.feedback.store import AnswerRecord, SQLFeedbackStore

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # the table as earlier versions made it
        old.execute(
            "CREATE TABLE answers (answer_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, question TEXT NOT NULL, "
            "answer TEXT NOT NULL, citations TEXT NOT NULL, refused INTEGER NOT NULL)"
        )
        old.execute("INSERT INTO answers VALUES ('a1', '2026-01-01', 'Frage?', 'Antwort.', '[]', 0)")
    store = SQLFeedbackStore(SQLiteDatabase(path))
    again = SQLFeedbackStore(SQLiteDatabase(path))  # a second worker finds the column there
    kept = store.get_answer("a1")
    assert kept is not None and kept.question == "Frage?" and kept.searched == ""
    again.record_answer(AnswerRecord("a2", "Und dort?", "Antwort.", [], searched="Und dort? (Worms)"))
    assert store.get_answer("a2") == again.get_answer("a2")
    assert store.get_answer("a2").searched == "Und dort? (Worms)"  # type: ignore[union-attr]


def test_a_run_names_the_questions_that_turned_right_or_wrong_since_the_previous_run(
    console: tuple[TestClient, Container],
) -> None:
    """The console showed six figures and a "Vorher" column, not which questions changed (walk-through, round 34)."""
    client, container = console
    cases = [
        {"question": "Welche Entgeltgruppe gilt für Schulsozialarbeit?", "expect": "refuse"},
        {"question": "Wer zahlt die Kantine der Schule?", "expect": "refuse"},
    ]
    for case in cases:
        assert client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case).status_code == 201

    def run() -> dict[str, Any]:
        job = wait(client, client.post("/api/v1/admin/eval-runs", headers=AUTH, json={"set": "cases"}).json()["job_id"])
        assert job["status"] == "done"
        return dict(job["report"])

    first = run()
    assert "changes" not in first  # nothing to compare with
    container.answer_service.models = hand_models(refuse_above=2.0)  # a build that never declines on its own
    stored = client.get("/api/v1/admin/eval-cases", headers=AUTH).json()
    client.delete(f"/api/v1/admin/eval-cases/{stored[-1]['id']}", headers=AUTH)
    client.post("/api/v1/admin/eval-cases", headers=AUTH, json={"question": "Wie heißt der Hund?", "expect": "refuse"})
    second = run()
    changes = second["changes"]
    assert changes["added"] == 1 and changes["dropped"] == 1  # one case deleted, one added: compared in part
    assert [q["question"] for q in changes["newly_failing"]] == [cases[0]["question"]]  # now answered
    assert changes["newly_passing"] == []


def test_reading_the_corpus_folder_again_picks_up_and_drops_files_put_there_by_hand(
    console: tuple[TestClient, Container],
) -> None:
    """A file laid into the corpus folder by hand (or left there by an upload a restart interrupted) answers after
    "Ordner neu einlesen"; a removed one stops answering; a broken one is reported and changes nothing else."""
    client, container = console
    by_hand = container.settings.corpus_dir / "docs" / "handreichung-test.md"
    by_hand.write_text(MARKDOWN, encoding="utf-8")
    before = client.post("/api/v1/ask", json={"question": "Wann bietet das Land eine digitale Sprechstunde an?"}).json()
    assert "Dienstag" not in before["answer"]  # not in the index yet
    assert client.post("/api/v1/admin/reindex-jobs").status_code == 401
    res = client.post("/api/v1/admin/reindex-jobs", headers=AUTH)
    assert res.status_code == 202
    job = wait(client, res.json()["job_id"])
    assert job["status"] == "done" and job["report"]["status"] == "neu eingelesen"
    assert job["report"]["added"] == ["handreichung-test"] and job["report"]["removed"] == []
    answer = client.post("/api/v1/ask", json={"question": "Wann bietet das Land eine digitale Sprechstunde an?"}).json()
    assert "Dienstag" in answer["answer"]
    docs = {d["doc_id"]: d for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    assert docs["handreichung-test"]["origin"] == "im Korpusordner" and docs["handreichung-test"]["uploaded_at"] is None

    by_hand.unlink()
    broken = container.settings.corpus_dir / "pdf" / "kaputt.pdf"
    broken.parent.mkdir(exist_ok=True)
    broken.write_bytes(b"%PDF-1.4 nothing more")
    job = wait(client, client.post("/api/v1/admin/reindex-jobs", headers=AUTH).json()["job_id"])
    assert job["status"] == "done" and job["report"]["removed"] == ["handreichung-test"]
    assert any("kaputt.pdf" in e for e in job["report"]["errors"])
    docs = {d["doc_id"] for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    assert "handreichung-test" not in docs and "cb1" in docs
    audit = [
        a for a in client.get("/api/v1/admin/audit", headers=AUTH).json() if a["action"] == "Korpus neu eingelesen"
    ]
    assert len(audit) == 2 and {"added", "updated", "removed"} <= set(audit[0]["detail"])


def test_an_upload_reports_its_own_warnings_not_those_of_a_file_whose_name_holds_its_id(
    console: tuple[TestClient, Container],
) -> None:
    client, container = console
    other = MARKDOWN.replace("id: handreichung-test", "id: handreichung-test-alt").replace("source_url:", "x_url:")
    (container.settings.corpus_dir / "docs" / "handreichung-test-alt.md").write_text(other, encoding="utf-8")
    assert wait(client, client.post("/api/v1/admin/reindex-jobs", headers=AUTH).json()["job_id"])["status"] == "done"
    res = client.post(
        "/api/v1/admin/documents", headers=AUTH, files={"file": ("h.md", MARKDOWN.encode(), "text/markdown")}
    )
    job = wait(client, res.json()["job_id"])
    assert job["status"] == "done" and job["report"]["doc_id"] == "handreichung-test"
    assert job["report"]["warnings"] == []  # the other file lacks its web address, this one does not
    lacking = MARKDOWN.replace("source_url:", "x_url:").encode()
    res = client.post("/api/v1/admin/documents", headers=AUTH, files={"file": ("h.md", lacking, "text/markdown")})
    job = wait(client, res.json()["job_id"])
    assert job["status"] == "done" and any("source_url" in w for w in job["report"]["warnings"])


def test_an_uploaded_document_shows_when_it_was_uploaded(console: tuple[TestClient, Container]) -> None:
    client, _ = console
    res = client.post(
        "/api/v1/admin/documents", headers=AUTH, files={"file": ("h.md", MARKDOWN.encode(), "text/markdown")}
    )
    assert wait(client, res.json()["job_id"])["status"] == "done"
    docs = {d["doc_id"]: d for d in client.get("/api/v1/admin/documents", headers=AUTH).json()}
    uploaded = datetime.fromisoformat(docs["handreichung-test"]["uploaded_at"])
    assert abs((datetime.now(UTC) - uploaded).total_seconds()) < 120
    assert docs["cb1"]["uploaded_at"] is None


def test_feedback_comes_a_page_at_a_time_filtered_by_day_and_words_with_its_test_case(
    console: tuple[TestClient, Container],
) -> None:
    from scp_assistant.feedback.store import FeedbackRecord

    client, container = console
    store = container.feedback_store
    for i in range(7):
        day = f"2026-11-{10 + i:02d}T09:00:00+00:00"
        store.add(FeedbackRecord("down", f"Frage {i} zum Trägerbudget" if i % 2 else f"Frage {i} zu Säule III",
                                 "Antwort", comment="Kita fehlt" if i == 3 else None, answer_id=f"answer-{i}",
                                 created_at=day))  # fmt: skip
    url = "/api/v1/admin/feedback/entries"
    first = client.get(f"{url}?limit=3", headers=AUTH).json()
    assert first["total"] == 7 and [e["question"][:7] for e in first["entries"]] == ["Frage 6", "Frage 5", "Frage 4"]
    assert first["remaining"] == 4
    rest = client.get(f"{url}?limit=3&offset=6", headers=AUTH).json()
    assert [e["question"][:7] for e in rest["entries"]] == ["Frage 0"] and rest["remaining"] == 0
    # feedback given meanwhile does not push an entry seen already onto the next page ("Weitere laden")
    store.add(FeedbackRecord("up", "Frage 7 kam dazu", "Antwort", created_at="2026-11-20T09:00:00+00:00"))
    more = client.get(f"{url}?limit=3&after={first['entries'][-1]['id']}", headers=AUTH).json()
    assert [e["question"][:7] for e in more["entries"]] == ["Frage 3", "Frage 2", "Frage 1"]
    assert more["total"] == 8 and more["remaining"] == 1
    # the cursor's entry is not in the list for other words: nothing more, never the first page again
    other = client.get(f"{url}?limit=3&q=kita&after={first['entries'][0]['id']}", headers=AUTH).json()
    assert other["entries"] == [] and other["remaining"] == 0
    since = client.get(f"{url}?since=2026-11-15", headers=AUTH).json()
    assert since["total"] == 3  # the 15th, the 16th and the one added on the 20th
    words = client.get(f"{url}?q=traegerbudget", headers=AUTH).json()  # as typed without umlauts
    assert words["total"] == 3 and all("Trägerbudget" in e["question"] for e in words["entries"])
    assert client.get(f"{url}?q=kita", headers=AUTH).json()["entries"][0]["question"].startswith("Frage 3")
    assert client.get(f"{url}?since=11.11.2026", headers=AUTH).status_code == 422
    for impossible in ("2024-13-45", "2024-02-30", "0000-01-01"):  # the right shape, but no day: not a 500
        refused = client.get(f"{url}?since={impossible}", headers=AUTH)
        assert refused.status_code == 422 and "gibt es nicht" in refused.json()["error"]["message"]
    # the test case made from a feedback shows with it
    case = {"question": "Frage 3 zum Trägerbudget", "expect": "refuse", "answer_id": "answer-3"}
    made = client.post("/api/v1/admin/eval-cases", headers=AUTH, json=case).json()
    entries = {e["answer_id"]: e for e in client.get(url, headers=AUTH).json()["entries"]}
    assert entries["answer-3"]["case_id"] == made["id"] and entries["answer-4"]["case_id"] is None


def test_feedback_from_a_day_means_that_day_in_germany_and_short_words_match_whole_words(
    console: tuple[TestClient, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review, round 35: "Ab Datum" compared the UTC date; "Säule I" matched every word with an i."""
    from scp_assistant.feedback.store import FeedbackRecord

    client, container = console
    store = container.feedback_store
    store.add(FeedbackRecord("down", "Was gilt in Säule III?", "A", created_at="2026-12-02T23:30:00+00:00"))  # 00:30
    store.add(FeedbackRecord("down", "Was gilt in Säule I?", "A", created_at="2026-12-02T22:30:00+00:00"))  # 23:30
    url = "/api/v1/admin/feedback/entries"
    third = client.get(f"{url}?since=2026-12-03", headers=AUTH).json()
    assert [e["question"] for e in third["entries"]] == ["Was gilt in Säule III?"]
    assert client.get(f"{url}?since=2026-12-02", headers=AUTH).json()["total"] == 2
    pillar = client.get(f"{url}?q=Säule I", headers=AUTH).json()
    assert [e["question"] for e in pillar["entries"]] == ["Was gilt in Säule I?"]
    # what each answer was searched with comes in one query, not one per entry
    monkeypatch.setattr(type(store), "get_answer", lambda *_: pytest.fail("one query per entry"))
    assert client.get(f"{url}?q=gilt", headers=AUTH).json()["total"] == 2


def test_two_workers_change_the_corpus_one_after_the_other(tmp_path: Path) -> None:
    """Review, round 35: each worker's console had a lock of its own, so a re-read in one could race an upload that
    failed and put the corpus back in another."""
    import threading

    from scp_assistant.admin.corpus_lock import CorpusLock

    first, second = CorpusLock(tmp_path / "corpus.lock"), CorpusLock(tmp_path / "corpus.lock")  # two workers
    entered = threading.Event()

    def other_worker() -> None:
        with second:
            entered.set()

    with first:
        thread = threading.Thread(target=other_worker)
        thread.start()
        assert not entered.wait(0.3)  # waits while the first one changes the corpus
    assert entered.wait(5)
    thread.join(5)
    with first:  # and can be taken again
        pass


def test_the_console_scripts_are_served_as_one_file_helpers_first_sign_in_last(
    console: tuple[TestClient, Container],
) -> None:
    client, _ = console
    res = client.get("/admin.js")
    assert res.status_code == 200 and res.headers["content-type"].startswith("application/javascript")
    script = res.text
    parts = ["window.SCPConsole = (function", "C.loadDocuments =", "C.explainQuestion =", "C.loadFeedback =",
             "C.loadRuns =", "C.show = show;"]  # fmt: skip
    at = [script.index(p) for p in parts]
    assert at == sorted(at)  # each part after the helpers it uses; navigation, which uses them all, last
