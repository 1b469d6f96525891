"""Question sets (YAML, as eval/dev.yaml): loading and schema validation with messages per entry and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scp_assistant.errors import InputError

# the bundled question sets: the ism's (dev, tune, conversations) and those written from the corpus since
DEFAULT_SETS = tuple(
    Path("eval") / name
    for name in (
        "dev.yaml", "tune.yaml", "calibration.yaml", "extra-a.yaml", "extra-b.yaml", "extra-c.yaml", "extra-d.yaml",
        "extra-e.yaml", "extra-f.yaml",
        "conversations.yaml", "conversations-extra.yaml", "conversations-extra2.yaml",
    )
)  # fmt: skip


REQUIRED = ("id", "question", "expect")
OPTIONAL = ("category", "expected_answer", "behaviour", "topic", "must_not_contain", "key_facts", "sources")
TURN_KEYS = ("question", "expect", "expected_answer", "behaviour", "must_not_contain", "key_facts", "sources")


def is_conversation(entry: Any) -> bool:
    """A conversation (``turns:``, only the last turn carries the expectation) rather than a single question."""
    return isinstance(entry, dict) and "turns" in entry


def last_turn(entry: dict[str, Any]) -> dict[str, Any]:
    """A conversation as the question entry its last turn is judged by (id, category and topic of the whole)."""
    turn = dict(entry["turns"][-1])
    return {**{k: entry[k] for k in ("id", "category", "topic") if k in entry}, **turn}


def _conversation_issues(entry: dict[str, Any], label: str) -> list[Issue]:
    turns = entry.get("turns")
    if not isinstance(turns, list) or len(turns) < 2 or not all(isinstance(t, dict) for t in turns):
        return [Issue("error", label, "turns", "muss eine Liste von mindestens zwei Zügen ({question: …}) sein")]
    issues = []
    for n, turn in enumerate(turns, 1):
        if not isinstance(turn.get("question"), str) or not turn["question"].strip():
            issues.append(Issue("error", label, f"turns[{n}].question", "Pflichtfeld fehlt"))
        if n < len(turns) and "expect" in turn:
            issues.append(Issue("error", label, f"turns[{n}].expect", "nur der letzte Zug trägt die Erwartung"))
        for key in turn:
            if key not in TURN_KEYS:
                issues.append(Issue("warning", label, f"turns[{n}].{key}", "unbekanntes Feld wird ignoriert"))
    return issues


EXPECT = ("answer", "refuse")


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    entry: str  # "#3 (scp-010)"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper():7} Eintrag {self.entry}, Feld '{self.field}': {self.message}"


def read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"Fragendatei {path} nicht gefunden") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"Fragendatei {path} ist kein gültiges YAML: {exc}") from exc


FIELD_NAMES = {"sources": "Quellen", "key_facts": "Kernfakten", "question": "Frage", "expect": "Erwartet"}  # German


def validate(data: Any, known_sources: Iterable[str] | None = None, strict: bool = False) -> list[Issue]:
    """All problems of a question set. Unknown source ids are warnings (errors with ``strict``);
    with ``known_sources`` None they are not checked."""
    if not isinstance(data, list):
        return [Issue("error", "-", "-", "die Datei muss eine YAML-Liste von Fragen sein")]
    known = set(known_sources) if known_sources is not None else None
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data, 1):
        label = f"#{i}"
        if not isinstance(entry, dict):
            issues.append(Issue("error", label, "-", "Eintrag ist kein Objekt (id, question, expect, ...)"))
            continue
        qid = entry.get("id")
        label = f"#{i} ({qid})" if qid else label
        if is_conversation(entry):
            issues.extend(_conversation_issues(entry, label))
            if isinstance(entry.get("turns"), list) and entry["turns"] and isinstance(entry["turns"][-1], dict):
                entry = {**last_turn(entry), "id": qid}  # the last turn is checked like a question
            else:
                continue
        for key in REQUIRED:
            if entry.get(key) in (None, ""):
                issues.append(Issue("error", label, key, "Pflichtfeld fehlt"))
        if qid is not None:
            if str(qid) in seen:
                issues.append(Issue("error", label, "id", f"doppelte id (schon in Eintrag #{seen[str(qid)]})"))
            seen.setdefault(str(qid), i)
        if "question" in entry and not isinstance(entry["question"], str):
            issues.append(Issue("error", label, "question", "muss ein Text sein"))
        expect = entry.get("expect")
        if expect not in (None, "") and expect not in EXPECT:
            issues.append(Issue("error", label, "expect", f"{expect!r} ist ungültig (erlaubt: answer, refuse)"))
        for key in entry:
            if key not in REQUIRED and key not in OPTIONAL and key != "turns":
                issues.append(Issue("warning", label, str(key), "unbekanntes Feld wird ignoriert"))
        for key in ("key_facts", "sources", "must_not_contain"):
            value = entry.get(key)
            if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
                issues.append(
                    Issue("error", label, key, "muss eine Liste von Texten sein (Zahlen in Anführungszeichen)")
                )
        if expect == "answer":
            if not entry.get("key_facts"):
                issues.append(Issue("warning", label, "key_facts", "fehlt: ohne Fakten zählt nur die Quelle"))
            if not entry.get("sources"):
                issues.append(Issue("error", label, "sources", "fehlt: eine erwartete Quelle (doc id) angeben"))
        if known is not None:
            for source in entry.get("sources") or []:
                if isinstance(source, str) and source not in known:
                    level = "error" if strict else "warning"
                    issues.append(Issue(level, label, "sources", f"doc id {source!r} ist nicht im aktuellen Index"))
    return issues


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Load a question set, refusing one with schema errors (warnings are fine)."""
    data = read(path)
    errors = [i for i in validate(data) if i.level == "error"]
    if errors:
        details = "; ".join(str(e) for e in errors[:5])
        raise InputError(f"Fragendatei {path} ist ungültig ({len(errors)} Fehler): {details}")
    return list(data)


def reviewed_feedback(path: Path) -> list[dict[str, Any]]:
    """Feedback that a person reviewed (``feedback export --format eval-yaml``, then ``expect``, ``key_facts``
    and ``sources`` filled in): the complete entries, as training questions. Unreviewed entries are skipped."""
    data = read(path)
    if not isinstance(data, list):
        raise InputError(f"{path}: erwartet eine YAML-Liste von Fragen")
    complete = [
        e
        for e in data
        if isinstance(e, dict)
        and e.get("expect") in EXPECT
        and e.get("question")
        and (e["expect"] == "refuse" or (e.get("key_facts") and e.get("sources")))
    ]
    errors = [i for i in validate(complete) if i.level == "error"]
    if errors:
        raise InputError(f"{path}: {errors[0]}")
    return complete
