"""HTTP API: ``create_app(settings)`` builds the app; routes convert, services decide."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from scp_assistant.answer.service import AnswerService
from scp_assistant.container import Container
from scp_assistant.errors import ScpError
from scp_assistant.retrieve.hybrid import Filters
from scp_assistant.server import errors
from scp_assistant.settings import Settings

log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="Die Frage (höchstens SCP_ANSWER__MAX_QUESTION_CHARS Zeichen).")
    doc_type: str | None = Field(None, description="Nur Dokumente dieses Typs.")
    region: str | None = Field(None, description="Nur Dokumente dieser Region.")


def _service(request: Request) -> AnswerService:
    container: Container = request.app.state.container
    return container.answer_service


Service = Annotated[AnswerService, Depends(_service)]


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    container = container or Container(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:  # warm up, so the first user does not wait for the model and BM25
            await asyncio.to_thread(lambda: container.answer_service)
        except ScpError as exc:
            log.warning("not ready yet: %s", exc)
        yield

    app = FastAPI(title="SCP Assistant", version="0.1.0", lifespan=lifespan)
    app.state.container = container
    errors.install(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            container.answer_service  # noqa: B018 - builds retriever and BM25, raises when there is no index
            count = container.store.count()
        except ScpError as exc:
            return JSONResponse({"status": "not_ready", "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "chunks": count})

    @app.post("/api/v1/ask")
    def ask(body: AskRequest, service: Service) -> dict[str, Any]:
        answer = service.ask(body.question, Filters(doc_type=body.doc_type, region=body.region))
        return answer.to_dict()

    return app
