"""Unit features computed from hand-made chunks: what a question's words say about a unit."""

from __future__ import annotations

import numpy as np
import pytest

from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.features import FeatureExtractor
from scp_assistant.learn.question_words import attribution
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.models import Chunk
from scp_assistant.retrieve.bm25 import BM25Index


def _chunk(doc: str, publisher: str, text: str, section: str = "Abschnitt") -> Chunk:
    return Chunk(doc, f"{doc}::000", f"Bericht {doc}", publisher, "", "", "landesseite", "RLP", section, None, text)


def _extractor(*chunks: Chunk) -> FeatureExtractor:
    """Features over the given chunks and eight filler passages (so that their words are rare)."""
    filler = [_chunk(f"f{i}", "Zeitung", f"Schulen im Programm, Meldung {i}.") for i in range(8)]
    return FeatureExtractor(BM25Index([*chunks, *filler]))


def _unit_value(features: FeatureExtractor, name: str, question: str, kind: str, chunk: Chunk) -> float:
    """One unit feature of a chunk's text as a sentence, for a question of the given kind."""
    row = features.unit(features.query(question, kind), UnitCandidate(chunk.text, chunk, "sentence", 0, 1))
    return float(row[UNIT_FEATURES.index(name)])


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("Was sollen die Maßnahmen laut ism bewirken?", "ism"),
        (
            "Was soll das ism laut Pressemitteilung des Bildungsministeriums leisten?",
            "Pressemitteilung Bildungsministeriums",
        ),
        ("Welches Thema nennt das Land im Newsletter zum ersten Jahr?", "Newsletter"),
        ("What does the programme fund according to the BMBF?", "BMBF"),
        ("Wie viel Geld bekommt Worms?", ""),
    ],
)
def test_the_source_a_question_cites_is_found_by_its_names(question: str, cited: str) -> None:
    assert attribution(question) == cited


def test_a_unit_from_the_source_the_question_cites_is_marked_and_one_from_elsewhere_too() -> None:
    ism = _chunk("ism-folien", "Institut für sozialpädagogische Forschung Mainz (ism)", "Steuerungsgremium einrichten.")
    land = _chunk("land", "Ministerium für Bildung", "Steuerungsgremium einrichten und Berichte schreiben.")
    filler = [_chunk(f"f{i}", "Zeitung", f"Schulen im Programm, Meldung {i}.") for i in range(12)]
    features = FeatureExtractor(BM25Index([ism, land, *filler]))
    named, other = UNIT_FEATURES.index("source_named"), UNIT_FEATURES.index("source_other")

    cited = features.query("Wie gehen wir laut ism am besten vor?", "how")
    assert features.unit(cited, UnitCandidate(ism.text, ism, "sentence", 0, 1))[[named, other]].tolist() == [1, 0]
    assert features.unit(cited, UnitCandidate(land.text, land, "sentence", 0, 1))[[named, other]].tolist() == [0, 1]

    plain = features.query("Wie gehen wir am besten vor?", "how")
    assert features.unit(plain, UnitCandidate(ism.text, ism, "sentence", 0, 1))[[named, other]].tolist() == [0, 0]


