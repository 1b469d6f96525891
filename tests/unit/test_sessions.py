"""Chat sessions in memory and in the shared database: same behaviour; the database one across workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers import Declining, at_once
from scp_assistant.answer import messages
from scp_assistant.container import Container
from scp_assistant.conversation.chat import Answerer, ChatService
from scp_assistant.conversation.sessions import MemorySessionStore, SessionStore, SQLSessionStore, Turn
from scp_assistant.database import SQLiteDatabase
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.models import Answer
from scp_assistant.retrieve.hybrid import Filters
from scp_assistant.server.app import create_app
from scp_assistant.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


Factory = Callable[[Clock, int], SessionStore]


def _memory(clock: Clock, max_sessions: int) -> SessionStore:
    return MemorySessionStore(ttl_s=600, turns=3, max_sessions=max_sessions, clock=clock)


def _sql_factory(tmp_path: Path) -> Factory:
    def make(clock: Clock, max_sessions: int) -> SessionStore:
        db = SQLiteDatabase(tmp_path / "state.sqlite3")
        return SQLSessionStore(db, ttl_s=600, turns=3, max_sessions=max_sessions, clock=clock, sweep_s=3600)

    return make


@pytest.fixture(params=["memory", "sql"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Factory:
    return _memory if request.param == "memory" else _sql_factory(tmp_path)


def test_new_sessions_and_ids(factory: Factory) -> None:
    store = factory(Clock(), 100)
    fresh = store.get_or_create(None)
    assert len(fresh.id) == 32 and fresh.turns == []
    assert store.get_or_create("widget-abc-123").id == "widget-abc-123"  # a well-formed id is kept
    for bad in ("x", "a b c d e f g h", "../../etc/passwd", "x" * 65):
        assert store.get_or_create(bad).id != bad


def test_turns_are_kept_bounded_and_read_back(factory: Factory) -> None:
    store = factory(Clock(), 100)
    session = store.get_or_create(None)
    for i in range(5):
        store.record(session, f"Frage {i}", f"Frage {i} (Chancenbudget)")
    again = store.get_or_create(session.id)
    assert [t.question for t in again.turns] == ["Frage 2", "Frage 3", "Frage 4"]
    assert again.turns[-1].standalone == "Frage 4 (Chancenbudget)"


def test_idle_sessions_expire(factory: Factory) -> None:
    clock = Clock()
    store = factory(clock, 100)
    session = store.get_or_create(None)
    store.record(session, "Frage", "Frage")
    clock.now += 599
    assert store.get_or_create(session.id).turns  # still alive, and touched again only by record
    store.record(store.get_or_create(session.id), "Noch eine", "Noch eine")
    clock.now += 601
    assert store.get_or_create(session.id).turns == []


def test_small_talk_keeps_a_session_alive_without_a_turn(factory: Factory) -> None:
    clock = Clock()
    store = factory(clock, 100)
    session = store.get_or_create(None)
    store.record(session, "Frage", "Frage")
    clock.now += 599
    store.keep_alive(store.get_or_create(session.id))  # "Danke!"
    clock.now += 599
    assert [t.question for t in store.get_or_create(session.id).turns] == ["Frage"]  # alive, no turn added
    store.keep_alive(store.get_or_create(None))  # a new session with nothing in it is not stored
    clock.now += 601
    assert store.get_or_create(session.id).turns == []


def test_a_forgotten_session_is_gone_at_once_and_others_stay(factory: Factory) -> None:
    store = factory(Clock(), 100)
    left, other = store.get_or_create(None), store.get_or_create(None)
    store.record(left, "Frage", "Frage")
    store.record(other, "Andere", "Andere")
    store.forget(left.id)  # "Neue Unterhaltung"
    assert store.get_or_create(left.id).turns == []
    assert [t.question for t in store.get_or_create(other.id).turns] == ["Andere"]
    store.forget(left.id)  # again, or an id never seen: no error
    store.forget("never-seen-123")


def test_an_answer_still_on_its_way_when_the_user_starts_over_does_not_bring_the_session_back(
    factory: Factory,
) -> None:
    clock = Clock()
    store = factory(clock, 100)
    session = store.get_or_create(None)
    store.record(session, "Frage", "Frage")
    in_flight = store.get_or_create(session.id)  # a second question is being answered ...
    store.forget(session.id)  # ... when the user clicks "Neue Unterhaltung"
    store.record(in_flight, "Und bis wann?", "Und bis wann? (Frage)")  # the answer ends and records its turn
    assert store.get_or_create(session.id).turns == []
    # the same during the first answer: the client learnt the id from the stream's first event and forgot it
    first = store.get_or_create(None)
    store.forget(first.id)
    store.record(first, "Erste Frage", "Erste Frage")
    assert store.get_or_create(first.id).turns == []
    assert store.get_or_create(session.id).id != session.id  # a forgotten id is not handed out again
    fresh = store.get_or_create(None)  # a new session is stored as before
    store.record(fresh, "Neu", "Neu")
    assert [t.question for t in store.get_or_create(fresh.id).turns] == ["Neu"]
    clock.now += 601  # long after: the marks are gone with the sessions they kept out
    store.get_or_create(None)
    if isinstance(store, SQLSessionStore):
        store.sweep()
    assert store.get_or_create(session.id).id == session.id


def test_a_conversation_continued_from_the_question_a_client_shows_is_kept(
    factory: Factory, fake_container: Container
) -> None:
    """A session the server no longer holds is read with the question the client still shows (a reload after a
    restart): the turns after it are stored, and the next follow-up reads the one before it."""
    store = factory(Clock(), 100)
    chat = ChatService(fake_container.answer_service, store, fake_container.feedback_store, 2000,
                       fake_container.query_rewriter, lambda text: text)  # fmt: skip
    shown = "Wie hoch ist das Trägerbudget in Mainz?"
    follow = chat.ask("Und wer muss zustimmen?", "f" * 32, previous=shown)
    assert follow.continued and "Mainz" in follow.rewritten_question
    assert [t.question for t in store.get_or_create(follow.session_id).turns][-1] == "Und wer muss zustimmen?"


def test_least_recently_used_sessions_are_dropped_beyond_the_limit(factory: Factory) -> None:
    clock = Clock()
    store = factory(clock, 10)
    ids = []
    for i in range(15):
        clock.now += 1
        session = store.get_or_create(None)
        store.record(session, f"Frage {i}", f"Frage {i}")
        ids.append(session.id)
    if isinstance(store, SQLSessionStore):
        store.sweep()  # what it does every sweep_s seconds
    kept = [sid for sid in ids if store.get_or_create(sid).turns]
    assert kept == ids[-10:]


def test_two_workers_share_sessions_through_the_database(tmp_path: Path) -> None:
    clock = Clock()
    make = _sql_factory(tmp_path)
    first, second = make(clock, 100), make(clock, 100)
    session = first.get_or_create(None)
    first.record(session, "Darf Mobiliar aus dem Chancenbudget?", "Darf Mobiliar aus dem Chancenbudget?")
    seen = second.get_or_create(session.id)
    assert [t.question for t in seen.turns] == ["Darf Mobiliar aus dem Chancenbudget?"]
    second.record(seen, "Und wer stimmt zu?", "Und wer stimmt zu? (Mobiliar Chancenbudget)")
    assert len(first.get_or_create(session.id).turns) == 2


def test_follow_up_answered_by_another_worker(settings: Settings, fake_container: Container) -> None:
    """Two app instances (as two uvicorn workers would be) on one data dir: the follow-up goes to the other."""
    other = Container(settings, store=fake_container.store, embedder=FakeEmbedder(64))
    assert settings.server.session_store == "database"
    with client_for(fake_container) as first, client_for(other) as second:
        sid = _ask(first, "Darf aus dem Chancenbudget Mobiliar angeschafft werden?")["session_id"]
        follow = _ask(second, "Und wer muss zustimmen?", sid)
        assert follow["session_id"] == sid
        assert "Chancenbudget" in follow["rewritten_question"] and "Mobiliar" in follow["rewritten_question"]


def test_memory_sessions_stay_in_their_worker(settings: Settings, fake_container: Container) -> None:
    local = settings.model_copy(deep=True)
    local.server.session_store = "memory"
    one = Container(local, store=fake_container.store, embedder=FakeEmbedder(64))
    two = Container(local, store=fake_container.store, embedder=FakeEmbedder(64))
    with client_for(one) as first, client_for(two) as second:
        sid = _ask(first, "Darf aus dem Chancenbudget Mobiliar angeschafft werden?")["session_id"]
        assert _ask(first, "Und wer muss zustimmen?", sid)["rewritten_question"] != "Und wer muss zustimmen?"
        assert _ask(second, "Und wer muss zustimmen?", sid)["rewritten_question"] == "Und wer muss zustimmen?"


def client_for(container: Container) -> TestClient:
    return TestClient(create_app(container.settings, container))


def _ask(client: TestClient, question: str, session_id: str | None = None) -> dict[str, str]:
    body = {"question": question} | ({"session_id": session_id} if session_id else {})
    res = client.post("/api/v1/ask", json=body)
    assert res.status_code == 200, res.text
    data: dict[str, str] = res.json()
    return data


def test_a_first_turn_that_points_back_asks_for_its_topic_instead_of_calling_it_off_topic(
    fake_container: Container,
) -> None:
    resolver = fake_container.resolver_with(None)
    for question in ("Und wer finanziert das?", "Und das Personal?", "Und bis wann?"):
        assert resolver.resolve(question, None).orphan, question
    for question in (
        "Wie ist das Wetter?", "Wer ist der Schulträger?", "Welche Berufsgruppen gibt es in Säule III?",
        "Wer genehmigt das Chancenbudget?", "Wer evaluiert das Startchancen-Programm eigentlich?",  # an article
    ):  # fmt: skip
        assert not resolver.resolve(question, None).orphan, question  # its own words, or words no document uses
    assert not resolver.resolve("Und wer finanziert das?", Turn("Was ist das Chancenbudget?", "")).orphan

    store = MemorySessionStore()
    chat = ChatService(Declining(fake_container.answer_service), store, fake_container.feedback_store,
                       2000, resolver)  # fmt: skip
    reply = chat.ask("Und wer finanziert das?")
    assert reply.answer.refused and reply.answer.refusal_reason == "needs_context"
    assert reply.answer.answer == messages.NEEDS_CONTEXT and reply.answer.citations == []
    events = list(chat.stream("Und wer finanziert das?"))
    assert events[0][0] == "meta" and events[0][1]["refusal_reason"] == "needs_context"
    assert "".join(d["text"] for e, d in events if e == "delta") == messages.NEEDS_CONTEXT
    assert [e for e, _ in events][-2:] == ["citations", "done"]
    off_topic = chat.ask("Wie ist das Wetter?")
    assert off_topic.answer.refusal_reason == "out_of_scope"  # stays what it is
    # in a session it is a follow-up, never an orphan (after an on-topic turn: one declined as off-topic lends none)
    first = store.get_or_create(None)
    store.record(first, "Darf aus dem Chancenbudget Mobiliar angeschafft werden?", "Darf aus dem Chancenbudget …?")
    assert chat.ask("Und wer finanziert das?", first.id).answer.refusal_reason == "out_of_scope"


class _Saying:
    """The answer stage with a fixed verdict: an answer, or a refusal for ``reason``; it notes what it was asked."""

    backend = "extractive"

    def __init__(self, real: Answerer, reason: str = "") -> None:
        self._real, self._reason = real, reason
        self.asked: list[str] = []

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        self.asked.append(question)
        answer = self._real.ask("Wer genehmigt Anträge aus dem Chancenbudget?", filters)
        answer.refused = bool(self._reason)
        answer.refusal_reason = "not_covered" if self._reason else None
        return answer

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]:
        raise AssertionError("a turn that may point back is answered whole, then replayed")


def test_a_turn_that_points_at_nothing_is_asked_for_its_topic_even_when_the_answer_stage_would_answer_it(
    fake_container: Container,
) -> None:
    """ "Und wer finanziert das?" as a first turn got "Säule I wird aus dem Bundeshaushalt finanziert …": a guess at
    what "das" is (browser walk-through, round 31). It is not even searched. A turn that names something of its own
    ("Und wer genehmigt das Chancenbudget?", typed small or not) keeps the answer the stage gives it, and is asked
    for its topic only when the stage declines it (as before)."""
    resolver = fake_container.resolver_with(None)
    for declines in (False, True):
        stage = _Saying(fake_container.answer_service, "not_covered" if declines else "")
        chat = ChatService(stage, MemorySessionStore(), fake_container.feedback_store, 2000, resolver)
        # nothing but what it asks ("Bis wann?" first, after a reload) is asked for its topic too, not called off-topic
        for question in ("Und wer finanziert das?", "Und bis wann?", "Bis wann?", "Wie viel genau?"):
            reply = chat.ask(question)
            assert reply.answer.refusal_reason == "needs_context", question
            assert reply.answer.citations == [] and reply.answer.retrieved == [] and reply.answer.notice is None
        events = list(chat.stream("Und wer finanziert das?"))
        assert events[0][1]["refusal_reason"] == "needs_context" and events[0][1]["retrieved"] == []
        assert stage.asked == []  # no search for a guess
        # a first turn that is a question of its own is no orphan: "Wer sind Sie?" is searched (and declined)
        assert chat.ask("Wer sind Sie?").answer.refusal_reason != "needs_context"
        for question in ("Und wer genehmigt das Chancenbudget?", "wer genehmigt das chancenbudget?"):
            answer = chat.ask(question).answer
            assert answer.refused == declines and answer.refusal_reason == ("not_covered" if declines else None)
        # "Und das Personal?" names something, but only makes sense after another turn: asked for its topic when
        # the stage declines it, answered when it answers
        answer = chat.ask("Und das Personal?").answer
        assert answer.refusal_reason == ("needs_context" if declines else None)


def test_an_off_topic_turn_lends_no_topic_to_the_next(fake_container: Container) -> None:
    """After "Was ist das Wetter morgen in Mainz?" (declined), the next question is searched as written, not as
    "… (Mainz)": the walk-through got Mainz's budget figures for "Wie viel Geld bekommen wir …?"."""
    resolver = fake_container.resolver_with(None)
    weather = Turn("Was ist das Wetter morgen in Mainz?", "Was ist das Wetter morgen in Mainz?")
    budget = Turn("Wie hoch ist das Trägerbudget in Mainz?", "Wie hoch ist das Trägerbudget in Mainz?")
    for question in ("Wieviel Geld bekommen wir für das Chancenbudget?", "Und wer genehmigt das?"):
        resolved = resolver.resolve(question, weather)
        assert resolved.standalone == question and "Mainz" not in resolved.standalone, question
    assert resolver.resolve("Und wer finanziert das?", weather).orphan  # asked for its topic, as a first turn
    assert "Mainz" in resolver.resolve("Und wer genehmigt das?", budget).standalone  # an on-topic turn still lends


