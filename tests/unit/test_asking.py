import pytest

from scp_assistant.answer.guard import clean_question
from scp_assistant.asking import asked_in, without_lead_in
from scp_assistant.retrieve.hybrid import sentences


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        ("Deshalb meine konkrete Frage: Wie hoch ist der Eigenanteil?", "Wie hoch ist der Eigenanteil?"),
        ("Kurze Frage: wer genehmigt das Trägerbudget?", "Wer genehmigt das Trägerbudget?"),
        ("My question is: who approves the budget?", "Who approves the budget?"),
        ("Zwei Fragen zu Worms: Wie viele Schulen? Wie viel Geld?", None),  # the lead-in names the topic
        ("Säule I: wer entscheidet über die Anträge?", None),
        ("Unsere Schulleitungen fragen: Wo sehen sie ihr Budget?", None),
        ("Meine Frage: das Budget reicht nicht.", None),  # what follows the colon does not ask
        ("Wie hoch ist der Eigenanteil?", None),
    ],
)  # fmt: skip
def test_a_lead_in_that_only_announces_the_question_is_left_out(sentence: str, asked: str | None) -> None:
    assert without_lead_in(sentence) == (sentence if asked is None else asked)


def test_a_pasted_letter_asks_its_question_without_the_lead_in_in_search_features_and_session_topic() -> None:
    letter = (
        "Sehr geehrte Frau Keller,\nvielen Dank für das Gespräch am Dienstag. Der Förderverein hilft bei der "
        "Ausstattung. Wir wollen den Schulhof entsiegeln und einen Raum umbauen. Im Gemeinderat kam die Frage nach "
        "dem Betrag auf. Deshalb meine konkrete Frage: Wie hoch ist der Eigenanteil, den die Verbandsgemeinde als "
        "Schulträger bei Investitionen aus Säule I tragen muss?\nMit freundlichen Grüßen\nSabine Hoffmann"
    )
    asked = (
        "Wie hoch ist der Eigenanteil, den die Verbandsgemeinde als Schulträger bei Investitionen aus Säule I tragen "
        "muss?"
    )
    question = clean_question(letter, 4000)
    assert asked_in(question) == asked  # what the features, the evidence judge and a follow-up's topic read
    assert sentences(question) == [asked]  # what is searched besides the whole message
    # a short message loses its lead-in when it is cleaned, after the greeting
    assert (
        clean_question("Hallo, kurze Frage: wer genehmigt das Trägerbudget?", 2000) == "Wer genehmigt das Trägerbudget?"
    )