def test_a_refusal_names_what_is_missing_in_the_question_s_specific_words_not_in_common_ones() -> None:
    from scp_assistant.answer.scoring import Featurized, missing_words
    from scp_assistant.learn.question import profile
    from scp_assistant.learn.question_features import EvidenceView

    koblenz = _chunk("koblenz", "Stadt Koblenz", "In Koblenz werden 11 Schulen gefördert.")
    filler = [
        _chunk(f"f{i}", "Zeitung", f"Geld für Personal und Schulen, Meldung {i} aus Pirmasens.") for i in range(3)
    ]
    filler += [_chunk(f"g{i}", "Zeitung", f"Schulen im Programm, Bericht {i}.") for i in range(8)]
    mainz = _chunk("mainz", "Stadt Mainz", "Mainz stärkt die Sozialarbeit.")
    features = FeatureExtractor(BM25Index([koblenz, mainz, *filler]))
    question = "Wie viel Geldes bekommt Koblenz für Personal in der Sozialarbeit?"
    query = features.query(question, "amount")
    evidence = EvidenceView(0.5, 0, 0, 0, 0, True, False, False)
    featurized = Featurized(profile(question), [], np.zeros((0, len(UNIT_FEATURES))), [], evidence, query)
    nearest = UnitCandidate(koblenz.text, koblenz, "sentence", 0, 1)
    assert missing_words(question, featurized, nearest, features) == ["Sozialarbeit"]
    # with no unit near enough to show, only nouns the passages lack count: "Sozialarbeit" is in them
    assert missing_words(question, featurized, None, features) == []


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wo sehen die Schulen die genaue Höhe ihres Chancenbudgets?", "where"),
        ("und wo sehen die schulen ihren genauen betrag?", "where"),
        ("Kompendium Chancenbudget – wo gibt es die aktuelle Fassung?", "where"),
        ("An wen wende ich mich, wenn das Portal nicht geht?", "where"),
        ("Gibt es ein Format, wo auch Verbände mitmachen?", "yesno"),  # "wo" as a relative, not a question
        ("Wie hoch ist das Budget?", "amount"),
        # what a place or body gets is an amount; what someone did is not
        ("Was bekommt Worms pro Jahr für multiprofessionelles Personal?", "amount"),
        ("Was hat die VG Kaisersesch fürs Schuljahr 2025/26 aus dem Startchancen-Programm bekommen?", "amount"),
        ("Was hat das Land beschlossen?", "what"),
        ("Was haben Schulträger zu tun, um die Mittel zu erhalten?", "what"),
        ("Was hat eine Schule zu beachten, wenn sie Geld bekommen hat?", "what"),
        # English "when" asks where a clause starts, and is a conjunction elsewhere: "… minimum criteria when the
        # Länder select …" got "Einen Termin oder eine Frist nennen die gefundenen Stellen dazu nicht."
        ("What does the federal level require as minimum criteria when the Länder select schools?", "what"),
        ("When does the programme end?", "when"),
        ("Who issued it, when, and how many schools does the district have?", "when"),
        ("By when should the schools be selected?", "when"),
    ],
)
def test_the_kind_of_a_question_is_told_from_its_wording(question: str, kind: str) -> None:
    from scp_assistant.learn.question import question_kind

    assert question_kind(question) == kind


def test_a_unit_naming_a_place_answers_a_where_question_and_only_that_kind() -> None:
    portal = _chunk("faq", "Ministerium für Bildung", "Die Höhe ist im SCP-Portal hinterlegt.")
    makeup = _chunk("faq2", "Ministerium für Bildung", "Das Budget setzt sich aus einem Sockelbetrag zusammen.")
    features = _extractor(portal, makeup)

    def value(question: str, kind: str, chunk: Chunk) -> float:
        return _unit_value(features, "asks_where_has_place", question, kind, chunk)

    asked = "Wo sehen die Schulen die Höhe ihres Budgets?"
    assert value(asked, "where", portal) == 1.0
    assert value(asked, "where", makeup) == 0.0
    assert value("Wie hoch ist das Budget?", "amount", portal) == 0.0


def test_a_question_for_the_day_is_answered_by_a_day_not_by_a_month_or_a_year() -> None:
    from scp_assistant.learn.question import question_kind

    month = _chunk("rat", "Ministerium für Bildung", "Der Ministerrat hat im Februar 2024 grünes Licht gegeben.")
    day = _chunk("bz", "Ministerium für Bildung", "Die Vereinbarung wurde am 4. Juni 2024 unterzeichnet.")
    features = _extractor(month, day)

    def value(question: str, chunk: Chunk) -> float:
        return _unit_value(features, "asks_when_has_date", question, question_kind(question), chunk)

    assert question_kind("An welchem Tag genau?") == "when"
    for asked in ("An welchem Tag hat der Ministerrat zugestimmt?", "Bis zu welchem Datum gilt das?"):
        assert (value(asked, month), value(asked, day)) == (0.0, 1.0)
    assert (value("Wann hat der Ministerrat zugestimmt?", month), value("Wann genau?", month)) == (1.0, 0.0)


