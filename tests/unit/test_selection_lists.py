"""Lists and their items, rendering, and the refusal decision on hand-made scores."""

from __future__ import annotations

import dataclasses

import pytest

from helpers import hand_models
from scp_assistant.answer.citations import check, render
from scp_assistant.answer.scoring import Scored
from scp_assistant.answer.select import select
from scp_assistant.container import Container
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from selection_cases import EVIDENCE, PARAMS, scored, unit


@pytest.mark.parametrize(("item_coverage", "shown"), [(1.0, ["- Genehmigt Anträge"]), (0.1, ["ADD:"])])
def test_a_list_is_narrowed_to_an_item_only_when_the_question_singles_it_out(
    item_coverage: float, shown: list[str]
) -> None:
    """A question like "Wer genehmigt Anträge?" gets the one item that says so; one that shares a word with an item
    (its "Schulen" in "schulbibliothekarische Räume") gets the list it asked about, not that item alone."""
    whole = "ADD:\n- Gespräche mit Schulen\n- Genehmigt Anträge\n- Begleitet Schulen"
    units = [
        unit(whole, "deck", 3, kind="list"),
        unit("- Gespräche mit Schulen", "deck", 3, position=1, parent="ADD", kind="item"),
        unit("- Genehmigt Anträge", "deck", 3, position=2, parent="ADD", kind="item"),
        unit("- Begleitet Schulen", "deck", 3, position=3, parent="ADD", kind="item"),
    ]
    trial = scored("Wer genehmigt Anträge?", units, [0.9, 0.5, 0.85, 0.5])
    trial.featurized.rows[2, UNIT_FEATURES.index("cov_unit")] = item_coverage
    chosen = select(trial, PARAMS).units
    assert [u.text.split("\n")[0] for u in chosen] == shown


@pytest.mark.parametrize(
    ("question", "eligibility", "shown"),
    [
        ("Dürfen wir aus Säule III einen Heilerziehungspfleger einstellen?", True, ["- Heilerziehungspflege"]),
        # a sentence that sets the scene comes before the question
        (
            "Viele Kinder brauchen Hilfe. Dürfen wir einen Heilerziehungspfleger einstellen?",
            True,
            ["- Heilerziehungspflege"],
        ),
        (
            "Viele Kinder brauchen Hilfe. Welche Heilerziehungspfleger dürfen wir einstellen?",
            True,
            ["14 Berufsgruppen sind förderfähig:"],
        ),
        ("Welche Berufsgruppen außer Heilerziehungspflegern gibt es?", False, ["14 Berufsgruppen sind förderfähig:"]),
        # an eligibility question that is no yes-or-no question, or one of two parts, keeps the list
        ("Welche Heilerziehungspfleger dürfen wir einstellen?", True, ["14 Berufsgruppen sind förderfähig:"]),
        ("Gibt es Heilerziehungspfleger in Säule III?", False, ["14 Berufsgruppen sind förderfähig:"]),
        (
            "Dürfen wir Heilerziehungspfleger einstellen, und ist das befristet möglich?",
            True,
            ["14 Berufsgruppen sind förderfähig:"],
        ),
    ],
)
def test_a_question_whether_one_thing_may_be_funded_gets_the_item_that_names_it(
    question: str, eligibility: bool, shown: list[str]
) -> None:
    """Asked whether one profession may be paid, the answer shows its line of the 14, not all 14; a question for the
    list (or for all but one) keeps the list."""
    from scp_assistant.text import analyze

    whole = "14 Berufsgruppen sind förderfähig:\n- Sozialarbeit\n- Heilerziehungspflege\n- Gesundheitsberatung"
    focus = frozenset(analyze("Heilerziehungspfleger"))
    assert _shown(_list_trial(question, whole, focus, eligibility)) == shown


def _list_trial(question: str, whole: str, focus: frozenset[str], eligibility: bool = True) -> Scored:
    """A list of three items under its lead line, the list likelier than its items, the question's focus given."""
    lead, *lines = whole.split("\n")
    units = [unit(whole, "s3", 1, kind="list")] + [
        unit(line, "s3", 1, position=k, parent=lead, kind="item") for k, line in enumerate(lines, 1)
    ]
    trial = scored(question, units, [0.9, 0.6, 0.6, 0.6])
    featurized = dataclasses.replace(
        trial.featurized,
        query=dataclasses.replace(trial.featurized.query, focus=focus),
        evidence=dataclasses.replace(EVIDENCE, eligibility=eligibility),
    )
    return dataclasses.replace(trial, featurized=featurized)


