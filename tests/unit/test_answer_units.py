"""What counts as an answer unit and which passages the answer reads."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scp_assistant.answer.scoring import UNIT_MODEL_FEATURES, Featurized
from scp_assistant.answer.select import select
from scp_assistant.learn.candidates import QueryTerms
from scp_assistant.learn.model import LinearModel, SelectionParams
from scp_assistant.learn.question import profile
from scp_assistant.learn.question_features import QUESTION_FEATURES
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.models import Chunk
from selection_cases import EVIDENCE, PARAMS, chunk, scored, unit


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


def test_the_date_a_document_was_current_is_no_date_of_what_it_reports() -> None:
    from scp_assistant.learn.unit_text import DATE, DAY, without_status_dates

    note = "Hinweis der Redaktion: Eine Präsentation des ism zum Umsetzungsstand (Stand Mai 2025) führt Stunden auf."
    for text in (
        note,
        "eine Vorlage für eine Bedarfsabfrage (Stand 14.08.2024)",
        "Die Angaben haben den Stand 1.10.2025.",
        "die Downloads tragen den Stand 14.08.2024 bzw. 14.12.2024",
        "Liste der Schulen (Stand: 1. Juni 2024)",
    ):
        assert not DATE.search(without_status_dates(text)) and not DAY.search(without_status_dates(text)), text
    for text in ("Am 29.08.2024 wurde das Programm eröffnet.", "Umsetzungsstand bei Schulträgern Mai 2025"):
        assert without_status_dates(text) == text  # an event's date, and a heading that names the month reported on


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
    reads = UNIT_MODEL_FEATURES
    weights = tuple(4.0 if f == "cov_unit" else 0.0 for f in reads)
    model = LinearModel(reads, (0.0,) * len(reads), (1.0,) * len(reads), weights, -2.0)
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


def test_each_part_of_a_multi_part_question_reads_its_own_bm25_leader() -> None:
    from scp_assistant.answer.scoring import UnitScorer
    from scp_assistant.models import ScoredChunk
    from scp_assistant.retrieve.bm25 import BM25Index

    texts = [f"Säule I: Der kommunale Eigenanteil beträgt 30 % der Investitionen, Fall {n}." for n in range(20)]
    filler = " ".join(f"Wort{n}" for n in range(60))  # long passages that name the words too: no rare nouns
    texts += [f"Anträge und das Chancenbudget, {filler}." for _ in range(3)]
    texts += ["ADD/Schulaufsicht: Genehmigt Anträge aus dem Chancenbudget.", "Bis wann muss man Anträge stellen?"]
    chunks = [chunk("d", n, text) for n, text in enumerate(texts)]
    scorer = UnitScorer(BM25Index(chunks), passages=3)
    ranked = [ScoredChunk(c, 1.0 - n / 100, bm25_rank=n, dense_rank=n) for n, c in enumerate(chunks)]
    parts = ("Wer genehmigt Anträge aus dem Chancenbudget", "wie hoch ist der Eigenanteil in Säule I?")
    question = f"{parts[0]} und {parts[1]}"
    without = [s.chunk.chunk_id for s in scorer.passages(question, ranked)]
    with_parts = [s.chunk.chunk_id for s in scorer.passages(question, ranked, parts)]
    assert "d::023" not in without and "d::023" in with_parts  # fusion buried the slide that answers part one
    assert scorer.passages(question, ranked, parts[:1]) == scorer.passages(question, ranked)  # one part: as before
    # a part without a topic of its own ("und bis wann muss man sie stellen?") has no leader of its own to read:
    # its BM25 leader would be the passage that happens to say "stellen"
    follow_on = ("Wer genehmigt Anträge aus dem Chancenbudget", "bis wann muss man sie stellen?")
    read = [s.chunk.chunk_id for s in scorer.passages(" und ".join(follow_on), ranked, follow_on)]
    assert "d::024" not in read and "d::023" in read