def test_a_question_for_how_long_is_answered_by_a_span_not_by_a_list_of_dates() -> None:
    from scp_assistant.learn.question import question_kind

    dates = _chunk("termine", "Ministerium für Bildung", "Termine: 18.06. Informationsveranstaltung, 01.08. Start.")
    span = _chunk("blv", "BMBF", "Das Programm hat am 1. August 2024 begonnen und ist auf zehn Jahre angelegt.")
    years = _chunk("titel", "BMBF", "Die Vereinbarung nennt im Titel den Zeitraum 2024 bis 2034.")
    features = _extractor(dates, span, years)

    def value(question: str, chunk: Chunk) -> float:
        return _unit_value(features, "asks_when_has_date", question, question_kind(question), chunk)

    for asked in ("Wie lange läuft das Programm?", "How long does the programme run?"):
        assert (value(asked, dates), value(asked, span), value(asked, years)) == (0.0, 1.0, 1.0), asked
    assert value("Wann startet das Programm?", dates) == 1.0  # a date answers "when"


def test_a_place_question_whose_place_has_no_unit_with_what_it_asks_is_marked_for_the_refusal_model() -> None:
    from scp_assistant.learn.question import profile
    from scp_assistant.learn.question_features import QUESTION_FEATURES, EvidenceView, question_features

    evidence = EvidenceView(0.5, 0, 0, 0, 0, True, False, False)
    col = {name: i for i, name in enumerate(UNIT_FEATURES)}
    flag = QUESTION_FEATURES.index("place_slot_missing")

    def flagged(question: str, units: list[dict[str, float]]) -> float:
        rows = np.zeros((len(units), len(UNIT_FEATURES)))
        for i, values in enumerate(units):
            for name, value in values.items():
                rows[i, col[name]] = value
        p = np.full(len(units), 0.8)
        return float(question_features(profile(question), evidence, rows, p, [0] * len(units), [])[flag])

    school_count = {"region_match": 1.0}  # "In Koblenz nehmen 11 Schulen teil": the place, no amount
    other_amount = {"region_conflict": 1.0, "asks_amount_has_amount": 1.0}  # Mainz's money
    local_amount = {"region_match": 1.0, "asks_amount_has_amount": 1.0}
    asked = "Wie viel Geld bekommt Koblenz?"
    assert flagged(asked, [school_count, other_amount]) == 1.0
    assert flagged(asked, [school_count, local_amount]) == 0.0
    assert flagged(asked, [{"asks_amount_has_amount": 1.0}]) == 0.0  # no place asked about: nothing to say
    assert flagged("Was macht Koblenz im Programm?", [school_count]) == 0.0  # asks for nothing typed