def _shown(trial: Scored) -> list[str]:
    return [u.text.split("\n")[0] for u in select(trial, PARAMS).units]


def test_a_word_two_items_share_singles_out_neither() -> None:
    from scp_assistant.text import analyze

    whole = "Förderfähig sind:\n- Heilerziehungspflege\n- Heilerziehungspflege im Ganztag\n- Gesundheitsberatung"
    question, focus = "Dürfen wir einen Heilerziehungspfleger einstellen?", frozenset(analyze("Heilerziehungspfleger"))
    assert _shown(_list_trial(question, whole, focus)) == ["Förderfähig sind:"]


def test_a_list_of_the_pillars_is_narrowed_to_the_pillars_the_question_asks_about() -> None:
    from scp_assistant.answer.exclusions import asked_pillars

    whole = (
        "- Säule I: 2,6 Mio. € als Einmalzahlung.\n- Säule II: 39.847,50 € pro Jahr.\n- Säule III: 195.810 € pro Jahr."
    )
    units = [unit(whole, "zwei", 3, kind="list")] + [
        unit(f"- {line[2:]}", "zwei", 3, position=k, kind="item") for k, line in enumerate(whole.split("\n"), 1)
    ]
    asked = asked_pillars("Wie viel Geld bekommt Zweibrücken aus Säule II?")
    chosen = select(scored("Wie viel Geld bekommt Zweibrücken aus Säule II?", units, [0.9, 0.8, 0.8, 0.8],
                           asked_pillars=asked), PARAMS).units  # fmt: skip
    assert [u.text for u in chosen] == ["- Säule II: 39.847,50 € pro Jahr."]
    # the Trägerbudget is Säule II: next to a pillar the question names, its words count as well
    assert asked_pillars("Säule I jährlich? Und wie lange gilt der Betrag des Trägerbudgets?") == {"I", "II"}
    assert asked_pillars("Wie hoch ist das Trägerbudget von Worms?") == {"II"}  # its word alone names it
    assert asked_pillars("Wie viel Geld bekommt Worms?") == frozenset()
    assert asked_pillars("Und bis wann?", "Säule III Worms") == {"III"}
    everything = select(scored("Wie viel Geld bekommt Zweibrücken?", units, [0.9, 0.8, 0.8, 0.8]), PARAMS).units
    assert [u.text for u in everything] == [whole]


def test_render_numbers_each_document_once_and_keeps_list_items_under_their_parent() -> None:
    units = [
        unit("- Genehmigt Anträge aus Chancenbudget", "deck", 3, position=2, parent="ADD/Schulaufsicht", kind="item"),
        unit("Die Schulaufsicht liegt bei der ADD.", "faq", 0),
        unit("- Begleitet Schulen inhaltlich", "deck", 3, position=3, parent="ADD/Schulaufsicht", kind="item"),
        unit("Das Land informiert in Sprechstunden.", "deck", 7),
    ]
    text, citations = render(units, ["Zu „bis wann?“ finde ich in den Programmunterlagen keine Angabe."])
    assert text.startswith("ADD/Schulaufsicht:\n- Genehmigt Anträge aus Chancenbudget [1]")
    assert "ADD/Schulaufsicht:\n- Begleitet Schulen inhaltlich [1]" in text
    assert [c.doc_id for c in citations] == ["deck", "faq"]  # one number per document
    assert text.endswith("keine Angabe.") and check(text, citations) == []
    # the quote of the slide keeps each block on lines of its own: no heading runs into the point before it
    assert citations[0].quote.split("\n…\n")[0] == "ADD/Schulaufsicht\n- Genehmigt Anträge aus Chancenbudget"
    assert "Chancenbudget … " not in citations[0].quote
    sentences = [unit("Die ADD genehmigt.", "x", 1), unit("Das PL berät.", "x", 1, position=2)]
    assert render(sentences)[1][0].quote == "Die ADD genehmigt. … Das PL berät."  # sentences stay on one line


