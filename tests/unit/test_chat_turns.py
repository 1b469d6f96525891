"""What a turn declined as off-topic leaves to the next one in a chat session: no topic."""

from __future__ import annotations

from helpers import Declining, bm25_over
from scp_assistant.answer import messages
from scp_assistant.container import Container
from scp_assistant.conversation.chat import ChatService
from scp_assistant.conversation.sessions import MemorySessionStore, Turn


def test_a_turn_the_answer_stage_declines_as_off_topic_lends_no_topic_either(fake_container: Container) -> None:
    """ "Was kostet ein Bahnticket nach Mainz?" passes the guard's wording check and is declined by the answer stage's
    search; "und wer genehmigt das?" after it was searched as "… (Mainz)" and declined with "Bezogen auf die vorige
    Frage: Mainz" (browser walk-through, round 29). Such a turn is asked for its topic, as after the weather in
    Mainz."""
    ticket = "Was kostet ein Bahnticket nach Mainz?"
    resolver = fake_container.resolver_with(None)
    assert resolver.in_scope(ticket)  # the guard alone lets it through
    chat = ChatService(Declining(fake_container.answer_service, "Bahnticket"), MemorySessionStore(),
                       fake_container.feedback_store, 2000, resolver)  # fmt: skip
    first = chat.ask(ticket)
    assert first.answer.refusal_reason == "out_of_scope"
    assert chat.ask("Und wer finanziert das?", first.session_id).rewritten_question == "Und wer finanziert das?"
    assert resolver.resolve("Und wer finanziert das?", Turn(ticket, ticket, off_topic=True)).orphan
    # declined too, it is asked for its topic, and told that the previous message gave none (not that there was none)
    declining = ChatService(Declining(fake_container.answer_service), MemorySessionStore(),
                            fake_container.feedback_store, 2000, resolver)  # fmt: skip
    off = declining.ask(ticket)
    follow = declining.ask("Und wer finanziert das?", off.session_id).answer
    assert follow.refusal_reason == "needs_context" and follow.answer == messages.NEEDS_CONTEXT_AFTER_OFF_TOPIC
    # nor does a turn that was asked for its topic ("Und wie hoch ist der Betrag?" first, then "Was ist das
    # Startchancen-Programm?" was searched as "… (Betrag)", walk-through of round 37)
    sessions = MemorySessionStore()
    asking = ChatService(fake_container.answer_service, sessions, fake_container.feedback_store, 2000, resolver)
    orphan = asking.ask("Und wer finanziert das?")
    assert orphan.answer.refusal_reason == "needs_context"
    assert sessions.get_or_create(orphan.session_id).turns[-1].off_topic
    again = asking.ask("Und bis wann?", orphan.session_id).answer
    assert again.refusal_reason == "needs_context" and again.answer == messages.NEEDS_CONTEXT_AFTER_OFF_TOPIC
    assert "gehörte" not in again.answer and "kein Thema" in again.answer
    # an on-topic turn before the declined one does not come back either: the declined turn is the previous one
    budget = chat.ask("Wie hoch ist das Trägerbudget in Mainz?")
    chat.ask(ticket, budget.session_id)
    assert "Mainz" not in chat.ask("Und bis wann läuft das?", budget.session_id).rewritten_question


def test_a_first_turn_points_back_by_a_pronoun_not_by_an_article() -> None:
    from scp_assistant.conversation.turn_words import POINTS_BACK

    for question in ("Und wer finanziert das?", "Gilt das auch für BBS?", "Was heißt dies?", "Und was gilt dort?"):
        assert POINTS_BACK.search(question), question
    for question in ("Wer evaluiert das Startchancen-Programm eigentlich?", "Gibt es Mittel für Schulen?"):
        assert not POINTS_BACK.search(question), question


def test_an_article_before_a_noun_is_no_pronoun_of_a_follow_up() -> None:
    """ "Dürfen wir aus dem Chancenbudget Mobiliar kaufen?" counted "dem" as a pronoun pointing back and was searched
    with the previous turn's topic, "… (Säule II Geld Eigenanteil)" (walk-through, round 37)."""
    from scp_assistant.conversation.turn_words import PRONOUN

    pointing = (
        "Wer genehmigt die?", "Und wer bezahlt die dann?", "Zahlt die Stadt das?", "und was kostet der?",
        # before a preposition and a noun it points back too (review, round 37)
        "Zählt das als Sachkosten?", "Gilt das für Säule III?", "Gilt das in Mainz?", "Bekommen die auch Personal?",
        "Gilt das über Säule III?",
    )  # fmt: skip
    for question in pointing:
        assert PRONOUN.search(question), question
    for question in (
        "Dürfen wir aus dem Chancenbudget Mobiliar kaufen?",
        "Wer genehmigt die neuen Anträge?",
        "Kann man mit dem Geld aus Säule I eine Mensa bauen?",
    ):
        assert not PRONOUN.search(question), question