def test_the_off_topic_mark_of_a_turn_is_kept_by_both_stores(factory: Factory, tmp_path: Path) -> None:
    store = factory(Clock(), 100)
    session = store.get_or_create(None)
    store.record(session, "Was kostet ein Bahnticket?", "Was kostet ein Bahnticket?", off_topic=True)
    store.record(session, "Und das Trägerbudget?", "Und das Trägerbudget?")
    assert [t.off_topic for t in store.get_or_create(session.id).turns] == [True, False]


def test_sessions_written_before_the_off_topic_mark_still_read(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "state.sqlite3")
    store = SQLSessionStore(db, clock=Clock())
    with db.transaction() as conn:
        row = ("old-session-1", Clock()(), '[["F", "F"]]')  # [question, standalone], as written before the mark
        conn.execute(db.sql("INSERT INTO sessions VALUES ({p}, {p}, {p})"), row)
    assert store.get_or_create("old-session-1").turns == [Turn("F", "F", False)]


def test_a_turn_that_only_moves_an_off_topic_question_elsewhere_is_that_question_again(
    fake_container: Container,
) -> None:
    """ "und in Worms?" after the weather in Mainz asks for the weather in Worms: declined like it, not answered with
    Worms' programme figures; a turn with a topic of its own is read as if it came first."""
    resolver = fake_container.resolver_with(None)
    weather = Turn("Was ist das Wetter morgen in Mainz?", "Was ist das Wetter morgen in Mainz?")
    again = resolver.resolve("und in Worms?", weather)
    assert again.standalone == "Was ist das Wetter morgen in Worms?" and again.dependent
    assert resolver.resolve("Und die Säule II?", weather).standalone == "Und die Säule II?"
    moved = resolver.resolve("Und in Neustadt an der Weinstraße?", weather).standalone
    assert moved == "Was ist das Wetter morgen in Neustadt?"  # the rest of a place's name is no word of its own
    chat = fake_container.chat_service
    first = chat.ask("Was ist das Wetter morgen in Mainz?")
    assert chat.ask("und in Worms?", first.session_id).answer.refusal_reason == "out_of_scope"
    assert chat.ask("Wie spät ist es in Mainz?").answer.refusal_reason == "out_of_scope"


