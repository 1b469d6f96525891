"""The conversation kept in the browser tab, in Debian's Chromium: a portal visitor who asks the widget a question
and moves on to another page of the portal finds the conversation there, and a follow-up still reads it; a reload
of the web chat shows it again; a server that has forgotten the session says so; "Neue Unterhaltung" and
data-remember="off" keep nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Portal
from pages import ask, chat, opened_widget

pytestmark = [pytest.mark.browser, pytest.mark.integration]
QUESTION = "Welche Berufsgruppen können über Säule III finanziert werden?"
FOLLOW = "Und wer stellt die dann ein?"
KEPT = "Object.keys(sessionStorage).filter(k => k.startsWith('scp-assistant:'))"


def _shown(host: Any) -> list[str]:
    """What the chat shows: each question and each answer's text, in order."""
    texts = host.locator(".msg.user .said, .msg.bot .body").all_inner_texts()
    return [" ".join(t.split()) for t in texts]


def test_the_conversation_follows_the_visitor_to_another_page_of_the_portal(
    browser: Any, server: str, artifacts: Path, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    portal = Portal(server, tmp_path / "portal", portal_ports[0])
    html = (tmp_path / "portal" / "index.html").read_text(encoding="utf-8")
    (tmp_path / "portal" / "other.html").write_text(html.replace("Inhalt des Portals", "Eine andere Seite"), "utf-8")
    try:
        page = browser.new_page()
        widget = opened_widget(page, portal)
        answer = ask(widget, QUESTION)
        assert "Sozialarbeit" in answer.inner_text()
        before = _shown(widget)
        sources = widget.locator(".msg.bot").last.locator(".srcs li").count()
        assert len(before) == 2 and sources >= 1
        answer.get_by_role("button", name="Hilfreich", exact=True).click()
        answer.locator(".fb-thanks").wait_for()

        page.goto(portal.origin + "/other.html")  # the visitor reads on
        widget = page.locator("#scp-assistant-widget")
        widget.locator(".msg.user").first.wait_for()
        # the panel is open as it was left, with the same question, answer, sources and rating
        assert widget.locator("section.panel").is_visible()
        assert widget.locator("button.launcher").get_attribute("aria-expanded") == "true"
        assert _shown(widget) == before
        assert widget.locator(".msg.bot").last.locator(".srcs li").count() == sources
        # rated on the page before: thanked, not offered again
        assert widget.locator(".msg.bot").last.locator(".fb-thanks").count() == 1
        assert widget.locator(".msg.bot").last.get_by_role("button", name="Hilfreich", exact=True).count() == 0
        assert widget.get_by_role("button", name="Neue Unterhaltung").is_visible()
        # opening a page does not take the keyboard from it
        assert page.evaluate("document.activeElement === document.body")
        page.screenshot(path=str(artifacts / "widget-conversation-on-the-next-page.png"))

        follow = ask(widget, FOLLOW)  # read with the question before: the session came along with the view
        assert "Säule III" in follow.locator(".searched").inner_text()
        assert follow.locator(".expired").count() == 0 and "refusal" not in (follow.get_attribute("class") or "")

        widget.get_by_role("button", name="Neue Unterhaltung").click()
        page.goto(portal.origin + "/index.html")
        widget = page.locator("#scp-assistant-widget")
        widget.locator("text=Beispielfragen").wait_for()
        assert widget.locator(".msg.user").count() == 0
        first = ask(widget, FOLLOW)  # a new conversation: nothing from before steers it
        assert first.locator(".searched").count() == 0
        assert page.evaluate("Object.keys(localStorage).length") == 0  # the tab only: nothing outlives it
        page.close()
    finally:
        portal.close()


def test_a_reload_shows_the_conversation_and_a_forgotten_session_is_said(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, host = chat(browser, server)
    ask(host, QUESTION)
    before = _shown(host)
    page.reload()
    host.locator(".msg.user").first.wait_for()
    assert _shown(host) == before and host.locator("text=Beispielfragen").count() == 0

    # the server forgot the session (idle past its time): the chat says so with the answer, never silently
    key = page.evaluate(KEPT)[0]
    kept = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))
    kept["session"] = "0" * 32
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(kept)])
    page.reload()
    host.locator(".msg.user").first.wait_for()
    answer = ask(host, FOLLOW)
    note = answer.locator(".expired")
    assert note.inner_text() == "Das frühere Gespräch war abgelaufen: Diese Frage wurde für sich gelesen."
    assert host.locator(".expired").count() == 1
    assert "abgelaufen" in host.locator("[role=status]").text_content()  # announced with the answer
    page.screenshot(path=str(artifacts / "chat-forgotten-session-said.png"))
    again = ask(host, QUESTION)  # from here on the conversation is the server's again
    assert again.locator(".expired").count() == 0
    page.close()


def test_a_portal_that_turns_keeping_off_keeps_nothing(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    html = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Portal</title>'
        '<link rel="icon" href="data:,"></head><body><h1>Portal</h1>'
        f'<script src="{server}/widget.js" data-remember="off" defer></script></body></html>'
    )
    portal = Portal(server, tmp_path / "strict", portal_ports[0], html=html)
    try:
        page = browser.new_page()
        widget = opened_widget(page, portal)
        ask(widget, QUESTION)
        assert page.evaluate(KEPT) == []
        page.reload()
        widget = page.locator("#scp-assistant-widget")
        widget.locator("button.launcher").wait_for()
        assert widget.locator(".msg.user").count() == 0 and not widget.locator("section.panel").is_visible()
        page.close()
    finally:
        portal.close()
