"""Places the documents never name: a question about their figures is declined."""

from __future__ import annotations

import pytest

from helpers import hand_models
from scp_assistant.container import Container
from scp_assistant.conversation.sessions import Turn
from scp_assistant.conversation.topic_phrases import TopicPhrases
from scp_assistant.retrieve.places import PlaceNames


def test_places_the_corpus_never_names() -> None:
    places = PlaceNames(["Die Stadt Koblenz erhält 1 Mio. €.", "In Trier nehmen 9 Schulen teil."])
    assert places.unknown("Wie viele Schulen hat Pirmasens?") == ["Pirmasens"]
    assert places.unknown("Wie viele Schulen hat Koblenz?") == []
    # the longest name wins: "Mayen-Koblenz" is a district of its own, not Koblenz
    assert places.unknown("Startchancen-Schulen im Landkreis Mayen-Koblenz") == ["Mayen-Koblenz"]
    assert places.unknown("Was plant der Landkreis Bad Kreuznach?") == ["Bad Kreuznach"]
    # inside a word is not a place ("Wormser", "Triererin" aside, "Kusel" is not in "Kuselbach")
    assert places.unknown("Die Kuselbacher Schule") == []
    # the place only says who asks: the general rules answer
    assert places.asked_about("Wir sind der Kreis Kusel: wer genehmigt unsere Anträge?") == []
    assert places.asked_about("Wer genehmigt die Anträge im Kreis Kusel?") == ["Kusel"]


def test_a_question_about_a_place_the_documents_never_name_is_declined(fake_container: Container) -> None:
    service = fake_container.answer_service
    service.models = hand_models(refuse_above=2.0)  # the refusal model alone would never decline
    answer = service.ask("Wie hoch ist das Chancenbudget des Schulträgers in Pirmasens?")
    assert answer.refused and answer.refusal_reason == "not_covered"
    assert "„Pirmasens“" in answer.answer.split("\n\n")[0]
    general = service.ask("Wie hoch ist das Chancenbudget des Schulträgers?")
    assert not general.refused
    # an eligibility question is answered from the general rules, wherever the asker is
    eligible = service.ask("Darf die Stadt Pirmasens aus dem Chancenbudget Mobiliar anschaffen?")
    assert not eligible.refused and eligible.citations


def test_follow_up_naming_another_place_asks_the_previous_question_for_it(fake_container: Container) -> None:
    resolver = fake_container.resolver_with(None)  # rules of thumb: "Und X?" depends on the previous turn
    previous = Turn(
        "Was bekommt Zweibrücken jährlich für Säule III?", "Was bekommt Zweibrücken jährlich für Säule III?"
    )
    # Pirmasens is nowhere in the documents, and still a place: it replaces Zweibrücken
    resolved = resolver.resolve("Und Pirmasens?", previous)
    assert resolved.dependent and resolved.standalone == "Was bekommt Pirmasens jährlich für Säule III?"
    fake_container.answer_service.models = hand_models(refuse_above=2.0)
    assert fake_container.answer_service.ask(resolved.standalone).refused


@pytest.mark.parametrize(
    ("question", "searched", "follow_up", "expected"),
    [
        # a pillar carried by an earlier follow-up
        ("Und was ist da nicht förderfähig?", "Und was ist da nicht förderfähig? (Säule I RLP)", "Und bei Säule II?",
         "Und was ist da nicht förderfähig? (Säule II RLP)"),
        # another school year
        ("Was hat die Stadt fürs Schuljahr 2024/25 aus Säule II bekommen?", None, "Und für 2025/26?",
         "Was hat die Stadt fürs Schuljahr 2025/26 aus Säule II bekommen?"),
        # another year of the programme
        ("Wie viel Geld wurde den Schulen im ersten Programmjahr bewilligt?", None, "Und im zweiten Jahr?",
         "Wie viel Geld wurde den Schulen im zweiten Jahr bewilligt?"),
        # another pillar, even in a question about a pillar's budget
        ("Wie hoch ist das Trägerbudget in Säule II?", None, "Und in Säule III?",
         "Wie hoch ist das Trägerbudget in Säule III?"),
        ("Wie viel Geld wurde den Schulen im 1. Programmjahr bewilligt?", None, "Und im 2. Jahr?",
         "Wie viel Geld wurde den Schulen im zweiten Jahr bewilligt?"),
        # a pillar written in words
        ("Wie hoch ist das Trägerbudget in Säule II?", None, "Und in der dritten Säule?",
         "Wie hoch ist das Trägerbudget in Säule III?"),
        # a question that names nothing but the pillar (walk-through, round 32: it was searched as "Und für Säule
        # III?" alone)
        ("Was kann man aus Säule II alles finanzieren?", None, "Und für Säule III?",
         "Was kann man aus Säule III alles finanzieren?"),
        # the budget of another pillar gives way to the pillar the turn names, with its article
        ("Was darf aus dem Trägerbudget finanziert werden?", None, "Und in Säule III?",
         "Was darf aus Säule III finanziert werden?"),
        # "Säule II" counts as one word of a short turn (it was searched as "Gilt das auch für Säule II?
        # (Schulsozialarbeit)" and answered with budget amounts, round 37's note)
        ("Darf man aus Säule III Schulsozialarbeit bezahlen?", None, "Gilt das auch für Säule II?",
         "Darf man aus Säule II Schulsozialarbeit bezahlen?"),
    ],
)  # fmt: skip
def test_follow_up_naming_another_slot_swaps_it(
    fake_container: Container, question: str, searched: str | None, follow_up: str, expected: str
) -> None:
    resolver = fake_container.resolver_with(None)
    assert resolver.resolve(follow_up, Turn(question, searched or question)).standalone == expected


