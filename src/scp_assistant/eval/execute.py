"""Running question sets through the configured pipeline, for `eval run` and for eval runs in the console."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scp_assistant.eval.compare import compare
from scp_assistant.eval.conversations import session_player
from scp_assistant.eval.dataset import is_conversation
from scp_assistant.eval.diagnose import diagnose
from scp_assistant.eval.runner import read_run, run_with, write_run
from scp_assistant.ingest.pipeline import CHUNKER_VERSION
from scp_assistant.models import Answer

if TYPE_CHECKING:
    from scp_assistant.container import Container


def run_config(container: Container, questions: Sequence[Path], name: str, retrieval_only: bool) -> dict[str, Any]:
    stored = sorted({(s.chunk.doc_id, s.doc_hash) for s in container.store.all_chunks()})
    fingerprint = hashlib.sha256(json.dumps(stored).encode()).hexdigest()[:16]
    return {
        "name": name,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": ", ".join(str(path) for path in questions),
        "retrieval_only": retrieval_only,
        "embedder": container.embedder_id,
        "documents": len({d for d, _ in stored}),
        "chunks": container.store.count(),
        "corpus_fingerprint": fingerprint,
        "index_version": f"chunker-{CHUNKER_VERSION}:{fingerprint[:8]}",
        "git_commit": git_commit(),
        "settings": json.loads(container.settings.model_dump_json()),
    }


def index_texts(container: Container) -> list[str]:
    """Every passage of the index (for telling a key fact the search missed from one no passage holds)."""
    return [stored.chunk.text for stored in container.store.all_chunks()]


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unbekannt"
    except (OSError, subprocess.SubprocessError):
        return "unbekannt"


def answer_all(container: Container, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Every question (and conversation, through a chat session) answered by the configured pipeline."""
    limit = container.settings.answer.max_question_chars
    play = session_player(container.answerer, container.query_rewriter, limit)
    played: dict[str, list[tuple[str, str]]] = {}

    def answer_of(entry: dict[str, Any]) -> Answer:
        if is_conversation(entry):  # through a chat session, as the API plays it
            answer, played[str(entry["id"])] = play(entry)
            return answer
        return container.answerer.ask(str(entry["question"]))

    return run_with(questions, answer_of, turns_of=played.get)


def console_run(
    container: Container, questions: list[dict[str, Any]], folder: Path, previous: str, title: str
) -> dict[str, Any]:
    """An eval run started in the console: the run folder (with a comparison to the previous run of the same set)
    and its headline figures; ``title`` names the run in its report ("Entwicklungsfragen vom 06.12.2026, …")."""
    payload = answer_all(container, questions)
    diagnose(container.answer_service, payload, index_texts(container))
    config = run_config(container, [Path("console")], title, False)
    write_run(folder, payload, config)
    if previous and (Path(previous) / "results.json").exists():
        comparison = compare(read_run(Path(previous)), payload)
        (folder / "comparison.json").write_text(
            json.dumps(comparison.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return {k: v for k, v in payload["metrics"].items() if not k.startswith("per_")}
