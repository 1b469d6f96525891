"""The interactive API documentation at ``/docs``, served offline.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN: without internet they are blank pages.
Here Swagger UI comes from the ``swagger-ui-py`` wheel (Swagger UI 5, which reads OpenAPI 3.1), served by this
app; ``/redoc`` leads there too.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response

ASSETS = {  # served name -> media type; nothing else of the package is reachable
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
PREFIX = "/docs/assets/"


@cache
def _asset(name: str) -> bytes:
    return (resources.files("swagger_ui") / "static" / name).read_bytes()


def install(app: FastAPI) -> None:
    """``/docs`` (Swagger UI on this app's ``/openapi.json``), its three assets, and ``/redoc`` as a way there.
    The app must be built with ``docs_url=None, redoc_url=None``."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=PREFIX + "swagger-ui-bundle.js",
            swagger_css_url=PREFIX + "swagger-ui.css",
            swagger_favicon_url=PREFIX + "favicon-32x32.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=308)

    @app.get(PREFIX + "{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            return Response(status_code=404)
        return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