def test_follow_up_naming_another_thing_asks_the_previous_question_about_it(fake_container: Container) -> None:
    """ "Und Schulsozialarbeiter?" after "Dürfen wir Lehrkräfte aus dem Chancenbudget bezahlen?" asks that question
    about them, not about both."""
    resolver = fake_container.resolver_with(None)
    question = "Dürfen wir Mobiliar aus dem Chancenbudget bezahlen?"
    resolved = resolver.resolve("Und Assistenzberufe?", Turn(question, question))
    assert resolved.standalone == "Dürfen wir Assistenzberufe aus dem Chancenbudget bezahlen?"
    # a turn of more words, or a previous question about several things, is not swapped word for word
    assert "Mobiliar" in resolver.resolve("Und für nichtklinische Psychologie?", Turn(question, question)).standalone
    two = "Dürfen wir Mobiliar und Sozialpädagogik aus dem Chancenbudget bezahlen?"
    assert "Mobiliar" in resolver.resolve("Und Assistenzberufe?", Turn(two, two)).standalone
    # only a question whether something may be paid: "Wer genehmigt das Mobiliar?" is not asked of Assistenzberufe
    who = "Wer genehmigt das Mobiliar?"
    assert "Mobiliar" in resolver.resolve("Und Assistenzberufe?", Turn(who, who)).standalone
    # the whole word, not a word it begins; and a topic an earlier follow-up carried stays
    part = "Dürfen wir Mobiliarkataloge für Mobiliar bezahlen?"
    assert resolver.resolve("Und Assistenzberufe?", Turn(part, part)).standalone.startswith(
        "Dürfen wir Mobiliarkataloge"
    )
    carried = Turn("Und Mobiliar?", "Dürfen wir Mobiliar bezahlen? (Chancenbudget Worms)")
    assert resolver.resolve("Und Assistenzberufe?", carried).standalone == (
        "Dürfen wir Assistenzberufe bezahlen? (Chancenbudget Worms)"
    )


def test_follow_up_about_another_pillar_s_budget_leaves_the_previous_pillar_behind(fake_container: Container) -> None:
    resolver = fake_container.resolver_with(None)
    question = "Mit wie viel Geld wurden die multiprofessionellen Teams in Worms gestärkt?"
    resolved = resolver.resolve("Und bei den Chancenbudgets der Schulen?", Turn(question, question))
    assert resolved.dependent
    assert "Worms" in resolved.standalone and "Teams" not in resolved.standalone  # Teams are Säule III
    question = "Wie hoch ist in Worms das Chancenbudget des Schulträgers?"
    resolved = resolver.resolve("Und bei den multiprofessionellen Teams?", Turn(question, question))
    assert "Worms" in resolved.standalone and "Chancenbudget" not in resolved.standalone


def test_follow_up_leaves_a_pillar_carried_by_an_earlier_follow_up_behind_when_it_asks_about_another(
    fake_container: Container,
) -> None:
    resolver = fake_container.resolver_with(None)
    previous = Turn("Wer genehmigt das in Worms?", "Wer genehmigt das in Worms? (Säule II förderfähig)")
    resolved = resolver.resolve("Wer bezahlt die Teams?", previous)
    assert "Säule II" not in resolved.standalone and "Worms" in resolved.standalone


def test_a_follow_up_is_about_the_place_its_carried_topic_names(fake_container: Container) -> None:
    features = fake_container.answer_service.scorer.features
    own = "Und wie hoch ist dort der Eigenanteil?"
    assert not features.query(own, "amount").places
    assert features.query(own, "amount", "Nordrhein-Westfalen", carried="Nordrhein-Westfalen").places
    # the rest of a multi-part question is context, not the place this part asks about
    assert not features.query(own, "amount", "Nordrhein-Westfalen").places


def test_a_land_written_short_or_in_full_is_the_same_place() -> None:
    from scp_assistant.retrieve.places import with_aliases

    assert with_aliases("was sagt nrw dazu?").endswith("nordrhein-westfalen")
    assert with_aliases("das nrw-schulministerium").endswith("nordrhein-westfalen")  # the short form in a compound
    assert with_aliases("eigenanteil in nordrhein-westfalen").endswith(" nrw")
    assert with_aliases("nrwx und anrw") == "nrwx und anrw"  # only the whole word


