"""The server says it is up only once its port takes connections (``server/announce.py``)."""

from __future__ import annotations

import socket
import threading
from typing import Any

from scp_assistant.server.announce import announcing_server


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:  # a minimal ASGI app with a lifespan
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(server: Any, failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            server.run()
        except SystemExit as exc:  # uvicorn exits when it cannot bind
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_announcement_comes_when_the_port_already_accepts_connections() -> None:
    port = _free_port()
    seen: list[bool] = []
    announced = threading.Event()

    def announce() -> None:
        with socket.socket() as probe:
            probe.settimeout(2)
            seen.append(probe.connect_ex(("127.0.0.1", port)) == 0)
        announced.set()

    server = announcing_server(_app, "127.0.0.1", port, announce, log_level="warning")
    thread = _serve(server, [])
    try:
        assert announced.wait(20), "never announced"
    finally:
        server.should_exit = True
        thread.join(20)
    assert seen == [True]


def test_no_announcement_when_the_port_is_taken() -> None:
    announced: list[str] = []
    failures: list[BaseException] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = announcing_server(_app, "127.0.0.1", port, lambda: announced.append("up"), log_level="critical")
        _serve(server, failures).join(20)
    assert announced == [] and len(failures) == 1