def test_a_question_typed_in_lower_case_reads_its_nouns_as_nouns() -> None:
    """ "was ist das chancenbudget": "das" is an article there, as in the same question with a capital, not a
    pronoun pointing back (walk-through of round 34: "was ist das startchancenprogramm" asked first was answered
    with a request for its topic)."""
    from scp_assistant.conversation.followup import FollowupResolver
    from scp_assistant.conversation.topic_phrases import TopicPhrases
    from scp_assistant.conversation.turn_words import POINTS_BACK

    texts = [
        "Jede Schule hat ein Chancenbudget. Über das Chancenbudget entscheidet sie; das Chancenbudget ist klein.",
        "Das Startchancen-Programm läuft. Im Startchancen-Programm sind 200 Schulen. Zum Startchancen-Programm gehört "
        "eine Seite, siehe startchancen-programm.com für mehr.",  # a web address writes the name small once
        "Die Träger stellen Personal ein. Sie stellen auch Räume. Neue Stellen gibt es. Die Stellen sind befristet.",
        "Termine: Aktuell gibt es keine. Neue Termine folgen, die Termine stehen im Kalender.",
    ]
    bm25 = bm25_over(texts)
    topics = TopicPhrases(bm25)
    assert topics.truecased("was ist das chancenbudget?") == "was ist das Chancenbudget?"
    assert topics.truecased("Was ist das chancenbudget?") == "Was ist das Chancenbudget?"  # a phone's capital
    assert topics.truecased("was ist das startchancenprogramm") == "was ist das Startchancenprogramm"  # run together
    assert topics.truecased("wer genehmigt das Chancenbudget?") == "wer genehmigt das Chancenbudget?"  # as typed
    assert not POINTS_BACK.search(topics.truecased("was ist das chancenbudget?"))
    # a verb the documents also write as a noun ("Stellen"), a word seen capitalised once ("Aktuell"): no noun
    for question in ("und wer muss das stellen?", "ist das aktuell?", "und bis wann gilt das?"):
        assert POINTS_BACK.search(topics.truecased(question)), question
    resolver = FollowupResolver(bm25, None, in_scope=lambda _: True)
    assert not resolver.points_back("was ist das chancenbudget?")
    assert resolver.points_back("und was ist das?")
    # a programme noun typed small among capitals is a noun too ("darf man aus dem chancenbudget ne Schulhund-AG
    # bezahlen" read "dem" as a pronoun pointing back, walk-through of round 38), and a topic of the question
    mixed = "darf man aus dem chancenbudget ne Schulhund-AG bezahlen"
    assert topics.truecased(mixed) == "darf man aus dem Chancenbudget ne Schulhund-AG bezahlen"
    assert "Chancenbudget" in [p.text for p in topics.phrases(mixed)]  # carried and shown as the documents write it
    # ... as are the places of someone who types everything small ("Bezogen auf die vorige Frage: Worms, Chancenbudget"
    # rather than "worms, chancenbudget", walk-through of round 44); an acronym stays as typed
    assert [p.text for p in topics.phrases("wie viel bekommt worms aus dem chancenbudget")] == [
        "Worms",
        "Chancenbudget",
    ]
    assert [p.text for p in topics.phrases("was bekommt rlp")] == ["rlp"]
    # ... but not a noun that is no programme word ("termine"), nor an acronym the documents write in capitals
    assert topics.truecased("Und die Träger? welche termine gibt es?") == "Und die Träger? welche termine gibt es?"
    assert topics.truecased("gilt das auch für die ADD?") == "gilt das auch für die ADD?"


def test_who_is_asking_is_no_topic_a_follow_up_carries() -> None:
    """ "Und bis wann läuft das?" after "Müssen wir als Verbandsgemeinde bei Säule I was zuzahlen?" was searched as
    "… (Säule I Verbandsgemeinde)" and found Kaisersesch's grants, and "Was wird aus Säule II gefördert?" was
    searched with "(Verbandsgemeinde)" (walk-through of round 42): the body the asker works for is no topic. A topic
    after "unser" stays one ("unser Trägerbudget"), and so does a Verbandsgemeinde the question is about."""
    from scp_assistant.conversation.followup import FollowupResolver
    from scp_assistant.conversation.topic_phrases import TopicPhrases
    from scp_assistant.learn.question_words import asking_bodies

    texts = [
        "Die Verbandsgemeinde Kaisersesch erhielt Mittel aus Säule II. Die Verbandsgemeinde ist Schulträger.",
        "Das Trägerbudget ist ein Chancenbudget des Schulträgers. Aus dem Trägerbudget wird Säule II bezahlt.",
        "Säule I fördert Investitionen. Der Eigenanteil beträgt 30 %. Die Stadt trägt den Eigenanteil.",
        "Das Programm läuft bis 2034. Die Laufzeit beträgt zehn Jahre.",
    ]
    bm25 = bm25_over(texts)
    topics = TopicPhrases(bm25)
    asked = "Müssen wir als Verbandsgemeinde bei Säule I was zuzahlen?"
    assert asking_bodies(asked) == asking_bodies(asked.lower()) == {"verbandsgemeinde"}  # typed small too
    assert asking_bodies("Unsere Große Kreisstadt hat zwei Schulen.") == {"kreisstadt"}
    for topic in ("Dürfen wir unser Trägerbudget für Möbel nutzen?", "Unser Stadtrat will nicht mitziehen.",
                  "Kann unser Kreis Mittel an unsere Gemeinde weitergeben?"):  # fmt: skip
        assert asking_bodies(topic) == frozenset(), topic
    assert [p.text for p in topics.phrases(asked)] == ["Säule I"]
    assert "Trägerbudget" in [p.text for p in topics.phrases("Dürfen wir unser Trägerbudget für Möbel nutzen?")]
    about = "Wie viel erhielt die Verbandsgemeinde Kaisersesch aus Säule II?"
    assert "Verbandsgemeinde" in [p.text for p in topics.phrases(about)]
    resolver = FollowupResolver(bm25, None, in_scope=lambda _: True)
    follow = resolver.resolve("Und bis wann läuft das?", Turn(asked, asked))
    assert follow.dependent and "Säule I" in follow.standalone and "Verbandsgemeinde" not in follow.standalone
    small = resolver.resolve("und wer genehmigt das?", Turn(asked.lower(), asked.lower()))  # typed small
    assert small.dependent and "verbandsgemeinde" not in small.standalone.lower()