def test_a_turn_with_words_of_its_own_that_the_answer_stage_declines_as_off_topic_borrows_no_topic(
    fake_container: Container,
) -> None:
    """ "Und wie hoch ist die Umsatzsteuer aktuell, 19 oder 7 Prozent?" after a question on the Umsatzsteuerpunkte
    passes the guard's wording check, but asked alone the answer stage declines it (no programme word, nothing the
    passages speak of): it must not be searched with the previous turn's topic and answered from it. A turn that
    only points back ("Und bis wann?") is never judged alone."""
    from scp_assistant.conversation.followup import FollowupResolver

    asked_alone: list[str] = []

    def on_topic(text: str) -> bool:
        asked_alone.append(text)
        return "Umsatzsteuer aktuell" not in text

    bm25 = fake_container.retriever.bm25
    resolver = FollowupResolver(bm25, None, lambda text: True, on_topic=on_topic)
    asked = "Wie bekommen die Länder die Mittel für Säule II?"
    previous = Turn(asked, asked)
    vat = "Und wie hoch ist die Umsatzsteuer aktuell, 19 oder 7 Prozent?"
    assert resolver.resolve(vat, previous).standalone == vat and not resolver.resolve(vat, previous).dependent
    # turns that only make sense with the previous one are never judged alone, whatever the check would say
    for turn in ("Und bis wann?", "Und Logopäden?", "Gilt das unbefristet?", "Und worüber hat er da gesprochen?"):
        assert resolver.resolve(turn, previous).dependent, turn
        assert turn not in asked_alone, turn
    # an article is no pointer: "das Kindergeld" is a thing of its own
    resolver.resolve("Und wie hoch ist das Kindergeld aktuell?", previous)
    assert "Und wie hoch ist das Kindergeld aktuell?" in asked_alone
    # through the chat service, with the answer stage's own scope check
    chat = fake_container.chat_service
    first = chat.ask(asked)
    assert chat.ask(vat, first.session_id).answer.refusal_reason == "out_of_scope"


