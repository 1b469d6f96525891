"""The ism console's HTTP routes (all under the admin token): documents, jobs, feedback, eval cases, eval runs,
audit. Thin: they convert, the console (admin/console.py) decides."""

from __future__ import annotations

import secrets
import time
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from scp_assistant.admin.console import Console
from scp_assistant.admin.feedback_view import PAGE, FeedbackFilter, feedback_page, searched_with
from scp_assistant.admin.records import Job, actor_of, job_dict
from scp_assistant.container import Container
from scp_assistant.errors import AuthError, ForbiddenError
from scp_assistant.feedback.store import Rating
from scp_assistant.server.admin_schemas import ExplainOut, FeedbackPageOut
from scp_assistant.server.schemas import ADMIN_ERRORS, ERRORS, EvalCaseIn, EvalRunIn, ExplainIn

FAILED_SIGN_IN_DELAY_S = 1.0  # a wrong token waits a moment: guessing stays slow


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def admin_actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The caller's admin identity (a hash of the token), or 401/403."""
    token = _container(request).settings.server.admin_token
    if token is None:
        raise ForbiddenError("Der Admin-Zugang ist nicht eingerichtet (SCP_SERVER__ADMIN_TOKEN).")
    expected = f"Bearer {token.get_secret_value()}"
    if not authorization or not secrets.compare_digest(authorization.encode(), expected.encode()):
        time.sleep(FAILED_SIGN_IN_DELAY_S)
        raise AuthError("Das Admin-Token ist falsch oder fehlt.")
    return actor_of(token.get_secret_value())


def _console(request: Request) -> Console:
    container = _container(request)
    container.refresh_if_stale()
    return container.console


Actor = Annotated[str, Depends(admin_actor)]
Desk = Annotated[Console, Depends(_console)]
RESPONSES = {**ERRORS, **ADMIN_ERRORS}
admin = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=RESPONSES)


def _accepted(job: Job) -> JSONResponse:
    return JSONResponse({"job_id": job.id, "status": job.status}, status_code=202)


@admin.get("/session", summary="Anmeldung prüfen")
def session(actor: Actor) -> dict[str, str]:
    return {"actor": actor}


@admin.get("/documents", summary="Alle Dokumente mit Herkunft und Hinweisen")
def documents(actor: Actor, desk: Desk) -> list[dict[str, Any]]:
    return desk.documents()


@admin.post(
    "/documents",
    status_code=202,
    summary="Dokument hochladen oder ersetzen (Markdown mit Front Matter, FAQ-YAML oder PDF mit Metadaten)",
)
def upload(
    actor: Actor,
    desk: Desk,
    file: Annotated[UploadFile, File(description="Markdown, FAQ-YAML oder PDF")],
    meta: Annotated[str | None, Form(description="Metadaten als YAML oder JSON (Pflicht bei PDF)")] = None,
) -> JSONResponse:
    content = file.file.read()
    return _accepted(desk.upload(file.filename or "", content, meta, actor))


@admin.delete("/documents/{doc_id}", status_code=202, summary="Dokument löschen (neu einlesen im Hintergrund)")
def delete(doc_id: str, actor: Actor, desk: Desk) -> JSONResponse:
    return _accepted(desk.delete(doc_id, actor))


@admin.post("/reindex-jobs", status_code=202, summary="Korpus neu einlesen (im Hintergrund, als Auftrag)")
def reindex_job(actor: Actor, desk: Desk) -> JSONResponse:
    return _accepted(desk.reindex(actor))


@admin.get("/jobs/{job_id}", summary="Stand eines Auftrags: queued, running, done oder failed, mit Bericht")
def job(job_id: str, actor: Actor, desk: Desk) -> dict[str, Any]:
    return job_dict(desk.records.job(job_id))