def test_a_passage_is_about_the_place_its_document_title_names_as_well_as_its_region() -> None:
    def chunk(doc: str, title: str, region: str, text: str) -> Chunk:
        return Chunk(doc, f"{doc}::000", title, "BM", "", "", "landesseite", region, "", None, text)

    famos = chunk("famos", "Familiengrundschulzentren starten auch in Ludwigshafen", "RLP",
                  "Für FamOS stehen bis 2026 knapp 600.000 € bereit.")  # fmt: skip
    city = chunk(
        "city", "Startchancen-Programm in der Stadt", "Ludwigshafen, RLP", "In der Stadt nehmen 14 Schulen teil."
    )
    worms = chunk("worms", "Startchancen in Worms", "Worms, RLP", "In Worms nehmen 8 Schulen teil.")
    land = chunk("land", "Neues aus Mainz und dem Land", "RLP", "Das Land fördert 200 Schulen.")  # Mainz: no region
    filler = [chunk(f"f{i}", f"Meldung {i}", "Bund", f"Schulen im Programm, Meldung {i}.") for i in range(8)]
    features = FeatureExtractor(BM25Index([famos, city, worms, land, *filler]))
    match, conflict = UNIT_FEATURES.index("region_match"), UNIT_FEATURES.index("region_conflict")
    query = features.query("Bis wann reicht das Geld in Ludwigshafen?", "when")

    def row(c: Chunk) -> np.ndarray:
        return features.unit(query, UnitCandidate(c.text, c, "sentence", 0, 1))

    assert row(famos)[match] == 1.0 and row(city)[match] == 1.0  # the title's place counts like the region's
    assert row(worms)[conflict] == 1.0 and row(worms)[match] == 0.0
    # only places some document's region names count: "Mainz" in a title is no place of this corpus here
    assert row(land)[match] == 0.0 and row(land)[conflict] == 0.0


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("Wann hat der Wormser Stadtrat die Teilnahme beschlossen?", "worms"),
        ("Welche Ludwigshafener Schulen sind dabei?", "ludwigshafen"),
        ("Was bekommt die Zweibrücker Grundschule?", "zweibruecken"),
        ("Was bekommt die Stadt Worms?", "worms"),
    ],
)
def test_a_town_s_adjective_names_the_town(question: str, place: str) -> None:
    def chunk(doc: str, region: str) -> Chunk:
        return Chunk(doc, f"{doc}::000", f"Meldung {doc}", "BM", "", "", "landesseite", region, "", None, "Text.")

    towns = [chunk("w", "Worms, RLP"), chunk("l", "Ludwigshafen, RLP"), chunk("z", "Zweibrücken, RLP"),
             chunk("k", "VG Obere Kyll, RLP")]  # fmt: skip
    features = FeatureExtractor(BM25Index([*towns, *(chunk(f"f{i}", "Bund") for i in range(6))]))
    assert features.query(question, "when").places == {place}
    assert features.query("Was bekommt die VG Obere Kyll?", "amount").places == {"kyll"}
    assert features.query("Welche obere Schulbehörde ist zuständig?", "who").places == frozenset()
    # a word that merely ends in -er names no place ("Oberbürgermeister", "Träger")
    assert features.query("Was sagt der Oberbürgermeister zum Träger?", "what").places == frozenset()


def test_a_unit_of_words_every_passage_uses_reads_as_generic_and_one_of_rare_words_as_specific() -> None:
    # "Das Programm steht auf drei Säulen" says what many passages say; the learned model weighs mean_idf
    blurb = _chunk("blurb", "Zeitung", "Schulen im Programm.")
    specific = _chunk("psy", "Land", "Motopäde und Lerntherapeutin sind förderfähig.")
    features = _extractor(blurb, specific)
    generic = _unit_value(features, "mean_idf", "Ist eine Motopädin förderfähig?", "yesno", blurb)
    rare = _unit_value(features, "mean_idf", "Ist eine Motopädin förderfähig?", "yesno", specific)
    assert 0.0 <= generic < rare <= 1.0
    assert _unit_value(features, "mean_idf", "Was ist das Programm?", "what", specific) == rare  # not the question's


def test_a_focus_word_is_covered_by_a_unit_that_says_it_in_the_documents_words() -> None:
    # "BBS" is what staff write, "berufsbildende Schulen" what the documents say; "Sekretariat" and "Kohle" likewise
    bbs = _chunk("faq", "Land", "Bei den berufsbildenden Schulen richtet sich das Programm an das BVJ.")
    other = _chunk("bund", "Bund", "Die Länder wählen die Startchancen-Schulen nach Kriterien aus.")
    # "BBS" counts as itself where the documents use it, else through "berufsbild"; a common equivalent ("Schulen")
    # would cover it in every unit, so only specific ones count
    for extra in ([], [_chunk("bbs", "Kreis", "Unsere BBS ist dabei.")]):
        features = _extractor(bbs, other, *extra)
        question = "Gilt das Verfahren auch für die BBS?"
        assert _unit_value(features, "focus_unit", question, "yesno", bbs) > 0.0
        assert _unit_value(features, "focus_unit", question, "yesno", other) == 0.0


def test_a_land_the_question_writes_in_full_is_named_by_a_unit_that_writes_it_short() -> None:
    nrw = Chunk("waz", "waz::000", "Meldung", "WAZ", "", "", "presse", "Nordrhein-Westfalen", "", None,
                "Nach Angaben des NRW-Schulministeriums beträgt der Eigenanteil 30 %.")  # fmt: skip
    features = FeatureExtractor(BM25Index([nrw, *(_chunk(f"f{i}", "Zeitung", f"Schulen {i}.") for i in range(6))]))
    for question in ("Wie hoch ist der Eigenanteil in Nordrhein-Westfalen?", "Wie hoch ist der Eigenanteil in NRW?"):
        query = features.query(question, "amount")
        assert query.places == {"nordrhein", "westfalen"}
        row = features.unit(query, UnitCandidate(nrw.text, nrw, "sentence", 0, 1))
        assert row[UNIT_FEATURES.index("names_missing")] == 0.0
        assert row[UNIT_FEATURES.index("region_match")] == 1.0


