"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`, so this module is importable)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_targets(figures: dict[str, Any], targets: dict[str, float]) -> None:
    """The figures as a Markdown table, each target marked met (✓) or missed (✗)."""
    print("| figure | value | target |\n|---|---|---|")
    for key, value in figures.items():
        target = targets.get(key)
        mark = "" if target is None else ("✓" if float(value) <= target else "✗")
        print(f"| {key} | {value} | {'' if target is None else f'≤ {target} {mark}'} |")


def write_results(name: str, data: dict[str, Any]) -> None:
    """bench/results/<name>.json (the README's tables are taken from these)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
