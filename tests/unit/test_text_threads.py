"""Stemming is used from the server's worker threads at once: it must give the same stems as in one thread."""

from __future__ import annotations

import itertools
import threading

from scp_assistant.text import stem

_PARTS = ["schul", "träger", "förder", "antrag", "budget", "chancen", "verwalt", "ungs", "lich", "keiten", "en"]


def _distinct_words(offset: int, n: int) -> list[str]:
    combos = itertools.islice(itertools.product(_PARTS, repeat=3), offset, offset + n)
    return ["".join(c) for c in combos]


def test_stem_is_thread_safe_and_matches_serial_results() -> None:
    words = _distinct_words(0, 1300)
    stem.cache_clear()
    expected = {w: stem(w) for w in words}
    stem.cache_clear()
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(chunk: list[str]) -> None:
        try:
            for w in chunk:
                got[w] = stem(w)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(words[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert got == expected