def test_a_refusal_never_names_a_sentence_s_first_word_or_an_everyday_noun_as_missing() -> None:
    from scp_assistant.answer.scoring import Featurized, missing_words
    from scp_assistant.learn.question import profile
    from scp_assistant.learn.question_features import EvidenceView

    referat = _chunk("pl", "Land", "Das Referat führt die Akademien durch.")
    features = _extractor(referat)
    question = "Überall heißt es, das Referat sei groß. Wie viele Leute arbeiten im Referat Bildungsgerechtigkeit?"
    evidence = EvidenceView(0.5, 2, 2, 0, 0, True, False, False)
    featurized = Featurized(
        profile(question), [], np.zeros((0, len(UNIT_FEATURES))), [], evidence, features.query(question, "count"),
        unknown_words=("Überall", "Leute", "Bildungsgerechtigkeit"),
    )  # fmt: skip
    nearest = UnitCandidate(referat.text, referat, "sentence", 0, 1)
    assert missing_words(question, featurized, nearest, features) == ["Bildungsgerechtigkeit"]
    # a first word the documents use is a noun all the same
    label = "Referat: wie groß ist es?"
    featurized = Featurized(
        profile(label), [], np.zeros((0, len(UNIT_FEATURES))), [], evidence, features.query(label, "what"),
        unknown_words=("Referat",),
    )  # fmt: skip
    assert missing_words(label, featurized, None, features) == ["Referat"]


def test_a_word_the_documents_write_as_a_sign_is_neither_a_name_nor_unknown() -> None:
    from scp_assistant.answer.evidence import EvidenceJudge

    split = _chunk("rlp", "Land", "In Rheinland-Pfalz sollen 40 % der Mittel in Säule I fließen, rund 2,5 Mio. €.")
    features = _extractor(split)
    # "Prozent" and "Millionen" appear as "%" and "Mio.": no name of the question the passages could lack
    assert features.query("Wie viel Prozent der Mittel gehen in Säule I?", "amount").names == ()
    judge = EvidenceJudge(BM25Index([split]))
    assert judge.unknown_nouns("Wie viel Prozent, wie viele Millionen Euro gehen in Säule I?") == []
    assert judge.unknown_nouns("Wie hoch ist der Stundenlohn?") == ["Stundenlohn"]


def test_what_an_answer_is_for_is_not_what_the_documents_must_know() -> None:
    """ "Für unsere Regionalkonferenz: Wie viele Startchancen-Schulen gibt es in Trier …?" was declined as "Auf Ihre
    Frage zu „Regionalkonferenz“ … keine Antwort" (round 38); the purpose a question opens with is no part of what it
    asks. Anywhere else, an unknown noun still counts."""
    from scp_assistant.answer.evidence import EvidenceJudge
    from scp_assistant.models import ScoredChunk

    chunk = _chunk("trier", "Stadt", "In Trier nehmen 9 Schulen am Startchancen-Programm teil.")
    judge = EvidenceJudge(BM25Index([chunk]))
    ranked = [ScoredChunk(chunk, 1.0)]
    for purpose in ("Für unsere Regionalkonferenz:", "Für die Chronik unserer Verwaltung:", "Fürs Kreisblatt:"):
        asked = f"{purpose} Wie viele Schulen gibt es in Trier?"
        assert judge.judge(asked, ranked).unknown_nouns == [], purpose
    assert judge.judge("Wie viele Schulen hat die Regionalkonferenz in Trier?", ranked).unknown_nouns == [
        "Regionalkonferenz"
    ]
    assert judge.judge("Wie viele Schulen gibt es in Trier? Für unsere Chronik: bitte kurz.", ranked).unknown_nouns
    # an opening that names the thing asked about is no purpose (review of round 38)
    assert judge.judge("Für das Hallenbad: Wie viele Schulen gibt es in Trier?", ranked).unknown_nouns == ["Hallenbad"]


