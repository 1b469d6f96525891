"""Questions about a source itself get the sentence that says what the document is."""

from __future__ import annotations

import pytest

from scp_assistant.answer.citations import render
from scp_assistant.answer.provenance import SourceDescriptions, asks_for_source, with_source
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.models import Chunk

OPENING = "Editorial von Bildung.Table vom 23.08.2024 zum Start des Programms. Es kritisiert die Anrechnung."


def chunk(doc: str, n: int, text: str, section: str = "") -> Chunk:
    return Chunk(doc, f"{doc}::{n:03d}", f"Titel {doc}", "Table.Media", f"https://example.org/{doc}", "2024-08-23",
                 "presse", "Bund", section, None, text)  # fmt: skip


CHUNKS = [
    chunk("edit", 1, "Die Länder dürfen eigene Programme anrechnen.", "Kritik"),
    chunk("edit", 0, OPENING),
    chunk("faq", 0, "Die Mittel fließen an die Schulträger."),  # opens with content, no description
    chunk("blog", 0, "Blogbeitrag des WZB vom 26.11.2024 zur Umsetzung von Säule III."),
]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Wo ist das Interview erschienen, und von wann ist es?", True),
        ("Wer hat das Impulspapier herausgegeben?", True),
        ("Woher stammt der Vorwurf, und was ist damit gemeint?", True),
        ("Welchen Stand haben die Arbeitshilfen?", True),
        ("Who published the press release, and when?", True),
        ("Von wem stammt der Artikel „Mogelpackung Startchancen-Programm“?", True),
        ("Was hat das Editorial kritisiert?", False),
        ("Wann startet das Programm?", False),
        ("Wer genehmigt die Anträge?", False),
        # the words of a source question in questions about the programme
        ("Von wann bis wann läuft das Programm?", False),
        ("Woher stammen die Mittel für Säule II?", False),
        ("Welchen Stand hat die Planung in Worms?", False),
        ("Wer hat die Schulen ausgewählt?", False),
        ("Welche Bekanntmachungen sind 2024 im Bundesanzeiger erschienen?", True),
    ],
)
def test_a_question_about_the_source_itself_is_told_from_its_wording(question: str, asks: bool) -> None:
    assert asks_for_source(question) is asks


def test_the_sentence_that_says_what_a_document_is_opens_an_answer_about_its_source() -> None:
    sources = SourceDescriptions(CHUNKS)
    answer = [UnitCandidate("Die Länder dürfen eigene Programme anrechnen.", CHUNKS[0], "sentence", 0, 1)]
    units = with_source(answer, sources, "Von wann ist das?")
    opening = "Editorial von Bildung.Table vom 23.08.2024 zum Start des Programms."
    assert [u.text for u in units] == [opening, answer[0].text]
    body, citations = render(units)
    assert body.startswith(opening) and len(citations) == 1  # one source, one number
    assert with_source(units, sources, "Von wann ist das?") == units  # said once


def test_a_document_that_opens_with_content_adds_nothing() -> None:
    sources = SourceDescriptions(CHUNKS)
    answer = [UnitCandidate("Die Mittel fließen an die Schulträger.", CHUNKS[2], "sentence", 0, 1)]
    assert sources.of("faq") is None
    assert with_source(answer, sources, "Von wann ist das?") == answer
    assert with_source([], sources, "Von wann ist das?") == []


def test_the_source_the_question_names_is_described_not_the_first_one_the_answer_draws_on() -> None:
    sources = SourceDescriptions(CHUNKS)
    answer = [UnitCandidate("Die Länder dürfen eigene Programme anrechnen.", CHUNKS[0], "sentence", 0, 1)]
    units = with_source(answer, sources, "Von wann ist der Blogbeitrag des WZB?", read=["edit", "blog"])
    assert units[0].text.startswith("Blogbeitrag des WZB") and units[0].chunk.doc_id == "blog"
    # of equals, the document the answer draws on first
    assert with_source(answer, sources, "Von wann ist das?", read=["blog"])[0].chunk.doc_id == "edit"


def test_the_title_of_a_document_tells_which_one_the_question_names() -> None:
    # two articles of the same paper: the question names the one by its headline, which only the title carries
    def article(doc: str, title: str, text: str) -> Chunk:
        return Chunk(doc, f"{doc}::000", title, "Rhein-Zeitung", f"https://example.org/{doc}", "2024", "presse", "RLP",
                     "", None, text)  # fmt: skip

    koblenz = article("rz-ko", "Startchancen-Schulen in Koblenz", "Artikel der Rhein-Zeitung (2024) zu Koblenz.")
    mogel = article("rz-mo", "Mogelpackung Startchancen-Programm", "Artikel der Rhein-Zeitung (2024), Bezahlschranke.")
    sources = SourceDescriptions([koblenz, mogel])
    answer = [UnitCandidate("Die Rhein-Zeitung berichtete über weniger Geld.", CHUNKS[0], "sentence", 0, 1)]
    question = "Von wem stammt der Artikel „Mogelpackung Startchancen-Programm“?"
    assert with_source(answer, sources, question, ["rz-ko", "rz-mo"])[0].chunk.doc_id == "rz-mo"


def test_a_question_that_names_the_kind_of_a_document_learns_which_one_and_of_when() -> None:
    from scp_assistant.answer.provenance import with_named_source

    sources = SourceDescriptions(CHUNKS)
    answer = [UnitCandidate("Die Länder dürfen eigene Programme anrechnen.", CHUNKS[0], "sentence", 0, 1)]
    named = with_named_source(answer, sources, "Was hat Bildung.Table in seinem Editorial kritisiert?")
    assert named[0].text.startswith("Editorial von Bildung.Table vom 23.08.2024") and named[1:] == answer
    # another kind of document than the one the answer draws on, or none named: the answer as it was
    assert with_named_source(answer, sources, "Was sagt das Interview zur Anrechnung?") == answer
    assert with_named_source(answer, sources, "Was wird an der Anrechnung kritisiert?") == answer