def test_a_list_item_shown_without_its_neighbours_ends_where_its_words_end() -> None:
    """ "Das Programm steht auf drei Säulen:" / "- Säule I: ein Investitionsprogramm …," ended in the comma that
    joined it to the next item (browser walk-through, round 29); a whole list keeps its text."""
    lead = "Das Programm steht auf drei Säulen"
    units = [
        unit("- Säule I: ein Investitionsprogramm für Lernorte,", "bm", 1, position=1, parent=lead, kind="item"),
        unit("- zu einer Schulkultur beitragen und", "s3", 2, position=3, parent="Das Personal soll", kind="item"),
        unit("- beim Zugang zu Leistungen helfen.", "s3", 2, position=4, parent="Das Personal soll", kind="item"),
        unit("Gefördert werden:\n- Räume,\n- Labore und\n- Werkstätten.", "s1", 3, kind="list"),
    ]
    text, citations = render(units)
    assert f"{lead}:\n- Säule I: ein Investitionsprogramm für Lernorte [1]" in text
    assert "- zu einer Schulkultur beitragen [2]\n- beim Zugang zu Leistungen helfen. [2]" in text
    assert "Gefördert werden:\n- Räume,\n- Labore und\n- Werkstätten. [3]" in text
    assert check(text, citations) == []
    assert "Investitionsprogramm für Lernorte," in citations[0].quote  # the quote stays as the source has it
    suspended = [unit("- Beratung für Hin- und", "x", 4, position=1, parent="Angebote", kind="item")]
    assert render(suspended)[0] == "Angebote:\n- Beratung für Hin- und [1]"  # the word of "Hin- und" follows


@pytest.mark.parametrize(("p_refuse", "refused"), [(0.2, False), (0.8, True)])
def test_the_refusal_model_decides_with_its_threshold(
    fake_container: Container, p_refuse: float, refused: bool
) -> None:
    service = fake_container.answer_service
    prep = service.retrieve("Was passiert mit nicht ausgegebenen Mitteln aus dem Trägerbudget?")
    assert prep.featurized is not None
    trial = dataclasses.replace(
        prep,
        scored=dataclasses.replace(service.decide(prep).scored, p_refuse=p_refuse),
        refusal=None,  # type: ignore[arg-type]
    )
    answer = service.conclude(trial, hand_models(refuse_above=0.5))
    assert answer.refused is refused
    if refused:
        assert answer.refusal_reason == "not_covered" and "Belegt ist:" in answer.answer
        assert check(answer.answer.split("Belegt ist:")[1], answer.citations) == []


def test_a_follow_up_asks_about_the_pillar_its_topic_carries(fake_container: Container) -> None:
    service = fake_container.answer_service
    prep = service.retrieve("Und was ist da nicht förderfähig? (Säule II Chancenbudget)")
    assert prep.featurized is not None and prep.featurized.pillars == {"II"}
    prep = service.retrieve("Und in Säule III? (Säule II Chancenbudget)")  # the turn's own pillar wins
    assert prep.featurized is not None and prep.featurized.pillars == {"III"}


def test_an_item_names_what_its_coordination_stands_for() -> None:
    """ "Ergo-, Spiel- und Lerntherapeut/in" names the Ergotherapeutin asked about: the answer shows that line of the
    sub-professions, not all of them. The words come with the candidates (``item_words``); without them, the list."""
    whole = "Dazu gehören:\n- Jugendpfleger/in\n- Ergo-, Spiel- und Lerntherapeut/in\n- Motopäde/in"
    trial = _list_trial("Dürfen wir eine Ergotherapeutin einstellen?", whole, frozenset({"ergotherapeut"}))
    words = (frozenset(), frozenset(), frozenset({"ergotherapeut"}), frozenset())
    named = dataclasses.replace(trial, featurized=dataclasses.replace(trial.featurized, item_words=words))
    assert _shown(named) == ["- Ergo-, Spiel- und Lerntherapeut/in"]
    assert _shown(trial) == ["Dazu gehören:"]
