"""What the ism console keeps in the shared database: the audit trail, background jobs, and eval cases.

All three live in the same database as sessions and feedback (SQLite in the data dir, or PostgreSQL), so every
worker sees the same jobs and entries: an upload accepted by one worker can be followed on another.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scp_assistant.database import Database
from scp_assistant.errors import NotFoundError

_DDL = (
    "CREATE TABLE IF NOT EXISTS audit (id TEXT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, "
    "action TEXT NOT NULL, doc_id TEXT, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, "
    "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, report TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS eval_cases (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS uploads (doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, uploaded_at TEXT NOT NULL)",
    # what makes two eval cases the same (case_key); the primary key keeps a second one out, whichever worker
    # or thread stores it
    "CREATE TABLE IF NOT EXISTS eval_case_keys (key TEXT PRIMARY KEY, case_id TEXT NOT NULL)",
)


def case_key(case: dict[str, Any]) -> str:
    """The same question with the same expectation (facts and sources in any order) gives the same key."""
    content = [case.get(k) for k in ("question", "expect", "expected_answer")]
    content += [sorted(case.get(k) or []) for k in ("key_facts", "sources")]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


_ADD_KEY = "INSERT INTO eval_case_keys VALUES ({p}, {p}) ON CONFLICT (key) DO NOTHING"


# who runs a job: this process on this host. A job whose process is gone (the server was restarted or a worker died)
# never finishes; it is marked as interrupted when read, at once on the same host, after STALE on another one
WORKER = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
STALE = timedelta(minutes=30)
INTERRUPTED = (
    "Abgebrochen: der Server wurde neu gestartet (oder sein Prozess beendet), bevor der Auftrag fertig war. "
    "Bitte erneut starten."
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")  # order of entries within a second


def actor_of(token: str) -> str:
    """Who did it, without keeping the secret: a short hash of the token."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    doc_id: str | None
    detail: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Job:
    id: str
    kind: str
    status: str  # queued | running | done | failed
    created_at: str
    updated_at: str
    report: dict[str, Any]


