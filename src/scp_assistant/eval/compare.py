"""Regression diffs between two runs, and the quality gates that make a run fail in CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scp_assistant.eval.dataset import is_conversation, last_turn
from scp_assistant.eval.report import german_percent

HEADLINE = (
    "answer_accuracy",
    "fact_recall",
    "citation_hit",
    "citation_precision",
    "lead_fact",
    "retrieval_hit1",
    "retrieval_hit3",
    "retrieval_hit5",
    "mrr",
    "refusal_accuracy",
    "false_refusal",
    "latency_p50_ms",
    "latency_p95_ms",
    "answer_chars_median",
)


@dataclass
class Comparison:
    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    deltas: dict[str, dict[str, float | None]] = field(default_factory=dict)
    search_only: str = ""  # which run judged no answers (--retrieval-only): then only the search is compared

    def to_dict(self) -> dict[str, Any]:
        return {
            "newly_failing": self.newly_failing,
            "newly_passing": self.newly_passing,
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "deltas": self.deltas,
            "search_only": self.search_only,
        }

    def render(self) -> str:
        lines = ["| Kennzahl | A | B | Δ |", "|---|---|---|---|"]
        for key, d in self.deltas.items():
            delta = d["delta"]
            sign = "" if delta is None else (f"{delta:+.3f}" if abs(delta) < 100 else f"{delta:+.1f}")
            lines.append(f"| {key} | {d['a']} | {d['b']} | {sign} |")
        lines.append("")
        if self.search_only:
            runs = "Die Läufe A und B prüfen" if " und " in self.search_only else f"Lauf {self.search_only} prüft"
            lines.append(
                f"Nur die Suche verglichen: {runs} keine Antworten (--retrieval-only), also gibt es keine neu "
                "fehlerhaften oder neu richtigen Fragen."
            )
        else:
            lines.append(f"Neu fehlerhaft ({len(self.newly_failing)}): {', '.join(self.newly_failing) or '–'}")
            lines.append(f"Neu richtig ({len(self.newly_passing)}): {', '.join(self.newly_passing) or '–'}")
        if self.only_in_a or self.only_in_b:
            lines.append(f"Nur in A: {', '.join(self.only_in_a) or '–'}; nur in B: {', '.join(self.only_in_b) or '–'}")
        return "\n".join(lines)


def _correct(results: list[dict[str, Any]]) -> dict[str, bool]:
    return {str(r["id"]): bool((r.get("verdict") or {}).get("correct")) for r in results}


def compare(a: dict[str, Any], b: dict[str, Any]) -> Comparison:
    """What changed from run A (baseline) to run B. A run of the search alone (``--retrieval-only``) judged no
    answers: against it only the search figures compare, and no question counts as newly failing."""
    search_only = " und ".join(name for name, run in (("A", a), ("B", b)) if run.get("retrieval_only"))
    ca, cb = _correct(a["results"]), _correct(b["results"])
    both = set() if search_only else ca.keys() & cb.keys()  # without verdicts in a run, nothing newly fails or passes
    out = Comparison(
        search_only=search_only,
        newly_failing=sorted(q for q in both if ca[q] and not cb[q]),
        newly_passing=sorted(q for q in both if not ca[q] and cb[q]),
        only_in_a=sorted(ca.keys() - cb.keys()),
        only_in_b=sorted(cb.keys() - ca.keys()),
    )
    for key in HEADLINE:
        if search_only and not (key in a["metrics"] and key in b["metrics"]):
            continue  # an answer figure of the full run has nothing to compare with
        va, vb = a["metrics"].get(key), b["metrics"].get(key)
        if va is None and vb is None:
            continue
        delta = round(vb - va, 3) if isinstance(va, int | float) and isinstance(vb, int | float) else None
        out.deltas[key] = {"a": va, "b": vb, "delta": delta}
    return out


def question_changes(comparison: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A comparison's newly failing and newly passing questions with their text, and how many questions came or
    went (a changed set of test cases compares only in part): what the console shows under a run."""
    asked = {str(e["id"]): str((last_turn(e) if is_conversation(e) else e).get("question", "")) for e in entries}

    def listed(ids: list[str]) -> list[dict[str, str]]:
        return [{"id": i, "question": asked.get(i, "")} for i in ids]

    return {
        "newly_failing": listed(comparison["newly_failing"]),
        "newly_passing": listed(comparison["newly_passing"]),
        "added": len(comparison["only_in_b"]),
        "dropped": len(comparison["only_in_a"]),
    }


GATE_NAMES = {
    "answer_accuracy": "Antwortgenauigkeit",
    "citation_hit": "Richtige Quelle zitiert",
    "refusal_accuracy": "Korrekte Ablehnungen",
    "false_refusal": "Falsche Ablehnungen",
}


def gate_limit(text: str) -> float:
    """A gate's limit from the command line: a share from 0 to 1, as the metrics are ("90" would be a gate no run
    can pass); anything else is rejected with a German reason (argparse shows it)."""
    import argparse

    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} ist keine Zahl") from None
    if not 0.0 <= value <= 1.0:
        hint = f" (für {value:g} % also {value / 100:g})" if 2.0 <= value <= 100.0 else ""
        raise argparse.ArgumentTypeError(f"{text} ist kein Anteil zwischen 0 und 1{hint}")
    return value


@dataclass(frozen=True)
class Gates:
    min_accuracy: float | None = None
    min_citation_hit: float | None = None
    min_refusal_accuracy: float | None = None
    max_false_refusal: float | None = None
    no_regressions: bool = False

    def any(self) -> bool:
        return (
            any(
                v is not None
                for v in (self.min_accuracy, self.min_citation_hit, self.min_refusal_accuracy, self.max_false_refusal)
            )
            or self.no_regressions
        )

    def check(self, metrics: dict[str, Any], comparison: Comparison | None = None) -> list[str]:
        """The failed gates as readable lines (empty: all passed)."""
        checks = [
            ("answer_accuracy", self.min_accuracy, ">="),
            ("citation_hit", self.min_citation_hit, ">="),
            ("refusal_accuracy", self.min_refusal_accuracy, ">="),
            ("false_refusal", self.max_false_refusal, "<="),
        ]
        failed = []
        for key, limit, op in checks:
            if limit is None:
                continue
            name = f"{GATE_NAMES[key]} ({key})"
            if metrics.get(key) is None:
                failed.append(f"{name} fehlt im Lauf (ein Lauf nur der Suche prüft keine Antworten)")
                continue
            value = float(metrics[key])
            if (op == ">=" and value < limit) or (op == "<=" and value > limit):
                wanted = "mindestens" if op == ">=" else "höchstens"
                failed.append(f"{name} = {german_percent(value)}, verlangt {wanted} {german_percent(limit)}")
        if self.no_regressions and comparison is not None and comparison.newly_failing:
            failed.append(f"neu fehlerhafte Fragen: {', '.join(comparison.newly_failing)}")
        return failed

    def verdict(self, metrics: dict[str, Any], comparison: Comparison | None = None) -> dict[str, Any]:
        failed = self.check(metrics, comparison)
        return {
            "checked": self.any(),
            "passed": not failed,
            "failed": failed,
            "limits": {k: v for k, v in self.__dict__.items() if v not in (None, False)},
        }
