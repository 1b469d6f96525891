"""A small progress bar for terminals (nothing is drawn when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO


def progress_printer(stream: TextIO, width: int = 28) -> Callable[[int, int, str], None] | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int, label: str) -> None:
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
        if done == total:
            stream.write("\r" + " " * (width + 52) + "\r")
        stream.flush()

    return show
