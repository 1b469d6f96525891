"""The widget as a portal operator embeds it, in Debian's Chromium: the documented snippet copied as it stands,
its options, the page's skip link, and a server that stops answering or answers slowly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from helpers import Portal
from pages import ask, opened_widget

pytestmark = [pytest.mark.browser, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[2]
QUESTION = "Wer genehmigt Anträge aus dem Chancenbudget?"
SECOND = "Welche Berufsgruppen können über Säule III finanziert werden?"


def _page(tags: str) -> str:
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Portal</title>'
        f'<link rel="icon" href="data:,"></head><body><h1>Portal eines Schulträgers</h1>{tags}</body></html>'
    )


def _documented_snippet() -> str:
    """The script tag of api/README.md's "Widget einbinden", as an operator copies it."""
    text = (REPO / "api" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Widget einbinden", 1)[1]
    return re.search(r"```html\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _background(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).backgroundColor"))


def test_the_documented_snippet_works_when_copied_with_other_values(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """Comments inside the documented tag ended it early: colour, language and open state were lost unseen."""
    snippet = (
        _documented_snippet()
        .replace("https://ASSISTENT.example.de", server)
        .replace('data-position="right"', 'data-position="left"')
        .replace('data-open="false"', 'data-open="true"')
        .replace('data-lang="de"', 'data-lang="en"')
        .replace('data-accent="#005a9c"', 'data-accent="#8a1c23"')
    )
    assert snippet.count('data-open="true"') == 1 and "<!--" not in snippet
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=_page(snippet))
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(portal.origin + "/index.html")
        widget = page.locator("#scp-assistant-widget")
        send = widget.get_by_role("button", name="Ask", exact=True)
        send.wait_for(timeout=10_000)  # open on load, in English
        assert _background(widget.locator("header")) == "rgb(138, 28, 35)"
        box = widget.locator(".panel").bounding_box()
        assert box is not None and box["x"] < 600  # bottom left
        page.close()
    finally:
        portal.close()


def test_an_invalid_accent_colour_keeps_the_default(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """ "#12345" is no colour: the launcher kept no background, its white text vanished on a white page."""
    tag = f'<script src="{server}/widget.js" data-accent="#12345" defer></script>'
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=_page(tag))
    try:
        page = browser.new_page()
        page.goto(portal.origin + "/index.html")
        launcher = page.locator("#scp-assistant-widget button.launcher")
        launcher.wait_for(timeout=10_000)
        assert _background(launcher) == "rgb(0, 90, 156)"
        page.close()
    finally:
        portal.close()


def test_the_skip_link_opens_the_floating_widget_at_its_question_field(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    tags = f'<a href="#scp-assistant">Zum Chat springen</a><script src="{server}/widget.js" defer></script>'
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=_page(tags))
    try:
        page = browser.new_page()
        page.goto(portal.origin + "/index.html")
        page.locator("#scp-assistant-widget button.launcher").wait_for(timeout=10_000)
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "Zum Chat springen"
        page.keyboard.press("Enter")
        page.locator("#scp-assistant-widget textarea").wait_for(state="visible", timeout=5_000)
        script = "() => document.querySelector('#scp-assistant-widget').shadowRoot.activeElement?.tagName"
        focused = page.evaluate(script)
        assert focused == "TEXTAREA"
        page.close()
    finally:
        portal.close()