def test_a_follow_up_to_a_pasted_e_mail_carries_what_it_asked_not_its_background(fake_container: Container) -> None:
    """ "Und für Säule II?" after a pasted letter was searched as the whole letter again (12 lines of "Gesucht
    wurde: Vielen Dank für das freundliche Gespräch …", walk-through of round 39)."""
    chat = ChatService(
        fake_container.answer_service, MemorySessionStore(), fake_container.feedback_store, 4000,
        fake_container.resolver_with(None),
    )  # fmt: skip
    letter = (
        "Sehr geehrte Frau Keller, vielen Dank für das freundliche Gespräch am Dienstag. Unser Schulelternbeirat "
        "fragt inzwischen sehr konkret nach den Baumaßnahmen. Wir möchten den Mehrzweckraum zu einem Lernatelier "
        "umbauen. Im Gemeinderat kam nun eine Frage auf. Wie hoch ist der Eigenanteil, den die Verbandsgemeinde bei "
        "Säule I tragen muss?\n\nMit freundlichen Grüßen\nSabine Hoffmann"
    )
    first = chat.ask(letter)
    searched = chat.ask("Und für Säule II?", first.session_id).rewritten_question
    assert "Eigenanteil" in searched and "Säule II" in searched
    assert "Gespräch" not in searched and "Lernatelier" not in searched


def test_workers_that_open_a_new_database_file_at_once_all_start(tmp_path: Path) -> None:
    """`serve --workers 2` on a new data dir: both put the file in WAL mode at the same moment, and one of them failed
    with "database is locked" (integration test, round 44); switching meets the other and is tried again."""
    for round_ in range(30):
        path = tmp_path / f"state-{round_}.sqlite3"

        def start(_: int, path: Path = path) -> None:
            store = SQLSessionStore(SQLiteDatabase(path))
            store.record(store.get_or_create(None), "Frage", "Frage")

        _, errors = at_once(start, threads=6)
        assert errors == [], round_
