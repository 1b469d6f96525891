"""Selection, rendering and the refusal decision on hand-made scores: what an answer is made of."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers import hand_models
from scp_assistant.answer.citations import check, render
from scp_assistant.answer.exclusions import excluded_units
from scp_assistant.answer.scoring import Featurized, Scored
from scp_assistant.answer.select import select
from scp_assistant.container import Container
from scp_assistant.learn.candidates import QueryTerms, UnitCandidate
from scp_assistant.learn.model import LinearModel, SelectionParams
from scp_assistant.learn.question import profile
from scp_assistant.learn.question_features import QUESTION_FEATURES, EvidenceView
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.models import Chunk

EVIDENCE = EvidenceView(0.5, 0, 0, 0, 0, True, False, False)


def chunk(doc: str, n: int = 0, text: str = "", page: int | None = None) -> Chunk:
    return Chunk(doc, f"{doc}::{n:03d}", f"Titel {doc}", "BM", f"https://example.org/{doc}", "2024-08-14",
                 "landesseite", "RLP", f"Abschnitt {n}", page, text)  # fmt: skip


def unit(
    text: str, doc: str = "a", n: int = 0, position: int = 0, parent: str = "", kind: str = "sentence"
) -> UnitCandidate:
    return UnitCandidate(text, chunk(doc, n, text), kind, position, 5, parent=parent)


def scored(question: str, units: list[UnitCandidate], p: list[float], part_p: list[list[float]] | None = None,
           p_refuse: float = 0.0, asked_pillars: frozenset[str] = frozenset(),
           part_places: tuple[frozenset[str], ...] = (),
           unit_places: tuple[frozenset[str], ...] = (),
           named_places: tuple[frozenset[str], ...] = ()) -> Scored:  # fmt: skip
    rows = np.zeros((len(units), len(UNIT_FEATURES)))
    prof = profile(question)
    parts = [rows.copy() for _ in prof.parts] if part_p else []
    query = QueryTerms({}, frozenset(), (), (), prof.kind)
    excluded = excluded_units(question, asked_pillars, rows, units)
    featurized = Featurized(
        prof, units, rows, parts, EVIDENCE, query, (), asked_pillars, excluded,
        part_places=part_places, unit_places=unit_places, named_places=named_places,
    )  # fmt: skip
    return Scored(
        featurized,
        np.array(p),
        [np.array(x) for x in part_p or []],
        np.zeros(len(QUESTION_FEATURES)),
        p_refuse,
    )


PARAMS = SelectionParams(add_above=0.6, part_above=0.3, budget=300)


def test_the_answer_leads_with_the_most_likely_unit_and_adds_only_likely_ones() -> None:
    units = [
        unit("Die ADD prüft die Anträge.", "a"),
        unit("Die ADD genehmigt die Anträge.", "b"),
        unit("Die Schulträger stellen Personal ein.", "c"),
        unit("Zuständig ist auch die Schulaufsicht.", "d"),
    ]
    chosen = select(scored("Wer genehmigt Anträge?", units, [0.5, 0.9, 0.2, 0.7]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["b", "d"]


def test_a_question_about_one_school_year_is_not_answered_with_another_year_s_figures() -> None:
    units = [
        unit("Die Gemeinde erhielt für 2024/25 11.527,50 €.", "a"),
        unit("Für das Schuljahr 2025/2026 gibt es eine Zuwendung von 12.000 €.", "b"),
        unit("Die Mittel werden jährlich bewilligt.", "c"),
    ]
    question = "Was hat die Gemeinde fürs Schuljahr 2025/26 bekommen?"
    chosen = select(scored(question, units, [0.9, 0.7, 0.65]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["b", "c"]  # 2025/2026 is 2025/26; a unit without a year stays
    only_other = select(scored(question, units[:1], [0.9]), PARAMS).units
    assert only_other == []  # nothing for 2025/26: the question is declined as not covered


def test_a_question_about_one_pillar_is_not_answered_with_a_sentence_about_another() -> None:
    units = [
        unit("Reine Instandhaltung ist in Säule I nicht förderfähig.", "a"),
        unit("Eine rein administrative Stelle darf aus dem Chancenbudget nicht finanziert werden.", "b"),
        unit("In den Säulen II und III fließen die Mittel an die Schulträger.", "c"),
    ]
    question = scored("Was ist in Säule II nicht förderfähig?", units, [0.9, 0.8, 0.7], asked_pillars=frozenset({"II"}))
    assert [u.chunk.doc_id for u in select(question, PARAMS).units] == ["b", "c"]


def test_a_unit_that_names_no_pillar_is_about_the_one_pillar_its_document_is_about() -> None:
    import dataclasses as dc

    def titled(text: str, doc: str, title: str) -> UnitCandidate:
        base = unit(text, doc)
        return dc.replace(base, chunk=dc.replace(base.chunk, title=title))

    units = [
        titled("Beispiele sind Kreativ- und Lernlabore.", "s1", "Investitionsprogramm (Säule I)"),
        titled("Eine rein administrative Stelle darf nicht finanziert werden.", "cb", "Chancenbudgets (Säule II)"),
        titled("Die Mittel fließen an die Schulträger.", "both", "Die Säulen II und III"),
        titled("Hier sind Säule II und Säule I gemeint.", "s1b", "Investitionsprogramm (Säule I)"),
        titled(
            "Zu den Begleitausgaben zählen Planungen.", "by", "Richtlinie Investitionsprogramm Startchancen (Bayern)"
        ),
    ]
    p = [0.9, 0.8, 0.7, 0.65, 0.6]
    question = scored("Was ist da nicht förderfähig?", units, p, asked_pillars=frozenset({"II"}))
    # a title that names two pillars says nothing about a unit; a unit that names its pillars speaks for itself
    assert [u.chunk.doc_id for u in select(question, dataclasses.replace(PARAMS, max_sources=5)).units] == [
        "cb",
        "both",
        "s1b",
    ]


def test_a_slide_s_points_are_about_the_pillar_of_the_heading_they_stand_under() -> None:
    import dataclasses as dc

    from scp_assistant.answer.exclusions import unit_pillars

    plans = dc.replace(
        unit("- Mobiliar und flexible Möblierung", "ism", 14, kind="item"), context="Säule I: Investitionen"
    )
    asked = dc.replace(unit("- zusätzliche Sekretariatsstunden", "ism", 14, kind="item"), context="Säule II")
    assert unit_pillars(plans) == {"I"} and unit_pillars(asked) == {"II"}
    question = scored("Was haben Schulträger aus Säule II beantragt?", [asked, plans], [0.9, 0.85],
                      asked_pillars=frozenset({"II"}))  # fmt: skip
    assert [u.text for u in select(question, PARAMS).units] == [asked.text]


def test_the_budget_limits_further_units_but_never_the_first() -> None:
    long = "Ein sehr langer Satz über das Chancenbudget und seine Verwendung. " * 6
    units = [unit(long, "a"), unit("Kurz und passend.", "b")]
    chosen = select(scored("Was gilt?", units, [0.9, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["a"]  # the first unit alone exceeds 300 characters


def test_a_question_of_several_parts_may_use_more_of_the_budget() -> None:
    first = "Das Chancenbudget dient der Schul- und Unterrichtsentwicklung an den Startchancen-Schulen. " * 2
    second = "Die Verwendungsnachweise gehen jeweils zum Ende des Schuljahres an das Bildungsministerium. " * 2
    units = [unit(first, "a"), unit(second, "b"), unit("Die Schulaufsicht genehmigt Anträge.", "c")]
    params = dataclasses.replace(PARAMS, multi_part_factor=1.5)
    single = select(scored("Was gilt beim Chancenbudget?", units, [0.9, 0.8, 0.7]), params).units
    assert [u.chunk.doc_id for u in single] == ["a", "c"]  # 182 + 184 characters exceed 300
    question = "Wer ist zuständig und bis wann gilt die Frist?"
    several = select(scored(question, units, [0.9, 0.8, 0.7], part_p=[[0.9, 0.1, 0.1], [0.1, 0.8, 0.1]]), params)
    assert [u.chunk.doc_id for u in several.units] == ["a", "b", "c"]  # 450 characters for two parts


def test_the_same_content_is_not_shown_twice() -> None:
    units = [
        unit("Teilnehmen soll in der Regel die Schulleitung.", "a"),
        unit("In der Regel nimmt die Schulleitung teil.", "b"),
        unit("Die Akademien sind verpflichtend.", "c"),
    ]
    chosen = select(scored("Wer nimmt teil?", units, [0.9, 0.85, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["a", "c"]


def test_each_part_of_a_multi_part_question_gets_its_best_unit_or_a_sentence_that_it_is_not_covered() -> None:
    question = "Wer genehmigt die Anträge, und bis wann läuft das Programm?"
    assert profile(question).parts == ("Wer genehmigt die Anträge", "bis wann läuft das Programm?")
    units = [unit("Die ADD genehmigt die Anträge.", "a"), unit("Das Programm läuft bis 2034.", "b")]
    both = select(scored(question, units, [0.9, 0.4], part_p=[[0.9, 0.1], [0.1, 0.8]]), PARAMS)
    assert [u.chunk.doc_id for u in both.units] == ["a", "b"] and both.uncovered_parts == []
    one = select(scored(question, units, [0.9, 0.4], part_p=[[0.9, 0.1], [0.1, 0.2]]), PARAMS)
    assert [u.chunk.doc_id for u in one.units] == ["a"]
    assert one.uncovered_parts == ["bis wann läuft das Programm?"]


def test_a_part_about_a_place_is_never_answered_from_another_place_and_a_figure_only_from_its_own() -> None:
    worms, trier = frozenset({"worms"}), frozenset({"trier"})
    amount = "Wie viel Geld bekommt Worms? Wie viel Geld bekommt Trier?"
    units = [
        unit("Für Personal erhält die Stadt rund 561.000 € pro Jahr.", "worms"),
        unit("Das Programm hat drei Säulen."),
    ]
    part_p = [[0.9, 0.3], [0.8, 0.6]]  # Worms's figure is likely for the Trier part too: the same words
    chosen = select(
        scored(amount, units, [0.9, 0.3], part_p, part_places=(worms, trier), unit_places=(worms, frozenset())), PARAMS
    )
    assert [u.chunk.doc_id for u in chosen.units] == ["worms"]  # nor a figure of no place for Trier
    assert chosen.uncovered_parts == ["Wie viel Geld bekommt Trier?"]
    # a unit about Trier answers the Trier part
    both = select(
        scored(amount, units, [0.9, 0.5], part_p, part_places=(worms, trier), unit_places=(worms, trier)), PARAMS
    )
    assert [u.chunk.doc_id for u in both.units] == ["worms", "a"] and both.uncovered_parts == []
    # a rule of no place answers a part that asks who: the ADD approves in every town
    who = "Wer genehmigt die Anträge in Worms? Wer genehmigt die Anträge in Trier?"
    rules = [unit("Die Stadt Worms prüft vorab.", "worms"), unit("Die ADD genehmigt die Anträge.", "rlp")]
    ruled = select(
        scored(
            who,
            rules,
            [0.9, 0.5],
            [[0.9, 0.3], [0.8, 0.6]],
            part_places=(worms, trier),
            unit_places=(worms, frozenset()),
        ),
        PARAMS,
    )
    assert [u.chunk.doc_id for u in ruled.units] == ["worms", "rlp"] and ruled.uncovered_parts == []
    # without places the likeliest unit covers the part, as before
    plain = select(scored(amount, units, [0.9, 0.3], part_p), PARAMS)
    assert plain.uncovered_parts == []


def test_the_same_sentence_with_other_figures_is_other_content() -> None:
    # two towns' press releases say the same in the same words, with their own amounts: both answer a comparison
    units = [
        unit("Das Chancenbudget des Schulträgers beträgt für Mainz rund 253.215 € pro Jahr.", "mainz"),
        unit("Das Chancenbudget des Schulträgers beträgt rund 114.000 € pro Jahr.", "worms"),
        unit("Das Chancenbudget des Schulträgers beträgt rund 114.000 € jährlich.", "worms-copy"),
    ]
    chosen = select(scored("Trägerbudget von Mainz und Worms?", units, [0.9, 0.85, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["mainz", "worms"]


def test_a_single_digit_count_is_a_figure_too() -> None:
    # "Anzahl Startchancen-Schulen Koblenz, Trier, Worms?": Worms' sentence had been dropped as a repeat of Trier's
    units = [
        unit("In Trier nehmen 9 Schulen am Startchancen-Programm teil.", "trier"),
        unit("In Worms nehmen 8 Schulen am Startchancen-Programm teil.", "worms"),
        unit("In Worms nehmen 8 Schulen am Startchancen-Programm teil.", "worms", n=1),  # the same, once more
    ]
    chosen = select(scored("Schulen in Trier und Worms?", units, [0.9, 0.85, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["trier", "worms"]


def test_the_same_sentence_about_another_place_is_other_content_even_with_the_same_figure() -> None:
    # "Wie viele Startchancen-Schulen gibt es in Trier und im Landkreis Bernkastel-Wittlich?": both have 9, and the
    # Trier sentence had been dropped as a repeat of the district's
    units = [
        unit("Im Landkreis Bernkastel-Wittlich nehmen 9 Schulen am Startchancen-Programm teil.", "bkw"),
        unit("In Trier nehmen 9 Schulen am Startchancen-Programm teil.", "trier"),
        unit("In Trier nehmen 9 Schulen am Programm teil.", "trier-copy"),  # the same place: a repeat
        unit("Es nehmen 9 Schulen am Startchancen-Programm teil.", "none"),  # names no place: a repeat
    ]
    places = (frozenset({"wittlich"}), frozenset({"trier"}), frozenset({"trier"}), frozenset())
    question = "Schulen in Trier und Bernkastel-Wittlich?"
    chosen = select(scored(question, units, [0.9, 0.85, 0.8, 0.75], named_places=places), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["bkw", "trier"]


def test_the_scorer_names_the_places_each_unit_speaks_of() -> None:
    from scp_assistant.answer.evidence import Evidence
    from scp_assistant.answer.scoring import UnitScorer
    from scp_assistant.models import ScoredChunk
    from scp_assistant.retrieve.bm25 import BM25Index

    texts = {  # the places are those the documents are filed under
        "trier": ("In Trier nehmen 9 Schulen am Startchancen-Programm teil.", "Trier, RLP"),
        "bkw": ("Im Landkreis Bernkastel-Wittlich nehmen 9 Schulen am Startchancen-Programm teil.", "Wittlich, RLP"),
        "land": ("Das Land fördert 200 Schulen.", "RLP"),
    }
    chunks = [dataclasses.replace(chunk(doc, 0, text), region=region) for doc, (text, region) in texts.items()]
    scorer = UnitScorer(BM25Index(chunks), passages=3)
    ranked = [ScoredChunk(c, 1.0) for c in chunks]
    featurized = scorer.featurize("Wie viele Schulen in Trier?", ranked, Evidence(0.5))
    named = {c.chunk.doc_id: places for c, places in zip(featurized.candidates, featurized.named_places, strict=True)}
    assert named == {"trier": {"trier"}, "bkw": {"wittlich"}, "land": frozenset()}


def test_two_places_joined_by_und_are_two_parts_other_nouns_are_one_subject() -> None:
    def places(word: str) -> bool:
        return word in {"Mainz", "Worms", "Hessen", "Kaisersesch"}

    assert profile("Wie unterscheiden sich Mainz und Worms beim Trägerbudget?", places).parts == (
        "Wie unterscheiden sich Mainz beim Trägerbudget?",
        "Wie unterscheiden sich Worms beim Trägerbudget?",
    )
    assert profile("Ist der Eigenanteil in Hessen und in Mainz gleich?", places).parts == (
        "Ist der Eigenanteil in Hessen gleich?",
        "Ist der Eigenanteil in Mainz gleich?",
    )
    assert len(profile("Vergleich bitte Mainz und Kaisersesch.", places).parts) == 2
    assert len(profile("Was bekommen Schulen und Kitas?", places).parts) == 1
    assert len(profile("Wie unterscheiden sich Mainz und Worms beim Trägerbudget?").parts) == 1  # no places known


def test_a_clause_whose_question_word_follows_a_preposition_is_a_part_of_its_own() -> None:
    assert profile("Was sollen die Maßnahmen bewirken, und an welchen Schnittstellen arbeiten wir zusammen?").parts == (
        "Was sollen die Maßnahmen bewirken",
        "an welchen Schnittstellen arbeiten wir zusammen?",
    )
    assert len(profile("Wann startete das Programm, und mit wie vielen Schulen ging es los?").parts) == 2
    # a preposition before a noun opens no question of its own
    assert len(profile("Wer genehmigt die Anträge und für die Schulen die Budgets?").parts) == 1


def test_a_question_after_a_statement_splits_into_its_parts() -> None:
    # the statement goes with the first part; "Is" (for "Ist") asks as well as "Ist"
    assert profile(
        "Hab gelesen, es gibt 6 Milliarden. Is das pro Jahr oder insgesamt, und für wie viele Schulen?"
    ).parts == (
        "Hab gelesen, es gibt 6 Milliarden. Is das pro Jahr oder insgesamt",
        "für wie viele Schulen?",
    )
    assert len(profile("Zwei Fragen zu Worms: Hat die Stadt mitgewirkt, und wie bespricht sie die Mittel?").parts) == 2
    # a date or an abbreviation ends no statement: "am 4. Juni" stays inside its clause
    assert len(profile("Was kam am 4. Juni heraus, und wie viele haben teilgenommen?").parts) == 2
    # a heading before the question still belongs to it
    assert len(profile("Kompendium Chancenbudget – wo gibt's das?").parts) == 1


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


def test_ties_are_broken_by_candidate_order_so_answers_are_deterministic() -> None:
    units = [unit("Erster Satz zum Thema.", "a"), unit("Zweiter Satz zum Thema.", "b")]
    for _ in range(5):
        assert select(scored("Was gilt?", units, [0.7, 0.7]), PARAMS).units[0].chunk.doc_id == "a"


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


def test_a_question_about_one_year_of_the_programme_is_not_answered_with_another_year_s_figures() -> None:
    units = [
        unit("Im ersten Programmjahr wurden 3,5 Mio. € bewilligt.", "a"),
        unit("Im Schuljahr 2024/25 gab es 1.689 Maßnahmen.", "b"),  # a calendar school year: not compared
    ]
    chosen = select(scored("Wie viel wurde im zweiten Jahr bewilligt?", units, [0.9, 0.7]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["b"]
    chosen = select(scored("How much was granted in the first year?", units, [0.9, 0.7]), PARAMS).units
    assert [u.chunk.doc_id for u in chosen] == ["a", "b"]


def test_the_sentence_that_describes_a_document_is_never_an_answer_unit() -> None:
    from scp_assistant.answer.units import passage_units

    lead_text = (
        "Artikel der Rheinpfalz vom Mai 2024 zu den Startchancen-Schulen in Ludwigshafen. "
        "In Ludwigshafen nehmen 14 Schulen teil."
    )
    lead = dataclasses.replace(chunk("rp-lu", 0, lead_text), section="")
    assert [u[0] for u in passage_units(lead)] == ["In Ludwigshafen nehmen 14 Schulen teil."]
    # the same words under a section heading, or further down the document, are content
    section = chunk("rp-lu", 1, lead_text)
    assert len(passage_units(section)) == 2
    assert len(passage_units(dataclasses.replace(section, section=""))) == 2
    # and so is an ordinary sentence that opens a document
    opening = dataclasses.replace(chunk("a", 0, "Die Analyse zeigt: 40 % der Mittel gehen an arme Länder."), section="")
    assert len(passage_units(opening)) == 1
    # the remark on the source that follows its description is about the source too
    nds = "Seite des Kultusministeriums zu Säule II (undatiert). Darstellung aus Niedersachsen. Ein Drittel ist frei."
    assert [u[0] for u in passage_units(dataclasses.replace(chunk("nds", 0, nds), section=""))] == [
        "Ein Drittel ist frei."
    ]
    # ... also when it says whose example the page is ("Beispiel aus Hessen; … gilt nicht für Rheinland-Pfalz.")
    hessen = "Seite der WIBank (undatiert). Beispiel aus Hessen; das gilt nicht für RLP. Anträge stellt der Träger."
    assert [u[0] for u in passage_units(dataclasses.replace(chunk("wibank", 0, hessen), section=""))] == [
        "Anträge stellt der Träger."
    ]
    # while a list of examples in the opening lines is content
    examples = dataclasses.replace(chunk("s1", 0, "Beispiele sind:\n- Lernlabore\n- Werkstätten"), section="")
    assert passage_units(examples)[0][0] == "Beispiele sind:\n- Lernlabore\n- Werkstätten"


def test_points_under_a_heading_that_names_the_place_keep_it_above_them() -> None:
    from scp_assistant.answer.units import passage_units

    text = "- Säule I: Die Stadt erhält knapp 7,6 Mio. €.\n- Säule III: Die Stadt erhält rund 561.000 € pro Jahr."
    worms = dataclasses.replace(
        chunk("worms", 1, text), region="Worms, RLP", section="Mittel für den Schulträger Worms"
    )
    assert [u[3] for u in passage_units(worms) if u[1] == "list"] == ["Mittel für den Schulträger Worms"]
    items = [(u[0], u[3]) for u in passage_units(worms) if u[1] == "item"]
    assert items == [
        ("- Säule I: Die Stadt erhält knapp 7,6 Mio. €.", "Mittel für den Schulträger Worms"),
        ("- Säule III: Die Stadt erhält rund 561.000 € pro Jahr.", "Mittel für den Schulträger Worms"),
    ]
    # a heading without the place, or points that name it themselves, need nothing above them
    plain = dataclasses.replace(worms, section="Mittel für den Schulträger")
    assert all(u[3] == "" for u in passage_units(plain))
    named = dataclasses.replace(worms, text=text.replace("Die Stadt", "Worms"))
    assert all(u[3] == "" for u in passage_units(named))
    # only the place as a word of its own: "Bundesmittel" is no heading of the Bund's, "Worms-Horchheim" not Worms
    bund = dataclasses.replace(worms, region="Bund", section="Verteilung der Bundesmittel")
    assert all(u[3] == "" for u in passage_units(bund))
    assert all(u[3] == "" for u in passage_units(dataclasses.replace(worms, section="Mittel für Worms-Horchheim")))


def test_an_editors_note_follows_what_the_sources_say() -> None:
    from scp_assistant.answer.service import notes_last

    note = unit("Hinweis der Redaktion: Eine Präsentation nennt Sekretariatsstunden.", "cb")
    first, second = unit("Die ADD genehmigt die Anträge.", "ism"), unit("Das Budget gilt je Schuljahr.", "cb")
    assert notes_last([note, first, second]) == [first, second, note]
    assert notes_last([first, note, second]) == [first, second, note]


def test_an_editors_note_joins_only_an_answer_that_draws_on_its_own_source() -> None:
    note = unit("Hinweis der Redaktion: Eine Präsentation nennt Sekretariatsstunden.", "cb", 1, 3)
    answer = unit("Die ADD genehmigt die Anträge.", "ism")
    own = unit("Eine rein administrative Stelle darf nicht finanziert werden.", "cb", 1, 2)
    alone = select(scored("Wer genehmigt Anträge?", [answer, note], [0.9, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in alone] == ["ism"]
    params = SelectionParams(add_above=0.6, part_above=0.3, budget=300, max_sources=3)
    beside = select(scored("Wer genehmigt Anträge?", [answer, own, note], [0.9, 0.85, 0.8]), params).units
    assert note in beside
    # nor does it lead an answer when it scores best
    first = select(scored("Wer genehmigt Anträge?", [note, answer], [0.9, 0.8]), PARAMS).units
    assert [u.chunk.doc_id for u in first] == ["ism"]


def test_a_cut_off_sentence_is_never_an_answer_unit_but_introduces_the_list_below_it() -> None:
    from scp_assistant.answer.units import passage_units

    text = (
        "Säule III verstärkt die Schulen personell. Das zusätzliche Personal soll\n\n"
        "- Schülerinnen und Schüler beraten,\n- Elternarbeit leisten.\n\nAm Ende steht ein Satz, der abbricht mit"
    )
    units = [u[0] for u in passage_units(chunk("s3", 1, text))]
    assert "Das zusätzliche Personal soll" not in units
    assert "Das zusätzliche Personal soll\n- Schülerinnen und Schüler beraten,\n- Elternarbeit leisten." in units
    assert not any(u.endswith("abbricht mit") for u in units)


def test_a_bullet_that_stops_mid_phrase_heads_the_next_list_and_is_no_point_of_its_own() -> None:
    from scp_assistant.answer.units import passage_units

    text = (
        "- Kleinere Gemeinden haben bereits Mittel beantragt\n- Anträge vornehmlich für\n\n"
        "- zusätzliche Sekretariatsstunden\n- Ferienangebote"
    )
    units = [u[0] for u in passage_units(chunk("ism", 5, text, page=14))]
    assert "- Kleinere Gemeinden haben bereits Mittel beantragt" in units
    assert "Anträge vornehmlich für\n- zusätzliche Sekretariatsstunden\n- Ferienangebote" in units
    assert not any(u.endswith("vornehmlich für") for u in units)  # neither alone nor closing the first list
    # with no list below, the last point stays in its list; a lead-in above a lone cut-off point heads the next list
    alone = [
        u[0] for u in passage_units(chunk("ism", 6, "Ansprechpartner:\n- die ADD\n- das Ministerium unter:", page=3))
    ]
    assert "Ansprechpartner:\n- die ADD\n- das Ministerium unter:" in alone
    led = "Die Schulträger planen:\n- Anträge vornehmlich für\n\n- Sekretariatsstunden\n- Ferienangebote"
    assert "Die Schulträger planen: Anträge vornehmlich für\n- Sekretariatsstunden\n- Ferienangebote" in [
        u[0] for u in passage_units(chunk("ism", 7, led, page=4))
    ]


def test_a_label_of_a_slide_diagram_is_no_answer_alone_and_heads_the_list_below_it() -> None:
    from scp_assistant.answer.units import passage_units

    text = (
        "Daraus ergeben sich Schnittstellen\n- innerkommunal\n- mit Akteuren außerhalb Verwaltung\n\n"
        "Kreisverwaltung\n\nVerbandsgemeindeverwaltung\n\nJugendamt\n- Jugendhilfeplanung\n- Schulsozialarbeit\n\n"
        "04. Juni 2025"
    )
    units = passage_units(chunk("ism", 8, text, page=15))
    shown = [u[0] for u in units]
    assert "Kreisverwaltung" not in shown and "Verbandsgemeindeverwaltung" not in shown
    assert "Jugendamt\n- Jugendhilfeplanung\n- Schulsozialarbeit" in shown
    assert ("- Schulsozialarbeit", "item", "Jugendamt") in [(u[0], u[1], u[3]) for u in units]
    assert "Daraus ergeben sich Schnittstellen\n- innerkommunal\n- mit Akteuren außerhalb Verwaltung" in shown
    assert "04. Juni 2025" in shown  # a date says something of its own
    # the rest of a wrapped point ("ggf. zwischen" / "Gebietskörperschaften") heads nothing: the point is cut off;
    # a complete ending is no cut ("mit und ohne", "von Amts wegen")
    from scp_assistant.learn.unit_text import dangling

    assert dangling("- ggf. zwischen") and dangling("Stimmen gegen") and dangling("Angebote innerhalb")
    assert not any(dangling(t) for t in ("Kurse mit und ohne", "von Amts wegen", "Wir sind dagegen"))
    wrapped = passage_units(
        chunk("ism", 11, "Schnittstellen\n- ggf. zwischen\n\nGebietskörperschaften\n- mit Akteuren", page=15)
    )
    assert "Gebietskörperschaften\n- mit Akteuren" not in [u[0] for u in wrapped]
    assert "Gebietskörperschaften" not in [u[3] for u in wrapped]
    pillar = passage_units(chunk("ism", 10, "Säule I: Investitionsprogramm\n\nwww.startchancen.de", page=16))
    assert [u[0] for u in pillar] == ["Säule I: Investitionsprogramm", "www.startchancen.de"]
    # in running text a short line is a sentence like any other
    assert "Kreisverwaltung" in [u[0] for u in passage_units(chunk("doc", 9, "Kreisverwaltung"))]


def test_courtesy_lines_of_slides_are_not_answer_units() -> None:
    from scp_assistant.answer.reading import is_filler

    assert is_filler("Herzlich Willkommen zum 1. Schulträgeraustausch im Startchancen-Programm")
    assert is_filler("Vielen Dank für Ihre Teilnahme an der Befragung")
    assert not is_filler("Die ADD genehmigt die Anträge aus dem Chancenbudget.")


def test_a_count_is_a_figure_that_is_neither_a_year_nor_a_date_nor_a_sum_nor_an_article() -> None:
    from scp_assistant.learn.unit_text import has_count

    assert has_count("In Trier nehmen 9 Schulen teil.") and has_count("zwei Städte planen Stellen")
    assert has_count("14 Berufsgruppen sind förderfähig; dafür stehen 1,24 Mio. € bereit.")
    for text in (
        "Die BLV vom 04.06.2024 gilt.",
        "Stellenplan 2026",
        "im Schuljahr 2024/2025",
        "Ein Träger erhält eine",
        "Für multiprofessionelles Personal erhält Mainz rund 1,24 Mio. € pro Jahr.",  # how much, not how many
        "40 % der Mittel fließen in Säule I.",
    ):
        assert not has_count(text), text


def test_an_item_names_what_its_coordination_stands_for() -> None:
    """ "Ergo-, Spiel- und Lerntherapeut/in" names the Ergotherapeutin asked about: the answer shows that line of the
    sub-professions, not all of them. The words come with the candidates (``item_words``); without them, the list."""
    whole = "Dazu gehören:\n- Jugendpfleger/in\n- Ergo-, Spiel- und Lerntherapeut/in\n- Motopäde/in"
    trial = _list_trial("Dürfen wir eine Ergotherapeutin einstellen?", whole, frozenset({"ergotherapeut"}))
    words = (frozenset(), frozenset(), frozenset({"ergotherapeut"}), frozenset())
    named = dataclasses.replace(trial, featurized=dataclasses.replace(trial.featurized, item_words=words))
    assert _shown(named) == ["- Ergo-, Spiel- und Lerntherapeut/in"]
    assert _shown(trial) == ["Dazu gehören:"]


def test_the_scorer_reads_the_coordination_words_of_list_items() -> None:
    from scp_assistant.learn.features import FeatureExtractor
    from scp_assistant.retrieve.bm25 import BM25Index

    chunk = Chunk("s", "s::0", "T", "", "", "", "", "", "", None, "Dazu gehören Ergo-, Spiel- und Lerntherapeut/in.")
    features = FeatureExtractor(BM25Index([chunk], lexicon=frozenset({"therapeut"})))
    assert features.coordinated("- Ergo-, Spiel- und Lerntherapeut/in,") == frozenset(
        {"ergotherapeut", "spieltherapeut"}
    )


def test_the_refusal_features_see_only_units_an_answer_may_use() -> None:
    from scp_assistant.answer.scoring import score_with

    units = [unit("Die Gemeinde erhielt für 2024/25 11.527,50 €.", "a"), unit("Die Mittel fließen jährlich.", "b")]
    rows = np.zeros((2, len(UNIT_FEATURES)))
    rows[:, UNIT_FEATURES.index("cov_unit")] = [1.0, 0.0]  # the unit model likes the 2024/25 sentence only
    prof = profile("Was hat die Gemeinde 2025/26 bekommen?")
    query = QueryTerms({}, frozenset(), (), (), prof.kind)
    weights = tuple(4.0 if f == "cov_unit" else 0.0 for f in UNIT_FEATURES)
    model = LinearModel(UNIT_FEATURES, (0.0,) * len(UNIT_FEATURES), (1.0,) * len(UNIT_FEATURES), weights, -2.0)
    p_best = QUESTION_FEATURES.index("p_best")
    for excluded, expected in ((frozenset(), 0.88), (frozenset({0}), 0.12)):
        featurized = Featurized(prof, units, rows, [], EVIDENCE, query, (), frozenset(), excluded)
        assert score_with(featurized, model).question_row[p_best] == pytest.approx(expected, abs=0.01)


def test_the_answer_also_reads_the_passages_beside_the_top_three() -> None:
    from scp_assistant.answer.reading import beside_leaders
    from scp_assistant.models import ScoredChunk

    docs = {"a": [chunk("a", n) for n in range(5)], "b": [chunk("b", n) for n in range(2)], "c": [chunk("c", 0)]}
    ranked = [ScoredChunk(c, 1.0) for c in (docs["a"][2], docs["b"][0], docs["c"][0], docs["a"][4])]
    reading = ranked[:3]
    extra = beside_leaders(ranked, reading, docs)
    # before and after the leader of a, after the leader of b; a::004 ranks fourth, so its neighbours are not added
    assert [s.chunk.chunk_id for s in extra] == ["a::001", "a::003", "b::001"]
    # a passage the ranking knows keeps its ranks and scores; one below the candidates comes without
    known = ScoredChunk(docs["a"][3], 0.5, dense_score=0.8, dense_rank=7)
    extra = beside_leaders([*ranked, known], reading, docs)
    assert extra[1] is known and extra[0] == ScoredChunk(docs["a"][1], 0.0)


def test_the_answer_reads_the_best_bm25_and_dense_hits_wherever_fusion_put_them() -> None:
    from scp_assistant.answer.reading import with_leaders
    from scp_assistant.models import ScoredChunk

    fused = [ScoredChunk(chunk("f", n), 1.0 - n / 100, bm25_rank=n + 1, dense_rank=n + 1) for n in range(30)]
    # only BM25 found the slide, barely ahead of the runner-up: fusion put it at rank 28
    slide = ScoredChunk(chunk("slide", 3), 0.01, bm25_rank=0)
    dense_only = ScoredChunk(chunk("d", 0), 0.009, dense_rank=0)
    ranked = [*fused[:28], slide, dense_only, *fused[28:]]
    reading = with_leaders(ranked, 18)
    assert reading[:18] == ranked[:18]
    assert reading[18:] == [slide, dense_only]
    top = [slide, *fused[:17]]
    assert with_leaders([*top, dense_only], 18) == [*top, dense_only]  # a leader already read is not read twice


def test_a_sentence_follows_the_sentence_it_continues() -> None:
    units = [
        unit("Schulträger sind für die äußeren Schulangelegenheiten zuständig.", "a", position=3),
        unit("Das ism begleitet die Schulträger im Auftrag des Landes.", "b"),
        unit("Damit liegt zum Beispiel die Ausgestaltung der Investitionen in Säule I bei ihnen.", "a", position=4),
    ]
    chosen = select(scored("Wofür ist der Schulträger zuständig?", units, [0.9, 0.8, 0.7]), PARAMS).units
    assert [u.text[:6] for u in chosen] == ["Schult", "Damit ", "Das is"]
    text, _ = render(chosen)
    assert text.startswith("Schulträger sind für die äußeren Schulangelegenheiten zuständig. [1] Damit liegt")


def test_a_sentence_that_points_back_comes_with_its_antecedent_or_not_at_all() -> None:
    before = "Schulträger sind für die äußeren Schulangelegenheiten zuständig."
    pointing = "Damit liegt zum Beispiel die Ausgestaltung der Investitionen in Säule I bei ihnen."
    units = [
        unit("Die ADD genehmigt die Anträge aus dem Chancenbudget.", "b"),
        unit(pointing, "a", position=4),
        unit(before, "a", position=3),
    ]
    question = "Wofür ist der Schulträger zuständig?"
    # the antecedent scores too low to be chosen by itself; it comes in with the sentence that needs it
    chosen = select(scored(question, units, [0.9, 0.8, 0.1]), PARAMS).units
    assert [u.text for u in chosen] == [units[0].text, before, pointing]
    # with no room for both, the pointing sentence stays out rather than standing alone
    tight = dataclasses.replace(PARAMS, budget=len(units[0].text) + len(pointing) + 5)
    assert [u.text for u in select(scored(question, units, [0.9, 0.8, 0.1]), tight).units] == [units[0].text]
    # as the lead it is kept: an answer is never emptied for it
    alone = select(scored(question, units[1:2], [0.9]), tight).units
    assert [u.text for u in alone] == [pointing]


def test_a_sentence_points_back_by_its_first_word_or_a_pointing_adverb_right_after_its_subject() -> None:
    from scp_assistant.answer.reading import leans_on_previous

    assert leans_on_previous("Die Stadt trägt dabei einen Eigenanteil von 30 %, das sind rund 5,04 Mio. €.")
    assert leans_on_previous("Sie dient der Finanzierung von Personalkosten.")
    assert leans_on_previous("Die Förderung für Kaisersesch in Säule II stammt aus diesem Trägerbudget.")
    assert leans_on_previous("Auch das Evaluationskonzept ist an diesen drei Ebenen ausgerichtet.")
    assert not leans_on_previous("Nach dieser FAQ sind Aufgaben der Kernverwaltung ausgeschlossen.")  # the source
    assert not leans_on_previous("Die Stadt Mainz erhält über zehn Jahre rund 16,8 Mio. €.")
    for ahead in ("Das Budget dient dazu, Schulen zu stärken.", "Die Schulen erhalten in diesem Jahr 5 Mio. €."):
        assert not leans_on_previous(ahead)  # points ahead; names a date
    assert leans_on_previous("Sie verteilen sich so:\n- 120 Grundschulen")  # a list by its lead-in only
    assert not leans_on_previous("Die Schularten:\n- Grundschulen erhalten davon 60 %")
    assert not leans_on_previous("Die Mittel werden vom Land bereitgestellt, damit die Schulen planen können.")


def test_a_list_whose_lead_in_points_back_comes_with_the_sentence_before_it() -> None:
    before = "In Rheinland-Pfalz sind 200 Schulen am Startchancen-Programm beteiligt."
    listed = "Sie verteilen sich so auf die Schularten:\n- 120 Grundschulen\n- 46 Realschulen plus"
    units = [unit(listed, "daten", position=2, kind="list"), unit(before, "daten", position=1)]
    chosen = select(scored("Welche Schularten?", units, [0.9, 0.1]), PARAMS).units
    assert [u.text for u in chosen] == [before, listed]


def test_a_refusal_never_quotes_a_sentence_that_leans_on_the_one_before() -> None:
    from scp_assistant.answer.prepared import Prepared
    from scp_assistant.answer.reading import leans_on_previous
    from scp_assistant.answer.service import AnswerService

    assert leans_on_previous("Sie dient der Finanzierung von Personalkosten für multiprofessionelle Teams.")
    assert leans_on_previous("Damit liegt die Ausgestaltung bei ihnen.")
    assert not leans_on_previous("Es gibt zwei Chancenbudgets.") and not leans_on_previous("Sie-Form ist üblich")
    units = [
        unit("Sie dient der Finanzierung von Personalkosten für multiprofessionelle Teams.", "a", position=1),
        unit("Die Verwaltungsvereinbarung zu Säule I unterscheidet drei Fördergegenstände.", "b"),
    ]
    prep = Prepared("Was zahlen wir zu?", "Was zahlen wir zu?", False, [], [], 0.0)
    prep.scored = scored("Was zahlen wir zu?", units, [0.9, 0.8])
    nearby = AnswerService._nearby(prep, hand_models(related_above=0.5))
    assert nearby is not None and nearby.chunk.doc_id == "b"


def test_a_contact_line_answers_only_a_question_about_whom_to_contact() -> None:
    units = [
        unit("Probleme mit dem SCP-Portal richten Sie an startchancen(at)bm.rlp.de.", "faq"),
        unit("Das SCP soll Bildungserfolg von der sozialen Herkunft entkoppeln.", "ziel"),
    ]
    rows = np.zeros((2, len(UNIT_FEATURES)))
    assert excluded_units("Was soll das SCP bewirken?", frozenset(), rows, units) == {0}
    asks = "An wen wende ich mich, wenn das SCP-Portal nicht geht?"
    assert excluded_units(asks, frozenset(), rows, units) == set()
    assert excluded_units("Gibt es eine Mailadresse für Fragen?", frozenset(), rows, units) == set()


def test_an_answer_to_a_question_of_one_part_draws_on_two_sources_at_most() -> None:
    units = [
        unit("Die ADD genehmigt die Anträge.", "a"),
        unit("Die Schulaufsicht prüft die Zielvereinbarung.", "b"),
        unit("Das Land zahlt die Mittel aus.", "c"),
        unit("Die ADD berät die Schulen auch.", "a", n=1, position=1),
    ]
    p = [0.9, 0.8, 0.75, 0.7]
    chosen = select(scored("Wer genehmigt die Anträge?", units, p), dataclasses.replace(PARAMS, budget=1000)).units
    assert sorted({u.chunk.doc_id for u in chosen}) == ["a", "b"] and len(chosen) == 3  # c left out, a's second kept
    # each part of a question of several parts may need its own source
    multi = scored("Wer genehmigt die Anträge, und wer zahlt die Mittel aus?", units, p)
    assert {u.chunk.doc_id for u in select(multi, dataclasses.replace(PARAMS, budget=1000)).units} == {"a", "b", "c"}


def _two_sources() -> list[UnitCandidate]:
    """Two units of source a (the lead and a later one) and one of source b."""
    return [
        unit("Die ADD genehmigt die Anträge.", "a"),
        unit("Die Schulaufsicht prüft die Zielvereinbarung.", "b"),
        unit("Die ADD berät die Schulen auch.", "a", n=1, position=1),
    ]


def test_a_second_source_joins_only_from_its_threshold_on() -> None:
    units = _two_sources()
    p = [0.9, 0.8, 0.7]
    params = dataclasses.replace(PARAMS, budget=1000, add_above=0.5)
    assert {u.chunk.doc_id for u in select(scored("Wer genehmigt?", units, p), params).units} == {"a", "b"}
    strict = dataclasses.replace(params, second_source_above=0.85)
    chosen = select(scored("Wer genehmigt?", units, p), strict).units
    assert [u.chunk.doc_id for u in chosen] == ["a", "a"]  # b left out; the first source's own units still join


def test_the_wording_prior_speaks_for_a_german_question_not_for_a_bracketed_follow_up_or_english() -> None:
    from scp_assistant.answer.scoring import score_with
    from scp_assistant.learn.wording import WordingModel

    units = [unit("Die Mittel fließen jährlich.", "a")]
    rows = np.zeros((1, len(UNIT_FEATURES)))
    zero = LinearModel(UNIT_FEATURES, (0.0,) * len(UNIT_FEATURES), (1.0,) * len(UNIT_FEATURES),
                       (0.0,) * len(UNIT_FEATURES), 0.0)  # fmt: skip
    wording = WordingModel({"bis": 0.5, "wann": 1.0, "was": -0.5}, -0.25)
    at = QUESTION_FEATURES.index("wording")

    def prior(text: str, carried: str = "", english: bool = False) -> float:
        prof = profile(text)
        evidence = dataclasses.replace(EVIDENCE, english=english)
        featurized = Featurized(prof, units, rows, [], evidence, QueryTerms({}, frozenset(), (), (), prof.kind),
                                carried=carried)  # fmt: skip
        return float(score_with(featurized, zero, wording=wording).question_row[at])

    assert prior("Bis wann?") == pytest.approx(1.25)
    # as the follow-up resolver searches an elliptical turn: its own words, the previous topic in brackets
    assert prior("Bis wann?", carried="Trägerbudget Worms") == 0.0
    assert prior("What was the budget in 2024?", english=True) == 0.0  # "was" is no German function word here


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("Kann das Chancenbudget angespart werden?", "Nein. Das schuleigene"),  # a yes-or-no question: the verdict
        ("Wie lange gilt das schuleigene Chancenbudget?", "Das schuleigene"),  # another question: the FAQ's own
    ],
)
def test_an_faq_verdict_is_shown_only_for_a_yes_or_no_question(
    fake_container: Container, question: str, start: str
) -> None:
    from scp_assistant.answer.prepared import Prepared
    from scp_assistant.answer.reading import without_verdict

    assert without_verdict("Ja, das ist möglich.") == "Das ist möglich."
    assert without_verdict("Januar 2025: Start.") == "Januar 2025: Start."
    units = [unit("Nein. Das schuleigene Chancenbudget gilt jeweils für ein Schuljahr.", "faq", kind="faq")]
    prep = Prepared(question, question, False, [], [], 0.0)
    prep.scored = scored(question, units, [0.9])
    answer = fake_container.answer_service.compose(prep, hand_models())
    assert answer.answer.startswith(start)
    assert answer.citations[0].quote in units[0].text  # still a quote of the source


def test_units_of_the_source_the_answer_leads_with_join_it_before_others_of_like_probability() -> None:
    units = _two_sources()
    p = [0.9, 0.62, 0.58]
    params = dataclasses.replace(PARAMS, budget=80, add_above=0.55)  # room for one more unit
    plain = select(scored("Wer genehmigt?", units, p), params).units
    assert [u.chunk.doc_id for u in plain] == ["a", "b"]
    leaning = select(scored("Wer genehmigt?", units, p), dataclasses.replace(params, same_source_bonus=0.1)).units
    assert [u.text for u in leaning] == [units[0].text, units[2].text]
    # the bonus also lets a unit of the lead's source pass the threshold it would miss alone
    low = select(scored("Wer genehmigt?", units, [0.9, 0.3, 0.5]), dataclasses.replace(params, same_source_bonus=0.1))
    assert [u.text for u in low.units] == [units[0].text, units[2].text]


def test_a_long_unit_waits_behind_a_shorter_one_of_like_probability_when_a_length_cost_is_learned() -> None:
    long = "Die ADD berät die Schulen in allen Fragen der Schulentwicklung und der Zielvereinbarung ausführlich."
    units = [unit("Die ADD genehmigt die Anträge.", "a"), unit(long, "a", n=1), unit("Die ADD prüft.", "a", n=2)]
    p = [0.9, 0.7, 0.65]
    params = dataclasses.replace(PARAMS, budget=140, add_above=0.5)  # room for the long unit or the short one
    assert [u.text for u in select(scored("Was macht die ADD?", units, p), params).units][1] == long
    costly = dataclasses.replace(params, length_cost=0.2)
    chosen = [u.text for u in select(scored("Was macht die ADD?", units, p), costly).units]
    assert chosen[1:] == ["Die ADD prüft."] and long not in chosen
    # the cost orders; it never lets a unit below the threshold join
    low = select(scored("Was macht die ADD?", units, [0.9, 0.7, 0.3]), costly).units
    assert [u.text for u in low] == [units[0].text, long]


def test_a_unit_below_the_threshold_that_ranks_first_by_shortness_does_not_stop_the_likely_ones_behind_it() -> None:
    long = "Die ADD " + "berät die Schulen in allen Fragen der Schulentwicklung, " * 5 + "und zwar ausführlich."
    units = [unit("Die ADD genehmigt die Anträge.", "a"), unit("Die ADD prüft.", "a", n=1), unit(long, "a", n=2)]
    params = dataclasses.replace(PARAMS, budget=400, add_above=0.5, length_cost=0.2)
    # the short unit (p 0.45) is tried first but may not join; the long one (p 0.55, ranked below the threshold by its
    # length) still does: the threshold is on the probability, the length only orders
    chosen = select(scored("Was macht die ADD?", units, [0.9, 0.45, 0.55]), params).units
    assert [u.text for u in chosen] == [units[0].text, long]
