"""Command line: ``scp-assistant ingest | ask | serve | eval``.

stdout carries results (exactly one JSON object with ``--json``); logs and progress go to stderr.
Exit codes: 0 answer/refusal/success, 1 failure, 2 input error, 3 corpus or document error,
4 index missing or built with another embedder, 5 backend unreachable, 6 an eval gate failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scp_assistant.answer import messages
from scp_assistant.errors import (
    BackendUnavailableError,
    ConfigError,
    CorpusError,
    DocumentError,
    IndexEmptyError,
    IndexMismatchError,
    InputError,
    ScpError,
)
from scp_assistant.models import Answer
from scp_assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from scp_assistant.container import Container
    from scp_assistant.retrieve.hybrid import Filters

log = logging.getLogger("scp_assistant")

EXIT_CODES: list[tuple[type[ScpError], int]] = [
    (InputError, 2),
    (ConfigError, 2),
    (CorpusError, 3),
    (DocumentError, 3),
    (IndexEmptyError, 4),
    (IndexMismatchError, 4),
    (BackendUnavailableError, 5),
]


def exit_code_for(exc: ScpError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 1)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scp-assistant",
        description="Fragen zum Startchancen-Programm, beantwortet aus den Programmunterlagen mit Quellen.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="ausführliche Protokollausgabe (stderr)")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="Dokumente einlesen (inkrementell)")
    ing.add_argument("corpus", nargs="?", help="Korpus-Verzeichnis (Standard: SCP_CORPUS_DIR oder ./corpus)")
    ing.add_argument("--report", type=Path, help="Bericht zusätzlich als JSON in diese Datei schreiben")
    ing.add_argument("--strict", action="store_true", help="mit Fehlercode enden, wenn eine Datei scheitert")

    ask = sub.add_parser("ask", help="eine Frage stellen (ohne Frage: interaktiv)")
    ask.add_argument("question", nargs="?", help="die Frage; fehlt sie, startet eine interaktive Sitzung")
    ask.add_argument("--json", action="store_true", help="genau ein JSON-Objekt auf stdout ausgeben")
    ask.add_argument("--doc-type", help="nur Dokumente dieses Typs (z. B. faq, landesseite)")
    ask.add_argument("--region", help="nur Dokumente dieser Region (z. B. RLP)")

    srv = sub.add_parser("serve", help="HTTP-API starten")
    # the same defaults as scripts/run.sh: SCP_HOST and SCP_PORT, else 127.0.0.1:8000
    srv.add_argument("--host", default=os.environ.get("SCP_HOST") or "127.0.0.1", help="Standard: $SCP_HOST, 127.0.0.1")
    srv.add_argument("--port", type=int, default=os.environ.get("SCP_PORT") or "8000", help="Standard: $SCP_PORT, 8000")
    srv.add_argument("--workers", type=int, default=1, help="Prozesse (teilen Index und Datenbank)")

    sub.add_parser("mcp", help="als MCP-Server über stdio laufen (für KI-Assistenten)")
    oa = sub.add_parser("openapi", help="den OpenAPI-Vertrag der HTTP-API ausgeben")
    oa.add_argument("--output", type=Path, help="Datei (Standard: stdout), z. B. api/openapi.json")

    from scp_assistant import cli_eval, cli_explain, cli_feedback

    cli_eval.add_parsers(sub)
    cli_feedback.add_parsers(sub)
    cli_explain.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except Exception as exc:  # pydantic ValidationError: a bad SCP_* variable
        print(f"Fehler in den Einstellungen (SCP_*-Variablen): {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else getattr(logging, settings.log_level.upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("chromadb", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "ingest":
            return _ingest(settings, args)
        if args.command == "ask":
            return _ask(settings, args)
        if args.command == "serve":
            return _serve(settings, args)
        if args.command == "openapi":
            return _openapi(settings, args)
        if args.command == "mcp":
            return _mcp(settings)
        from scp_assistant import cli_eval, cli_explain, cli_feedback

        if args.command == "feedback":
            return cli_feedback.run_command(settings, args)
        if args.command == "explain":
            return cli_explain.run_command(settings, args)
        return cli_eval.run_command(settings, args)
    except ScpError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        print("\nAbgebrochen.", file=sys.stderr)
        return 130


def _mcp(settings: Settings) -> int:
    """MCP over stdio: stdout belongs to the protocol, everything else goes to stderr."""
    import anyio

    from scp_assistant.mcp_server import build_mcp

    container = _container(settings)
    container.chat_service  # noqa: B018 - load the index and models before the client's first call
    build_mcp(container, anyio.CapacityLimiter(settings.server.answer_threads)).run("stdio")
    return 0


def _container(settings: Settings) -> Container:
    from scp_assistant.container import Container  # imported late: keeps `--help` fast

    return Container(settings)


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.cli_progress import progress_printer

    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir
    pipeline = _container(settings).ingest_pipeline()
    report = pipeline.run(corpus, progress=progress_printer(sys.stderr))
    print(report.render())
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return 3 if (args.strict and not report.ok) else 0


def _filters(args: argparse.Namespace) -> Filters:
    from scp_assistant.retrieve.hybrid import Filters

    return Filters(doc_type=args.doc_type, region=args.region)


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    if args.question is not None:
        if not args.question.strip():
            raise InputError("Die Frage ist leer. Bitte geben Sie eine Frage zum Startchancen-Programm ein.")
        _show(_ask_once(_container(settings), args.question, _filters(args)), args.json, sys.stdout)
        return 0
    # a session, as in the web chat: "Und in Säule III?" is asked about the previous question's topic
    chat = _container(settings).chat_service
    print(
        "SCP Assistant – Fragen zum Startchancen-Programm (Folgefragen beziehen sich auf die vorige Frage; "
        "'neu' beginnt eine neue Unterhaltung, Ende mit Strg+D oder 'exit').",
        file=sys.stderr,
    )
    session: str | None = None
    while True:
        try:
            question = input("\nFrage> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        command = question.strip().lower()
        if command in {"exit", "quit", "ende"}:
            return 0
        if command in {"neu", "new"}:
            session = None
            print("Neue Unterhaltung.", file=sys.stderr)
            continue
        if not command:
            continue
        try:
            reply = chat.ask(question, session, _filters(args))
        except InputError as exc:
            print(f"Hinweis: {exc}", file=sys.stderr)
            continue
        session = reply.session_id
        if args.json:
            sys.stdout.write(json.dumps(reply.to_dict(), ensure_ascii=False) + "\n")
            continue
        if reply.rewritten_question != reply.answer.question:  # as typed, cleaned
            sys.stdout.write(f"(Gesucht wurde: {reply.rewritten_question})\n")
        _show(reply.answer, False, sys.stdout)


def _ask_once(container: Container, question: str, filters: Filters) -> Answer:
    """One question without a conversation, resolved as the first message of a chat: "Und wer finanziert das?"
    alone is asked for its topic, not answered with a guess."""
    from scp_assistant.answer.guard import clean_question
    from scp_assistant.conversation.chat import answer_turn

    text = clean_question(question, container.settings.answer.max_question_chars)
    resolution = container.query_rewriter.resolve(text, None)
    answer = answer_turn(container.answerer, text, resolution, after_off_topic=False, filters=filters)
    answer.question = text  # as asked (cleaned), not as searched: "searched" says that
    return answer


def _show(answer: Answer, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(answer.to_dict(), ensure_ascii=False) + "\n")
        return
    if answer.refused and answer.refusal_reason != "small_talk":  # "Hallo" is greeted, not declined
        out.write("— Keine Antwort aus den Programmunterlagen —\n")
    out.write(answer.answer + "\n")
    unsaid = messages.unsaid_notices(answer.notice, answer.answer)
    if unsaid:
        out.write("\n" + " ".join(unsaid) + "\n")
    if answer.citations:
        out.write("\nQuellen:\n")
        for c in answer.citations:
            where = f"Folie/Seite {c.page}" if c.page else c.section
            stand = f", Stand {messages.german_date(c.date)}" if c.date else ", undatiert"
            link = f"\n    {c.source_url}" if c.source_url else ""
            out.write(f"[{c.n}] {c.title} – {where} ({c.publisher}{stand}){link}\n")


def _openapi(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.server.app import create_app

    text = json.dumps(create_app(settings).openapi(), ensure_ascii=False, indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def share_cores(workers: int, env: MutableMapping[str, str], cores: int | None = None) -> None:
    """Give each worker process its share of the cores for the encoder's threads (``OMP_NUM_THREADS``), unless
    the operator set it: workers that each use every core fight over them under load and wait on each other."""
    if "OMP_NUM_THREADS" in env:
        return
    env["OMP_NUM_THREADS"] = str(max(1, (cores or os.cpu_count() or 1) // workers))
    log.info("%d workers: %s encoder thread(s) each", workers, env["OMP_NUM_THREADS"])


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from scp_assistant.server.announce import announcing_server
    from scp_assistant.server.app import create_app

    address = f"http://{args.host}:{args.port}/  (API-Doku: /docs)"
    if args.workers > 1:  # each worker builds its own app from the environment
        print(f"SCP Assistant startet {args.workers} Worker: {address}", file=sys.stderr)
        share_cores(args.workers, os.environ)
        uvicorn.run(
            "scp_assistant.server.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            proxy_headers=True,
        )
        return 0
    app = create_app(settings)

    def announce() -> None:  # once the port takes connections: a page opened on this line loads
        print(f"SCP Assistant läuft: {address}", file=sys.stderr, flush=True)

    server = announcing_server(app, args.host, args.port, announce, log_level="warning", proxy_headers=True)
    with contextlib.suppress(KeyboardInterrupt):  # Strg+C: uvicorn has shut down and passes the signal on
        server.run()
    return 0 if server.started else 3  # the port taken or the app's start-up failed (uvicorn said why)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
