"""Typing errors in questions: "Chancenbudjet", "Dienstbesprchung", "Persnalbudget" become the documents' words.

Staff type fast ("Wie lang leuft das Startchancen-Progamm eigentlich insgesammt?"). The dense model reads such a
word as something else, and BM25 finds it only through a weaker typo expansion. A word is corrected when the
documents do not use it, it is not a word of everyday German or English (a general word list: "Wetter", "Aufzug",
"Schulamt" or "abrechnen" are what the user meant, even if the documents never say them), and exactly one edit
(a letter missing, added, changed or two swapped) turns it into a word of the documents. The most frequent such
word wins. Places are never corrected ("Pirmasens" is not a typo of anything the documents name).
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from importlib import resources

import numpy as np

from scp_assistant.retrieve.bm25 import within_one_edit
from scp_assistant.retrieve.compounds import Lexicon
from scp_assistant.text import STOPWORDS, fold, stem

log = logging.getLogger(__name__)

MIN_LENGTH = 5  # shorter words are too often a real word one edit away from another
SHORT_WORD_USES = 10  # a shorter word typed without its umlaut is read as one the documents use this often
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


class GeneralLexicon:
    """German and English word lists of ``pyspellchecker`` (shipped in its wheel, no download), loaded on first
    use and kept as sorted 64-bit hashes of the words of at least :data:`MIN_LENGTH` letters (about 4 MB instead
    of the 45 MB of a set of strings). Python's string hash is fixed within a process, which is all this needs."""

    def __init__(self, languages: Iterable[str] = ("de", "en")) -> None:
        self._languages = tuple(languages)
        self._hashes: np.ndarray | None = None

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        hashes = self._loaded()
        h = hash(word.lower())
        i = int(np.searchsorted(hashes, h))
        return i < len(hashes) and int(hashes[i]) == h

    def _loaded(self) -> np.ndarray:
        if self._hashes is None:
            words: set[str] = set()
            for language in self._languages:
                path = resources.files("spellchecker").joinpath("resources", f"{language}.json.gz")
                with path.open("rb") as fh:
                    counts: dict[str, int] = json.loads(gzip.decompress(fh.read()))
                words.update(w for w in counts if len(w) >= MIN_LENGTH)
            self._hashes = np.sort(np.fromiter((hash(w) for w in words), dtype=np.int64, count=len(words)))
            log.info("general word list: %d words (%s)", len(words), ", ".join(self._languages))
        return self._hashes


class SpellingCorrector:
    """Corrects the words of a question the documents and everyday language do not know (see module doc)."""

    def __init__(
        self, texts: Iterable[str], lexicon: Lexicon, known_stem: Callable[[str], bool], keep: Iterable[str] = ()
    ) -> None:
        forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            for word in _WORD.findall(text):
                forms[fold(word)][word] += 1
        self._frequency = {f: sum(c.values()) for f, c in forms.items()}
        self._surface = {f: c.most_common(1)[0][0] for f, c in forms.items()}
        self._spellings = {f: frozenset(w.lower() for w in c) for f, c in forms.items()}
        self._by_initial: defaultdict[str, list[str]] = defaultdict(list)
        for folded in sorted(self._frequency):
            if len(folded) >= MIN_LENGTH - 1:
                self._by_initial[folded[:1]].append(folded)
        self._lexicon = lexicon
        self._known_stem = known_stem
        self._keep = frozenset(fold(w) for w in keep)

    def correct(self, text: str) -> str:
        return _WORD.sub(lambda m: self._word(m.group(0)), text)

    def _word(self, token: str) -> str:
        folded = fold(token)
        spelled = self._umlauts(token, folded)
        if spelled is not None:
            return spelled
        if (
            len(token) < MIN_LENGTH  # "weiß" is four letters typed, five folded ("weiss"): a word, no typo
            or len(folded) < MIN_LENGTH
            or folded in self._frequency
            or folded in STOPWORDS
            or folded in self._keep
            or self._known_stem(stem(folded))
            or token.lower() in self._lexicon
        ):
            return token
        near = [c for c in self._by_initial.get(folded[:1], ()) if one_edit(folded, c)]
        if len(folded) <= 6:
            # a short word must keep its first two letters too; one that is one letter from a place of the
            # documents is that place ("Meinz" is Mainz, not "meine"; "Wroms" is Worms)
            places = [c for c in near if c in self._keep]
            near = places or [c for c in near if c[:2] == folded[:2]]
        if not near:
            return token
        # a doubled letter typed once is the commonest slip ("stelt" is "stellt", not "steht"): it comes first
        best = max(near, key=lambda c: (_undoubled(c, folded), self._frequency[c], c))
        return _cased(self._surface[best], token)

    def _umlauts(self, token: str, folded: str) -> str | None:
        """A word typed without its umlauts or ß, as the documents never write it ("saule", "zustandig", "fur",
        "Saeule", "Strasse"), in their spelling ("Säule", "zuständig", "für", "Straße"): the pillar, the search and
        the dense model read it as the word it is. Not a word of its own ("musste" is no "müsste", "schon" no
        "schön": both are words, and the documents write "schon")."""
        if len(folded) < 3 or folded in self._keep or len(folded) > 40:
            return None
        lower = token.lower()
        if lower in self._lexicon:  # a word of its own ("gross" in an English question is not "groß")
            return None
        if folded in self._frequency:
            known = lower in self._spellings[folded] or len(folded) < 4  # "pad" is no "päd."
            return None if known else _cased(self._surface[folded], token)
        if not re.fullmatch(r"[a-z]+", lower):
            return None
        # a short word only for a word the documents use often: "fur" is "für", "pad" no "päd."
        least = 1 if len(folded) >= MIN_LENGTH else SHORT_WORD_USES
        variants = [v for v in _with_umlauts(folded) if self._frequency.get(v, 0) >= least]
        if not variants:
            return None
        return _cased(self._surface[max(variants, key=lambda v: (self._frequency[v], v))], token)


def _with_umlauts(folded: str, most: int = 2) -> set[str]:
    """``folded`` with up to ``most`` of its a, o, u written as the umlauts they may stand for (folded: ae, oe, ue)."""
    out = {folded}
    for _ in range(most):
        out |= {
            w[:i] + w[i] + "e" + w[i + 1 :]
            for w in out
            for i, ch in enumerate(w)
            if ch in "aou" and w[i + 1 : i + 2] != "e"
        }
    return out - {folded}


def _undoubled(word: str, typed: str) -> bool:
    """Is ``typed`` ``word`` with one of its doubled letters typed once ("stelt" for "stellt")?"""
    return len(word) == len(typed) + 1 and any(
        word[i] == word[i + 1] and word[:i] + word[i + 1 :] == typed for i in range(len(word) - 1)
    )


def _cased(surface: str, token: str) -> str:
    """The documents' word with the case the user typed: all lower case, or the first letter as typed."""
    if token.islower():
        return surface.lower()
    return surface[0].upper() + surface[1:] if token[0].isupper() else surface


def one_edit(a: str, b: str) -> bool:
    """a and b differ by one inserted, deleted or changed letter, or two neighbouring letters swapped."""
    return a != b and (within_one_edit(a, b) or _swapped(a, b))


def _swapped(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
