"""The conversation kept in the browser tab, in Debian's Chromium: a portal visitor who asks the widget a question
and moves on to another page of the portal finds the conversation there, and a follow-up still reads it; a reload
of the web chat shows it again, and a follow-up reads what is on screen even when the server has forgotten the
session; a question still on its way when the page changes comes back to the box; "Neue Unterhaltung" and
data-remember="off" keep nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Portal
from pages import ask, chat, opened_widget
from scp_assistant.container import Container

pytestmark = [pytest.mark.browser, pytest.mark.integration]
QUESTION = "Welche Berufsgruppen können über Säule III finanziert werden?"
FOLLOW = "Und wer stellt die dann ein?"
KEPT = "Object.keys(sessionStorage).filter(k => k.startsWith('scp-assistant:'))"


def _shown(host: Any) -> list[str]:
    """What the chat shows: each question and each answer's text, in order."""
    texts = host.locator(".msg.user .said, .msg.bot .body").all_inner_texts()
    return [" ".join(t.split()) for t in texts]


def test_the_conversation_follows_the_visitor_to_another_page_of_the_portal(
    browser: Any,
    server: str,
    real_container: Container,
    artifacts: Path,
    portal_ports: tuple[int, int, int],
    tmp_path: Path,
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
        launcher = widget.locator("button.launcher")
        launcher.wait_for()
        # the page is hers to read: the panel waits closed (on a phone it would cover the page), the focus is the page's
        assert launcher.get_attribute("aria-expanded") == "false" and not widget.locator("section.panel").is_visible()
        assert page.evaluate("document.activeElement === document.body")
        assert "Ihre Unterhaltung geht hier weiter" in launcher.inner_text()  # the closed launcher says it is there
        launcher.click()  # the same question, answer, sources and rating
        assert "geht hier weiter" not in launcher.inner_text()
        assert widget.locator("section.panel").is_visible()
        assert _shown(widget) == before
        assert widget.locator(".msg.bot").last.locator(".srcs li").count() == sources
        # rated on the page before: thanked, not offered again
        assert widget.locator(".msg.bot").last.locator(".fb-thanks").count() == 1
        assert widget.locator(".msg.bot").last.get_by_role("button", name="Hilfreich", exact=True).count() == 0
        assert widget.get_by_role("button", name="Neue Unterhaltung").is_visible()
        page.screenshot(path=str(artifacts / "widget-conversation-on-the-next-page.png"))

        follow = ask(widget, FOLLOW)  # read with the question before: the session came along with the view
        assert "Säule III" in follow.locator(".searched").inner_text()
        assert "refusal" not in (follow.get_attribute("class") or "")

        session = json.loads(page.evaluate(f"sessionStorage.getItem({KEPT}[0])"))["session"]
        assert real_container.sessions.get_or_create(session).turns
        widget.get_by_role("button", name="Neue Unterhaltung").click()
        # started over: the server deletes the session's turns at once, not when it expires
        for _ in range(50):
            if not real_container.sessions.get_or_create(session).turns:
                break
            page.wait_for_timeout(100)
        assert real_container.sessions.get_or_create(session).turns == []
        widget = opened_widget(page, portal)
        widget.locator("text=Beispielfragen").wait_for()
        assert widget.locator(".msg.user").count() == 0
        first = ask(widget, FOLLOW)  # a new conversation: nothing from before steers it
        assert first.locator(".searched").count() == 0
        assert page.evaluate("Object.keys(localStorage).length") == 0  # the tab only: nothing outlives it
        page.close()
    finally:
        portal.close()


def test_a_reload_shows_the_conversation_and_a_follow_up_reads_it_even_when_the_server_forgot_the_session(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, host = chat(browser, server)
    ask(host, QUESTION)
    before = _shown(host)
    page.reload()
    host.locator(".msg.user").first.wait_for()
    assert _shown(host) == before and host.locator("text=Beispielfragen").count() == 0

    # the server forgot the session (idle past its time, or restarted): the follow-up is read with the question on
    # screen, which the chat sends along
    key = page.evaluate(KEPT)[0]
    kept = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))
    kept["session"] = "0" * 32
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(kept)])
    page.reload()
    host.locator(".msg.user").first.wait_for()
    answer = ask(host, FOLLOW)
    assert "Säule III" in answer.locator(".searched").inner_text()
    assert "asks-back" not in (answer.get_attribute("class") or "")
    page.screenshot(path=str(artifacts / "chat-forgotten-session-follow-up.png"))
    page.close()


