"""Small talk and questions that name no topic: a reply and questions to ask instead, no search, no topic lent."""

from __future__ import annotations

import pytest

from helpers import write_faq
from scp_assistant.answer import messages
from scp_assistant.container import Container
from scp_assistant.conversation.clarify import SUGGESTIONS_LEAD, Suggestions, reply, small_talk
from scp_assistant.conversation.sessions import MemorySessionStore, Turn
from scp_assistant.settings import Settings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hallo", "greeting"),
        ("hallo zusammen!", "greeting"),
        ("Guten Morgen", "greeting"),
        ("Danke!", "thanks"),
        ("Vielen Dank dir.", "thanks"),
        ("Vielen Dank, tschüss", "goodbye"),
        ("Was kannst du?", "capability"),
        ("Hallo, was kannst du?", "capability"),  # read by its last words
        ("Thank you!", "thanks"),
        ("Vielen Dank für die Info", "thanks"),
        ("Was kannst du alles?", "capability"),
        ("Was können Sie für mich tun?", "capability"),
    ],
)
def test_small_talk_is_told_by_all_of_its_words(text: str, kind: str) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Danke! Und wer genehmigt das?",
        "Hallo, wer ist zuständig?",
        "Hallo Welt",
        "Hilfe beim Antrag",
        "",
        "?!",
        "ok " * 900 + "wer genehmigt das?",
    ],
)
def test_a_turn_with_words_of_its_own_is_no_small_talk(text: str) -> None:
    assert small_talk(text) == ""


def test_the_reply_offers_the_suggestions_as_a_list() -> None:
    text = reply("too_general", ["Wer ist für was zuständig?", "Was fördert Säule I?"])
    assert text.startswith("Ihre Frage nennt noch nicht, worum es geht")
    assert text.endswith(f"{SUGGESTIONS_LEAD}\n- Wer ist für was zuständig?\n- Was fördert Säule I?")
    assert (
        reply("thanks", [])
        == "Gern geschehen. Wenn Sie noch etwas zum Startchancen-Programm wissen möchten, fragen Sie einfach."
    )


def test_what_a_question_names(fake_container: Container) -> None:
    topics = fake_container.resolver.topics
    for named in ("Wer genehmigt Anträge?", "was gilt fürs chancenbudget", "Was gilt in Säule III?", "Was gilt 2025?",
                  "ADD?", "Wer evaluiert das Startchancen-Programm?"):  # fmt: skip
        assert topics.names_something(named), named
    # (the small corpus knows "finanziert", "förderfähig" and "übertragen", not "zuständig")
    for nothing in ("Was wird finanziert?", "was ist förderfähig", "Was kann übertragen werden?", "Können Sie mir "
                    "sagen, was finanziert wird?", "WAS WIRD FINANZIERT?"):  # fmt: skip
        assert not topics.names_something(nothing), nothing
    # a word the documents do not use may be what the question is about: searched as before, never asked back
    for unknown in ("darf man davon möbel kaufen", "was ist die hauptstadt von frankreich?", "Who decides?"):
        assert topics.names_something(unknown), unknown


def test_suggestions_share_the_turns_words_and_come_from_the_lands_faqs(fake_container: Container) -> None:
    corpus = fake_container.settings.corpus_dir
    write_faq(corpus, "faq-bund", "FAQ des Bundes", [("Wer ist für was zuständig?", "Bund und Länder.")], region="Bund")
    write_faq(corpus, "faq-nrw", "FAQ NRW", [("Wer ist in NRW zuständig?", "Das Land.")], region="Nordrhein-Westfalen")
    write_faq(corpus, "faq-meta", "FAQ", [("Wer ist für diese Fragen zuständig?", "Das Ministerium.")])
    assert fake_container.ingest_pipeline().run(corpus).ok
    fake_container.reset_retrieval()
    suggestions = Suggestions(fake_container.retriever.bm25)
    offered = suggestions.for_turn("Wer ist zuständig?")
    assert offered[0] == "Wer ist für was zuständig?"  # the one sharing "zuständig"
    assert "Wer ist in NRW zuständig?" not in offered  # another Land's FAQ
    assert "Wer ist für diese Fragen zuständig?" not in offered  # about the FAQ itself
    assert set(offered) == {"Wer ist für was zuständig?", "Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
                           "Wie hoch ist das schuleigene Chancenbudget?"}  # fmt: skip
    assert suggestions.for_turn("Wie hoch ist das?")[0] == "Wie hoch ist das schuleigene Chancenbudget?"
    # a suggestion that names no topic itself is searched when clicked: the documents ask it themselves
    assert suggestions.asked_by_documents("wer ist für was zuständig")
    clarifier = fake_container.query_rewriter
    assert not clarifier.resolve("Wer ist für was zuständig?", None).too_general
    assert clarifier.resolve("Wer ist wofür zuständig?", None).too_general


