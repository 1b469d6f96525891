import json
import re
from pathlib import Path

import pytest

from scp_assistant.cli import main


def test_ingest_then_ask_json(cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert main(["ingest", "--report", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["documents"] == 5 and data["ok"] is True and data["failures"] == []
    capsys.readouterr()
    assert main(["ask", "Darf aus dem Chancenbudget Mobiliar angeschafft werden?", "--json"]) == 0
    out = capsys.readouterr().out
    answer = json.loads(out)  # exactly one JSON object on stdout
    assert out.count("\n") == 1
    assert answer["refused"] is False and answer["citations"][0]["doc_id"] == "faq1"


def test_reingest_unchanged_embeds_nothing(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "neu eingebettet: 0 Chunks" in capsys.readouterr().out


def test_strict_ingest_fails_on_a_broken_file(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (cli_env / "pdf" / "kaputt.pdf").write_bytes(b"%PDF-1.4 nope")
    assert main(["ingest"]) == 0
    assert main(["ingest", "--strict"]) == 3
    assert "kaputt.pdf" in capsys.readouterr().out


def test_input_errors_exit_non_zero_without_traceback(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 0
    assert main(["ask", "   "]) == 2
    assert main(["ask", "x" * 3000]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "zu lang" in err


def test_ask_without_index_explains_what_to_do(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Was ist Säule I?"]) == 4
    assert "scp-assistant ingest" in capsys.readouterr().err


def test_missing_corpus_dir(cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path / "gibt-es-nicht")]) == 3
    assert "nicht gefunden" in capsys.readouterr().err


def test_refusal_is_exit_zero_and_marked(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest"])
    capsys.readouterr()
    assert main(["ask", "Wer hat die Fußball-WM 2014 gewonnen?"]) == 0
    assert "Keine Antwort aus den Programmunterlagen" in capsys.readouterr().out
    # a greeting is greeted, not marked as declined
    assert main(["ask", "Hallo"]) == 0
    greeted = capsys.readouterr().out
    assert greeted.startswith("Guten Tag!") and "Keine Antwort" not in greeted


def test_a_question_that_points_at_nothing_asks_for_its_topic(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asked on its own, "Und wer finanziert das?" has nothing to refer to: the command asks for the topic, as the
    web chat does for a first message, instead of answering a guess."""
    main(["ingest"])
    capsys.readouterr()
    assert main(["ask", "Und wer finanziert das?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["refused"] is True and out["refusal_reason"] == "needs_context"
    assert out["citations"] == []
    assert main(["ask", "Darf aus dem Chancenbudget der dritten Säule Mobiliar angeschafft werden?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["refused"] is False  # and it says the question as asked ("searched" says how it was read)
    assert out["question"] == "Darf aus dem Chancenbudget der dritten Säule Mobiliar angeschafft werden?"


def test_eval_run_writes_results_and_applies_gates(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["ingest"])
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- id: q1\n  question: Darf aus dem Chancenbudget Mobiliar angeschafft werden?\n  expect: answer\n"
        "  key_facts: [Mobiliar nicht grundsätzlich ausgeschlossen]\n  sources: [faq1]\n"
        "- id: q2\n  question: Wer hat die Fußball-WM 2014 gewonnen?\n  expect: refuse\n  category: out_of_scope\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    capsys.readouterr()
    assert main(["eval", "run", "--questions", str(questions), "--output", str(out)]) == 0
    assert "| Außerhalb des Themas (out_of_scope) | 1 | 1,00 |" in capsys.readouterr().out  # the report's names
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in results["results"]] == ["q1", "q2"]
    assert results["metrics"]["answer_accuracy"] == 1.0 and results["metrics"]["refusal_accuracy"] == 1.0
    assert (
        main(
            [
                "eval",
                "run",
                "--questions",
                str(questions),
                "--output",
                str(out),
                "--max-false-refusal",
                "0.0",
                "--min-accuracy",
                "0.9",
            ]
        )
        == 0
    )
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        "- id: q3\n  question: Darf aus dem Chancenbudget Mobiliar angeschafft werden?\n  expect: answer\n"
        "  key_facts: [Mondlandung 1969]\n  sources: [faq1]\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["eval", "run", "--questions", str(failing), "--output", str(out), "--min-accuracy", "0.9"]) == 6
    assert "Antwortgenauigkeit (answer_accuracy) = 0,0 %, verlangt mindestens 90,0 %" in capsys.readouterr().err
    # a limit is a share: "90" would be a gate no run can pass
    with pytest.raises(SystemExit) as stop:
        main(["eval", "run", "--questions", str(questions), "--output", str(out), "--min-accuracy", "90"])
    assert stop.value.code == 2
    assert "90 ist kein Anteil zwischen 0 und 1 (für 90 % also 0.9)" in capsys.readouterr().err


def test_workers_share_the_cores_for_the_encoder_unless_the_operator_chose() -> None:
    from scp_assistant.cli import share_cores

    env: dict[str, str] = {}
    share_cores(2, env, cores=2)
    assert env["OMP_NUM_THREADS"] == "1"
    env = {}
    share_cores(2, env, cores=8)
    assert env["OMP_NUM_THREADS"] == "4"
    env = {}
    share_cores(4, env, cores=2)
    assert env["OMP_NUM_THREADS"] == "1"  # never zero
    env = {"OMP_NUM_THREADS": "3"}
    share_cores(2, env, cores=2)
    assert env["OMP_NUM_THREADS"] == "3"


def test_ask_lists_its_sources_with_german_dates(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest"])
    capsys.readouterr()
    assert main(["ask", "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"]) == 0
    sources = capsys.readouterr().out.split("Quellen:\n", 1)[1]
    assert re.search(r"Stand \d\d\.\d\d\.\d{4}|undatiert", sources), sources
    assert not re.search(r"\d{4}-\d\d", sources)  # never ISO dates


def test_the_terminal_chat_is_a_session_as_in_the_web_chat(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["ingest"])
    capsys.readouterr()
    typed = iter(
        ["Welche Berufsgruppen sind in Säule III förderfähig?", "Und in Säule II?", "neu", "Und in Säule II?", "exit"]
    )
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    assert main(["ask", "--json"]) == 0
    first, follow_up, alone = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert follow_up["session_id"] == first["session_id"] != alone["session_id"]
    assert "Berufsgruppen" in follow_up["rewritten_question"] and "Säule II" in follow_up["rewritten_question"]
    assert alone["rewritten_question"] == "Und in Säule II?"  # "neu" started over: nothing to refer to


def test_serve_takes_host_and_port_from_the_environment_like_the_run_script(monkeypatch: pytest.MonkeyPatch) -> None:
    from scp_assistant.cli import _parser

    assert (_parser().parse_args(["serve"]).host, _parser().parse_args(["serve"]).port) == ("127.0.0.1", 8000)
    monkeypatch.setenv("SCP_HOST", "0.0.0.0")
    monkeypatch.setenv("SCP_PORT", "8131")
    args = _parser().parse_args(["serve"])
    assert (args.host, args.port) == ("0.0.0.0", 8131)
    assert _parser().parse_args(["serve", "--port", "9000"]).port == 9000  # the flag wins
    monkeypatch.setenv("SCP_HOST", "")
    monkeypatch.setenv("SCP_PORT", "")  # empty is unset, as in scripts/run.sh
    assert (_parser().parse_args(["serve"]).host, _parser().parse_args(["serve"]).port) == ("127.0.0.1", 8000)
