import pytest

from scp_assistant.eval.metrics import aggregate, judge
from scp_assistant.fact_rule import fact_covered, numbers


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1.689 Maßnahmen", ["1689"]),
        ("49,4 Mio.", ["49.4"]),
        ("2024/25", ["2024", "25"]),
        ("04.06.2025", ["4", "6", "2025"]),
        ("20.000 €", ["20000"]),
        ("0", ["0"]),
    ],
)
def test_numbers_are_normalised(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


def test_fact_needs_all_numbers_and_most_stems() -> None:
    answer = "Im Durchschnitt stehen einer Schule rund 20.000 € pro Schuljahr zur Verfügung."
    assert fact_covered("ø rund 20.000 € pro Schuljahr", answer)
    assert not fact_covered("ø rund 30.000 € pro Schuljahr", answer)
    assert fact_covered("49,4 Mio. €", "Der Bund gibt 49,4 Millionen Euro.")  # Mio. expanded
    assert not fact_covered("49,4 Mio. €", "Der Bund gibt 49 Millionen Euro.")


def test_compound_stems_count_and_the_window_is_1000_chars() -> None:
    assert fact_covered("Sprachbildung", "Durchgängige Sprachbildungskonzepte in Freiburg")
    assert not fact_covered("Schulhofumgestaltung", "x" * 1000 + " Schulhofumgestaltung")
    assert fact_covered("IGS", "elf Integrierte Gesamtschulen")


def test_empty_answer_covers_nothing_with_content() -> None:
    assert not fact_covered("200 Schulen", "")


def _result(answer: str, refused: bool = False, cited: tuple[str, ...] = ("a",), retrieved=("b", "a")):  # type: ignore[no-untyped-def]
    return {
        "answer": answer,
        "refused": refused,
        "citations": [{"doc_id": d} for d in cited],
        "retrieved": [{"doc_id": d} for d in retrieved],
        "latency_ms": 10,
    }


def test_verdicts_and_aggregate() -> None:
    q_ok = {"id": "1", "question": "?", "expect": "answer", "key_facts": ["200 Schulen"], "sources": ["a"]}
    q_ref = {"id": "2", "question": "?", "expect": "refuse"}
    good = judge(q_ok, _result("Es sind 200 Schulen."))
    assert good.correct and good.hit1 is False and good.hit5 and good.rr == 0.5
    long = judge(q_ok, _result("Es sind 200 Schulen. " + "x" * 1200))
    assert not long.correct and "zu lang" in " ".join(long.reasons)
    wrong_source = judge(q_ok, _result("Es sind 200 Schulen.", cited=("z",)))
    assert not wrong_source.correct and "keine erwartete Quelle" in " ".join(wrong_source.reasons)
    refused_answerable = judge(q_ok, _result("Keine Angabe.", refused=True, cited=()))
    refused_ok = judge(q_ref, _result("Keine Angabe.", refused=True))
    m = aggregate([good, refused_answerable, refused_ok])
    assert m["answer_accuracy"] == 0.5 and m["false_refusal"] == 0.5 and m["refusal_accuracy"] == 1.0
    assert m["retrieval_hit5"] == 1.0 and m["mrr"] == 0.5


def test_forbidden_strings_fail_a_question() -> None:
    q = {
        "id": "1",
        "question": "?",
        "expect": "answer",
        "key_facts": [],
        "sources": ["a"],
        "must_not_contain": ["bewilligt"],
    }
    assert not judge(q, _result("Ihr Antrag ist bewilligt.")).correct


def test_written_out_dates_count_like_numeric_ones() -> None:
    from scp_assistant.fact_rule import fact_covered

    assert fact_covered("Bekanntmachung 12.09.2024", "Die Bekanntmachung erfolgte am 12. September 2024.")
    assert fact_covered("12. September 2024", "Bekanntgemacht am 12.09.2024.")
    assert not fact_covered("12.09.2024", "Bekanntgemacht am 13. September 2024.")


def test_citation_precision_and_lead_fact() -> None:
    from scp_assistant.eval.metrics import aggregate, judge

    q = {"id": "x", "question": "?", "expect": "answer", "key_facts": ["200 Schulen"], "sources": ["a"]}
    lead = "In Rheinland-Pfalz nehmen 200 Schulen teil. [1]"
    late = "Einleitung. " * 30 + lead
    cites = [{"doc_id": "a", "source_url": ""}, {"doc_id": "b", "source_url": ""}]
    first, second = judge(q, {"answer": lead, "citations": cites}), judge(q, {"answer": late, "citations": cites[:1]})
    assert (first.citation_precision, first.lead_fact) == (0.5, True)
    assert (second.citation_precision, second.lead_fact) == (1.0, False)
    m = aggregate([first, second])
    assert m["citation_precision"] == 0.75 and m["lead_fact"] == 0.5
