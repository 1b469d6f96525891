"""`scp-assistant feedback add|export`: users' ratings of answers, and reviewed ones as a question set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scp_assistant.container import Container
from scp_assistant.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fb = sub.add_parser("feedback", help="Rückmeldungen zu Antworten erfassen und exportieren")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True)
    add = fb_sub.add_parser("add", help="eine Rückmeldung speichern")
    add.add_argument("--rating", choices=["up", "down"], required=True)
    add.add_argument("--question", required=True)
    add.add_argument("--answer", default="", help="die gegebene Antwort (Standard: jetzt neu beantworten)")
    add.add_argument("--reason", help="falsch, unvollständig, quelle-falsch, nicht-hilfreich, veraltet, sonstiges")
    add.add_argument("--comment")
    exp = fb_sub.add_parser("export", help="Rückmeldungen ausgeben")
    exp.add_argument("--format", choices=["json", "eval-yaml"], default="json")
    exp.add_argument("--output", type=Path, help="Datei statt stdout")


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.feedback.store import FeedbackRecord, to_eval_yaml, to_json

    container = Container(settings)
    store = container.feedback_store
    if args.feedback_command == "add":
        answer, citations = args.answer, []
        if not answer:
            result = container.answerer.ask(args.question)
            answer, citations = result.answer, list(result.to_dict()["citations"])
        record = FeedbackRecord(
            rating=args.rating,
            question=args.question,
            answer=answer,
            reason=args.reason,
            comment=args.comment,
            citations=citations,
        )
        print(store.add(record))
        return 0
    records = store.list()
    text = to_eval_yaml(records) if args.format == "eval-yaml" else to_json(records)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
