"""Questions without a topic on the bundled corpus, with the real e5 model and Chroma: what is offered in their
place is answered when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from scp_assistant.container import Container
from scp_assistant.eval.dataset import DEFAULT_SETS, load_questions

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
EXTRA = tuple(Path("eval") / n for n in ("extra-k.yaml", "extra-l.yaml", "conversations-extra4.yaml"))
TOPICLESS = ("Wer ist zuständig?", "Wer entscheidet?", "Was wird gefördert?", "Was darf angeschafft werden?", "Hallo")


def test_every_question_offered_in_place_of_a_topicless_one_is_answered(real_container: Container) -> None:
    """Each offered question is clicked in the same session, right after the reply that offered it: it is searched
    as written (not glued to the topicless question, "Was darf man kaufen darf aus dem Chancenbudget …") and
    answered with sources."""
    chat = real_container.chat_service
    offered: set[str] = set()
    for question in TOPICLESS:
        first = chat.ask(question)
        reply = first.answer
        assert reply.refused and reply.refusal_reason in ("needs_context", "small_talk"), question
        assert len(reply.suggestions) == 3 and reply.citations == [], question
        offered.update(reply.suggestions)
        for suggestion in reply.suggestions:
            again = chat.ask(question) if suggestion != reply.suggestions[0] else first
            clicked = chat.ask(suggestion, again.session_id)
            assert clicked.rewritten_question == suggestion, (question, suggestion)
            assert not clicked.answer.refused and clicked.answer.citations, (question, suggestion)
    assert len(offered) >= 6  # nearest to each turn's words, not one fixed list


def test_the_bundled_question_sets_name_their_topics(real_container: Container) -> None:
    """No question of the bundled sets, asked first, is taken for one without a topic (the rule reads what a
    question names, not how it is worded)."""
    clarifier = real_container.query_rewriter
    entries = [entry for path in (*DEFAULT_SETS, *EXTRA) for entry in load_questions(REPO / path)]
    firsts = [str(e["question"]) for e in entries if "question" in e]
    firsts += [str(t["question"] if isinstance(t, dict) else t) for e in entries for t in e.get("turns", [])[:1]]
    assert len(firsts) > 600
    flagged = [q for q in firsts if clarifier.resolve(q, None).too_general]
    assert flagged == []
