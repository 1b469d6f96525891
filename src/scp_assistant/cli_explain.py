"""`scp-assistant explain "Frage"`: why a question gets its answer (search, units, refusal signals)."""

from __future__ import annotations

import argparse
import json
import sys

from scp_assistant.container import Container
from scp_assistant.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ex = sub.add_parser(
        "explain",
        help="zeigen, warum eine Frage ihre Antwort bekommt (Suche, Einheiten, Ablehnung)",
    )
    ex.add_argument("question", help="die Frage, wie sie gestellt wurde (bei Folgefragen: wie gesucht wurde)")
    ex.add_argument("--units", type=int, default=12, help="so viele Einheiten zeigen (Standard 12)")
    ex.add_argument("--json", action="store_true", help="als JSON ausgeben")


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.eval.explain import as_text, explain

    service = Container(settings).answer_service
    found = explain(service, args.question, units=max(1, args.units), backend=settings.llm.backend)
    if args.json:
        sys.stdout.write(json.dumps(found.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(as_text(found) + "\n")
    return 0
