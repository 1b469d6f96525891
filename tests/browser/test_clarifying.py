"""Small talk and questions without a topic in the chat, in Debian's Chromium: a reply instead of a refusal, and
questions from the programme's FAQs to ask with one click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pages import ask, chat

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _asked_back(browser: Any, server: str, question: str) -> tuple[Any, Any, Any]:
    """A new chat's reply to ``question``, asked for its topic: the page, the chat and the reply."""
    page, host = chat(browser, server)
    reply = ask(host, question)
    assert reply.locator(".tag").text_content() == "Worauf bezieht sich die Frage?"
    classes = reply.get_attribute("class") or ""
    assert "asks-back" in classes and "refusal" not in classes  # asked back, not turned down (walk-through)
    return page, host, reply


def test_a_question_without_a_topic_offers_questions_to_click_and_one_click_answers(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, host, reply = _asked_back(browser, server, "Wer ist zuständig?")
    assert "Ihre Frage nennt noch nicht, worum es geht" in reply.inner_text()
    offered = reply.locator("button.suggest")
    assert offered.count() == 3
    first = offered.first.inner_text()
    assert first.endswith("?") and "zuständig" in first  # the FAQ question nearest the turn's words
    box = offered.first.bounding_box()
    assert box is not None and box["height"] >= 24  # a tap target of WCAG 2.5.8
    assert reply.locator(".srcs").count() == 0  # nothing searched, nothing cited
    page.screenshot(path=str(artifacts / "chat-question-without-topic.png"))
    done = host.locator(".msg.bot[aria-busy=false]").count()
    offered.first.click()
    host.locator(".msg.bot[aria-busy=false]").nth(done).wait_for(timeout=30_000)
    assert host.locator(".msg.user").last.inner_text().strip().endswith(first)
    answer = host.locator(".msg.bot").last
    assert answer.locator(".tag").count() == 0 and answer.locator(".srcs li").count() >= 1  # answered, with sources
    page.close()


def test_a_first_question_that_points_back_offers_questions_with_its_words_to_click(
    browser: Any, server: str, artifacts: Path
) -> None:
    page, _, reply = _asked_back(browser, server, "Und wer genehmigt das?")
    assert "Bitte stellen Sie sie mit ihrem Thema" in reply.inner_text()
    offered = reply.locator("button.suggest")
    assert offered.count() == 3  # questions to click, not examples to retype
    assert offered.first.inner_text().startswith("Wer ")  # no words in common: the turn's question word decides
    assert reply.locator(".actions").count() == 0  # nothing to copy
    assert reply.locator(".feedback").count() == 1  # whether asking back was right can still be rated
    page.screenshot(path=str(artifacts / "chat-first-question-points-back-offers.png"))
    page.close()


def test_a_greeting_is_greeted_and_a_thanks_keeps_the_topic(browser: Any, server: str, artifacts: Path) -> None:
    page, host = chat(browser, server)
    hello = ask(host, "Hallo")
    assert hello.locator(".tag").count() == 0 and "refusal" not in (hello.get_attribute("class") or "")
    assert "Guten Tag!" in hello.inner_text() and hello.locator("button.suggest").count() == 3
    ask(host, "Welche Berufsgruppen können über Säule III finanziert werden?")
    thanks = ask(host, "Danke!")
    assert "Gern geschehen." in thanks.inner_text() and thanks.locator("button.suggest").count() == 0
    assert thanks.locator(".actions, .feedback").count() == 0  # nothing to copy or rate
    ask(host, "Und wer stellt die dann ein?")
    assert "Säule III" in host.locator(".searched").last.inner_text()  # read with the question before the thanks
    page.screenshot(path=str(artifacts / "chat-small-talk.png"))
    page.close()
