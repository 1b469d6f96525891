"""Run a question set through the pipeline and write a run folder: results.json, metrics.json, report.html."""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scp_assistant.errors import ScpError
from scp_assistant.eval.dataset import is_conversation, last_turn, load_questions
from scp_assistant.eval.metrics import Verdict, aggregate, judge
from scp_assistant.models import Answer, ScoredChunk

log = logging.getLogger(__name__)

Ask = Callable[[str], Answer]
Retrieve = Callable[[str], list[ScoredChunk]]
RETRIEVAL_KEYS = (
    "questions",
    "retrieval_hit1",
    "retrieval_hit3",
    "retrieval_hit5",
    "mrr",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_max_ms",
)

__all__ = ["load_questions", "run", "run_retrieval", "run_with", "write_run"]


def _verdict_dict(v: Verdict) -> dict[str, Any]:
    return {
        "correct": v.correct,
        "fact_recall": v.fact_recall,
        "citation_hit": v.citation_hit,
        "hit1": v.hit1,
        "hit5": v.hit5,
        "citation_precision": v.citation_precision,
        "lead_fact": v.lead_fact,
        "missing_facts": v.missing_facts,
        "reasons": v.reasons,
    }


def run(
    questions: Sequence[dict[str, Any]], ask: Ask, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Every question through the whole pipeline; per-question verdicts with the reasons for failures."""
    return run_with(questions, lambda q: ask(str(q["question"])), progress)


def run_with(
    questions: Sequence[dict[str, Any]],
    answer_of: Callable[[dict[str, Any]], Answer],
    progress: Callable[[int, int], None] | None = None,
    turns_of: Callable[[str], list[tuple[str, str]] | None] | None = None,
) -> dict[str, Any]:
    """As :func:`run`, with the answer to each question entry from ``answer_of`` (e.g. a fold's models, or a
    conversation played through a session). A conversation is judged on its last turn; ``turns_of`` gives
    the (question, searched query) of each of its turns for the report."""
    results: list[dict[str, Any]] = []
    verdicts: list[Verdict] = []
    for i, entry in enumerate(questions, 1):
        q = last_turn(entry) if is_conversation(entry) else entry
        try:
            answer = answer_of(entry).to_dict()
        except ScpError as exc:
            log.warning("question %s failed: %s", q["id"], exc)
            answer = {
                "question": q["question"],
                "answer": "",
                "refused": False,
                "refusal_reason": None,
                "notice": None,
                "backend": "error",
                "citations": [],
                "retrieved": [],
                "latency_ms": 0.0,
                "error": str(exc),
            }
        verdict = judge(q, answer)
        if "error" in answer:
            verdict.reasons.insert(0, f"Fehler: {answer['error']}")
        verdicts.append(verdict)
        record = {
            "id": q["id"],
            **answer,
            "category": q.get("category"),
            "topic": q.get("topic"),
            "expect": q["expect"],
            "verdict": _verdict_dict(verdict),
        }
        turns = turns_of(str(q["id"])) if turns_of and is_conversation(entry) else None
        if turns:
            record["turns"] = [{"question": question, "searched": searched} for question, searched in turns]
        results.append(record)
        if progress:
            progress(i, len(questions))
    return {"results": results, "metrics": _metrics(verdicts)}


def run_retrieval(questions: Sequence[dict[str, Any]], retrieve: Retrieve) -> dict[str, Any]:
    """Retrieval metrics only (no answers composed): fast iteration on search settings."""
    results: list[dict[str, Any]] = []
    verdicts: list[Verdict] = []
    for entry in questions:
        q = last_turn(entry) if is_conversation(entry) else entry
        started = time.perf_counter()
        ranked = retrieve(str(q["question"]))
        latency = (time.perf_counter() - started) * 1000
        record = {
            "id": q["id"],
            "question": q["question"],
            "answer": "",
            "refused": False,
            "citations": [],
            "retrieved": [
                {"doc_id": s.chunk.doc_id, "chunk_id": s.chunk.chunk_id, "score": round(s.score, 5)}
                for s in ranked[:20]
            ],
            "latency_ms": round(latency, 1),
            "category": q.get("category"),
            "topic": q.get("topic"),
            "expect": q["expect"],
        }
        verdict = judge(q, record)
        verdicts.append(verdict)
        record["verdict"] = {"hit1": verdict.hit1, "hit5": verdict.hit5, "rr": verdict.rr}
        results.append(record)
    metrics = aggregate(verdicts)
    return {"results": results, "metrics": {k: metrics[k] for k in RETRIEVAL_KEYS}, "retrieval_only": True}


def _metrics(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    metrics = aggregate(verdicts)
    metrics["per_category"] = _grouped(verdicts, "category")
    metrics["per_topic"] = _grouped(verdicts, "topic")
    return metrics


def _grouped(verdicts: Sequence[Verdict], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[getattr(v, key) or "–"].append(v)
    return {
        name: {"questions": len(vs), "accuracy": round(sum(v.correct for v in vs) / len(vs), 3)}
        for name, vs in sorted(groups.items())
    }


def _dump(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def write_run(
    output: Path, payload: dict[str, Any], config: dict[str, Any], gates: dict[str, Any] | None = None
) -> Path:
    """Write results.json, metrics.json, config.json and report.html into ``output``."""
    from scp_assistant.eval.report import render_report

    output.mkdir(parents=True, exist_ok=True)
    _dump(output / "results.json", {"results": payload["results"], "metrics": payload["metrics"]})
    _dump(output / "metrics.json", {"metrics": payload["metrics"], "gates": gates or {}, "config": config})
    _dump(output / "config.json", config)
    html = render_report(payload, config, gates or {})
    (output / "report.html").write_text(html, encoding="utf-8")
    return output


def read_run(folder: Path) -> dict[str, Any]:
    """A run folder written by :func:`write_run` (or just its results.json)."""
    path = folder / "results.json" if folder.is_dir() else folder
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        from scp_assistant.errors import InputError

        raise InputError(f"Kein Eval-Lauf unter {folder} (results.json fehlt)") from exc
    if "answer_accuracy" not in data.get("metrics", {}):  # a run of the search alone judged no answers
        data["retrieval_only"] = True
    return data
