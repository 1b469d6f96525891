"""German compounds for BM25: split a closed compound into two known words, and read the words a coordination
with a suspended hyphen stands for.

"Schulsozialarbeit" also indexes "sozialarbeit"; "Ergo-, Spiel- und Lerntherapeut/in" also indexes
"Ergotherapeut" and "Spieltherapeut", and "Lehr- und Fachkräfte" also "Lehrkräfte", so a question about a
Lerntherapeutin, an Ergotherapeutin or Lehrkräfte finds the list that names them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from scp_assistant.text import fold

_LINKS = ("s", "es", "n", "en", "")  # German linking elements (Fugen) at the end of a compound's first part

_LETTERS = "A-Za-zÄÖÜäöüß"
# "Ergo-, Spiel- und Lerntherapeut", "Integrations-/Inklusionsfachkraft": first parts ending in a hyphen, joined by
# a comma, a slash or a conjunction, then the whole last compound; never from inside a word or a gender form
# ("Schüler:innen- und Elternarbeit")
_COORDINATION = re.compile(
    rf"(?<![{_LETTERS}:*_/·-])((?:[{_LETTERS}]{{2,}}-(?:\s*,\s*|\s*/\s*|\s+(?:und|oder|bzw\.|sowie)\s+))+)([{_LETTERS}]+)"
)
_FIRST_PART = re.compile(rf"([{_LETTERS}]+)-")
# letters of the shared last part: "amt" or "samt" of "Gesundheitsamt" are too short to tell from fragments
MIN_HEAD = 5
MAX_COMPOUND = 40  # letters of the last compound searched for its last part (the search is quadratic in it)
MIN_MODIFIER = 3  # letters before it in the last compound


class Lexicon(Protocol):
    """Words of everyday language (lower case)."""

    def __contains__(self, word: object) -> bool: ...


class Decompounder:
    """Splits a folded word into two words of the corpus vocabulary of at least 4 letters, if it can; and completes
    the first parts of a coordination with the last part they share, a word of the corpus vocabulary or of a
    general ``lexicon`` where one is given ("Therapeut" and "Pädagogik" occur in the documents only inside
    compounds). Without a lexicon, only the vocabulary's words are found."""

    def __init__(self, vocabulary: Iterable[str], lexicon: Lexicon | None = None) -> None:
        self._vocab = frozenset(w for w in vocabulary if len(w) >= 4)
        self._lexicon = lexicon
        self.split = lru_cache(maxsize=32768)(self._split)

    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < 8 or word.isdigit():
            return ()
        for i in range(len(word) - 4, 3, -1):  # prefer the longest head (last part)
            head = word[i:]
            if head not in self._vocab:
                continue
            left = word[:i]
            for link in _LINKS:
                if link and not left.endswith(link):
                    continue
                base = left[: len(left) - len(link)] if link else left
                if len(base) >= 4 and base in self._vocab:
                    return (base, head)
        return ()

    def coordinated(self, text: str) -> list[str]:
        """The words a coordination with a suspended hyphen stands for, folded: each first part joined with the
        longest known last part of the final compound ("Lehr- und Fachkräfte" -> "lehrkraefte"; "Jugend- und
        Schulsozialarbeit" -> "jugendsozialarbeit", not "jugendarbeit"); nothing for a coordination whose last part
        is not known ("Bau- oder Gesundheitsamt")."""
        if "-" not in text:
            return []
        out: list[str] = []
        for match in _COORDINATION.finditer(text):
            head = self._head(match.group(2))
            if head:
                out.extend(fold(first + head) for first in _FIRST_PART.findall(match.group(1)))
        return out

    def _head(self, compound: str) -> str | None:
        if len(compound) > MAX_COMPOUND:
            return None
        lower = compound.lower()
        for i in range(MIN_MODIFIER, len(lower) - MIN_HEAD + 1):
            head = lower[i:]
            if fold(head) in self._vocab or (self._lexicon is not None and head in self._lexicon):
                return head
        return None
