"""`scp-assistant eval validate|run|train|cv|compare|sweep`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from scp_assistant.answer.service import AnswerService
from scp_assistant.container import Container
from scp_assistant.errors import InputError, ScpError
from scp_assistant.eval.compare import Gates, compare, gate_limit
from scp_assistant.eval.dataset import DEFAULT_SETS, load_questions, read, reviewed_feedback, validate
from scp_assistant.eval.diagnose import diagnose
from scp_assistant.eval.execute import answer_all, index_texts, run_config
from scp_assistant.eval.runner import read_run, run_retrieval, run_with, write_run
from scp_assistant.settings import Settings, with_dotted

EXIT_GATE = 6


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ev = sub.add_parser("eval", help="Qualität messen, vergleichen, absichern")
    ev_sub = ev.add_subparsers(dest="eval_command", required=True)

    val = ev_sub.add_parser("validate", help="einen Fragensatz prüfen")
    val.add_argument("file", type=Path)
    val.add_argument("--strict", action="store_true", help="unbekannte Quellen sind Fehler statt Warnungen")

    def gates(p: argparse.ArgumentParser) -> None:
        share = "Anteil zwischen 0 und 1 (0.9 = 90 %%)"
        p.add_argument("--min-accuracy", type=gate_limit, help=f"kleinste Antwortgenauigkeit, {share}")
        p.add_argument("--min-citation-hit", type=gate_limit, help=f"kleinster Anteil mit richtiger Quelle, {share}")
        p.add_argument(
            "--min-refusal-accuracy", type=gate_limit, help=f"kleinster Anteil korrekter Ablehnungen, {share}"
        )
        p.add_argument("--max-false-refusal", type=gate_limit, help=f"größter Anteil falscher Ablehnungen, {share}")
        p.add_argument("--no-regressions", action="store_true", help="Fehler, wenn Fragen neu falsch werden")

    run_p = ev_sub.add_parser("run", help="einen Fragensatz durchlaufen; schreibt einen Lauf-Ordner")
    run_p.add_argument(
        "--questions", type=Path, action="append", help="Fragensatz (mehrfach möglich; Standard: eval/dev.yaml)"
    )
    run_p.add_argument("--output", type=Path, help="Lauf-Ordner (Standard: eval/runs/ZEIT[-NAME])")
    run_p.add_argument("--name", help="Name des Laufs")
    change = "Einstellung ändern, z. B. retrieve.bm25_weight=0.3 (mehrfach möglich)"
    run_p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=change)
    run_p.add_argument("--retrieval-only", action="store_true", help="nur Suche messen, keine Antworten")
    run_p.add_argument("--baseline", type=Path, help="früherer Lauf zum Vergleich")
    run_p.add_argument(
        "--judge",
        action="store_true",
        help="zusätzlich ein LLM-Richter (nur mit SCP_LLM__BACKEND; getrennt von den Kennzahlen)",
    )
    gates(run_p)

    train_p = ev_sub.add_parser("train", help="die gelernten Entscheidungen auf Fragensätzen trainieren")
    train_p.add_argument("--questions", type=Path, action="append", help="Fragensatz (mehrfach möglich)")
    train_p.add_argument(
        "--feedback", type=Path, action="append", default=[], help="geprüfte Rückmeldungen als Fragensatz-YAML"
    )
    train_p.add_argument("--output", type=Path, help="Modelldatei (Standard: die mitgelieferte)")

    cv_p = ev_sub.add_parser("cv", help="Kreuzvalidierung: jede Frage mit Modellen, die sie nie gesehen haben")
    cv_p.add_argument("--questions", type=Path, action="append", help="Fragensatz (mehrfach möglich)")
    cv_p.add_argument("--feedback", type=Path, action="append", default=[])
    cv_p.add_argument("--folds", type=int, default=5)
    cv_p.add_argument(
        "--split", type=_split, default=0, help="andere Aufteilung der Fragen auf die Teile (0 = die übliche)"
    )
    cv_p.add_argument("--output", type=Path, help="Lauf-Ordner (Standard: eval/runs/ZEIT-cv)")
    gates(cv_p)

    cmp_p = ev_sub.add_parser("compare", help="zwei Läufe vergleichen (A = Basis, B = neu)")
    cmp_p.add_argument("run_a", type=Path)
    cmp_p.add_argument("run_b", type=Path)
    gates(cmp_p)

    sw = ev_sub.add_parser("sweep", help="eine Einstellung über mehrere Werte vergleichen")
    sw.add_argument("--questions", type=Path, default=Path("eval/dev.yaml"))
    sw.add_argument("--param", required=True, help="z. B. retrieve.bm25_weight")
    sw.add_argument("--values", required=True, help="Komma-getrennt, z. B. 0.3,0.5,0.7")
    sw.add_argument("--output", type=Path, help="Ordner (Standard: eval/runs/sweep-ZEIT)")
    sw.add_argument("--retrieval-only", action="store_true")


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    handlers = {
        "validate": _validate,
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "train": _train,
        "cv": _cv,
    }
    return handlers[args.eval_command](settings, args)


def _gates(args: argparse.Namespace) -> Gates:
    return Gates(
        args.min_accuracy, args.min_citation_hit, args.min_refusal_accuracy, args.max_false_refusal, args.no_regressions
    )


def _known_sources(container: Container) -> set[str] | None:
    try:
        docs = {s.chunk.doc_id for s in container.store.all_chunks()}
    except ScpError:
        return None
    return docs or None


def _validate(settings: Settings, args: argparse.Namespace) -> int:
    known = _known_sources(Container(settings))
    issues = validate(read(args.file), known, strict=args.strict)
    for issue in issues:
        print(issue)
    errors = sum(1 for i in issues if i.level == "error")
    if known is None:
        print("Hinweis: kein Index gefunden – Quellen (doc ids) wurden nicht geprüft.", file=sys.stderr)
    print(f"{args.file}: {errors} Fehler, {len(issues) - errors} Warnungen")
    return 2 if errors else 0


def _settings_for(settings: Settings, assignments: list[str]) -> Settings:
    for item in assignments:
        if "=" not in item:
            raise InputError(f"--set erwartet KEY=VALUE, nicht {item!r}")
        key, value = item.split("=", 1)
        try:
            settings = with_dotted(settings, key.strip(), value.strip())
        except KeyError as exc:
            raise InputError(f"unbekannte Einstellung {key!r} (z. B. retrieve.bm25_weight)") from exc
        except ValueError as exc:
            raise InputError(f"ungültiger Wert für {key}: {exc}") from exc
    return settings


def _execute(
    container: Container, paths: Sequence[Path] | None, name: str, retrieval_only: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Several sets run as one (``--questions a.yaml --questions b.yaml``), never only the last."""
    paths = list(paths or [Path("eval/dev.yaml")])
    questions = [q for path in paths for q in load_questions(path)]
    if retrieval_only:
        payload = run_retrieval(questions, container.retriever.retrieve)
    else:
        payload = answer_all(container, questions)
    return payload, run_config(container, paths, name, retrieval_only)