@pytest.mark.parametrize(
    ("message", "yes_or_no"),
    [
        ("Unser Team hat keinen Platz. Können wir Arbeitsplätze aus Säule I bezahlen?", True),
        ("Dürfen wir das aus dem Trägerbudget zahlen?", True),
        ("Unser Team hat keinen Platz. Welche Räume fördert Säule I?", False),
        # an abbreviation or a date ends no sentence
        ("Am 12. September gab es z. B. eine Tagung. Dürfen Schulträger teilnehmen?", True),
        ("Dürfen wir das? Und wer entscheidet?", False),  # two questions: the kind of the whole, "who" ranks first
        ("Unser Team hat keinen Platz. Können wir Arbeitsplätze aus Säule I bezahlen?!", True),
    ],
)
def test_a_sentence_that_sets_the_scene_does_not_hide_a_yes_or_no_question(message: str, yes_or_no: bool) -> None:
    from scp_assistant.learn.question import asks_yes_or_no

    assert asks_yes_or_no(message) is yes_or_no


def test_an_english_question_word_is_no_focus_term_of_the_question() -> None:
    # "when" and "much" say what kind of answer is asked for: the glossary's "Datum" and "Höhe" are no topic
    dated = _chunk("d", "Land", "Das Datum der Vereinbarung und die Höhe der Mittel stehen im Bericht.")
    features = _extractor(dated, _chunk("e", "Land", "Die Evaluation beginnt 2026."))
    for question, kind in (("When does the evaluation start?", "when"), ("How much is the evaluation?", "amount")):
        query = features.query(question, kind)
        assert "evaluation" in query.focus
        assert not {"datum", "hoh"} & query.focus, query.focus


def test_a_sentence_that_points_back_is_marked_as_one() -> None:
    grant = _chunk(
        "vg", "Verbandsgemeinde", "Sie dient der Finanzierung von Personalkosten für multiprofessionelle Teams."
    )
    plain = _chunk("land", "Land", "Säule III finanziert Personal für multiprofessionelle Teams.")
    features = _extractor(grant, plain)
    question = "Was finanziert Säule III?"
    assert _unit_value(features, "leans_back", question, "what", grant) == 1.0
    assert _unit_value(features, "leans_back", question, "what", plain) == 0.0


def test_a_unit_about_a_place_is_marked_when_the_question_names_none() -> None:
    text = "Das Trägerbudget der Stadt Worms beläuft sich auf 180.000 € im Jahr."
    worms = Chunk(
        "worms", "worms::000", "Mittel für Worms", "Stadt Worms", "", "", "kommune", "Worms, RLP", "", None, text
    )
    land = _chunk("land", "Land", "Das Trägerbudget ist das Chancenbudget des Schulträgers.")
    features = _extractor(worms, land)
    assert _unit_value(features, "place_unasked", "Was ist das Trägerbudget?", "what", worms) == 1.0
    assert _unit_value(features, "place_unasked", "Was ist das Trägerbudget?", "what", land) == 0.0
    # asked about Worms, its unit is what was asked for
    assert _unit_value(features, "place_unasked", "Wie hoch ist das Trägerbudget in Worms?", "amount", worms) == 0.0


def test_the_names_of_a_pasted_letter_are_those_of_what_it_asks_not_of_its_background() -> None:
    features = _extractor(_chunk("land", "Land", "In Säule I tragen die Schulträger einen Eigenanteil von 30 %."))
    letter = (
        "Vielen Dank für das Gespräch am Dienstag. Unser Elternbeirat fragt nach den Baumaßnahmen. Wir wollen den "
        "Schulhof entsiegeln. Im Rat kam eine Frage auf. Wie hoch ist der Eigenanteil in Säule I?"
    )
    assert not {"dienstag", "elternbeirat", "schulhof"} & set(features.query(letter, "amount").names)


