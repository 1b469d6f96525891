"""Which further units join an answer and in which order: antecedents, sources, shortness."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers import hand_models
from scp_assistant.answer.citations import render
from scp_assistant.answer.exclusions import excluded_units
from scp_assistant.answer.scoring import UNIT_MODEL_FEATURES, Featurized
from scp_assistant.answer.select import select
from scp_assistant.container import Container
from scp_assistant.learn.candidates import QueryTerms, UnitCandidate
from scp_assistant.learn.model import LinearModel
from scp_assistant.learn.question import profile
from scp_assistant.learn.question_features import QUESTION_FEATURES
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from selection_cases import EVIDENCE, PARAMS, scored, unit


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
    from scp_assistant.learn.unit_text import leans_on_previous

    assert leans_on_previous("Die Stadt trägt dabei einen Eigenanteil von 30 %, das sind rund 5,04 Mio. €.")
    assert leans_on_previous("Sie dient der Finanzierung von Personalkosten.")
    assert leans_on_previous("Die Förderung für Kaisersesch in Säule II stammt aus diesem Trägerbudget.")
    assert leans_on_previous("Auch das Evaluationskonzept ist an diesen drei Ebenen ausgerichtet.")
    assert leans_on_previous("Für dasselbe Schuljahr 2024/25 erhielt die Verbandsgemeinde 54.762,70 €.")
    assert leans_on_previous("Dasselbe gilt für berufsbildende Schulen.")
    assert not leans_on_previous("Für Säule II gelten dieselben Regeln wie für Säule I.")  # names it after
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
    from scp_assistant.answer.service import AnswerService
    from scp_assistant.learn.unit_text import leans_on_previous

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


def test_a_refusal_quotes_nearby_what_names_the_question_s_names_never_an_editor_s_note_or_a_long_text() -> None:
    """ "Wie hoch wird das Trägerbudget von Zweibrücken nach der Neuberechnung …?" was declined with "Belegt ist: Es
    gibt zwei Chancenbudgets …"; Zweibrücken's own budget says more of what was asked. An editor's note after
    "Belegt ist:" comments on a source the reader does not see."""
    from scp_assistant.answer.prepared import Prepared
    from scp_assistant.answer.service import AnswerService

    question = "Wie hoch wird das Trägerbudget von Zweibrücken nach der Neuberechnung sein?"
    units = [
        unit("Hinweis der Redaktion: Die Angabe weicht von der Landesseite ab.", "note"),
        unit("Es gibt zwei Chancenbudgets: das schuleigene und das des Schulträgers.", "general"),
        unit("Das Chancenbudget des Schulträgers Zweibrücken beträgt 39.847,50 € pro Jahr.", "zwei"),
        unit("Zweibrücken erhält " + "viel Geld für viele Dinge, " * 20 + "pro Jahr.", "long"),
        unit("Zweibrücken liegt in der Westpfalz.", "weak"),
    ]
    prep = Prepared(question, question, False, [], [], 0.0)
    prep.scored = scored(question, units, [0.95, 0.9, 0.6, 0.99, 0.3])
    names_missing = UNIT_FEATURES.index("names_missing")
    prep.scored.featurized.rows[:, names_missing] = [1.0, 1.0, 0.0, 0.0, 0.0]
    nearby = AnswerService._nearby(prep, hand_models(related_above=0.5))
    assert nearby is not None and nearby.chunk.doc_id == "zwei"
    # without a unit that names it, the likeliest of those that can stand alone
    prep.scored.featurized.rows[:, names_missing] = 1.0
    nearby = AnswerService._nearby(prep, hand_models(related_above=0.5))
    assert nearby is not None and nearby.chunk.doc_id == "general"
    # a question that names no place is not told what one Schulträger got ("… pro Schüler?" quoted Worms' budget)
    asked = "Wie viel Geld bekommen wir aus dem Chancenbudget pro Schüler?"
    worms = unit("Mittel für Worms: Das Trägerbudget beträgt rund 114.000 € pro Jahr.", "worms")
    worms = dataclasses.replace(worms, chunk=dataclasses.replace(worms.chunk, region="Worms, RLP"))
    budgets = [worms, unit("Das Budget hängt von der Schülerzahl ab.", "faq")]
    prep = Prepared(asked, asked, False, [], [], 0.0)
    prep.scored = scored(asked, budgets, [0.8, 0.6])
    nearby = AnswerService._nearby(prep, hand_models(related_above=0.5))
    assert nearby is not None and nearby.chunk.doc_id == "faq"


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
    reads = UNIT_MODEL_FEATURES
    zero = LinearModel(reads, (0.0,) * len(reads), (1.0,) * len(reads), (0.0,) * len(reads), 0.0)
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


def test_only_the_lead_keeps_its_verdict_a_further_faq_answer_s_verdict_answers_its_own_question(
    fake_container: Container,
) -> None:
    """ "Dürfen wir aus dem Chancenbudget Mobiliar kaufen?" read "Mobiliar ist nicht grundsätzlich ausgeschlossen
    … Nein. Das schuleigene Chancenbudget gilt jeweils für ein Schuljahr …": the "Nein." was about carrying funds
    over (walk-through, round 37)."""
    from scp_assistant.answer.prepared import Prepared

    question = "Dürfen wir aus dem Chancenbudget Mobiliar kaufen?"
    units = [
        unit("Ja. Mobiliar ist nicht grundsätzlich ausgeschlossen.", "faq", kind="faq"),
        unit("Nein. Das schuleigene Chancenbudget gilt jeweils für ein Schuljahr.", "faq", n=1, kind="faq"),
    ]
    prep = Prepared(question, question, False, [], [], 0.0)
    prep.scored = scored(question, units, [0.9, 0.8])
    answer = fake_container.answer_service.compose(prep, hand_models(add_above=0.5, budget=600))
    assert answer.answer.startswith("Ja. Mobiliar")
    assert "Nein." not in answer.answer and "Das schuleigene Chancenbudget gilt" in answer.answer


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
