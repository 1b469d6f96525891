"""The ism console's work: documents (upload, replace, delete, re-read through the versioned re-index), eval cases
from feedback, eval runs, and the audit trail. The HTTP routes (server/admin_routes.py) only convert.

Changes to the corpus run one at a time in all workers (admin/corpus_lock.py) in a background thread, followed as
jobs in the shared database; the old index version serves until the new one is complete (ingest/pipeline.py), and a
change whose re-index fails is undone in the corpus."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from scp_assistant.admin.corpus_lock import CorpusLock
from scp_assistant.admin.records import WORKER, AdminRecords, Job
from scp_assistant.admin.uploads import (
    backup,
    files_of,
    ingest_summary,
    install,
    reindex_summary,
    restore,
    stage,
)
from scp_assistant.errors import InputError, NotFoundError, ScpError
from scp_assistant.eval.compare import question_changes
from scp_assistant.eval.dataset import FIELD_NAMES, validate
from scp_assistant.eval.diagnose import failed_questions
from scp_assistant.eval.runner import read_run
from scp_assistant.fact_rule import fact_covered
from scp_assistant.index.catalog import Catalog
from scp_assistant.ingest.loaders import is_own_source, missing_field
from scp_assistant.ingest.pipeline import IngestPipeline
from scp_assistant.ingest.report import IngestReport
from scp_assistant.settings import Settings

log = logging.getLogger(__name__)
EVAL_SETS = {"dev": "eval/dev.yaml", "tune": "eval/tune.yaml", "conversations": "eval/conversations.yaml"}
# the names the console's drop-down gives the sets, for the report's title
SET_TITLES = {
    "dev": "Entwicklungsfragen",
    "tune": "Abstimmungsfragen",
    "conversations": "Gespräche",
    "cases": "Testfälle aus Rückmeldungen",
}


class Console:
    def __init__(
        self,
        settings: Settings,
        records: AdminRecords,
        catalog: Callable[[], Catalog],
        pipeline: Callable[[], IngestPipeline],
        index_changed: Callable[[], None],
        run_eval: Callable[[list[dict[str, Any]], Path, str, str], dict[str, Any]],
    ) -> None:
        self._settings = settings
        self.records = records
        self._catalog = catalog
        self._pipeline = pipeline
        self._index_changed = index_changed
        self._run_eval = run_eval
        self.corpus_lock = CorpusLock(settings.data_dir / "corpus.lock")  # one change at a time, in all workers

    @property
    def corpus(self) -> Path:
        return self._settings.corpus_dir

    # ---- documents ------------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        uploaded = self.records.uploaded()
        out = []
        for doc in self._catalog().documents():
            meta = doc.meta
            keys = ("publisher", "date") if is_own_source(meta.path) else ("publisher", "source_url", "date")
            warnings = [missing_field(k) for k in keys if not getattr(meta, k)]
            out.append(
                {
                    "doc_id": meta.doc_id, "title": meta.title, "publisher": meta.publisher, "date": meta.date,
                    "doc_type": meta.doc_type, "region": meta.region, "source_url": meta.source_url,
                    "chunks": doc.chunks, "origin": "hochgeladen" if meta.doc_id in uploaded else "im Korpusordner",
                    "uploaded_at": uploaded.get(meta.doc_id), "path": meta.path, "warnings": warnings,
                }
            )  # fmt: skip
        return out

    def upload(self, filename: str, content: bytes, meta: str | None, actor: str) -> Job:
        """Check the file completely (4xx with a German reason when it would not index), then install it and
        re-index in the background."""
        staged = stage(filename, content, meta, self._settings.ingest)
        previous = self._paths_of(staged.doc_id)
        job = self.records.new_job("document")
        action = "ersetzt" if previous else "hochgeladen"

        def work() -> dict[str, Any]:
            saved = backup(previous + [self.corpus / rel for rel in staged.files])
            written = install(staged, self.corpus, previous)
            report = self._reindex()
            failure = next((f for f in report.failures if f.path in staged.files), None)
            if failure is not None or staged.doc_id not in {d.meta.doc_id for d in self._catalog().documents()}:
                restore(saved, written)
                self._reindex()
                reason = failure.message if failure else "Das Dokument kam nicht in den Index."
                raise InputError(f"Das Dokument konnte nicht eingelesen werden: {reason}")
            self.records.mark_uploaded(staged.doc_id, next(iter(staged.files)))
            self.records.audit(actor, f"Dokument {action}", staged.doc_id, file=filename, chunks=staged.chunks)
            return {"doc_id": staged.doc_id, "chunks": staged.chunks, **ingest_summary(report, staged.files)}

        self._start(job, work)
        return job

    def delete(self, doc_id: str, actor: str) -> Job:
        paths = self._paths_of(doc_id)
        if not paths:
            raise NotFoundError(f"Kein Dokument mit der id {doc_id!r}")
        job = self.records.new_job("document")

        def work() -> dict[str, Any]:
            saved = backup(paths)
            for path in paths:
                path.unlink(missing_ok=True)
            report = self._reindex()
            if not report.documents:  # the corpus would be empty: keep it as it was
                restore(saved, [])
                self._reindex()
                raise InputError("Das letzte Dokument kann nicht gelöscht werden.")
            self.records.forget_upload(doc_id)
            self.records.audit(actor, "Dokument gelöscht", doc_id)
            return {"doc_id": doc_id, "status": "gelöscht", **ingest_summary(report)}

        self._start(job, work)
        return job

    def reindex(self, actor: str) -> Job:
        """Read the corpus folder again (incremental): picks up files put there by hand or left by an upload that a
        restart interrupted, and drops what was removed; the serving index answers until the new one is complete."""
        job = self.records.new_job("document")

        def work() -> dict[str, Any]:
            report = self._reindex()
            changed = {*report.added, *report.updated}
            paths = {d.meta.path for d in self._catalog().documents() if d.meta.doc_id in changed}
            details = {"added": report.added, "updated": report.updated, "removed": report.removed}
            self.records.audit(actor, "Korpus neu eingelesen", None, **details)
            return reindex_summary(report, paths)

        self._start(job, work)
        return job

    def _paths_of(self, doc_id: str) -> list[Path]:
        for doc in self._catalog().documents():
            if doc.meta.doc_id == doc_id and doc.meta.path:
                return files_of(self.corpus, doc.meta.path)
        return []

    def _reindex(self) -> IngestReport:
        report = self._pipeline().run(self.corpus)
        self._index_changed()
        return report

    def _start(self, job: Job, work: Callable[[], dict[str, Any]]) -> None:
        def run() -> None:
            with self.corpus_lock:
                self.records.update_job(job.id, "running", {**job.report, "worker": WORKER})
                try:
                    self.records.update_job(job.id, "done", work())
                except ScpError as exc:
                    self.records.update_job(job.id, "failed", {"error": str(exc)})
                except Exception as exc:  # a job never dies silently
                    log.exception("job %s failed", job.id)
                    self.records.update_job(job.id, "failed", {"error": f"Interner Fehler ({type(exc).__name__})"})

        threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()

    # ---- eval cases -----------------------------------------------------------------------------
    def add_case(self, case: dict[str, Any], actor: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": f"fb-{uuid.uuid4().hex[:10]}",
            "question": str(case.get("question") or "").strip(),
            "category": "feedback",
            "expect": case.get("expect"),
        }
        if case.get("expect") == "answer":
            entry["key_facts"] = [str(f).strip() for f in case.get("key_facts") or [] if str(f).strip()]
            entry["sources"] = [str(s).strip() for s in case.get("sources") or [] if str(s).strip()]
        if case.get("expected_answer"):
            entry["expected_answer"] = str(case["expected_answer"]).strip()
        problems = self.check_case(entry)
        if problems:
            raise InputError("Der Testfall ist nicht gültig: " + " ".join(problems))
        if case.get("answer_id"):
            entry["answer_id"] = str(case["answer_id"])
        same = self.records.add_case(entry)
        if same:  # a second click on "speichern", or the same feedback taken over twice
            raise InputError(f"Diesen Testfall gibt es schon ({same}).")
        self.records.audit(actor, "Testfall angelegt", None, case=entry["id"], question=entry["question"][:200])
        return entry

    def delete_case(self, case_id: str, actor: str) -> None:
        case = self.records.delete_case(case_id)
        if case is None:
            raise NotFoundError(f"Keinen Testfall mit der id {case_id!r} gefunden.")
        # what was deleted stays readable in the audit trail
        self.records.audit(
            actor, "Testfall gelöscht", None, case=case_id, question=str(case["question"])[:200], expect=case["expect"]
        )

    def check_case(self, entry: dict[str, Any]) -> list[str]:
        """What is wrong with an eval case, in plain German (the eval suite's own rules)."""
        errors = [i for i in validate([entry]) if i.level == "error"]
        problems = [f"{FIELD_NAMES.get(i.field, i.field)}: {i.message}." for i in errors]
        if entry.get("expect") != "answer" or problems:
            return problems
        if not entry.get("key_facts"):
            problems.append("Bitte mindestens einen Kernfakt angeben.")
        known = {d.meta.doc_id: d for d in self._catalog().documents()}
        texts = []
        for source in entry.get("sources") or []:
            if source not in known:
                problems.append(f"Die Quelle {source!r} ist nicht im Index.")
            else:
                texts.append(self._text_of(source))
        for fact in entry.get("key_facts") or []:
            if texts and not any(_covered(fact, t) for t in texts):
                problems.append(f"Der Kernfakt „{fact}“ steht in keiner der gewählten Quellen.")
        return problems

    def _text_of(self, doc_id: str) -> str:
        return "\n".join(c.text for c in self._catalog().chunks(doc_id))

    def cases_yaml(self) -> str:
        cases = [{k: v for k, v in c.items() if k != "answer_id"} for c in self.records.cases()]
        return yaml.safe_dump(cases, allow_unicode=True, sort_keys=False)

    # ---- eval runs ------------------------------------------------------------------------------
    def eval_sets(self) -> list[str]:
        return [*EVAL_SETS, "cases"]

    def start_eval(self, name: str, actor: str) -> Job:
        if name == "cases":
            entries = self.records.cases()
            if not entries:
                raise InputError("Es gibt noch keine Testfälle aus Rückmeldungen.")
        elif name in EVAL_SETS:
            from scp_assistant.eval.dataset import load_questions

            entries = load_questions(Path(EVAL_SETS[name]))
        else:
            raise InputError(f"Unbekannter Fragensatz {name!r} (erlaubt: {', '.join(self.eval_sets())}).")
        job = self.records.new_job("eval", set=name)
        folder = self._settings.data_dir / "eval-runs" / job.id
        done = [j for j in self.records.jobs("eval") if j.status == "done" and j.report.get("set") == name]
        previous = done[0] if done else None

        def work() -> dict[str, Any]:
            title = f"{SET_TITLES.get(name, name)} vom {_german_time(job.created_at)}"
            metrics = self._run_eval(entries, folder, previous.report.get("folder", "") if previous else "", title)
            self.records.audit(actor, "Eval-Lauf", None, set=name, questions=len(entries))
            earlier = previous.id if previous else None
            report = {"set": name, "folder": str(folder), "metrics": metrics, "previous": earlier,
                      "failures": failed_questions(read_run(folder)["results"])}  # fmt: skip
            compared = folder / "comparison.json"
            if not compared.is_file():
                return report
            return {**report, "changes": question_changes(json.loads(compared.read_text(encoding="utf-8")), entries)}

        self._start(job, work)
        return job

    def report_path(self, job_id: str) -> Path:
        job = self.records.job(job_id)
        if job.kind != "eval" or job.status != "done":
            raise NotFoundError("Zu diesem Auftrag gibt es (noch) keinen Bericht.")
        path = Path(job.report["folder"]) / "report.html"
        if not path.is_file():
            raise NotFoundError("Der Bericht liegt nicht mehr vor.")
        return path


def _covered(fact: str, text: str) -> bool:
    """The eval suite's fact rule over a whole document: in windows of 1000 characters."""
    return any(fact_covered(fact, text[i : i + 1000]) for i in range(0, max(1, len(text)), 400))


def _german_time(iso: str) -> str:
    """When a run was started, as German readers of its report read the time ("06.12.2026, 14:05 Uhr"); UTC where
    the system knows no time zones."""
    try:
        return f"{datetime.fromisoformat(iso).astimezone(ZoneInfo('Europe/Berlin')):%d.%m.%Y, %H:%M} Uhr"
    except ZoneInfoNotFoundError:
        return f"{datetime.fromisoformat(iso):%d.%m.%Y, %H:%M} Uhr (UTC)"