def test_a_first_question_that_points_back_offers_the_documents_questions_asked_with_its_question_word(
    fake_container: Container,
) -> None:
    corpus = fake_container.settings.corpus_dir
    write_faq(corpus, "faq-bund", "FAQ des Bundes", [("Wer ist für was zuständig?", "Bund und Länder.")], region="Bund")
    assert fake_container.ingest_pipeline().run(corpus).ok
    fake_container.reset_retrieval()
    reply = fake_container.chat_service.ask("Und wer finanziert das?").answer
    assert reply.refused and reply.refusal_reason == "needs_context" and reply.citations == []
    assert reply.suggestions[0] == "Wer ist für was zuständig?"  # "wer" after "Und", not "Und"
    assert reply.answer.startswith(messages.NEEDS_CONTEXT_ASK)  # no examples to retype: questions to click
    assert all(f"- {q}" in reply.answer for q in reply.suggestions) and "zum Beispiel: „" not in reply.answer


def test_a_topicless_first_question_is_asked_for_its_topic_and_the_next_turn_completes_it(
    fake_container: Container,
) -> None:
    chat = fake_container.chat_service
    first = chat.ask("Was wird finanziert?")
    assert first.answer.refused and first.answer.refusal_reason == "needs_context"
    assert first.answer.retrieved == [] and first.answer.citations == []  # nothing searched
    assert first.answer.suggestions and all(f"- {q}" in first.answer.answer for q in first.answer.suggestions)
    completed = chat.ask("Für das Chancenbudget", first.session_id)
    assert completed.rewritten_question == "Was wird finanziert für das Chancenbudget?"
    # a question of its own after it stands alone, also one that opens with its verb (an offered FAQ question), or
    # one that points back ("Gilt das auch für BBS?" is read as if it came first)
    for own in ("Was darf aus dem Chancenbudget nicht finanziert werden?", "Darf aus dem Chancenbudget Mobiliar "
                "angeschafft werden?", "Erklär mir das Chancenbudget"):  # fmt: skip
        other = chat.ask("Was wird finanziert?")
        assert chat.ask(own, other.session_id).rewritten_question == own
    other = chat.ask("Was wird finanziert?")
    assert chat.ask("Gilt das auch für BBS?", other.session_id).rewritten_question == "Gilt das auch für BBS?"
    # names alone complete it, read with typing errors corrected
    other = chat.ask("Was wird finanziert?")
    assert chat.ask("Säule III", other.session_id).rewritten_question == "Was wird finanziert Säule III?"
    other = chat.ask("Was wird finanziert?")
    assert chat.ask("chancenbuget", other.session_id).rewritten_question == "Was wird finanziert chancenbudget?"


def test_a_topicless_turn_in_a_session_is_a_follow_up_not_asked_for_its_topic(fake_container: Container) -> None:
    clarifier = fake_container.query_rewriter
    previous = Turn("Wer genehmigt Anträge aus dem Chancenbudget?", "Wer genehmigt Anträge aus dem Chancenbudget?")
    resolution = clarifier.resolve("Und bis wann?", previous)
    assert resolution.dependent and not resolution.too_general and resolution.searches


def test_small_talk_is_greeted_not_searched_and_leaves_the_topic_where_it_was(fake_container: Container) -> None:
    sessions = MemorySessionStore()
    container = fake_container
    chat = type(container.chat_service)(
        container.answerer, sessions, container.feedback_store, 2000, container.query_rewriter
    )
    hello = chat.ask("Hallo")
    assert hello.answer.refusal_reason == "small_talk" and hello.answer.answer.startswith("Guten Tag!")
    assert hello.answer.suggestions and hello.answer.retrieved == []
    stored = container.feedback_store.get_answer(hello.answer_id)
    assert stored is not None and not stored.refused  # the review counts declined questions: a greeting is none
    declined = chat.ask("Was ist die Hauptstadt von Frankreich?")
    assert declined.answer.refused and declined.answer.refusal_reason != "small_talk"
    kept = container.feedback_store.get_answer(declined.answer_id)
    assert kept is not None and kept.refused  # a declined question is stored as one
    asked = chat.ask("Was darf aus dem Chancenbudget nicht finanziert werden?", hello.session_id)
    thanks = chat.ask("Danke!", asked.session_id)
    assert thanks.answer.refusal_reason == "small_talk" and thanks.answer.suggestions == []
    assert [t.question for t in sessions.get_or_create(asked.session_id).turns] == [
        "Was darf aus dem Chancenbudget nicht finanziert werden?"
    ]
    follow = chat.ask("Und aus Säule III?", asked.session_id)
    assert follow.rewritten_question != "Und aus Säule III?"  # read with the question before the thanks


def test_the_stream_carries_the_suggestions(settings: Settings, fake_container: Container) -> None:
    events = list(fake_container.chat_service.stream("Was wird finanziert?"))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "meta" and kinds[-2:] == ["citations", "done"]
    meta, cited = events[0][1], events[-2][1]
    assert meta["refused"] and meta["refusal_reason"] == "needs_context" and meta["retrieved"] == []
    assert cited["suggestions"] and cited["citations"] == []
