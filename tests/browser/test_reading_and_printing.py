"""Reading answers where the screen is small or the question long, and on paper, in Debian's Chromium (a helper's
walk-through of round 34: a Sachbearbeiterin on her phone, on a desktop zoomed to 200 %, printing for her mayor)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import Portal
from pages import ask, chat, opened_widget

pytestmark = [pytest.mark.browser, pytest.mark.integration]
QUESTION = "Wer genehmigt Anträge aus dem Chancenbudget?"
# an e-mail pasted whole: the question sits between the greeting, the background and the signature
PASTED = (
    "Hallo Frau Becker,\n\nwir hatten ja letzte Woche schon telefoniert. Die Schulleitung hat mir folgende Frage "
    "weitergeleitet, die ich nicht beantworten kann.\n\n"
    + "Zum Hintergrund: Wir planen für das kommende Schuljahr mehrere Projekte an unserer Grundschule. " * 6
    + "\n\nWer genehmigt Anträge aus dem Chancenbudget?\n\nViele Grüße\nC. Hoffmann\nSchulleitung"
)


def test_on_a_desktop_zoomed_to_200_percent_the_open_widget_takes_the_screen(
    browser: Any, server: str, artifacts: Path, portal_ports: tuple[int, int, int], tmp_path: Path
) -> None:
    """1366 x 768 at 200 %: the page is 683 x 384 CSS pixels. The panel used to be 288 px high with 99 px left
    for the answers, and the launcher below it."""
    portal = Portal(server, tmp_path / "portal-zoom", portal_ports[0])
    try:
        page = browser.new_page(viewport={"width": 683, "height": 384})
        widget = opened_widget(page, portal)
        ask(widget, QUESTION)
        panel = widget.locator(".panel").bounding_box()
        log = widget.locator(".log").bounding_box()
        assert panel and log
        assert panel["height"] >= 384 - 20, panel  # the whole height, a small margin aside
        assert log["height"] >= 384 * 0.4, log  # the answers get the larger part of it
        assert not widget.locator("button.launcher").is_visible()  # "×" in the panel closes it
        page.screenshot(path=str(artifacts / "widget-zoomed-200.png"))
        widget.locator("header button[aria-label]").last.click()
        assert widget.locator("button.launcher").is_visible()
        page.close()
    finally:
        portal.close()


def test_a_question_pasted_from_an_e_mail_keeps_its_paragraphs_and_its_answer_comes_into_view(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, host = chat(browser, server, width=390, height=700)
    page.emulate_media(reduced_motion="reduce")
    answer = ask(host, PASTED)
    page.wait_for_timeout(200)
    asked = host.locator(".msg.user").last
    assert asked.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert "Hallo Frau Becker,\n\nwir hatten" in asked.inner_text()
    start = answer.bounding_box()
    assert start and -2 <= start["y"] < 700 / 2, start  # the answer's beginning, not the middle of the e-mail
    assert "ADD" in answer.inner_text()
    page.screenshot(path=str(artifacts / "chat-pasted-e-mail.png"))
    page.close()


def test_a_printed_chat_is_its_answers_and_sources_with_their_addresses_without_buttons(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, host = chat(browser, server)
    ask(host, QUESTION)
    page.emulate_media(media="print")
    for control in ("form", ".feedback", ".actions", "header button"):
        assert not host.locator(control).first.is_visible(), control
    assert host.locator(".msg.bot").last.is_visible()
    link = host.locator(".srcs a").first
    printed = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert link.get_attribute("href") in printed  # the address on paper, where a link cannot be clicked
    page.pdf(path=str(artifacts / "chat-printed.pdf"))
    page.emulate_media(media="screen")
    assert host.locator("form").is_visible() and host.locator(".feedback").first.is_visible()
    page.close()


def test_a_figure_stays_on_one_line_with_its_unit(browser: Any, server: str) -> None:
    """A figure broke from its unit ("16,8 Mio. / €") across two lines in a narrow widget (walk-through of round
    42): they are shown joined by a no-break space, and copied as the server wrote them."""
    page, host = chat(browser, server, width=360, height=740)
    answer = ask(host, "Wie viel Geld bekommt Mainz für Säule I?")
    shown = answer.locator(".body").inner_text()
    assert "16,8\u00a0Mio.\u00a0€" in shown and "30\u00a0%" in shown
    assert "Mio. €" not in shown
    page.close()
