import json
from pathlib import Path

import pytest
import yaml

from scp_assistant.cli import main
from scp_assistant.eval.compare import Gates, compare
from scp_assistant.eval.dataset import validate
from scp_assistant.eval.report import render_report

GOOD = [
    {
        "id": "q1",
        "question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
        "expect": "answer",
        "category": "eligibility",
        "topic": "Säule II",
        "key_facts": ["Mobiliar nicht grundsätzlich ausgeschlossen"],
        "sources": ["faq1"],
    },
    {"id": "q2", "question": "Wer hat die Fußball-WM 2014 gewonnen?", "expect": "refuse", "category": "out_of_scope"},
    {
        "id": "q3",
        "question": "Welche Berufsgruppen sind in Säule III förderfähig?",
        "expect": "answer",
        "category": "factual",
        "key_facts": ["Sozialarbeit", "Assistenzberufe"],
        "sources": ["s3"],
        "must_not_contain": ["bewilligt"],
    },
]


def test_validation_names_entry_and_field() -> None:
    data = [
        {"id": "a", "question": "Frage?", "expect": "vielleicht"},
        {"id": "a", "question": "Noch eine?", "expect": "refuse"},
        {"question": "Ohne id?", "expect": "answer", "sources": ["x"], "key_facts": [2024]},
    ]
    messages = [str(i) for i in validate(data) if i.level == "error"]
    assert any("#1 (a)" in m and "'expect'" in m and "vielleicht" in m for m in messages)
    assert any("#2 (a)" in m and "doppelte id" in m for m in messages)
    assert any("#3" in m and "'id'" in m and "Pflichtfeld" in m for m in messages)
    assert any("#3" in m and "'key_facts'" in m for m in messages)


def test_unknown_sources_warn_or_fail_with_strict() -> None:
    data = [{"id": "a", "question": "F?", "expect": "answer", "key_facts": ["x"], "sources": ["nicht-da"]}]
    assert [i.level for i in validate(data, known_sources={"faq1"})] == ["warning"]
    assert [i.level for i in validate(data, known_sources={"faq1"}, strict=True)] == ["error"]
    assert validate(data, known_sources={"nicht-da"}) == []


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def env(cli_env: Path) -> None:
    """The small corpus ingested through the CLI."""
    assert main(["ingest"]) == 0


def test_validate_cli_exit_codes(
    env: None, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "validate", str(questions)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  question: Frage?\n  expect: egal\n", encoding="utf-8")
    assert main(["eval", "validate", str(bad)]) == 2
    assert "Feld 'expect'" in capsys.readouterr().out
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        "- id: x\n  question: F?\n  expect: answer\n  key_facts: [a]\n  sources: [gibts-nicht]\n", encoding="utf-8"
    )
    assert main(["eval", "validate", str(unknown)]) == 0
    assert main(["eval", "validate", str(unknown), "--strict"]) == 2


