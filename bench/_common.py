"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`, so this module is importable)."""

from __future__ import annotations

import socket
from typing import Any


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