def test_follow_up_naming_a_land_by_its_short_name_replaces_the_previous_place(fake_container: Container) -> None:
    resolver = fake_container.resolver_with(None)
    question = "Wie hoch ist die Förderquote bei Säule I in Mainz?"
    # the learned model takes this turn as dependent; the query it then gets:
    standalone = resolver.combine("Und was sagt NRW zum Eigenanteil?", Turn(question, question))
    assert standalone.startswith("Und was sagt NRW zum Eigenanteil? (Säule I") and "Mainz" not in standalone


@pytest.mark.parametrize(
    ("question", "follow_up", "expected"),
    [
        # the swap: the place gives way to the Land
        ("Was bekommt Worms für Säule III?", "Und landesweit?", "Was bekommt Rheinland-Pfalz für Säule III?"),
        ("Was bekommt Worms für Säule III?", "Und bundesweit?", "Was bekommt Deutschland für Säule III?"),
        # and the other way round: the whole country gives way to the place
        (
            "Wie viele der Schulen waren zum Programmstart bundesweit Grundschulen?", "und bei uns in RLP?",
            "Wie viele der Schulen waren zum Programmstart in RLP Grundschulen?",
        ),
        ("Wie viele Schulen sind landesweit dabei?", "Und in Mainz?", "Wie viele Schulen sind in Mainz dabei?"),
        # an adjective stays: "der bundesweite Anteil" is no place to swap
        (
            "Wie hoch ist der bundesweite Anteil der Grundschulen?", "Und in Mainz?",
            "Wie hoch ist der bundesweite Anteil der Grundschulen – in Mainz?",
        ),
    ],
)  # fmt: skip
def test_follow_up_about_the_whole_land_or_country_leaves_the_previous_place_behind(
    fake_container: Container, question: str, follow_up: str, expected: str
) -> None:
    resolver = fake_container.resolver_with(None)
    assert resolver.combine(follow_up, Turn(question, question)) == expected


def test_a_town_s_adjective_is_the_previous_turn_s_place_and_a_land_wide_follow_up_drops_it(
    fake_container: Container,
) -> None:
    resolver = fake_container.resolver_with(None)
    topics = TopicPhrases(fake_container.retriever.bm25)
    assert [p.slot for p in topics.phrases("Was planen die Mainzer Schulen?") if p.text == "Mainzer"] == ["place"]
    question = "Welche Schularten sind bei den Mainzer Startchancen-Schulen dabei?"
    standalone = resolver.combine("Und wie verteilt sich das landesweit?", Turn(question, question))
    assert "Mainz" not in standalone and standalone.endswith("Rheinland-Pfalz)")
    # the Land named already, or another place named: no second "Rheinland-Pfalz"
    standalone = resolver.combine("Und wie verteilt sich das in ganz Rheinland-Pfalz?", Turn(question, question))
    assert standalone.count("Rheinland-Pfalz") == 1
    standalone = resolver.combine("Und wie verteilen sich die landesweiten Zahlen in Worms?", Turn(question, question))
    assert "Rheinland-Pfalz" not in standalone and "Mainz" not in standalone


def test_a_place_carried_by_an_earlier_follow_up_is_a_place_too(fake_container: Container) -> None:
    resolver = fake_container.resolver_with(None)
    previous = Turn("Bis wann?", "Bis wann? (Säule III Worms)")
    standalone = resolver.combine("Und wie ist das landesweit verteilt?", previous)
    assert "Worms" not in standalone and "Säule III" in standalone


def test_a_place_named_only_in_full_is_known_by_its_short_name_too() -> None:
    names = PlaceNames(["In Nordrhein-Westfalen tragen die Kommunen 30 %."])
    assert names.unknown("Wie hoch ist der Eigenanteil in NRW?") == []


def test_a_pillar_takes_the_place_of_another_pillar_s_thing_only_where_it_stands_alone() -> None:
    """ "Teams" in "bei den multiprofessionellen Teams" is the noun of a longer name: "bei den multiprofessionellen
    Säule I" would be no question; with an article or after a preposition the thing gives way to the pillar."""
    from scp_assistant.conversation.followup import FollowupResolver
    from scp_assistant.conversation.turn_words import Phrase

    swap = FollowupResolver._pillar_for_topic
    pillar = [Phrase("Säule I", "pillar")]
    teams = [Phrase("Teams", "topic")]
    assert swap("Was steht zum Stand bei den multiprofessionellen Teams?", teams, pillar) == ""
    assert swap("Was zahlt der Bund für die Teams?", teams, pillar) == "Was zahlt der Bund für Säule I?"
    assert swap("Was zahlt der Bund für Teams?", teams, pillar) == "Was zahlt der Bund für Säule I?"
    # only a turn that names the pillar alone, and a question with one such thing
    assert swap("Was zahlt der Bund für die Teams?", teams, [*pillar, Phrase("Worms", "place")]) == ""
    assert swap("Was zahlt der Bund für die Teams?", [*teams, Phrase("Trägerbudget", "topic")], pillar) == ""
