"""Selection on hand-made scores: the lead, further units, the budget, repeats, parts and places."""

from __future__ import annotations

import dataclasses

from scp_assistant.answer.select import select
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.question import profile
from selection_cases import PARAMS, chunk, scored, unit


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


def test_a_unit_is_about_the_pillar_its_words_stand_for_unless_its_heading_names_one() -> None:
    """ "ADD/Schulaufsicht: - Genehmigt Anträge aus Chancenbudget" answered "Wer genehmigt das?" after a question on
    Säule I (walk-through of round 43): the Chancenbudget is Säule II. A heading that names a pillar goes first."""
    import dataclasses as dc

    from scp_assistant.answer.exclusions import unit_pillars

    approves = dc.replace(unit("- Genehmigt Anträge aus Chancenbudget", "ism", 4, kind="item"), context="ADD")
    builds = unit("Gefördert werden Investitionen in Schulgebäude.", "land")
    beside = dc.replace(unit("Investitionen sind hier nicht vorgesehen.", "cb"), context="Säule II: Chancenbudget")
    assert unit_pillars(approves) == {"II"} and unit_pillars(builds) == {"I"} and unit_pillars(beside) == {"II"}
    question = scored("Wer genehmigt das? (Säule I)", [approves, builds], [0.9, 0.6], asked_pillars=frozenset({"I"}))
    assert [u.text for u in select(question, PARAMS).units] == [builds.text]


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


def test_ties_are_broken_by_candidate_order_so_answers_are_deterministic() -> None:
    units = [unit("Erster Satz zum Thema.", "a"), unit("Zweiter Satz zum Thema.", "b")]
    for _ in range(5):
        assert select(scored("Was gilt?", units, [0.7, 0.7]), PARAMS).units[0].chunk.doc_id == "a"
