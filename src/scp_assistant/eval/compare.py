"""Regression diffs between two runs, and the quality gates that make a run fail in CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "newly_failing": self.newly_failing,
            "newly_passing": self.newly_passing,
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "deltas": self.deltas,
        }

    def render(self) -> str:
        lines = ["| Kennzahl | A | B | Δ |", "|---|---|---|---|"]
        for key, d in self.deltas.items():
            delta = d["delta"]
            sign = "" if delta is None else (f"{delta:+.3f}" if abs(delta) < 100 else f"{delta:+.1f}")
            lines.append(f"| {key} | {d['a']} | {d['b']} | {sign} |")
        lines.append("")
        lines.append(f"Neu fehlerhaft ({len(self.newly_failing)}): {', '.join(self.newly_failing) or '–'}")
        lines.append(f"Neu richtig ({len(self.newly_passing)}): {', '.join(self.newly_passing) or '–'}")
        if self.only_in_a or self.only_in_b:
            lines.append(f"Nur in A: {', '.join(self.only_in_a) or '–'}; nur in B: {', '.join(self.only_in_b) or '–'}")
        return "\n".join(lines)


def _correct(results: list[dict[str, Any]]) -> dict[str, bool]:
    return {str(r["id"]): bool((r.get("verdict") or {}).get("correct")) for r in results}


def compare(a: dict[str, Any], b: dict[str, Any]) -> Comparison:
    """What changed from run A (baseline) to run B."""
    ca, cb = _correct(a["results"]), _correct(b["results"])
    out = Comparison(
        newly_failing=sorted(q for q in ca.keys() & cb.keys() if ca[q] and not cb[q]),
        newly_passing=sorted(q for q in ca.keys() & cb.keys() if not ca[q] and cb[q]),
        only_in_a=sorted(ca.keys() - cb.keys()),
        only_in_b=sorted(cb.keys() - ca.keys()),
    )
    for key in HEADLINE:
        va, vb = a["metrics"].get(key), b["metrics"].get(key)
        if va is None and vb is None:
            continue
        delta = round(vb - va, 3) if isinstance(va, int | float) and isinstance(vb, int | float) else None
        out.deltas[key] = {"a": va, "b": vb, "delta": delta}
    return out


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
            value = float(metrics.get(key) or 0.0)
            if (op == ">=" and value < limit) or (op == "<=" and value > limit):
                failed.append(f"{key} = {value} (verlangt {op} {limit})")
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