def test_a_question_on_its_way_when_the_page_changes_comes_back_to_the_box(
    browser: Any, server: str, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    portal = Portal(server, tmp_path / "portal", portal_ports[0])
    try:
        page = browser.new_page()
        widget = opened_widget(page, portal)
        page.route("**/api/v1/ask/stream", lambda route: None)  # the answer does not come before she moves on
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        widget.locator(".msg.bot[aria-busy=true]").wait_for()
        page.unroute("**/api/v1/ask/stream")
        page.goto(portal.origin + "/index.html?seite=2")
        widget = page.locator("#scp-assistant-widget")
        launcher = widget.locator("button.launcher")
        assert "Ihre Frage wartet" in launcher.inner_text()  # said on the closed launcher, too
        launcher.click()
        assert "wartet" not in launcher.inner_text()
        assert widget.locator("textarea").input_value() == QUESTION
        assert "noch nicht beantwortet" in widget.locator(".hint").inner_text()
        assert widget.locator(".msg.user").count() == 0  # nothing half-done in the conversation
        answer = ask(widget, QUESTION)
        assert "Sozialarbeit" in answer.inner_text()
        page.reload()  # said once: the next page does not put it back again
        widget = page.locator("#scp-assistant-widget")
        widget.locator("button.launcher").click()
        assert widget.locator("textarea").input_value() == "" and widget.locator(".hint").inner_text() == ""
        page.close()
    finally:
        portal.close()


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


def test_a_broken_or_foreign_entry_in_the_tab_starts_a_new_conversation_and_contacts_are_not_kept(
    browser: Any, server: str
) -> None:
    page, host = chat(browser, server)
    key = "scp-assistant:" + server + ":inline:scp-assistant"
    broken = [
        '{"v": 1, "session": "abcdefgh1", "items": [{"question": "q", "text": "t", "citations": "x"}]}',
        '{"v": 1, "session": "abcdefgh1", "items": [{"question": "q", "text": "t", "citations": [null],'
        ' "suggestions": [], "meta": {}}]}',
        '{"session": "abcdefgh1", "items": [{"question": "aus einer älteren Fassung"}]}',
        "{nicht einmal JSON",
    ]
    for entry in broken:  # whatever the tab holds, the chat works
        page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, entry])
        page.reload()
        host.locator("text=Beispielfragen").wait_for()
        assert host.locator(".msg.user").count() == 0, entry
    contact = "Rückfragen gern an a.muster@vg-beispiel.de oder Tel. 06131 906180"
    signed = f"Wer genehmigt Anträge aus dem Chancenbudget? {contact}\nMit freundlichen Grüßen\nAnna Muster\nKämmerei"
    ask(host, signed)
    assert "a.muster" in host.locator(".msg.user .said").inner_text()  # this page shows what was typed
    stored = page.evaluate("k => sessionStorage.getItem(k)", key)
    assert "a.muster" not in stored and "906180" not in stored and "Chancenbudget" in stored
    assert "Anna Muster" not in stored and "Grüßen" not in stored  # the signature goes, as on the server
    page.reload()
    host.locator(".msg.user").first.wait_for()
    said = host.locator(".msg.user .said").inner_text()
    assert "[E-Mail-Adresse entfernt]" in said and "[Telefonnummer entfernt]" in said
    page.close()


def test_a_page_from_the_back_forward_cache_reads_the_tabs_conversation_again(browser: Any, server: str) -> None:
    """Back to a page the browser kept whole: it showed the conversation as it was when it was left, while the tab's
    had gone on (or started over) on another page."""
    page, host = chat(browser, server)
    ask(host, QUESTION)
    key = page.evaluate(KEPT)[0]
    kept = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))
    later = dict(kept["items"][0], question="Und wer stellt die dann ein?")
    kept["items"].append(later)  # asked meanwhile on another page
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(kept)])
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    assert host.locator(".msg.user .said").all_inner_texts() == [QUESTION, "Und wer stellt die dann ein?"]
    page.evaluate("k => sessionStorage.setItem(k, '{}')", key)  # started over meanwhile
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    assert host.locator(".msg.user").count() == 0 and host.locator("text=Beispielfragen").is_visible()
    page.close()


def _asked_in_a_context(browser: Any, server: str) -> tuple[Any, Any, str]:
    """A browser context (its pages share a BroadcastChannel) with the web chat asked one question: the context, the
    page and the key of its kept conversation."""
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    page = context.new_page()
    page.goto(server + "/")
    ask(page.locator("#scp-assistant"), QUESTION)
    return context, page, page.evaluate(KEPT)[0]