@admin.get(
    "/feedback/entries",
    response_model=FeedbackPageOut,
    summary="Rückmeldungen, neueste zuerst, filterbar, seitenweise: {total, entries}",
)
def feedback_entries(
    request: Request,
    actor: Actor,
    desk: Desk,
    rating: Annotated[Rating | None, Query()] = None,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ab diesem Tag")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Wörter in Frage oder Kommentar")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
    after: Annotated[str | None, Query(max_length=64, description="weiter nach dieser Rückmeldung (id)")] = None,
) -> dict[str, Any]:
    wanted = FeedbackFilter(rating, reason, since, q, limit, offset, after)
    return feedback_page(_container(request).feedback_store, desk.records.cases(), wanted)


@admin.get("/feedback/{feedback_id}/sources", summary="Zitierte und gefundene Dokumente zu einer Rückmeldung")
def feedback_sources(feedback_id: str, request: Request, actor: Actor) -> dict[str, Any]:
    container = _container(request)
    record = next((r for r in container.feedback_store.list() if r.id == feedback_id), None)
    if record is None:
        from scp_assistant.errors import NotFoundError

        raise NotFoundError(f"Keine Rückmeldung mit der id {feedback_id!r}")
    cited = list(dict.fromkeys(str(c.get("doc_id")) for c in record.citations if c.get("doc_id")))
    searched = searched_with(container.feedback_store, record) or record.question
    found = list(dict.fromkeys(s.chunk.doc_id for s in container.retriever.retrieve(searched)[:10]))
    titles = {d.meta.doc_id: d.meta.title for d in container.catalog.documents()}
    docs = [{"doc_id": d, "title": titles.get(d, d), "cited": d in cited} for d in dict.fromkeys(cited + found)]
    return {"question": record.question, "documents": docs}


@admin.post("/eval-cases", status_code=201, summary="Testfall anlegen (z. B. aus einer Rückmeldung)")
def add_case(body: EvalCaseIn, actor: Actor, desk: Desk) -> dict[str, Any]:
    return desk.add_case(body.model_dump(), actor)


@admin.get("/eval-cases", summary="Die gesammelten Testfälle, als JSON oder als Fragensatz-YAML")
def cases(actor: Actor, desk: Desk, format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json") -> Any:
    if format == "yaml":
        return PlainTextResponse(desk.cases_yaml(), media_type="text/yaml; charset=utf-8")
    return desk.records.cases()


@admin.delete("/eval-cases/{case_id}", status_code=204, summary="Testfall löschen")
def delete_case(case_id: str, actor: Actor, desk: Desk) -> Response:
    desk.delete_case(case_id, actor)
    return Response(status_code=204)


@admin.post("/eval-runs", status_code=202, summary="Einen Fragensatz durchlaufen lassen")
def start_eval(body: EvalRunIn, actor: Actor, desk: Desk) -> JSONResponse:
    return _accepted(desk.start_eval(body.set, actor))


@admin.get("/eval-runs", summary="Die letzten Eval-Läufe")
def eval_runs(actor: Actor, desk: Desk) -> list[dict[str, Any]]:
    return [job_dict(j) for j in desk.records.jobs("eval")]


@admin.get("/eval-runs/{job_id}/report", response_class=FileResponse, summary="Bericht eines Eval-Laufs (HTML)")
def eval_report(job_id: str, actor: Actor, desk: Desk) -> FileResponse:
    return FileResponse(desk.report_path(job_id), media_type="text/html; charset=utf-8")


@admin.post(
    "/explain", response_model=ExplainOut, summary="Warum eine Frage ihre Antwort bekommt: Suche, Einheiten, Ablehnung"
)
async def explain_answer(body: ExplainIn, request: Request, actor: Actor) -> dict[str, Any]:
    from scp_assistant.eval.explain import explain

    container = _container(request)
    container.refresh_if_stale()
    limiter = request.app.state.answer_limiter  # shares the answering threads with the chat
    work = partial(explain, container.answer_service, body.question, backend=container.settings.llm.backend)
    found = await anyio.to_thread.run_sync(work, limiter=limiter)
    return found.to_dict()


@admin.get("/audit", summary="Protokoll aller Admin-Aktionen")
def audit(actor: Actor, desk: Desk) -> list[dict[str, Any]]:
    return [e.__dict__ for e in desk.records.audit_entries()]
