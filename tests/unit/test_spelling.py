from __future__ import annotations

import pytest

from scp_assistant.container import Container
from scp_assistant.retrieve.spelling import GeneralLexicon, SpellingCorrector, one_edit
from scp_assistant.settings import Settings

DOCUMENTS = [
    "Das Chancenbudget der Schule: Anträge genehmigt die Schulaufsicht.",
    "Aus dem Chancenbudget werden Maßnahmen bezahlt. Im Auszug des Berichts steht die Dienstbesprechung.",
    "Der Schulträger in Ludwigshafen plant die Eröffnung.",
    "Das steht fest, es steht im Bericht, er steht dazu. Wer stellt ein?",
]
EVERYDAY = {"aufzug", "wetter", "schulamt"}  # words of everyday language the documents happen not to use


def corrector(keep: tuple[str, ...] = ()) -> SpellingCorrector:
    return SpellingCorrector(DOCUMENTS, EVERYDAY, lambda term: False, keep=keep)


def corrector_with(*documents: str) -> SpellingCorrector:
    return SpellingCorrector([*DOCUMENTS, *documents], EVERYDAY, lambda term: False)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Wer genehmigt das Chancenbudjet?", "Wer genehmigt das Chancenbudget?"),  # a letter changed
        ("Wann war die Dienstbesprchung?", "Wann war die Dienstbesprechung?"),  # a letter missing
        ("die eröfnung in ludwigshaven", "die eröffnung in ludwigshafen"),  # written small, stays small
        ("Wer ist Schultäger?", "Wer ist Schulträger?"),
        ("Chancenbugdet", "Chancenbudget"),  # two letters swapped
        ("Wer stelt die Kräfte ein?", "Wer stellt die Kräfte ein?"),  # a doubled letter once, not "steht"
    ],
)
def test_a_word_neither_the_documents_nor_everyday_language_know_becomes_the_document_word(
    typed: str, meant: str
) -> None:
    assert corrector().correct(typed) == meant


def test_words_of_everyday_language_places_and_short_words_stay_as_typed() -> None:
    fix = corrector(keep=("Pirmasens",))
    # "Aufzug" is one edit from the documents' "Auszug", but it is what the user meant
    assert fix.correct("Dürfen wir einen Aufzug einbauen?") == "Dürfen wir einen Aufzug einbauen?"
    assert fix.correct("Wie wird das Wetter?") == "Wie wird das Wetter?"
    assert fix.correct("Pirmasens") == "Pirmasens"  # a place is never a typo
    assert fix.correct("Wer plnt?") == "Wer plnt?"  # under five letters: too often a real word
    # four letters typed, five folded ("weiss"), one edit from the documents' "weist": a word, as typed
    assert corrector_with("Das weist die Statistik aus.").correct("Ich weiß es nicht.") == "Ich weiß es nicht."
    assert fix.correct("Quantenphysik") == "Quantenphysik"  # nothing one edit away: left alone


def test_a_short_name_one_letter_from_a_place_of_the_documents_is_that_place() -> None:
    documents = [*DOCUMENTS, "Meine Schule in Mainz und Worms."]
    fix = SpellingCorrector(documents, EVERYDAY, lambda term: False, keep=("mainz", "worms"))
    assert fix.correct("Wie viel bekommt Meinz?") == "Wie viel bekommt Mainz?"  # not "Meine"
    assert fix.correct("Trägerbudget von Wroms") == "Trägerbudget von Worms"  # two letters swapped
    assert fix.correct("wie viel kriegt meinz?") == "wie viel kriegt mainz?"  # written small, stays small


def test_a_word_typed_without_its_umlauts_is_written_as_the_documents_write_it() -> None:
    """ "wer is zustandig fur die schulsozialarbeit in saule 3" lost the pillar and its answer: "saule" is no
    pillar, and the dense model reads it as another word (walk-through, round 37)."""
    documents = [
        *DOCUMENTS,
        "Für Säule III ist der Schulträger zuständig. Schon jetzt wurde viel gefordert. Man müsste es prüfen.",
        "Mittel für Schulen, für Kitas, für Horte, für alle: " * 3,
        "Das Budget ist groß, die Förderung päd. begleitet.",
    ]
    fix = SpellingCorrector(documents, {*EVERYDAY, "musste", "gross"}, lambda term: True, keep=("ludwigshafen",))
    typed = "wer is zustandig fur die saule 3 und die Schultraeger?"
    assert fix.correct(typed) == "wer is zuständig für die säule 3 und die Schulträger?"
    assert fix.correct("Saeule III, Eroeffnung") == "Säule III, Eröffnung"  # "ae" for "ä" too
    # words of their own stay as typed: the documents write "schon" and "wurde"; "musste" is everyday German
    assert fix.correct("schon wurde musste gefordert") == "schon wurde musste gefordert"
    assert fix.correct("Ludwigshafen") == "Ludwigshafen"  # a place is never changed
    assert fix.correct("the gross budget, a pad") == "the gross budget, a pad"  # English words (review)


def test_one_edit() -> None:
    assert one_edit("budjet", "budget") and one_edit("budet", "budget") and one_edit("budgets", "budget")
    assert one_edit("bugdet", "budget")  # neighbours swapped
    assert not one_edit("budget", "budget") and not one_edit("bdugte", "budget") and not one_edit("bud", "budget")


def test_the_general_word_list_ships_with_the_package(lexicon: GeneralLexicon) -> None:
    assert "wetter" in lexicon and "Aufzug" in lexicon and "expect" in lexicon  # German and English
    assert "chancenbudjet" not in lexicon and "dienstbesprchung" not in lexicon and 42 not in lexicon


def test_the_answer_service_searches_the_corrected_question(fake_container: Container, settings: Settings) -> None:
    prep = fake_container.answer_service.retrieve("Was passiert mit Geld aus dem Trägerbudjet?")
    assert prep.question == "Was passiert mit Geld aus dem Trägerbudjet?"  # the user's words stay the user's
    assert prep.query == "Was passiert mit Geld aus dem Trägerbudget?"
    settings.retrieve.correct_spelling = False
    plain = Container(settings, store=fake_container.store, embedder=fake_container.embedder)
    assert plain.answer_service.retrieve("Was passiert mit Geld aus dem Trägerbudjet?").query.endswith("budjet?")
