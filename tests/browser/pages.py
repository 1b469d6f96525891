"""The chat page and the floating widget as the browser tests drive them: open, ask, see."""

from __future__ import annotations

from typing import Any

from helpers import Portal


def chat(browser: Any, server: str, width: int = 1100, height: int = 720) -> tuple[Any, Any]:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server + "/")
    return page, page.locator("#scp-assistant")


def ask(host: Any, question: str) -> Any:
    done = host.locator(".msg.bot[aria-busy=false]").count()
    host.locator("textarea").fill(question)
    host.locator("textarea").press("Enter")
    host.locator(".msg.bot[aria-busy=false]").nth(done).wait_for(timeout=30_000)
    return host.locator(".msg.bot").last


def opened_widget(page: Any, portal: Portal) -> Any:
    """The floating widget on a portal page, opened with its launcher."""
    page.goto(portal.origin + "/index.html")
    widget = page.locator("#scp-assistant-widget")
    widget.locator("button.launcher").click()
    return widget


def in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return bool(box) and box["y"] >= -1 and box["y"] < height - 40
