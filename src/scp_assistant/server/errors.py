"""The one place where our errors become HTTP responses (never a stack trace in a response)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from scp_assistant.errors import (
    AuthError,
    BackendUnavailableError,
    ConfigError,
    DocumentError,
    ForbiddenError,
    IndexEmptyError,
    IndexMismatchError,
    InputError,
    NotFoundError,
    ScpError,
)

log = logging.getLogger(__name__)

STATUS: list[tuple[type[ScpError], int, str]] = [
    (InputError, 422, "invalid_input"),
    (DocumentError, 422, "invalid_document"),
    (NotFoundError, 404, "not_found"),
    (AuthError, 401, "unauthorized"),
    (ForbiddenError, 403, "forbidden"),
    (IndexEmptyError, 503, "index_missing"),
    (IndexMismatchError, 503, "index_mismatch"),
    (BackendUnavailableError, 503, "backend_unavailable"),
    (ConfigError, 500, "configuration"),
]


_FRAMEWORK = {
    404: ("not_found", "Diese Adresse gibt es nicht. Die API ist unter /api/v1/ beschrieben (/docs)."),
    405: ("method_not_allowed", "Diese Methode ist für diese Adresse nicht erlaubt."),
}


# what pydantic says of a field, in German (the rest of the API speaks German; its English stays the fallback)
_FIELD_ERRORS = {
    "missing": "Pflichtfeld fehlt.",
    "extra_forbidden": "Unbekanntes Feld.",
    "string_too_short": "Zu kurz.",
    "string_too_long": "Zu lang.",
    "string_type": "Text erwartet.",
    "string_pattern_mismatch": "Ungültiger Inhalt.",
    "json_invalid": "Kein gültiges JSON.",
    "int_type": "Ganze Zahl erwartet.",
    "int_parsing": "Ganze Zahl erwartet.",
    "float_type": "Zahl erwartet.",
    "float_parsing": "Zahl erwartet.",
    "bool_type": "true oder false erwartet.",
    "bool_parsing": "true oder false erwartet.",
    "list_type": "Liste erwartet.",
    "dict_type": "Objekt erwartet.",
    "model_attributes_type": "Objekt erwartet.",
    "model_type": "Objekt erwartet.",
    "too_long": "Zu viele Einträge.",
    "too_short": "Zu wenige Einträge.",
    "greater_than_equal": "Zu klein.",
    "less_than_equal": "Zu groß.",
    "greater_than": "Zu klein.",
    "less_than": "Zu groß.",
}


def _detail(error: Any) -> dict[str, str]:
    """One field's error: where (a JSON error's place is a character offset, no field) and what, in German."""
    kind = str(error.get("type", ""))
    field = "body" if kind == "json_invalid" else ".".join(str(p) for p in error.get("loc", ())[1:])
    message = _FIELD_ERRORS.get(kind, str(error.get("msg", "")))
    if kind == "literal_error":
        message = f"Erlaubt: {error.get('ctx', {}).get('expected', '')}."
    return {"field": field, "message": message}


def install(app: FastAPI) -> None:
    @app.exception_handler(ScpError)
    async def _scp(_: Request, exc: ScpError) -> JSONResponse:
        status, code = next(((s, c) for kind, s, c in STATUS if isinstance(exc, kind)), (500, "error"))
        if status >= 500:
            log.error("request failed: %s", exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        kind = "server_error" if status >= 500 else "invalid_request_error"  # as OpenAI clients expect it
        error = {"code": code, "message": str(exc), "type": kind}
        return JSONResponse({"error": error}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_detail(e) for e in exc.errors()]
        message = "Ungültige Anfrage."
        if any(d["field"] == "question" for d in details):
            message = "Die Frage ist leer oder ungültig. Bitte geben Sie eine Frage zum Startchancen-Programm ein."
        return JSONResponse(
            {
                "error": {
                    "code": "invalid_request",
                    "message": message,
                    "type": "invalid_request_error",
                    "details": details,
                }
            },
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        # what the framework itself answers (an unknown path, a wrong method) in the same shape as our errors
        code, message = _FRAMEWORK.get(exc.status_code, ("http_error", "Die Anfrage konnte nicht bearbeitet werden."))
        kind = "server_error" if exc.status_code >= 500 else "invalid_request_error"
        return JSONResponse(
            {"error": {"code": code, "message": message, "type": kind}},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(
            {
                "error": {
                    "code": "internal",
                    "message": "Interner Fehler. Bitte später erneut versuchen.",
                    "type": "server_error",
                }
            },
            status_code=500,
        )