def _default_output(name: str | None, prefix: str = "") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("eval/runs") / (prefix + stamp + (f"-{name}" if name else ""))


def _run(settings: Settings, args: argparse.Namespace) -> int:
    settings = _settings_for(settings, args.set)
    if args.judge and settings.llm.backend == "extractive":
        raise InputError("Der LLM-Richter braucht ein LLM-Backend (SCP_LLM__BACKEND=openai|ollama|llamacpp).")
    output = args.output or _default_output(args.name)
    container = Container(settings)
    payload, config = _execute(container, args.questions, args.name or output.name, args.retrieval_only)
    if not args.retrieval_only:
        diagnose(container.answer_service, payload, index_texts(container))  # where each wrong answer went wrong
        if args.judge:
            from scp_assistant.eval.judge import LLMJudge, apply

            apply(LLMJudge(container.guarded_model), payload)
    config["overrides"] = args.set
    comparison = compare(read_run(args.baseline), payload) if args.baseline else None
    gates = _gates(args)
    verdict = gates.verdict(payload["metrics"], comparison)
    write_run(output, payload, config, verdict)
    _print_metrics(payload["metrics"])
    if comparison is not None:
        print(comparison.render())
        (output / "comparison.json").write_text(
            json.dumps(comparison.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    print(f"Lauf-Ordner: {output}  (Bericht: {output / 'report.html'})", file=sys.stderr)
    for line in verdict["failed"]:
        print(f"GATE NICHT ERFÜLLT: {line}", file=sys.stderr)
    return EXIT_GATE if verdict["failed"] else 0


def _training_questions(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[str]]:
    paths = list(args.questions or [p for p in DEFAULT_SETS if p.exists()])
    entries: list[dict[str, Any]] = []
    for path in paths:
        entries.extend(load_questions(path))
    for path in args.feedback:
        entries.extend(reviewed_feedback(path))
    return entries, [str(p) for p in [*paths, *args.feedback]]


def _training_service(settings: Settings) -> tuple[Container, AnswerService]:
    from scp_assistant.eval.training import blank_models

    container = Container(settings, models=blank_models())
    return container, container.answer_service


def _train(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.eval.training import describe, train
    from scp_assistant.learn.model import BUNDLED

    entries, sets = _training_questions(args)
    container, service = _training_service(settings)
    started = time.perf_counter()
    models, _ = train(service, container.resolver_with, entries, sets)
    output = args.output or Path(str(resources.files("scp_assistant.learn").joinpath(BUNDLED)))
    models.save(output)
    print(describe(models))
    print(f"Modell: {output} ({len(entries)} Fragen, {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def _split(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError("eine ganze Zahl ab 0 (0 = die übliche Aufteilung)")
    return int(text)


def _cv(settings: Settings, args: argparse.Namespace) -> int:
    from scp_assistant.eval.cross_validation import cross_validate

    entries, sets = _training_questions(args)
    container, service = _training_service(settings)
    cv = cross_validate(service, container.resolver_with, entries, args.folds, args.split)
    payload = run_with(entries, lambda q: cv.answers[str(q["id"])], turns_of=cv.turns.get)
    diagnose(service, payload, index_texts(container))  # what the answer stage read does not depend on the models
    output = args.output or _default_output("cv")
    config = run_config(container, [Path(s) for s in sets], output.name, False)
    config["cross_validation"] = {"folds": args.folds, "split": args.split, "question_sets": sets}
    gates = _gates(args)
    verdict = gates.verdict(payload["metrics"], None)
    write_run(output, payload, config, verdict)
    _print_metrics(payload["metrics"])
    print(f"Lauf-Ordner: {output}  (Bericht: {output / 'report.html'})", file=sys.stderr)
    for line in verdict["failed"]:
        print(f"GATE NICHT ERFÜLLT: {line}", file=sys.stderr)
    return EXIT_GATE if verdict["failed"] else 0


def _print_metrics(metrics: dict[str, Any]) -> None:
    print(json.dumps({k: v for k, v in metrics.items() if not k.startswith("per_")}, ensure_ascii=False, indent=1))
    rows = metrics.get("per_category", {})
    if rows:
        print("| Kategorie | Fragen | richtig |\n|---|---|---|")
        from scp_assistant.eval.report import CATEGORIES  # the report's German names, with the set's key

        for name, row in rows.items():
            shown = f"{CATEGORIES[name]} ({name})" if name in CATEGORIES else name
            share = f"{row['accuracy']:.2f}".replace(".", ",")
            print(f"| {shown} | {row['questions']} | {share} |")


def _compare(settings: Settings, args: argparse.Namespace) -> int:
    a, b = read_run(args.run_a), read_run(args.run_b)
    comparison = compare(a, b)
    print(comparison.render())
    failed = _gates(args).check(b["metrics"], comparison)
    for line in failed:
        print(f"GATE NICHT ERFÜLLT: {line}", file=sys.stderr)
    return EXIT_GATE if failed else 0


def _sweep(settings: Settings, args: argparse.Namespace) -> int:
    values = [v.strip() for v in args.values.split(",") if v.strip()]
    if not values:
        raise InputError("--values braucht mindestens einen Wert")
    output = args.output or _default_output(None, prefix="sweep-")
    base = Container(settings)
    rows: list[dict[str, Any]] = []
    for value in values:
        variant = _settings_for(settings, [f"{args.param}={value}"])
        shares_index = variant.embedder == settings.embedder and variant.chroma == settings.chroma
        container = Container(variant, store=base.store, embedder=base.embedder) if shares_index else Container(variant)
        payload, config = _execute(container, [args.questions], f"{args.param}={value}", args.retrieval_only)
        write_run(output / f"{args.param}={value}", payload, config)
        rows.append({"value": value, **{k: v for k, v in payload["metrics"].items() if not k.startswith("per_")}})
    keys = [k for k in rows[0] if k != "value"]
    table = ["| " + args.param + " | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    table += ["| " + r["value"] + " | " + " | ".join(str(r.get(k)) for k in keys) + " |" for r in rows]
    (output / "comparison.md").write_text("\n".join(table) + "\n", encoding="utf-8")
    (output / "comparison.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(table))
    print(f"Ordner: {output}", file=sys.stderr)
    return 0