def test_a_page_opened_at_the_chat_address_starts_in_the_question_field(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """A link from another page or a bookmark to "…#scp-assistant" opened the portal with the widget closed."""
    portal = Portal(
        server, tmp_path / "portal", portal_ports[0], html=_page(f'<script src="{server}/widget.js" defer></script>')
    )
    script = "() => document.querySelector('#scp-assistant-widget').shadowRoot.activeElement?.tagName"
    try:
        page = browser.new_page()
        page.goto(portal.origin + "/index.html#scp-assistant")
        page.locator("#scp-assistant-widget textarea").wait_for(state="visible", timeout=10_000)
        assert page.evaluate(script) == "TEXTAREA"
        page.goto(portal.origin + "/index.html")  # without the address: closed, as before
        page.locator("#scp-assistant-widget button.launcher").wait_for(timeout=10_000)
        assert not page.locator("#scp-assistant-widget textarea").is_visible()
        page.evaluate("() => { location.hash = 'scp-assistant'; }")  # sent there later on the same page
        page.locator("#scp-assistant-widget textarea").wait_for(state="visible", timeout=5_000)
        page.close()
    finally:
        portal.close()


def test_a_portal_with_a_strict_content_security_policy_and_its_own_styles_shows_the_widget_as_designed(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """A policy that allows the script but no inline styles left the widget unstyled (hidden screen-reader texts on
    the page); a portal's root font size shrank the widget's text to 8 px, its "* { font-family … !important }"
    made it serif (walk-through, round 33)."""
    policy = f"default-src 'self'; script-src 'self' {server}; connect-src {server}"
    html = (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        f'content="{policy}"><title>Portal</title><link rel="stylesheet" href="portal.css"></head><body><h1>Portal</h1>'
        f'<script src="{server}/widget.js" data-accent="#8a1c23" defer></script></body></html>'
    )
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=html)
    (tmp_path / "portal" / "portal.css").write_text(
        "html { font-size: 62.5%; } * { font-family: Georgia, serif !important; }", encoding="utf-8"
    )
    try:
        page = browser.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("console", lambda m: blocked.append(m.text) if "Content-Security-Policy" in m.text else None)
        page.goto(portal.origin + "/index.html")
        assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("Georgia")  # the portal's
        widget = page.locator("#scp-assistant-widget")
        launcher = widget.locator("button.launcher")
        launcher.wait_for(timeout=10_000)
        assert _background(launcher) == "rgb(138, 28, 35)"  # styled
        launcher.click()
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        widget.locator(".msg.bot[aria-busy=false]").first.wait_for(timeout=30_000)
        cite = widget.locator(".msg.bot .cite").first
        assert cite.evaluate("e => getComputedStyle(e).fontSize") == "12.8px"  # not 8 px of the portal's rem
        assert "Georgia" not in cite.evaluate("e => getComputedStyle(e).fontFamily")
        label = widget.locator(".msg.user .sr").first  # "Ihre Frage: " stays for screen readers only
        assert label.evaluate("e => getComputedStyle(e).width") == "1px"
        assert blocked == []
        page.close()
    finally:
        portal.close()


def test_a_server_that_stops_answering_is_said_with_a_retry_and_starting_over_frees_the_chat(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path, artifacts: Path
) -> None:
    """A hanging server or proxy left "Suche in den Unterlagen …" for ever, and "Neue Unterhaltung" answered the
    next question with "Bitte warten Sie …" in an empty chat."""
    tag = f'<script src="{server}/widget.js" data-open="true" data-timeout="2" defer></script>'
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=_page(tag))
    try:
        page = browser.new_page()
        held: list[Any] = []
        page.route("**/api/v1/ask/stream", lambda route: held.append(route))  # never answered
        page.goto(portal.origin + "/index.html")
        widget = page.locator("#scp-assistant-widget")
        box = widget.locator("textarea")
        stalled = widget.locator(".msg.bot .body", has_text="Der Assistent antwortet gerade nicht.")
        box.fill(QUESTION)
        box.press("Enter")
        stalled.wait_for(timeout=10_000)
        page.screenshot(path=str(artifacts / "widget-server-stalled.png"))
        # another question on its way: the first one's retry keeps its message and says why it waits (review)
        box.fill(SECOND)
        box.press("Enter")
        widget.locator(".msg.bot[aria-busy=true]").wait_for(timeout=5_000)
        widget.get_by_role("button", name="Erneut versuchen").first.click()
        assert "Bitte warten Sie, bis die laufende Antwort da ist" in widget.locator(".hint").inner_text()
        assert stalled.count() == 1
        expect(stalled).to_have_count(2, timeout=10_000)  # the second one stalls too
        # with the server back, the retry answers the same question, which is not shown twice
        page.unroute("**/api/v1/ask/stream")
        widget.get_by_role("button", name="Erneut versuchen").first.click()
        widget.locator(".msg.bot[aria-busy=false] .feedback").first.wait_for(timeout=30_000)
        assert widget.locator(".msg.user").count() == 2 and "ADD" in widget.locator(".msg.bot").first.inner_text()
        # a question left hanging with "Neue Unterhaltung": the chat takes the next one at once, and nothing of the
        # old request is announced in the new conversation
        page.route("**/api/v1/ask/stream", lambda route: held.append(route))
        box.fill(SECOND)
        box.press("Enter")
        widget.locator(".msg.bot[aria-busy=true]").wait_for(timeout=5_000)
        widget.get_by_role("button", name="Neue Unterhaltung").click()
        page.wait_for_timeout(2_500)  # longer than data-timeout
        assert "antwortet gerade nicht" not in (widget.locator("[role=status]").text_content() or "")
        page.unroute("**/api/v1/ask/stream")
        box.fill(QUESTION)
        box.press("Enter")
        widget.locator(".msg.bot[aria-busy=false] .feedback").wait_for(timeout=30_000)
        assert "Bitte warten" not in widget.inner_text()
        assert widget.locator(".msg.user").count() == 1 and "ADD" in widget.locator(".msg.bot").last.inner_text()
        page.close()
    finally:
        portal.close()


