"""Where a wrong answer went wrong (``eval/diagnose.py``): search, selection, refusal, citation or length; counted
in the metrics and named in the report."""

from __future__ import annotations

from typing import Any

import pytest

from scp_assistant.container import Container
from scp_assistant.eval.diagnose import STAGES, diagnose, stage_of
from scp_assistant.eval.report import render_report

MOBILIAR = "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"


def result(expect: str = "answer", **extra: Any) -> dict[str, Any]:
    verdict = {"correct": False, "fact_recall": 0.0, "missing_facts": [], "reasons": ["fehlende Fakten"]}
    verdict.update(extra.pop("verdict", {}))
    return {"id": "q", "question": MOBILIAR, "expect": expect, "refused": False, "answer": "Kurz. [1]",
            "backend": "extractive", "verdict": verdict, **extra}  # fmt: skip


@pytest.mark.parametrize(
    "entry,stage",
    [
        (result("refuse"), "nicht-abgelehnt"),
        (result(refused=True), "abgelehnt"),
        (result(answer="x" * 1300), "laenge"),
        (result(verdict={"fact_recall": 0.75, "missing_facts": ["Schulträger muss zustimmen"]}), "quelle"),
        # the fact stands in the FAQ answer the search found and the answer stage read
        (result(verdict={"missing_facts": ["Schulträger muss vorher zustimmen"]}), "auswahl"),
        # no passage it read says anything of the kind
        (result(verdict={"missing_facts": ["Zustimmung des Kreistags bis 31.03.2027"]}), "suche"),
    ],
)
def test_each_wrong_result_gets_the_stage_that_lost_it(
    fake_container: Container, entry: dict[str, Any], stage: str
) -> None:
    assert stage_of(fake_container.answer_service, entry) == stage


def test_a_fact_no_passage_of_the_index_holds_is_the_fact_to_check_not_the_search(fake_container: Container) -> None:
    service = fake_container.answer_service
    index = [stored.chunk.text for stored in fake_container.store.all_chunks()]
    nowhere = result(verdict={"missing_facts": ["Zustimmung des Kreistags bis 31.03.2027"]})
    assert stage_of(service, nowhere, index) == "fakt"
    assert stage_of(service, nowhere) == "suche"  # without the index to look in
    read = result(verdict={"missing_facts": ["Schulträger muss vorher zustimmen"]})
    assert stage_of(service, read, index) == "auswahl"


def test_a_conversation_is_judged_by_what_its_last_turn_searched(fake_container: Container) -> None:
    service = fake_container.answer_service
    fact = {"missing_facts": ["Schulträger muss vorher zustimmen"]}
    alone = result(question="Und das?", verdict=fact)
    assert stage_of(service, alone) == "suche"  # "Und das?" alone finds nothing to read
    turns = [{"question": "Was gilt für Mobiliar?", "searched": "Was gilt für Mobiliar?"},
             {"question": "Und das?", "searched": MOBILIAR}]  # fmt: skip
    assert stage_of(service, {**alone, "turns": turns}) == "auswahl"


def test_the_stages_are_counted_and_shown_in_the_report(fake_container: Container) -> None:
    right = result(verdict={"correct": True})
    payload = {
        "results": [right, result("refuse"), result(refused=True), result(refused=True)],
        "metrics": {"questions": 4},
    }
    counts = diagnose(fake_container.answer_service, payload)
    assert counts == {
        "suche": 0,
        "auswahl": 0,
        "abgelehnt": 2,
        "nicht-abgelehnt": 1,
        "quelle": 0,
        "laenge": 0,
        "fakt": 0,
    }
    assert payload["metrics"]["failure_stages"] == counts
    assert "stage" not in payload["results"][0]  # a right answer has none
    html = render_report(payload, {"name": "Test"}, {})
    assert "Woran falsche Antworten scheiterten" in html and STAGES["abgelehnt"] in html


def test_the_console_lists_each_wrong_question_with_its_stage_and_what_it_searched() -> None:
    from scp_assistant.eval.diagnose import failed_questions

    turns = [{"question": "Was gilt?", "searched": "Was gilt?"}, {"question": "Und das?", "searched": MOBILIAR}]
    results = [
        {"id": "a", "question": "Richtig?", "verdict": {"correct": True}},
        {"id": "b", "question": "Falsch?", "stage": "suche"},
        {"id": "c", "question": "Und das?", "stage": "auswahl", "turns": turns},
    ]
    assert failed_questions(results) == [
        {"id": "b", "question": "Falsch?", "searched": "Falsch?", "stage": "suche"},
        {"id": "c", "question": "Und das?", "searched": MOBILIAR, "stage": "auswahl"},
    ]
