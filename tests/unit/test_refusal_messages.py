"""What a refusal says: the words it names as missing (only nouns it is sure of) and why the scope check declined
(for the console's explanation)."""

from __future__ import annotations

import pytest

from scp_assistant.answer import messages


@pytest.mark.parametrize(
    "question,words,named",
    [
        ("Schreib mir ein Excel-Makro für die Maßnahmenliste.", ["Schreib", "Excel-Makro", "Maßnahmenliste"],
         ["Excel-Makro", "Maßnahmenliste"]),
        ("An welchem Tag? Brauch das fürs Protokoll.", ["Brauch", "Protokoll"], ["Protokoll"]),
        ("Apropos Kosten: welche Hebesätze, sagen Sie, Leute?", ["Apropos", "Hebesätze", "Leute"], ["Hebesätze"]),
        ("Wo war die Tagung im Oktober?", ["Tagung", "Oktober"], ["Tagung"]),
        ("Was ist mit Elterngeld und Mutterschutz und Hebesatz und Elterngeld?",
         ["Elterngeld", "Elterngeld", "Mutterschutz", "Hebesatz"], ["Elterngeld", "Mutterschutz"]),
        # found in a review (round 35): verbs in first position, openers after a comma or without a space,
        # adverbs with a capital letter, the frame of a letter; a word in capitals is named as a word
        ("Hallo, Kannst du mir ein Rezept für Apfelkuchen geben?", ["Kannst", "Rezept", "Apfelkuchen"],
         ["Rezept", "Apfelkuchen"]),
        ("Hallo zusammen, Brauche dringend Hilfe zur Hundesteuer", ["Brauche", "Hundesteuer"], ["Hundesteuer"]),
        ("Wie hoch ist die Steuer?Ehrlich gesagt weiß ich es nicht. Dringend!", ["Ehrlich", "Dringend"], []),
        ("Sehr geehrte Damen und Herren, wie hoch ist die HUNDESTEUER?", ["Herren", "HUNDESTEUER"], ["Hundesteuer"]),
        ("Wie wird die Jugendförderung für unsere Jugend bezahlt?", ["Jugendförderung", "Jugend"],
         ["Jugendförderung", "Jugend"]),
    ],
)  # fmt: skip
def test_a_refusal_names_only_words_it_is_sure_are_nouns(question: str, words: list[str], named: list[str]) -> None:
    assert messages.nameable(question, words) == named


def test_the_scope_notes_say_which_check_declined() -> None:
    assert "Wetter" in messages.screened_note("off_topic") and messages.screened_note("x").startswith("Prüfung vor")
    words = messages.off_topic_note(1.0, ["Hebesatz", "Gewerbesteuer"], 0.3)
    assert words.endswith("diese Wörter stehen in keinem gefundenen Abschnitt: Hebesatz, Gewerbesteuer.")
    assert "nur 20 % ihrer Wörter" in messages.off_topic_note(0.2, [], 0.3) and "(nötig: 30 %)" in (
        messages.off_topic_note(0.2, [], 0.3)
    )


@pytest.mark.parametrize(
    "kind,texts,says",
    [
        ("when", ["Mittel lassen sich nicht in das folgende Schuljahr übertragen."], "Einen Termin oder eine Frist"),
        ("when", ["Das Programm startete zum Schuljahr 2024/25."], None),
        ("when", ["Die Eröffnung war am 29.08."], None),
        ("when", ["Der Antrag ist bis Ende Juni zu stellen."], None),
        ("amount", ["Die Mittel fließen an die Schulträger."], "Einen Betrag"),
        ("amount", ["Im Durchschnitt rund 20.000 € pro Schuljahr."], None),
        ("count", ["Es gibt mehrere Schulen."], "Eine Anzahl"),
        ("count", ["In Rheinland-Pfalz nehmen 200 Schulen teil."], None),
        ("who", ["Die Mittel fließen an die Schulträger."], None),  # a body answers "wer"; not checked here
    ],
)
def test_an_answer_without_the_date_amount_or_count_asked_for_says_so(
    kind: str, texts: list[str], says: str | None
) -> None:
    said = messages.slot_not_given(kind, texts)
    assert (said is None) if says is None else (said is not None and said.startswith(says))
