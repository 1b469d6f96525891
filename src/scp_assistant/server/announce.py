"""Run the web server and say it is up only once its port takes connections.

uvicorn runs the app's start-up first and binds the port afterwards; a line printed before ``uvicorn.run`` reaches
a user (or a script waiting for it) about a second before the chat answers, and a page opened on that line fails.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any


def announcing_server(app: Any, host: str, port: int, announce: Callable[[], None], **options: Any) -> Any:
    """A uvicorn server for ``app`` on host:port that calls ``announce`` once its socket listens; not when start-up
    failed (the port taken, the app's start-up raised). ``.run()`` serves (blocking)."""
    import uvicorn

    class _AnnouncingServer(uvicorn.Server):  # type: ignore[misc]  # uvicorn is untyped for mypy here
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                announce()

    return _AnnouncingServer(uvicorn.Config(app, host=host, port=port, **options))
