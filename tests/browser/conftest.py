"""Headless Chromium from Debian, driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import free_port, running
from scp_assistant.container import Container
from scp_assistant.server.app import create_app
from scp_assistant.settings import ServerSettings

CHROMIUM = os.environ.get("SCP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("SCP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium fehlt unter {CHROMIUM}; scripts/test.sh installiert es mit apt")
        pytest.skip("Chromium nicht installiert (scripts/test.sh installiert es)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def portal_ports() -> tuple[int, int, int]:
    """Ports of pages on other origins: an allowed portal, a foreign one, and the shipped widget example."""
    return free_port(), free_port(), free_port()


@pytest.fixture(scope="session")
def server(real_container: Container, portal_ports: tuple[int, int, int]) -> Iterator[str]:
    # the example page is allowed as http://localhost:PORT; the server takes 127.0.0.1 as the same machine
    allowed = [f"http://127.0.0.1:{portal_ports[0]}", f"http://localhost:{portal_ports[2]}"]
    settings = real_container.settings.model_copy(update={"server": ServerSettings(allowed_origins=allowed)})
    real_container.settings = settings
    with running(create_app(settings, real_container)) as base:
        yield base
