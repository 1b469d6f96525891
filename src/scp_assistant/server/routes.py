"""Thin routes: convert HTTP to service calls and back; the services decide."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse

from scp_assistant.answer.guard import clean_question
from scp_assistant.container import Container
from scp_assistant.conversation.chat import ChatService
from scp_assistant.errors import ScpError
from scp_assistant.index.catalog import Catalog, DocumentInfo
from scp_assistant.retrieve.hybrid import Filters
from scp_assistant.server.admin_routes import admin_actor
from scp_assistant.server.schemas import (
    ADMIN_ERRORS,
    ERRORS,
    AnswerOut,
    AskRequest,
    DocumentDetailOut,
    DocumentOut,
    FeedbackIn,
    FeedbackOut,
    ReindexOut,
)

log = logging.getLogger(__name__)


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _chat(request: Request) -> ChatService:
    container = _container(request)
    container.refresh_if_stale()
    return container.chat_service


def _catalog(request: Request) -> Catalog:
    container = _container(request)
    container.refresh_if_stale()  # another worker may have changed the index
    return container.catalog


def _admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    admin_actor(request, authorization)


Chat = Annotated[ChatService, Depends(_chat)]
Docs = Annotated[Catalog, Depends(_catalog)]
Admin = Depends(_admin)

api = APIRouter(prefix="/api/v1")


def _answer_limiter(request: Request) -> anyio.CapacityLimiter:
    """How many questions this worker answers at once (``server.answer_threads``, made by ``create_app``)."""
    limiter: anyio.CapacityLimiter = request.app.state.answer_limiter
    return limiter


@api.post("/ask", response_model=AnswerOut, responses=ERRORS, summary="Frage beantworten")
async def ask(body: AskRequest, request: Request, chat: Chat) -> dict[str, Any]:
    work = partial(
        chat.ask, body.question, body.session_id, Filters(body.doc_type, body.region), body.previous_question
    )
    answer = await anyio.to_thread.run_sync(work, limiter=_answer_limiter(request))
    return answer.to_dict()


@api.post(
    "/ask/stream",
    responses={
        **ERRORS,
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-Sent Events: meta, delta…, citations, done (oder error)",
        },
    },
    summary="Frage beantworten, als Server-Sent Events",
)
def ask_stream(body: AskRequest, request: Request, chat: Chat) -> StreamingResponse:
    clean_question(body.question, _container(request).settings.answer.max_question_chars)  # 422 before streaming
    _container(request).retriever.allowed(Filters(body.doc_type, body.region))  # ... also for a filter of no match

    limiter = _answer_limiter(request)
    keep_alive = _container(request).settings.server.stream_keep_alive_s

    async def events() -> AsyncIterator[str]:
        # each step of the answer runs in a worker thread, as many at once as the limiter allows (the first step
        # does the work, the rest hand out pieces of the text); while a step takes long (waiting for its turn under
        # load, preparing the answer), a comment line says the connection is alive (SSE clients ignore it)
        steps = iter(
            chat.stream(body.question, body.session_id, Filters(body.doc_type, body.region), body.previous_question)
        )
        try:
            while True:
                task = asyncio.ensure_future(anyio.to_thread.run_sync(next, steps, None, limiter=limiter))
                task.add_done_callback(_retrieved)
                while not (await asyncio.wait({task}, timeout=keep_alive))[0]:
                    yield ": noch in Arbeit\n\n"
                if (step := task.result()) is None:
                    break
                yield _sse(*step)
        except ScpError as exc:
            yield _sse("error", {"code": type(exc).__name__, "message": str(exc)})
        except Exception:  # never a broken stream
            log.exception("stream failed")
            yield _sse("error", {"code": "internal", "message": "Interner Fehler. Bitte erneut versuchen."})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Read every step's outcome: a step whose client left meanwhile is never awaited, and its error would
    otherwise be reported as never retrieved."""
    if not task.cancelled() and task.exception() is not None and not isinstance(task.exception(), ScpError):
        log.debug("stream step ended after its client left", exc_info=task.exception())


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _doc_out(doc: DocumentInfo) -> dict[str, Any]:
    meta = {k: v for k, v in doc.meta.__dict__.items() if k != "path"}
    file_url = f"/api/v1/documents/{doc.meta.doc_id}/file" if doc.has_file else None
    return {**meta, "chunks": doc.chunks, "has_file": doc.has_file, "file_url": file_url}


