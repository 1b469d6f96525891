"""The question memory: similar training questions and the units that state their key facts."""

from __future__ import annotations

import numpy as np
import pytest

from scp_assistant.learn.memory import QuestionMemory, Remembered

ENTRIES = [
    Remembered("a", "Wer genehmigt die Anträge aus dem Chancenbudget der Schule?", ("Schulaufsicht genehmigt",), False),
    Remembered("b", "Wie hoch ist der Eigenanteil der Schulträger in Säule I?", ("30 % Eigenanteil",), False),
    Remembered("c", "Wie hoch ist der Sockelbetrag des Chancenbudgets in Euro?", (), True),
    Remembered("d", "Welche Berufsgruppen gehören zu den multiprofessionellen Teams?", ("Schulsozialarbeit",), False),
]


def test_the_most_similar_remembered_question_comes_first_and_a_training_question_never_finds_itself() -> None:
    memory = QuestionMemory(ENTRIES)
    near = memory.neighbours("Wer genehmigt eigentlich Anträge aus dem Chancenbudget?")
    assert near and memory.entries[near[0][0]].id == "a" and 0.5 < near[0][1] <= 1.0
    assert all(memory.entries[i].id != "a" for i, _ in memory.neighbours(ENTRIES[0].question, exclude="a"))
    assert memory.neighbours("Wie wird das Wetter morgen?") == []  # no word in common


def test_a_unit_stating_a_key_fact_of_a_similar_question_gets_its_similarity() -> None:
    memory = QuestionMemory(ENTRIES)
    units = [
        "Die Schulträger tragen in Säule I einen Eigenanteil von 30 %.",
        "Säule I fördert Investitionen in Gebäude.",
        "Die Schulaufsicht (ADD) genehmigt die Anträge.",
    ]
    recall = memory.recall("Müssen wir als Schulträger bei Säule I einen Eigenanteil zahlen?", units)
    assert recall.unit[0] > 0.3 and recall.unit[1] == 0.0
    assert recall.unit[2] == 0.0  # the fact of a question that is not similar does not count
    assert recall.nearest == pytest.approx(recall.unit[0])
    assert recall.question_values(np.array([1, 2]))["memory_fact_best"] == 0.0  # only the units an answer may use


def test_of_a_remembered_question_of_two_parts_only_the_facts_of_the_part_asked_again_count() -> None:
    """ "Wer genehmigt …, und was macht im Unterschied das PL?" answered two things; a new question on who approves
    asks one of them: the PL's offers are no evidence for it. A question on both parts takes all facts."""
    two = Remembered(
        "e",
        "Wer genehmigt die Anträge aus dem Chancenbudget, und was bietet das Pädagogische Landesinstitut an?",
        ("Schulaufsicht genehmigt Anträge", "Akademieprogramm für Schulleitungen", "Landesinstitut bietet Coachings"),
        False,
    )
    memory = QuestionMemory([two, *ENTRIES[1:]])
    units = ["Die Schulaufsicht genehmigt die Anträge.", "Das Landesinstitut bietet Coachings und Beratung an."]
    one = memory.recall("Wer genehmigt Anträge aus dem Chancenbudget?", units)
    assert one.unit[0] > 0.3 and one.unit[1] == 0.0
    other = memory.recall("Was bietet das Pädagogische Landesinstitut den Schulen an?", units)
    assert other.unit[0] == 0.0 and other.unit[1] > 0.2
    both = memory.recall("Wer genehmigt Anträge, und was bietet das Landesinstitut an?", units)
    assert both.unit[0] > 0.3 and both.unit[1] > 0.3


def test_similar_questions_to_decline_make_a_refusal_likelier() -> None:
    memory = QuestionMemory(ENTRIES)
    assert memory.recall("Wie hoch ist der Sockelbetrag pro Schule?", []).refuse > 0.5
    assert memory.recall("Welche Berufsgruppen dürfen ins multiprofessionelle Team?", []).refuse == 0.0


def test_the_memory_survives_its_file() -> None:
    memory = QuestionMemory(ENTRIES)
    again = QuestionMemory.from_dict(memory.to_dict())
    assert again.entries == memory.entries
    question = "Wer genehmigt Anträge aus dem Chancenbudget?"
    assert again.neighbours(question) == memory.neighbours(question)


def test_the_pillar_numeral_tells_similar_questions_apart() -> None:
    memory = QuestionMemory(
        [
            Remembered("i", "Wer stellt die Anträge in Säule I?", ("Schulträger",), False),
            Remembered("iii", "Wer stellt die Anträge in Säule III?", ("Jugendamt",), False),
        ]
    )
    near = memory.neighbours("Und wer stellt in Säule III den Antrag?")
    assert memory.entries[near[0][0]].id == "iii" and near[0][1] > near[1][1]


def test_a_remembered_question_worded_exactly_alike_is_no_evidence() -> None:
    """An eval run on the training sets reads each question as new, as the training did."""
    memory = QuestionMemory(ENTRIES)
    same = "wer genehmigt die  Anträge aus dem Chancenbudget der Schule?"  # case and spaces aside, entry "a"
    assert all(memory.entries[i].id != "a" for i, _ in memory.neighbours(same))
    assert memory.entries[memory.neighbours(same + " Und bis wann?")[0][0]].id == "a"


def test_similarities_do_not_depend_on_the_process() -> None:
    """Sums over a set follow its order, which changes with the hash seed of each process."""
    import subprocess
    import sys

    code = (
        "from scp_assistant.learn.model import load_models\n"
        "m = load_models().memory\n"
        "for e in m.entries[:60]:\n"
        "    print(repr(m.neighbours(e.question + ' Und was gilt in Rheinland-Pfalz?')))\n"
    )  # the shipped memory: hundreds of questions, many words each
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }  # fmt: skip
    assert len(outputs) == 1
