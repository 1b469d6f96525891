"""Run a question set through the answer pipeline and write results.json with metrics."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from scp_assistant.errors import InputError, ScpError
from scp_assistant.eval.metrics import Verdict, aggregate, judge
from scp_assistant.models import Answer

log = logging.getLogger(__name__)

Ask = Callable[[str], Answer]


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"Fragendatei {path} nicht gefunden") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"Fragendatei {path} ist kein gültiges YAML: {exc}") from exc
    if not isinstance(data, list):
        raise InputError(f"Fragendatei {path}: erwartet wird eine Liste von Fragen")
    for i, q in enumerate(data, 1):
        if not isinstance(q, dict) or not q.get("id") or not q.get("question"):
            raise InputError(f"Fragendatei {path}: Eintrag {i} braucht 'id' und 'question'")
        if q.get("expect") not in ("answer", "refuse"):
            raise InputError(f"Fragendatei {path}: Eintrag {q.get('id')}: 'expect' muss answer oder refuse sein")
    return data


def run(
    questions: Sequence[dict[str, Any]], ask: Ask, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    verdicts: list[Verdict] = []
    for i, q in enumerate(questions, 1):
        try:
            answer = ask(str(q["question"])).to_dict()
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
        verdicts.append(verdict)
        results.append(
            {
                "id": q["id"],
                **answer,
                "verdict": {
                    "correct": verdict.correct,
                    "fact_recall": verdict.fact_recall,
                    "citation_hit": verdict.citation_hit,
                    "missing_facts": verdict.missing_facts,
                    "reasons": verdict.reasons,
                },
            }
        )
        if progress:
            progress(i, len(questions))
    metrics = aggregate(verdicts)
    metrics["per_category"] = _grouped(verdicts, "category")
    metrics["per_topic"] = _grouped(verdicts, "topic")
    return {"results": results, "metrics": metrics}


def _grouped(verdicts: Sequence[Verdict], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[getattr(v, key) or "–"].append(v)
    return {
        name: {"questions": len(vs), "accuracy": round(sum(v.correct for v in vs) / len(vs), 3)}
        for name, vs in sorted(groups.items())
    }


def write(output: Path, payload: dict[str, Any]) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    path = output / "results.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path