def test_run_with_several_sets_runs_them_all(env: None, questions: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("- id: z1\n  question: Was ist das Wetter morgen?\n  expect: refuse\n", encoding="utf-8")
    out = tmp_path / "both"
    assert main(["eval", "run", "--questions", str(questions), "--questions", str(other), "--output", str(out)]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in results["results"]] == ["q1", "q2", "q3", "z1"]  # not only the last set
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["questions"] == f"{questions}, {other}"


def test_run_writes_a_run_folder_and_gates_fail_after_writing(env: None, questions: Path, tmp_path: Path) -> None:
    out = tmp_path / "run1"
    assert main(["eval", "run", "--questions", str(questions), "--output", str(out), "--name", "probe"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "metrics.json", "report.html", "results.json"]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in results["results"]] == ["q1", "q2", "q3"]
    assert all("verdict" in r and "reasons" in r["verdict"] for r in results["results"])
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    m = metrics["metrics"]
    assert {
        "retrieval_hit1",
        "retrieval_hit3",
        "retrieval_hit5",
        "mrr",
        "latency_max_ms",
        "citations_per_answer",
        "per_category",
        "per_topic",
    } <= set(m)
    assert m["per_category"]["out_of_scope"] == {"questions": 1, "accuracy": 1.0}
    config = metrics["config"]
    assert config["embedder"] == "fake:64" and len(config["corpus_fingerprint"]) == 16 and config["name"] == "probe"
    gated = tmp_path / "run2"
    failing = tmp_path / "failing.yaml"  # one answer that cannot be right: accuracy below 1
    impossible = {"id": "q9", "question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?", "expect": "answer"}
    impossible |= {"key_facts": ["Mondlandung 1969"], "sources": ["faq1"]}
    failing.write_text(yaml.safe_dump([*GOOD, impossible], allow_unicode=True), encoding="utf-8")
    assert main(["eval", "run", "--questions", str(failing), "--output", str(gated), "--min-accuracy", "1"]) == 6
    assert (gated / "report.html").exists()
    verdict = json.loads((gated / "metrics.json").read_text(encoding="utf-8"))["gates"]
    assert verdict["passed"] is False and "answer_accuracy" in verdict["failed"][0]


def test_eval_compare_of_a_full_run_and_a_search_only_run(
    env: None, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run folders as `eval run` writes them: against a --retrieval-only run every question counted as newly
    failing, and --no-regressions failed (walk-through and review, round 32)."""
    full, search = tmp_path / "full", tmp_path / "search"
    assert main(["eval", "run", "--questions", str(questions), "--output", str(full)]) == 0
    assert main(["eval", "run", "--questions", str(questions), "--output", str(search), "--retrieval-only"]) == 0
    capsys.readouterr()
    assert main(["eval", "compare", str(full), str(search), "--no-regressions"]) == 0
    out = capsys.readouterr().out
    assert "Nur die Suche verglichen: Lauf B prüft keine Antworten" in out and "Neu fehlerhaft" not in out
    assert "| mrr |" in out and "| answer_accuracy |" not in out


def test_set_override_and_retrieval_only(env: None, questions: Path, tmp_path: Path) -> None:
    out = tmp_path / "ret"
    assert (
        main(
            [
                "eval",
                "run",
                "--questions",
                str(questions),
                "--output",
                str(out),
                "--retrieval-only",
                "--set",
                "retrieve.bm25_weight=0.2",
            ]
        )
        == 0
    )
    data = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(data["metrics"]) >= {"retrieval_hit1", "retrieval_hit5", "mrr"}
    assert "answer_accuracy" not in data["metrics"]
    assert data["config"]["settings"]["retrieve"]["bm25_weight"] == 0.2
    assert main(["eval", "run", "--questions", str(questions), "--output", str(out), "--set", "nope.x=1"]) == 2


def test_compare_and_no_regressions(
    env: None, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    main(["eval", "run", "--questions", str(questions), "--output", str(a)])
    main(["eval", "run", "--questions", str(questions), "--output", str(b)])
    results = json.loads((b / "results.json").read_text(encoding="utf-8"))
    results["results"][0]["verdict"]["correct"] = False  # simulate a regression in B
    results["metrics"]["answer_accuracy"] = 0.5
    (b / "results.json").write_text(json.dumps(results), encoding="utf-8")
    capsys.readouterr()
    assert main(["eval", "compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "Neu fehlerhaft (1): q1" in out and "answer_accuracy" in out
    assert main(["eval", "compare", str(a), str(b), "--no-regressions"]) == 6
    assert main(["eval", "compare", str(a), str(a), "--no-regressions"]) == 0


def test_sweep_writes_one_comparison_table(env: None, questions: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert (
        main(
            [
                "eval",
                "sweep",
                "--questions",
                str(questions),
                "--param",
                "retrieve.bm25_weight",
                "--values",
                "0.2,0.8",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    table = (out / "comparison.md").read_text(encoding="utf-8")
    assert table.splitlines()[0].startswith("| retrieve.bm25_weight | questions")
    assert "| 0.2 |" in table and "| 0.8 |" in table
    assert (out / "retrieve.bm25_weight=0.8" / "report.html").exists()


def test_comparison_logic_and_gates() -> None:
    a = {
        "results": [{"id": "1", "verdict": {"correct": True}}, {"id": "2", "verdict": {"correct": False}}],
        "metrics": {"answer_accuracy": 0.5, "false_refusal": 0.0},
    }
    b = {
        "results": [
            {"id": "1", "verdict": {"correct": False}},
            {"id": "2", "verdict": {"correct": True}},
            {"id": "3", "verdict": {"correct": True}},
        ],
        "metrics": {"answer_accuracy": 0.667, "false_refusal": 0.2},
    }
    c = compare(a, b)
    assert (c.newly_failing, c.newly_passing, c.only_in_b) == (["1"], ["2"], ["3"])
    assert c.deltas["answer_accuracy"]["delta"] == 0.167
    assert Gates(max_false_refusal=0.1).check(b["metrics"]) == [
        "Falsche Ablehnungen (false_refusal) = 20,0 %, verlangt höchstens 10,0 %"
    ]
    assert Gates(no_regressions=True).check(b["metrics"], c) == ["neu fehlerhafte Fragen: 1"]
    assert Gates(min_accuracy=0.6).check(b["metrics"], c) == []


def test_a_run_of_the_search_alone_compares_only_the_search() -> None:
    """A --retrieval-only run judges no answers: compared with a full run, every question looked newly failing and
    the regression gate failed (walk-through, round 32)."""
    full = {
        "results": [{"id": "1", "verdict": {"correct": True}}, {"id": "2", "verdict": {"correct": True}}],
        "metrics": {"answer_accuracy": 1.0, "retrieval_hit1": 0.5, "mrr": 0.6},
    }
    search = {
        "results": [{"id": "1"}, {"id": "2"}],
        "metrics": {"retrieval_hit1": 1.0, "mrr": 0.8},
        "retrieval_only": True,
    }
    c = compare(full, search)
    assert (c.newly_failing, c.newly_passing, c.search_only) == ([], [], "B")
    assert set(c.deltas) == {"retrieval_hit1", "mrr"} and c.deltas["retrieval_hit1"]["delta"] == 0.5
    assert Gates(no_regressions=True).check(search["metrics"], c) == []
    assert "Nur die Suche verglichen: Lauf B" in c.render() and "Neu fehlerhaft" not in c.render()
    assert Gates(min_accuracy=0.5).check(search["metrics"], c) == [
        "Antwortgenauigkeit (answer_accuracy) fehlt im Lauf (ein Lauf nur der Suche prüft keine Antworten)"
    ]


def test_report_has_rows_charts_and_escapes_html() -> None:
    payload = {
        "results": [
            {
                "id": "x1",
                "question": "<script>alert(1)</script>",
                "answer": "Antwort [1]",
                "refused": False,
                "category": "factual",
                "latency_ms": 12,
                "citations": [
                    {
                        "n": 1,
                        "doc_id": "d",
                        "title": "T",
                        "section": "S",
                        "page": None,
                        "source_url": "https://example.org",
                    }
                ],
                "verdict": {"correct": False, "reasons": ["fehlende Fakten: 200 Schulen"]},
            },
        ],
        "metrics": {
            "answer_accuracy": 0.0,
            "retrieval_hit1": 1.0,
            "retrieval_hit3": 1.0,
            "retrieval_hit5": 1.0,
            "per_category": {"factual": {"questions": 1, "accuracy": 0.0}},
            "mrr": 0.8921,
            "citations_per_answer": 2.2413,
            "latency_p95_ms": 62.46,
        },
    }
    html = render_report(
        payload,
        {"name": "t", "git_commit": "abc", "settings": {}},
        {"checked": True, "passed": False, "failed": ["answer_accuracy = 0.0"]},
    )
    assert html.count("<tr data-status=") == 1 and "fehlende Fakten: 200 Schulen" in html
    assert html.count("<svg") == 3 and "Anteil richtig je Kategorie" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "NICHT erfüllt" in html and 'lang="de"' in html
    assert "http" not in html.replace("https://example.org", "")  # nothing loaded from elsewhere
    # figures with a decimal comma: "2.241 Quellen je Antwort" read as two thousand (walk-through, round 32)
    for shown in ('class="num">0,892<', 'class="num">2,24<', 'class="num">62<'):
        assert shown in html
    assert "2.24" not in html and "0.892" not in html


def test_llm_judge_is_optional_and_separate() -> None:
    from scp_assistant.answer.llm.backends import GuardedModel
    from scp_assistant.eval.judge import LLMJudge, apply
    from scp_assistant.settings import LLMSettings

    class Model:
        name = "scripted"

        def __init__(self, reply: str) -> None:
            self.reply = reply

        def generate(self, messages):  # type: ignore[no-untyped-def]
            return self.reply

        def stream(self, messages):  # type: ignore[no-untyped-def]
            yield self.reply

    settings = LLMSettings(backend="openai", base_url="http://unused")
    payload = {
        "results": [
            {"question": "F?", "answer": "A [1]", "refused": False, "citations": [{"n": 1}]},
            {"question": "G?", "answer": "Nein.", "refused": True, "citations": []},
        ],
        "metrics": {"answer_accuracy": 1.0},
    }
    good = LLMJudge(GuardedModel(Model('Urteil: {"faithfulness": 5, "correctness": 4, "comment": "ok"}'), settings))
    summary = apply(good, payload)
    assert summary["judged"] == 1 and summary["faithfulness_mean"] == 5 and payload["metrics"]["answer_accuracy"] == 1.0
    assert payload["results"][0]["judge"]["correctness"] == 4 and "judge" not in payload["results"][1]
    broken = LLMJudge(GuardedModel(Model("keine Ahnung"), settings))
    assert broken.judge("F?", "A", []) is None


def test_judge_needs_an_llm_backend(env: None, questions: Path, tmp_path: Path) -> None:
    assert main(["eval", "run", "--questions", str(questions), "--output", str(tmp_path / "j"), "--judge"]) == 2