def test_a_slow_answer_says_it_is_on_its_way_and_the_send_button_looks_unavailable(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """On a flaky mobile connection "Suche in den Unterlagen …" stood unchanged for up to a minute beside a send
    button that looked ready (walk-through of round 34)."""
    tag = f'<script src="{server}/widget.js" data-open="true" data-timeout="9" defer></script>'
    portal = Portal(server, tmp_path / "portal-slow", portal_ports[0], html=_page(tag))
    try:
        page = browser.new_page()
        held: list[Any] = []
        page.route("**/api/v1/ask/stream", lambda route: held.append(route))  # the answer is on its way, slowly
        page.goto(portal.origin + "/index.html")
        widget = page.locator("#scp-assistant-widget")
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        send = widget.locator("form button[type=submit]")
        expect(send).to_be_disabled()
        assert send.evaluate("b => getComputedStyle(b).opacity") == "0.6"
        body = widget.locator(".msg.bot .body")
        assert body.inner_text() == "Suche in den Unterlagen …"
        expect(body).to_contain_text("Das dauert länger als sonst", timeout=6_000)  # a third of data-timeout
        page.close()
    finally:
        portal.close()


def test_the_tag_from_the_embed_page_works_on_a_portal_and_the_page_shows_the_widget_live(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path, artifacts: Path
) -> None:
    """An operator opens /einbinden (linked from the chat page), copies its tag into the portal, and asks there."""
    context = browser.new_context(
        viewport={"width": 1100, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_role("link", name="Den Assistenten in ein Portal einbinden").click()
    page.wait_for_url(server + "/einbinden")
    page.get_by_role("button", name="Tag kopieren").click()  # what the walk-through of round 40 missed
    expect(page.get_by_role("status")).to_have_text("Kopiert.")
    snippet = page.evaluate("() => navigator.clipboard.readText()")
    assert snippet == page.locator("#snippet").input_value()
    assert snippet.startswith(f'<script src="{server}/widget.js" ')
    launcher = page.locator("#scp-assistant-widget button.launcher")
    launcher.wait_for(timeout=10_000)  # the widget, live on the page that explains it
    page.screenshot(path=str(artifacts / "embed-page.png"), full_page=True)
    context.close()
    portal = Portal(server, tmp_path / "portal", portal_ports[0], html=_page(snippet))
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        answer = ask(opened_widget(page, portal), QUESTION)
        expect(answer).to_contain_text("ADD")
        page.close()
    finally:
        portal.close()