@api.get("/documents", response_model=list[DocumentOut], responses=ERRORS, summary="Alle Dokumente im Index")
def documents(catalog: Docs) -> list[dict[str, Any]]:
    return [_doc_out(d) for d in catalog.documents()]


@api.get("/documents/{doc_id}", response_model=DocumentDetailOut, responses=ERRORS, summary="Ein Dokument")
def document(doc_id: str, catalog: Docs) -> dict[str, Any]:
    doc = catalog.document(doc_id)
    return {**_doc_out(doc), "sections": [s.__dict__ for s in doc.sections]}


@api.get(
    "/documents/{doc_id}/file",
    responses=ERRORS,
    response_class=FileResponse,
    summary="Originaldatei (PDF-Seiten mit #page=N verlinkbar)",
)
def document_file(doc_id: str, catalog: Docs) -> FileResponse:
    path = catalog.file(doc_id)
    media = {
        ".pdf": "application/pdf",
        ".md": "text/markdown; charset=utf-8",
        ".yaml": "text/yaml; charset=utf-8",
        ".yml": "text/yaml; charset=utf-8",
    }.get(path.suffix.lower())
    return FileResponse(
        path,
        media_type=media or "application/octet-stream",
        headers={"Content-Disposition": f'inline; filename="{path.name}"'},
    )


@api.delete(
    "/sessions/{session_id}",
    status_code=204,
    response_class=Response,
    responses={code: ERRORS[code] for code in (422, 503)},  # 503: the session database unreachable
    summary="Gespräch vergessen",
    description="Löscht die Sitzung sofort (der Chat ruft es mit „Neue Unterhaltung“ auf), nicht erst nach "
    "SCP_SERVER__SESSION_TTL_S Sekunden ohne Frage; eine unbekannte oder abgelaufene Sitzung ist kein Fehler.",
)
def forget_session(session_id: Annotated[str, Path(max_length=64)], chat: Chat) -> Response:
    chat.forget(session_id)
    return Response(status_code=204)


@api.post("/feedback", response_model=FeedbackOut, responses=ERRORS, summary="Rückmeldung zu einer Antwort")
def feedback(body: FeedbackIn, chat: Chat) -> dict[str, str]:
    return {"id": chat.feedback(body.answer_id, body.rating, body.reason, body.comment)}


@api.post(
    "/admin/reindex",
    response_model=ReindexOut,
    responses={**ERRORS, **ADMIN_ERRORS},
    dependencies=[Admin],
    summary="Korpus neu einlesen (inkrementell)",
)
def reindex(request: Request) -> dict[str, Any]:
    container = _container(request)
    with container.console.corpus_lock:  # not while a console job changes the corpus, in this worker or another
        report = container.ingest_pipeline().run(container.settings.corpus_dir)
    container.reset_retrieval()
    container.refresh_if_stale(every_s=0)  # remember the new version
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "failures": [{"path": f.path, "message": f.message} for f in report.failures],
        "duration_s": round(report.duration_s, 2),
    }


@api.get(
    "/admin/feedback",
    responses={**ERRORS, **ADMIN_ERRORS},
    dependencies=[Admin],
    response_class=PlainTextResponse,
    summary="Rückmeldungen als JSON oder als Kandidaten-Fragensatz",
)
def admin_feedback(
    request: Request, format: Annotated[str, Query(pattern="^(json|eval-yaml)$")] = "json"
) -> PlainTextResponse:
    from scp_assistant.feedback.store import to_eval_yaml, to_json

    records = _container(request).feedback_store.list()
    if format == "eval-yaml":
        return PlainTextResponse(to_eval_yaml(records), media_type="text/yaml; charset=utf-8")
    return PlainTextResponse(to_json(records), media_type="application/json")
