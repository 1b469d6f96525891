"""Answer-quality metrics, by the rules the ism's reference scorer uses (eval/score.py in the shared kit).

- fact covered: every number of the fact and >= 60 % of its content-word stems appear in the first 1000
  characters of the answer (a stem also counts inside a compound); common abbreviations are expanded;
- citation hit: a cited doc_id (or source_url) is among the expected sources; citation precision: the share of
  an answer's citations that point to an expected source; lead fact: a key fact in the first 300 characters;
- retrieval hit@k / MRR over the ranking of distinct documents;
- correct: not refused, at most 1,200 characters, fact recall >= 0.75, citation hit; refusals: refused.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scp_assistant.fact_rule import fact_covered

MAX_CHARS = 1200
FACTS_NEEDED = 0.75  # share of its key facts a right answer holds
LEAD_WINDOW = 300


def norm_source(value: str) -> str:
    return (value or "").strip().rstrip("/").lower()


@dataclass
class Verdict:
    id: str
    expect: str
    category: str
    topic: str
    correct: bool
    refused: bool
    chars: int
    latency_ms: float
    fact_recall: float | None = None
    citation_hit: bool | None = None
    hit1: bool | None = None
    hit3: bool | None = None
    hit5: bool | None = None
    rr: float | None = None
    citation_precision: float | None = None  # share of the citations that point to an expected source
    lead_fact: bool | None = None  # a key fact within the first 300 characters
    citations: int = 0
    missing_facts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def judge(question: dict[str, Any], result: dict[str, Any]) -> Verdict:
    answer = str(result.get("answer") or "")
    refused = bool(result.get("refused"))
    cited: set[str] = set()
    cited_docs: list[set[str]] = []
    for c in result.get("citations") or []:
        keys = {norm_source(str(c.get("doc_id", ""))), norm_source(str(c.get("source_url", "")))}
        cited |= keys
        cited_docs.append(keys)
    docs: list[str] = []
    for r in result.get("retrieved") or []:
        doc = str(r.get("doc_id", "") if isinstance(r, dict) else r).lower()
        if doc not in docs:
            docs.append(doc)
    v = Verdict(
        id=str(question["id"]),
        expect=str(question["expect"]),
        category=str(question.get("category") or ""),
        topic=str(question.get("topic") or ""),
        correct=False,
        refused=refused,
        chars=len(answer),
        latency_ms=float(result.get("latency_ms") or 0.0),
        citations=len(result.get("citations") or []),
    )
    forbidden = [s for s in question.get("must_not_contain") or [] if s.lower() in answer.lower()]
    if question["expect"] == "refuse":
        v.correct = refused and not forbidden
        if not refused:
            v.reasons.append("beantwortet statt abgelehnt")
    else:
        expected = {norm_source(s) for s in question.get("sources") or []}
        facts = list(question.get("key_facts") or [])
        covered = [fact_covered(f, answer) for f in facts]
        v.fact_recall = sum(covered) / len(covered) if covered else 1.0
        v.missing_facts = [f for f, ok in zip(facts, covered, strict=True) if not ok]
        v.citation_hit = bool(expected & cited)
        v.hit1 = bool(expected & set(docs[:1]))
        v.hit3 = bool(expected & set(docs[:3]))
        v.hit5 = bool(expected & set(docs[:5]))
        v.rr = next((1 / (i + 1) for i, d in enumerate(docs) if d in expected), 0.0)
        if not refused and cited_docs:
            v.citation_precision = sum(1 for d in cited_docs if d & expected) / len(cited_docs)
        if not refused:
            v.lead_fact = any(fact_covered(f, answer[:LEAD_WINDOW]) for f in facts) if facts else True
        complete = v.fact_recall >= FACTS_NEEDED
        v.correct = not refused and v.chars <= MAX_CHARS and complete and v.citation_hit and not forbidden
        if refused:
            v.reasons.append("unerwartet abgelehnt")
        if v.missing_facts and not refused:
            v.reasons.append("fehlende Fakten: " + "; ".join(v.missing_facts))
        if not v.citation_hit and not refused:
            v.reasons.append("keine erwartete Quelle zitiert")
        if v.chars > MAX_CHARS:
            v.reasons.append(f"Antwort zu lang ({v.chars} Zeichen)")
    if forbidden:
        v.reasons.append("verbotener Text: " + ", ".join(forbidden))
    return v


def _mean(values: Sequence[float | bool | None]) -> float:
    xs = [float(x) for x in values if x is not None]
    return round(sum(xs) / len(xs), 3) if xs else 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile as the reference scorer computes p95."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * q) - 1)], 1)


def aggregate(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    ans = [v for v in verdicts if v.expect == "answer"]
    ref = [v for v in verdicts if v.expect == "refuse"]
    lat = [v.latency_ms for v in verdicts]
    return {
        "questions": len(verdicts),
        "answer_accuracy": _mean([v.correct for v in ans]),
        "fact_recall": _mean([v.fact_recall for v in ans]),
        "citation_hit": _mean([v.citation_hit for v in ans]),
        "retrieval_hit1": _mean([v.hit1 for v in ans]),
        "retrieval_hit3": _mean([v.hit3 for v in ans]),
        "retrieval_hit5": _mean([v.hit5 for v in ans]),
        "mrr": _mean([v.rr for v in ans]),
        "citation_precision": _mean([v.citation_precision for v in ans]),
        "lead_fact": _mean([v.lead_fact for v in ans]),
        "refusal_accuracy": _mean([v.correct for v in ref]),
        "false_refusal": _mean([v.refused for v in ans]),
        "latency_p50_ms": round(statistics.median(lat), 1) if lat else None,
        "latency_p95_ms": percentile(lat, 0.95),
        "latency_max_ms": round(max(lat), 1) if lat else None,
        "answer_chars_median": statistics.median([v.chars for v in ans]) if ans else None,
        "citations_per_answer": _mean([v.citations for v in ans if not v.refused]),
        "overall_accuracy": _mean([v.correct for v in verdicts]),
    }
