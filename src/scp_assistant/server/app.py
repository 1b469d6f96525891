"""HTTP API, web chat and widget: ``create_app(settings)`` builds the app; routes convert, services decide."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from mcp.server.transport_security import TransportSecuritySettings

from scp_assistant.container import Container
from scp_assistant.errors import ConfigError, ScpError
from scp_assistant.mcp_server import build_mcp
from scp_assistant.server import api_docs, errors, openai_compat
from scp_assistant.server.admin_routes import admin
from scp_assistant.server.embed_page import embed_page
from scp_assistant.server.limits import BodySizeLimit, RateLimit
from scp_assistant.server.routes import api
from scp_assistant.settings import KNOWN_DEFAULT_TOKENS, Settings

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


# the console's scripts, served together as /admin.js in this order: shared helpers first (window.SCPConsole), each
# view's part, and sign-in and navigation last, which use them all
ADMIN_SCRIPTS = (
    "admin-core.js", "admin-documents.js", "admin-explain.js", "admin-feedback.js", "admin-eval.js", "admin.js",
)  # fmt: skip


def _static(name: str) -> bytes:
    return resources.files("scp_assistant.server").joinpath("static", name).read_bytes()


def check_admin_token(settings: Settings) -> None:
    token = settings.server.admin_token
    if token is None:
        return
    value = token.get_secret_value()
    if len(value) < 24 or value.lower() in KNOWN_DEFAULT_TOKENS:
        raise ConfigError(
            "SCP_SERVER__ADMIN_TOKEN ist zu schwach: mindestens 24 zufällige Zeichen, kein Standardwert "
            "(z. B. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )


_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def with_loopback_aliases(origins: list[str]) -> set[str]:
    """The allowed origins, where one names this machine (localhost, 127.0.0.1, [::1]) with all three names: a
    page opened as http://127.0.0.1:8080 is the same page as http://localhost:8080 (api/widget-example.html)."""
    out = set()
    for origin in origins:
        out.add(origin)
        match = re.fullmatch(r"(https?://)(localhost|127\.0\.0\.1|\[::1\])(:\d+)?", origin)
        if match:
            out.update(f"{match.group(1)}{host}{match.group(3) or ''}" for host in _LOOPBACK)
    return out