def test_the_body_the_asker_works_for_counts_as_context_not_as_what_is_asked() -> None:
    """ "Müssen wir als Verbandsgemeinde bei Säule I was zuzahlen?" covered Kaisersesch's grants through
    "Verbandsgemeinde" better than the Eigenanteil through "zuzahlen" (issue 13's example): who asks weighs as
    context does, 0.3 of a word asked. A Verbandsgemeinde the question is about weighs in full."""
    grant = _chunk("vg", "Land", "Die Verbandsgemeinde Kaisersesch erhielt eine Zuwendung aus Säule II.")
    share = _chunk("share", "Stadt", "Der Eigenanteil bei Säule I beträgt 30 %.")
    features = _extractor(grant, share)
    asked = features.query("Müssen wir als Verbandsgemeinde bei Säule I was zuzahlen?", "yesno")
    about = features.query("Was erhielt die Verbandsgemeinde aus Säule I?", "what")
    vg = next(t for t in about.weights if t.startswith("verbandsgemeind"))
    assert asked.weights[vg] == pytest.approx(0.3 * about.weights[vg])
    question = "Müssen wir als Verbandsgemeinde bei Säule I was zuzahlen?"
    assert _unit_value(features, "cov_unit", question, "yesno", share) > _unit_value(
        features, "cov_unit", question, "yesno", grant
    )


def test_a_question_about_a_place_whose_own_documents_it_finds_is_a_programme_question() -> None:
    """ "Wie viel Geld bekommt Worms?" names no programme word and was declined as off-topic (walk-through, round
    44): the Worms press release it finds is the programme in Worms. A place only mentioned in passing (the ism "in
    Mainz" in a document about something else) makes no programme question."""
    from scp_assistant.answer.evidence import EvidenceJudge
    from scp_assistant.models import ScoredChunk

    title = "Acht Wormser Schulen im Startchancen-Programm: Mittel für Worms"
    said = "Der Stadt stehen rund 14,3 Mio. € zur Verfügung."
    worms = Chunk("worms", "worms::000", title, "Stadt Worms", "", "", "pressemitteilung", "RLP", "Mittel", None, said)
    ism = _chunk("ism", "ism", "Das ism in Mainz begleitet die Schulträger.")
    judge = EvidenceJudge(BM25Index([worms, ism]))
    assert judge.judge("Wie viel Geld bekommt Worms?", [ScoredChunk(worms, 1.0)]).programme
    assert not judge.judge("Wie viel Geld bekommt Mainz?", [ScoredChunk(ism, 1.0)]).programme
    assert not judge.judge("Wie viel Geld bekommt Worms?", [ScoredChunk(ism, 1.0)]).programme
    # a thing the town's passages do not name makes it no programme question: the corpus knows "Schulträger" from the
    # ism, the Worms passage does not have "Oberbürgermeister" (a word the documents know from elsewhere)
    mayor = _chunk("zwei", "Stadt", "Für Zweibrücken hat Oberbürgermeister Wosnitza die Vereinbarung unterzeichnet.")
    judge = EvidenceJudge(BM25Index([worms, ism, mayor]))
    assert not judge.judge("Wer ist Oberbürgermeister von Worms?", [ScoredChunk(worms, 1.0)]).programme
    assert judge.judge("Wie viel Geld bekommt Worms?", [ScoredChunk(worms, 1.0)]).programme


def test_a_question_the_programmes_faq_asks_is_a_programme_question() -> None:
    """ "Wer ist für was zuständig?" names no programme word; offered to click in place of "Wer ist zuständig?", it
    was declined (integration test, round 44). The FAQ that asks it makes it the programme's."""
    from scp_assistant.answer.evidence import EvidenceJudge
    from scp_assistant.models import ScoredChunk

    said = "Der Bund beteiligt sich; für die Umsetzung sind die Länder zuständig."
    faq = Chunk("faq", "faq::001", "FAQ", "BMBF", "", "", "faq", "Bund", "", None, said, "Wer ist für was zuständig?")
    judge = EvidenceJudge(BM25Index([faq]))
    assert judge.judge("Wer ist für was zuständig?", [ScoredChunk(faq, 1.0)]).programme
    assert not judge.judge("Wer ist hier zuständig?", [ScoredChunk(faq, 1.0)]).programme