class AdminRecords:
    def __init__(self, database: Database) -> None:
        self._db = database
        for attempt in range(3):  # workers starting together race to create a new table (PostgreSQL: a unique
            try:  # violation on its type); whoever loses finds it made on the next try
                with database.transaction() as db:
                    for statement in _DDL:
                        db.execute(statement)
                    self._key_unkeyed(db)
                break
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))

    # ---- audit ----------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, doc_id: str | None = None, **detail: Any) -> None:
        entry = AuditEntry(now(), actor, action, doc_id, detail)
        with self._db.transaction() as db:
            db.execute(
                self._db.sql("INSERT INTO audit VALUES ({p}, {p}, {p}, {p}, {p}, {p})"),
                (entry.id, entry.at, entry.actor, entry.action, entry.doc_id, json.dumps(detail, ensure_ascii=False)),
            )

    def audit_entries(self, limit: int = 500) -> list[AuditEntry]:
        with self._db.transaction() as db:
            rows = db.execute(
                self._db.sql("SELECT at, actor, action, doc_id, detail, id FROM audit ORDER BY at DESC, id LIMIT {p}"),
                (limit,),
            ).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    # ---- jobs -----------------------------------------------------------------------------------
    def new_job(self, kind: str, **about: Any) -> Job:
        """A queued job; ``about`` says what it works on ("set": "tune"), shown while it waits and runs."""
        stamp = now()
        job = Job(uuid.uuid4().hex, kind, "queued", stamp, stamp, {**about, "worker": WORKER})
        with self._db.transaction() as db:
            db.execute(
                self._db.sql("INSERT INTO jobs VALUES ({p}, {p}, {p}, {p}, {p}, {p})"),
                (job.id, job.kind, job.status, job.created_at, job.updated_at, json.dumps(job.report)),
            )
        return job

    def update_job(self, job_id: str, status: str, report: dict[str, Any] | None = None) -> None:
        with self._db.transaction() as db:
            db.execute(
                self._db.sql("UPDATE jobs SET status = {p}, updated_at = {p}, report = {p} WHERE id = {p}"),
                (status, now(), json.dumps(report or {}, ensure_ascii=False), job_id),
            )

    def job(self, job_id: str) -> Job:
        with self._db.transaction() as db:
            row = db.execute(
                self._db.sql("SELECT id, kind, status, created_at, updated_at, report FROM jobs WHERE id = {p}"),
                (job_id,),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"Keinen Auftrag mit der id {job_id!r} gefunden.")
        return self._settled(Job(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])))

    def jobs(self, kind: str, limit: int = 20) -> list[Job]:
        with self._db.transaction() as db:
            rows = db.execute(
                self._db.sql(
                    "SELECT id, kind, status, created_at, updated_at, report FROM jobs WHERE kind = {p} "
                    "ORDER BY created_at DESC, id LIMIT {p}"
                ),
                (kind, limit),
            ).fetchall()
        return [self._settled(Job(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]))) for r in rows]

    def _settled(self, job: Job) -> Job:
        """The job, marked as interrupted if it is queued or running in a process that is gone."""
        if job.status not in ("queued", "running") or not _orphaned(job):
            return job
        self.update_job(job.id, "failed", {"error": INTERRUPTED})
        return Job(job.id, job.kind, "failed", job.created_at, now(), {"error": INTERRUPTED})

    # ---- eval cases -----------------------------------------------------------------------------
    def add_case(self, case: dict[str, Any]) -> str | None:
        """Store an eval case, unless the same one is stored: then nothing is added and its id is returned. One
        transaction, so two clicks on two workers at once store it once."""
        key = case_key(case)
        with self._db.transaction() as db:
            if db.execute(self._db.sql(_ADD_KEY), (key, case["id"])).rowcount == 0:
                row = db.execute(self._db.sql("SELECT case_id FROM eval_case_keys WHERE key = {p}"), (key,)).fetchone()
                return str(row[0])
            db.execute(
                self._db.sql("INSERT INTO eval_cases VALUES ({p}, {p}, {p})"),
                (case["id"], now(), json.dumps(case, ensure_ascii=False)),
            )
        return None

    def _key_unkeyed(self, db: Any) -> None:
        """Keys for cases without one: those stored before the keys existed, and a copy whose twin (saved twice
        before) was deleted with the key, so that the same case cannot be saved a third time."""
        rows = db.execute(
            "SELECT id, data FROM eval_cases WHERE id NOT IN (SELECT case_id FROM eval_case_keys) "
            "ORDER BY created_at, id"
        ).fetchall()
        for case_id, data in rows:
            db.execute(self._db.sql(_ADD_KEY), (case_key(json.loads(data)), case_id))

    def delete_case(self, case_id: str) -> dict[str, Any] | None:
        """Remove one eval case and return it; None when there is none with that id."""
        with self._db.transaction() as db:
            row = db.execute(self._db.sql("SELECT data FROM eval_cases WHERE id = {p}"), (case_id,)).fetchone()
            if row is None:
                return None
            db.execute(self._db.sql("DELETE FROM eval_cases WHERE id = {p}"), (case_id,))
            db.execute(self._db.sql("DELETE FROM eval_case_keys WHERE case_id = {p}"), (case_id,))
            self._key_unkeyed(db)
        case: dict[str, Any] = json.loads(row[0])
        return case

    def cases(self) -> list[dict[str, Any]]:
        with self._db.transaction() as db:
            rows = db.execute("SELECT data FROM eval_cases ORDER BY created_at, id").fetchall()
        return [json.loads(r[0]) for r in rows]

    # ---- uploaded documents ---------------------------------------------------------------------
    def uploaded(self) -> dict[str, str]:
        """Documents uploaded in the console, with when (ISO time of the last upload)."""
        with self._db.transaction() as db:
            rows = db.execute("SELECT doc_id, uploaded_at FROM uploads").fetchall()
        return {r[0]: r[1] for r in rows}

    def mark_uploaded(self, doc_id: str, path: str) -> None:
        upsert = (
            "INSERT INTO uploads VALUES ({p}, {p}, {p}) ON CONFLICT (doc_id) DO UPDATE SET path = excluded.path, "
            "uploaded_at = excluded.uploaded_at"
        )
        with self._db.transaction() as db:
            db.execute(self._db.sql(upsert), (doc_id, path, now()))

    def forget_upload(self, doc_id: str) -> None:
        with self._db.transaction() as db:
            db.execute(self._db.sql("DELETE FROM uploads WHERE doc_id = {p}"), (doc_id,))


def _orphaned(job: Job) -> bool:
    """Is the process that runs the job gone? Known on the same host; elsewhere, after STALE without a change."""
    worker = job.report.get("worker") or {}
    if worker.get("host") == WORKER["host"]:
        if worker.get("pid") == WORKER["pid"]:
            return worker.get("started") != WORKER["started"]  # a pid of an earlier run
        pid = int(worker.get("pid") or 0)
        if pid <= 0:
            return True
        try:
            os.kill(pid, 0)  # signal 0: is there such a process?
        except ProcessLookupError:
            return True
        except PermissionError:  # a process of another user: alive
            return False
        return False
    return datetime.fromisoformat(job.updated_at) < datetime.now(UTC) - STALE


def job_dict(job: Job) -> dict[str, Any]:
    return asdict(job)
