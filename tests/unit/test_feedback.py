from pathlib import Path

import pytest
import yaml

from scp_assistant.cli import main
from scp_assistant.database import SQLiteDatabase
from scp_assistant.errors import InputError
from scp_assistant.feedback.store import FeedbackRecord, SQLFeedbackStore, to_eval_yaml


def test_store_roundtrip_and_validation(tmp_path: Path) -> None:
    store = SQLFeedbackStore(SQLiteDatabase(tmp_path / "fb.sqlite3"))
    first = store.add(
        FeedbackRecord(
            rating="down",
            question="Frage A?",
            answer="Antwort A",
            reason="falsch",
            comment="Zahl stimmt nicht",
            citations=[{"n": 1, "doc_id": "rlp-cb1"}],
        )
    )
    store.add(FeedbackRecord(rating="up", question="Frage B?", answer="Antwort B"))
    assert sorted(r.question for r in store.list()) == ["Frage A?", "Frage B?"]
    down = store.list("down")
    assert len(down) == 1 and down[0].id == first and down[0].citations == [{"n": 1, "doc_id": "rlp-cb1"}]
    with pytest.raises(InputError, match="Grund"):
        store.add(FeedbackRecord(rating="down", question="F", answer="A", reason="doof"))
    with pytest.raises(InputError, match="Bewertung"):
        store.add(FeedbackRecord(rating="meh", question="F", answer="A"))  # type: ignore[arg-type]


def test_negative_feedback_becomes_candidate_questions(tmp_path: Path) -> None:
    records = [
        FeedbackRecord(
            rating="down",
            question="Wie hoch ist X?",
            answer="Falsche Antwort",
            reason="falsch",
            citations=[{"doc_id": "rlp-cb1"}],
        ),
        FeedbackRecord(rating="up", question="Gut?", answer="Ja"),
    ]
    entries = yaml.safe_load(to_eval_yaml(records))
    assert len(entries) == 1
    entry = entries[0]
    assert entry["question"] == "Wie hoch ist X?" and entry["sources"] == ["rlp-cb1"]
    assert entry["expect"].startswith("TODO") and entry["key_facts"] == ["TODO"]
    assert "Falsche Antwort" in entry["expected_answer"]


def test_feedback_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCP_EMBEDDER__BACKEND", "fake")
    assert main(["ingest", str(corpus)]) == 0
    assert (
        main(
            [
                "feedback",
                "add",
                "--rating",
                "down",
                "--reason",
                "unvollständig",
                "--question",
                "Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
            ]
        )
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "cand.yaml"
    assert main(["feedback", "export", "--format", "eval-yaml", "--output", str(out)]) == 0
    entries = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "faq1" in entries[0]["sources"]  # the citations of the answer given now
    assert (
        main(["feedback", "add", "--rating", "down", "--reason", "quatsch", "--question", "F?", "--answer", "A"]) == 2
    )


def test_contact_details_are_made_unrecognisable_and_figures_are_not() -> None:
    from scp_assistant.feedback.redact import EMAIL_MARK, PHONE_MARK, redact_contacts, without_contacts

    signed = "Gruß, C. Hoffmann, Tel. 06131 / 906180, c.hoffmann@schule.example"
    assert redact_contacts(signed) == f"Gruß, C. Hoffmann, Tel. {PHONE_MARK}, {EMAIL_MARK}"
    assert "Tel" not in without_contacts(signed) and "entfernt" not in without_contacts(signed)
    for number in (
        "Tel. 06131 906180", "Tel.06131 906180", "Handy: 0151-1234567", "Tel: 0176 – 1234567",
        "Tel. 06131\u00a0906180", "+49 6131 906180", "+49-6131-906180", "0049 6131 906180", "+49 (0)6131 906180",
        "(06131) 90 61 80", "06131 / 9061810", "06131/906180.",
    ):  # fmt: skip
        assert PHONE_MARK in redact_contacts(f"Rückfragen: {number}"), number
    # figures of the programme and of an administration stay as typed (review of round 34)
    for figures in (
        "Am 15.05.2024 gab es 2.644.688 € für 2024/25, 1,24 Mio. € und 54.762,70 €; 0,5 VZÄ ab 08:30.",
        "Förderzeitraum 08/2024 - 07/2025, Stand 05/2024", "Az. 0412-0001/24, Aktenzeichen 03 123 45/2024",
        "Vorgang 03-123456", "zusammen 1 000 000 000 Euro", "AGS 07315000, HHSt 09 02 633 01, PLZ 01067-01328",
        "Schulen 040 041 042 043", "IBAN DE89 3704 0044 0532 0130 00", "Art. 104c GG, § 12",
        "Telefonkonferenz am 12.03.2025 um 10 Uhr mit 25 Schulen",
    ):  # fmt: skip
        assert redact_contacts(figures) == figures, figures
