"""Abuse limits at the edge: request body size (413) and a per-client rate limit (429 with Retry-After).

Clients are told apart by a salted hash of their address (no raw IPs kept or logged). Behind a reverse proxy,
run uvicorn with --proxy-headers so the address is the user's, not the proxy's.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LIMITED_PATHS = ("/api/v1/ask", "/api/v1/feedback", "/v1/chat/completions", "/mcp")


def _json(
    status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    # the shape of every other error: code, German message, and the type OpenAI clients expect
    error = {"code": code, "message": message, "type": "invalid_request_error"}
    body = json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":")).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *(headers or []),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodySizeLimit:
    """Requests larger than ``max_bytes`` get 413; uploads to the paths in ``uploads`` may be ``upload_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int = 0, uploads: tuple[str, ...] = ()) -> None:
        self.app, self.default, self.upload_bytes, self.uploads = app, max_bytes, upload_bytes, uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope.get("path") in self.uploads else self.default
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(send, limit)
            return
        if length is not None:  # declared and within the limit: the server reads at most that much
            await self.app(scope, receive, send)
            return
        # no declared length (chunked): read up to the limit here, then hand the body on
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > limit:
                await self._reject(send, limit)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        start, body = _json(413, "request_too_large", f"Die Anfrage ist zu groß (höchstens {limit} Bytes).")
        await send(start)
        await send(body)


class RateLimit:
    """Sliding window per client over the answer and feedback routes; 0 requests per minute turns it off."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app, self.limit = app, per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(16)  # per process: hashes can't be linked back to addresses later

    def _key(self, scope: Scope) -> str:
        client = scope.get("client") or ("unknown", 0)
        return hashlib.sha256(self._salt + str(client[0]).encode()).hexdigest()[:16]

    def _retry_after(self, key: str, now: float) -> int | None:
        with self._lock:
            window = self._hits.setdefault(key, deque())
            while window and now - window[0] >= 60:
                window.popleft()
            if len(window) >= self.limit:
                return max(1, int(60 - (now - window[0])) + 1)
            window.append(now)
            if len(self._hits) > 100_000:  # forget idle clients
                for k in [k for k, w in self._hits.items() if not w or now - w[-1] >= 60]:
                    del self._hits[k]
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.limit <= 0
            or scope["type"] != "http"
            or scope.get("method") != "POST"
            or not str(scope.get("path", "")).startswith(LIMITED_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        wait = self._retry_after(self._key(scope), time.monotonic())
        if wait is None:
            await self.app(scope, receive, send)
            return
        start, body = _json(
            429,
            "rate_limited",
            f"Zu viele Anfragen. Bitte in {wait} Sekunden erneut versuchen.",
            [(b"retry-after", str(wait).encode())],
        )
        await send(start)
        await send(body)
