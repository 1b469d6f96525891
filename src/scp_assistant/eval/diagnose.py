"""Where a wrong answer went wrong, for each wrong result of an eval run: the search (a missing key fact stands in
no passage the answer stage read), the selection (the missing facts stood in passages it read, in units it did not
take), the refusal (declined although the documents answer, or answered although they do not), the citation (facts
complete, expected source not cited), the length, or the key fact itself (no passage of the index holds it in a
form the fact rule finds).

Measured with the extractive stage's own view of the question (what it searched and read), so that the ism team
knows which stage to work on; the counts go into ``metrics["failure_stages"]``, the stage of each wrong result
into its ``stage`` field and the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scp_assistant.errors import ScpError
from scp_assistant.eval.metrics import FACTS_NEEDED, MAX_CHARS
from scp_assistant.fact_rule import fact_covered

if TYPE_CHECKING:  # the report reads the stage names without loading the answer stage
    from scp_assistant.answer.service import AnswerService

STAGES = {
    "suche": "Suche: ein fehlender Kernfakt steht in keinem gelesenen Abschnitt",
    "auswahl": "Auswahl: die fehlenden Kernfakten standen in gelesenen Abschnitten, wurden aber nicht gewählt",
    "abgelehnt": "Ablehnung: abgelehnt, obwohl die Unterlagen antworten",
    "nicht-abgelehnt": "Ablehnung: beantwortet, obwohl die Unterlagen nicht antworten",
    "quelle": "Quelle: die Fakten sind da, die erwartete Quelle ist nicht zitiert",
    "laenge": "Länge: die Antwort ist länger als 1200 Zeichen",
    # the rule that finds a fact in a text finds this one in no passage of the index: its wording (or the index)
    # is to be checked, not the search ("kein Übertrag ins Folgejahr" for "nicht in das folgende Schuljahr übertragen")
    "fakt": "Kernfakt prüfen: ein fehlender Kernfakt ist so in keinem Abschnitt des Index zu finden",
}
SHORT = {
    "suche": "Suche", "auswahl": "Auswahl", "abgelehnt": "zu Unrecht abgelehnt", "nicht-abgelehnt": "nicht abgelehnt",
    "quelle": "Quelle", "laenge": "Länge", "fakt": "Kernfakt prüfen",
}  # fmt: skip


def diagnose(service: AnswerService, payload: dict[str, Any], index_texts: Sequence[str] = ()) -> dict[str, int]:
    """Adds ``stage`` to every wrong result and ``metrics["failure_stages"]`` (stage -> count, all stages).
    ``index_texts``: every passage of the index, to tell a fact the search missed from one no passage holds."""
    counts: Counter[str] = Counter()
    for result in payload["results"]:
        verdict = result.get("verdict") or {}
        if verdict.get("correct") or result.get("backend") == "error":
            continue
        stage = stage_of(service, result, index_texts)
        result["stage"] = stage
        counts[stage] += 1
    summary = {stage: counts[stage] for stage in STAGES}
    payload["metrics"]["failure_stages"] = summary
    return summary


def stage_of(service: AnswerService, result: dict[str, Any], index_texts: Sequence[str] = ()) -> str:
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
    unread = [fact for fact in missing if not any(fact_covered(fact, text) for text in read)]
    if index_texts and any(not any(fact_covered(fact, text) for text in index_texts) for fact in unread):
        return "fakt"
    return "suche" if unread else "auswahl"


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


def failed_questions(results: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The wrong results of a run with their stage, as the console lists them: id, question, what it was searched
    with (a conversation's last turn with its topic) and stage."""
    return [
        {"id": str(r["id"]), "question": str(r.get("question") or ""), "searched": _searched(r), "stage": r["stage"]}
        for r in results
        if r.get("stage")
    ]
