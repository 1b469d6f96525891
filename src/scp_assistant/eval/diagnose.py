"""Where a wrong answer went wrong, for each wrong result of an eval run: the search (a missing key fact stands in
no passage the answer stage read), the selection (the missing facts stood in passages it read, in units it did not
take), the refusal (declined although the documents answer, or answered although they do not), the citation (facts
complete, expected source not cited) or the length.

Measured with the extractive stage's own view of the question (what it searched and read), so that the ism team
knows which stage to work on; the counts go into ``metrics["failure_stages"]``, the stage of each wrong result
into its ``stage`` field and the report.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from scp_assistant.errors import ScpError
from scp_assistant.eval.metrics import fact_covered

if TYPE_CHECKING:  # the report reads the stage names without loading the answer stage
    from scp_assistant.answer.service import AnswerService

STAGES = {
    "suche": "Suche: ein fehlender Kernfakt steht in keinem gelesenen Abschnitt",
    "auswahl": "Auswahl: die fehlenden Kernfakten standen in gelesenen Abschnitten, wurden aber nicht gewählt",
    "abgelehnt": "Ablehnung: abgelehnt, obwohl die Unterlagen antworten",
    "nicht-abgelehnt": "Ablehnung: beantwortet, obwohl die Unterlagen nicht antworten",
    "quelle": "Quelle: die Fakten sind da, die erwartete Quelle ist nicht zitiert",
    "laenge": "Länge: die Antwort ist länger als 1200 Zeichen",
}
SHORT = {
    "suche": "Suche", "auswahl": "Auswahl", "abgelehnt": "zu Unrecht abgelehnt", "nicht-abgelehnt": "nicht abgelehnt",
    "quelle": "Quelle", "laenge": "Länge",
}  # fmt: skip
MAX_CHARS = 1200  # the eval suite's limits for a right answer: its length and the share of key facts it holds
FACTS_NEEDED = 0.75


def diagnose(service: AnswerService, payload: dict[str, Any]) -> dict[str, int]:
    """Adds ``stage`` to every wrong result and ``metrics["failure_stages"]`` (stage -> count, all stages)."""
    counts: Counter[str] = Counter()
    for result in payload["results"]:
        verdict = result.get("verdict") or {}
        if verdict.get("correct") or result.get("backend") == "error":
            continue
        stage = stage_of(service, result)
        result["stage"] = stage
        counts[stage] += 1
    summary = {stage: counts[stage] for stage in STAGES}
    payload["metrics"]["failure_stages"] = summary
    return summary


def stage_of(service: AnswerService, result: dict[str, Any]) -> str:
    verdict = result.get("verdict") or {}
    if result.get("expect") == "refuse":
        return "nicht-abgelehnt"
    if result.get("refused"):
        return "abgelehnt"
    if len(result.get("answer") or "") > MAX_CHARS:
        return "laenge"
    missing = list(verdict.get("missing_facts") or [])
    if float(verdict.get("fact_recall") or 0.0) >= FACTS_NEEDED or not missing:
        return "quelle"
    read = _read_texts(service, _searched(result))
    if any(not any(fact_covered(fact, text) for text in read) for fact in missing):
        return "suche"
    return "auswahl"


def _searched(result: dict[str, Any]) -> str:
    """What the question was searched as: a conversation's last turn with the topic it carried."""
    turns = result.get("turns") or []
    return str(turns[-1]["searched"]) if turns else str(result.get("question") or "")


def _read_texts(service: AnswerService, question: str) -> list[str]:
    """The passages whose units the answer stage could choose from."""
    try:
        prep = service.retrieve(question)
    except ScpError:
        return []
    if prep.featurized is None:
        return []
    seen: dict[str, str] = {}
    for unit in prep.featurized.candidates:
        seen.setdefault(unit.chunk.chunk_id, unit.chunk.text)
    return list(seen.values())