def _has_key(request: Request, keys: set[str]) -> bool:
    given = request.headers.get("authorization", "")
    return given.startswith("Bearer ") and given[7:].strip() in keys


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    check_admin_token(settings)
    container = container or Container(settings)
    allowed = with_loopback_aliases(settings.server.allowed_origins)

    # questions answered at once per worker, on every path (server/routes.py, openai_compat.py, /mcp): fewer at
    # once finish sooner on two cores
    limiter = anyio.CapacityLimiter(settings.server.answer_threads)
    mcp = build_mcp(container, limiter)
    mcp_http = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,  # any worker can take any call: no session affinity at the proxy
        json_response=True,
        # origins and keys are checked by this app's own middleware (origin guard, API keys), as for /api and /v1
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:  # warm up, so the first user does not wait for the model and BM25
            await asyncio.to_thread(container.warm)
        except ScpError as exc:
            log.warning("not ready yet: %s", exc)
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="SCP Assistant",
        version="0.1.0",
        description="Fragen zum Startchancen-Programm, beantwortet aus den Programmunterlagen mit Quellen.",
        lifespan=lifespan,
        docs_url=None,  # served offline by api_docs (FastAPI's own loads Swagger UI from a CDN)
        redoc_url=None,
    )
    app.state.container = container
    app.state.answer_limiter = limiter
    errors.install(app)
    api_docs.install(app)

    app.add_middleware(RateLimit, per_minute=settings.server.rate_limit_per_minute)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.server.max_request_bytes,
        upload_bytes=int(settings.ingest.max_file_mb * 1_048_576) + 65_536,  # the file plus its form fields
        uploads=("/api/v1/admin/documents",),
    )
    # CORS first, the guard after it: the guard wraps CORS, so a foreign origin gets 403 even on preflight.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted(allowed),
        allow_methods=["GET", "POST", "DELETE"],  # DELETE: the widget's "Neue Unterhaltung" forgets its session
        allow_headers=["Content-Type"],
        max_age=600,
    )

    keys = set(settings.server.api_keys)

    @app.middleware("http")
    async def origin_guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        origin = request.headers.get("origin")
        own = str(request.base_url).rstrip("/")
        if origin and origin.rstrip("/") != own and origin.rstrip("/") not in allowed:
            # the refusal is readable by that page (it gets nothing else): the widget can say "nicht freigeschaltet"
            # instead of blaming the user's internet connection. A preflight stays unreadable and fails, so the
            # browser never sends that page's question
            readable = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if request.method != "OPTIONS" else {}
            return JSONResponse(
                {
                    "error": {
                        "code": "origin_not_allowed",
                        "message": "Diese Seite darf die API nicht nutzen.",
                        "type": "invalid_request_error",
                    }
                },
                status_code=403,
                headers=readable,
            )
        if keys and request.url.path.startswith("/mcp") and not _has_key(request, keys):
            return JSONResponse(
                {
                    "error": {
                        "code": "invalid_api_key",
                        "message": "Ungültiger oder fehlender API-Schlüssel.",
                        "type": "invalid_request_error",
                    }
                },
                status_code=401,
            )
        if request.url.path == "/mcp" and request.method in ("GET", "HEAD"):
            # stateless: no stream of server messages to offer, and an open GET would wait for ever (API probe)
            return JSONResponse(
                {"error": {"code": "method_not_allowed", "message": "/mcp nimmt nur POST an (JSON-RPC).",
                           "type": "invalid_request_error"}},
                status_code=405,
                headers={"Allow": "POST"},
            )  # fmt: skip
        if request.method == "HEAD":
            # a monitor's or link checker's HEAD: the GET's status and headers, without its body
            request.scope["method"] = "GET"  # the routes see a GET (call_next passes this very scope on)
            try:
                got = await call_next(request)
                body = getattr(got, "body_iterator", None)
                if body is not None:  # read and dropped, so the GET's work ends as it would for the GET itself
                    async for _ in body:
                        pass
            finally:
                request.scope["method"] = "HEAD"  # the server sends no body for it
            response = Response(status_code=got.status_code)
            response.raw_headers = list(got.raw_headers)  # all of them, a repeated one too
        else:
            response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @app.get("/healthz", include_in_schema=True, summary="Prozess läuft")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Index geladen und abfragbar")
    def readyz() -> JSONResponse:
        try:
            container.chat_service  # noqa: B018 - builds retriever and BM25, raises when there is no index
            count = container.store.count()
        except ScpError as exc:
            return JSONResponse({"status": "not_ready", "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "chunks": count})

    index_html = _static("index.html")
    widget = _static("widget.js")
    widget_etag = '"' + hashlib.sha256(widget).hexdigest()[:16] + '"'

    @app.get("/", include_in_schema=False)
    def chat_page() -> HTMLResponse:
        return HTMLResponse(index_html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})

    embed_template = _static("embed.html").decode()

    @app.get("/einbinden", include_in_schema=False)
    def embed(request: Request) -> HTMLResponse:
        page = embed_page(
            embed_template, str(request.base_url), settings.server.allowed_origins, settings.answer.max_question_chars
        )
        # no-store: the page names the address it was asked under, which a shared cache must not hand on
        return HTMLResponse(page, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})

    embed_js = _static("embed.js")

    @app.get("/einbinden.js", include_in_schema=False)
    def embed_script() -> Response:
        js = "application/javascript; charset=utf-8"
        return Response(embed_js, media_type=js, headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)  # HEAD: portals check the URL
    def widget_js(request: Request) -> Response:
        headers = {
            "Cache-Control": "public, max-age=3600, stale-while-revalidate=86400",
            "ETag": widget_etag,
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if request.headers.get("if-none-match") == widget_etag:
            return Response(status_code=304, headers=headers)
        return Response(widget, media_type="application/javascript; charset=utf-8", headers=headers)

    admin_html = _static("admin.html")
    admin_js = b"\n".join(_static(name) for name in ADMIN_SCRIPTS)

    @app.get("/admin", include_in_schema=False)
    def admin_page() -> HTMLResponse:
        headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "X-Frame-Options": "DENY"}
        return HTMLResponse(admin_html, headers=headers)

    @app.get("/admin.js", include_in_schema=False)
    def admin_script() -> Response:
        headers = {"Cache-Control": "no-cache"}
        return Response(admin_js, media_type="application/javascript; charset=utf-8", headers=headers)

    app.include_router(api)
    app.include_router(admin)
    openai_compat.install(app)
    app.router.routes.extend(mcp_http.routes)  # POST/GET /mcp, streamable HTTP
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and multi-worker serving: settings from the SCP_* environment."""
    from scp_assistant.settings import load_settings

    return create_app(load_settings())
