from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from helpers import make_pdf, write_faq, write_markdown, write_pdf
from scp_assistant.errors import DocumentError
from scp_assistant.ingest.chunking import chunk_document
from scp_assistant.ingest.loaders import discover, load_document


def test_markdown_front_matter_with_dashes_in_url(tmp_path: Path) -> None:
    path = write_markdown(tmp_path, "a", "Titel", {"Abschnitt": "Text eins."}, source_url="https://example.org/a---b")
    doc = load_document(path)
    assert doc.meta.source_url == "https://example.org/a---b"
    assert doc.meta.doc_id == "a"
    assert [s.heading for s in doc.sections] == ["", "Abschnitt"]
    assert doc.sections[1].text == "Text eins."


def test_markdown_without_front_matter_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text("# Nur Text\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="Front-Matter"):
        load_document(path)


def test_invalid_yaml_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nid: [unclosed\n---\n## A\ntext\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="ungültiges Front Matter"):
        load_document(path)


def test_faq_entries_become_sections(tmp_path: Path) -> None:
    path = write_faq(tmp_path, "f", "FAQ", [("Frage eins?", "Antwort eins."), ("Frage zwei?", "Antwort zwei.")])
    doc = load_document(path)
    assert [(s.question, s.text) for s in doc.sections] == [
        ("Frage eins?", "Antwort eins."),
        ("Frage zwei?", "Antwort zwei."),
    ]
    chunks = chunk_document(doc)
    assert [c.chunk_id for c in chunks] == ["f::000", "f::001"]
    assert chunks[0].text == "Antwort eins."


def test_pdf_pages_keep_their_numbers_and_empty_pages_are_reported(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path,
        "deck",
        ["Erste Seite mit genug Text hier.", "", "Dritte Seite mit Text, Schulträger."],
        sidecar={"id": "deck", "title": "Foliensatz", "doc_type": "praesentation"},
    )
    doc = load_document(path)
    assert [s.page for s in doc.sections] == [1, 3]
    assert "Schulträger" in doc.sections[1].text
    assert any("Seiten ohne Text" in w and "2" in w for w in doc.warnings)
    assert [c.page for c in chunk_document(doc)] == [1, 3]
    # the PDF is the original (served, cited page by page): no web address is missing; a Markdown summary lacks one
    assert not any("source_url" in w for w in doc.warnings)
    summary = load_document(write_markdown(tmp_path, "s", "Zusammenfassung", {"A": "Text eins."}, source_url=""))
    assert "Quelle (Link) (source_url) fehlt" in summary.warnings


def test_corrupt_pdf_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "pdf" / "kaputt.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4\n this is not a pdf at all \x00\x01")
    with pytest.raises(DocumentError, match=r"nicht lesbar"):
        load_document(path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "die Datei ist leer"),
        (b"PK\x03\x04" + b"x" * 300, "keine PDF-Datei, sondern eine ZIP- oder Office-Datei"),
        (b"<!DOCTYPE html><html><body>Fehlerseite</body></html>", "keine PDF-Datei, sondern eine Webseite (HTML)"),
        (b"\0" * 4000, "keine PDF-Datei (der PDF-Dateikopf fehlt)"),
        ("cut", "die Datei ist unvollständig (das PDF-Dateiende fehlt"),
    ],
)
def test_a_broken_pdf_says_in_german_what_is_wrong(tmp_path: Path, data: bytes | str, reason: str) -> None:
    """pypdf says "Stream has ended unexpectedly" for all of these; the user reads what happened to the file."""
    whole = make_pdf(["Text auf der ersten Seite.", "Text auf der zweiten Seite."])
    path = tmp_path / "pdf" / "kaputt.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(whole[: len(whole) // 2] if data == "cut" else data)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert reason in caught.value.reason
    assert "Stream" not in str(caught.value) and "pypdf" not in str(caught.value)


def test_encrypted_pdf_is_a_document_error(tmp_path: Path) -> None:
    source = tmp_path / "plain.pdf"
    source.write_bytes(make_pdf(["Geheimer Text auf der Seite."]))
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="geheim", owner_password="auchgeheim")
    path = tmp_path / "pdf" / "verschluesselt.pdf"
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match="verschlüsselt"):
        load_document(path)


def test_discover_ignores_corpus_description_and_sidecars(corpus: Path) -> None:
    names = sorted(p.name for p in discover(corpus))
    assert names == ["cb1.md", "faq1.yaml", "folien.pdf", "nrw.md", "s3.md"]


def test_long_sections_split_at_sentences_with_overlap(tmp_path: Path) -> None:
    sentences = [f"Satz Nummer {i} beschreibt eine Maßnahme im Programm ausführlich." for i in range(30)]
    path = write_markdown(tmp_path, "long", "Lang", {"Viel": " ".join(sentences)})
    chunks = chunk_document(load_document(path), max_chars=300, overlap=1)
    body = [c for c in chunks if c.section == "Viel"]
    assert len(body) > 3
    assert all(len(c.text) <= 300 + 80 for c in body)
    assert all(c.text.endswith(".") for c in body)  # never cut inside a sentence
    first_last = body[0].text.split("\n")[-1]
    assert body[1].text.startswith(first_last)  # one sentence of overlap


def test_pdf_lines_broken_by_the_layout_are_joined_but_labels_stay_apart(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path,
        "folien",
        [
            "Schulträger:\n"
            "• Mittelverwendung im Spannungsfeld von schulischen Bedarfen, sozialräumlichen\n"
            "Angebotsstrukturen und Verwaltungsprozessen\n"
            "• Zweiter Punkt\n"
            "Vielerorts gibt es erste Überlegungen, vereinzelt konkretisierte Planungen, aber noch keine\n"
            "Beantragung von Mitteln.\n"
            "Datengrundlagen\n"
            "Abfrage des Städtetages"
        ],
        sidecar={"id": "folien", "title": "Folien", "doc_type": "praesentation"},
    )
    lines = load_document(path).sections[0].text.splitlines()
    assert lines == [
        "Schulträger:",
        "• Mittelverwendung im Spannungsfeld von schulischen Bedarfen, sozialräumlichen Angebotsstrukturen und "
        "Verwaltungsprozessen",
        "• Zweiter Punkt",
        "Vielerorts gibt es erste Überlegungen, vereinzelt konkretisierte Planungen, aber noch keine Beantragung "
        "von Mitteln.",
        "Datengrundlagen",
        "Abfrage des Städtetages",
    ]