def test_a_duplicated_tab_keeps_the_conversation_but_not_the_other_tabs_session(browser: Any, server: str) -> None:
    """A tab the browser duplicates starts with a copy of the tab's entry; the server session in it would steer the
    follow-ups of both tabs by whichever asked last. The copy shows the conversation and goes on under a session of
    its own, read with the question it shows; the first tab keeps its session."""
    context, first, key = _asked_in_a_context(browser, server)
    host = first.locator("#scp-assistant")
    try:
        entry = first.evaluate("k => sessionStorage.getItem(k)", key)
        session = json.loads(entry)["session"]

        copy = context.new_page()  # what "Duplicate tab" does: the same page with a copy of the tab's storage
        copy.add_init_script(f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(entry)})")
        sent: list[dict[str, Any]] = []
        copy.on("request", lambda r: sent.append(json.loads(r.post_data)) if r.method == "POST" else None)
        copy.goto(server + "/")
        other = copy.locator("#scp-assistant")
        other.locator(".msg.user").first.wait_for()
        assert _shown(other) == _shown(host)
        for _ in range(50):  # the first tab answers the copy's question for its session
            if json.loads(copy.evaluate("k => sessionStorage.getItem(k)", key))["session"] is None:
                break
            copy.wait_for_timeout(100)
        answer = ask(other, FOLLOW)  # its own session, read with the question it shows
        asked = [b for b in sent if b.get("question") == FOLLOW]
        assert asked and asked[0]["session_id"] is None and asked[0]["previous_question"] == QUESTION
        assert "Säule III" in answer.locator(".searched").inner_text()
        assert json.loads(copy.evaluate("k => sessionStorage.getItem(k)", key))["session"] not in (None, session)
        assert json.loads(first.evaluate("k => sessionStorage.getItem(k)", key))["session"] == session
    finally:
        context.close()


def _claim(page: Any, key: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Post a message on the chat's channel as another page would, and collect the replies for a moment."""
    return list(
        page.evaluate(
            """([key, message]) => new Promise(done => {
                const channel = new BroadcastChannel(key), replies = [];
                channel.onmessage = e => replies.push(e.data);
                channel.postMessage(message);
                setTimeout(() => { channel.close(); done(replies); }, 400);
            })""",
            [key, message],
        )
    )


def test_the_tabs_settle_who_keeps_the_session(browser: Any, server: str) -> None:
    """The page that was there first keeps the session; the tab's own next page is no other tab; of two pages
    starting at once exactly one gives way; a browser that refuses the channel still gets a working chat."""
    context, page, key = _asked_in_a_context(browser, server)
    try:
        session = json.loads(page.evaluate("k => sessionStorage.getItem(k)", key))["session"]
        page.wait_for_timeout(1100)  # settled: it answers for its session
        replies = _claim(page, key, {"type": "open", "session": session, "from": "zzzz"})
        assert replies == [{"type": "held", "session": session, "from": replies[0]["from"], "to": "zzzz"}]
        assert _claim(page, key, {"type": "open", "session": "other", "from": "zzzz"}) == []  # not its session
        mark = page.evaluate("k => sessionStorage.getItem(k.replace(/^scp-assistant:/, 'scp-assistant-tab:'))", key)
        assert _claim(page, key, {"type": "open", "session": session, "from": mark}) == []  # its own next page

        # two pages starting at once (a restored browser session): the clock stands still, so this one is starting
        entry = page.evaluate("k => sessionStorage.getItem(k)", key)
        context.close()
        context = browser.new_context(viewport={"width": 1100, "height": 720})
        starting = context.new_page()
        starting.add_init_script("Date.now = () => 0")
        starting.add_init_script(f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(entry)})")
        starting.goto(server + "/")
        starting.locator("#scp-assistant .msg.user").first.wait_for()
        kept = lambda: json.loads(starting.evaluate("k => sessionStorage.getItem(k)", key))["session"]  # noqa: E731
        assert _claim(starting, key, {"type": "open", "session": session, "from": "zzzz"})[0]["type"] == "held"
        assert kept() == session  # the higher id gives way, not this one
        assert _claim(starting, key, {"type": "open", "session": session, "from": "0"}) == []
        assert kept() is None  # it gives way to the lower id

        refused = context.new_page()  # Firefox with site data blocked throws from the constructor
        refused.add_init_script("window.BroadcastChannel = function () { throw new Error('SecurityError'); }")
        refused.goto(server + "/")
        assert "Sozialarbeit" in ask(refused.locator("#scp-assistant"), QUESTION).inner_text()
    finally:
        context.close()
