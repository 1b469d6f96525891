"""Okapi BM25 over German stems, built once from the stored chunks and kept in memory.

German help: case/umlaut/ß folding and Snowball stems (via :mod:`scp_assistant.text`), and compound
splitting against the corpus vocabulary: "Schulsozialarbeit" also indexes "sozialarbeit", and a query for
"Chancenbudgetmittel" also searches "chancenbudget" and "mittel".
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from scp_assistant.models import Chunk
from scp_assistant.retrieve.compounds import Decompounder, Lexicon
from scp_assistant.retrieve.english_words import FUNCTION_WORDS
from scp_assistant.retrieve.glossary import expansion, glossed, phrase_expansion
from scp_assistant.text import STOPWORDS, fold, pillar_terms, stem, words

SEPARABLE = frozenset(
    [
        "teil",
        "statt",
        "fest",
        "an",
        "auf",
        "aus",
        "ein",
        "mit",
        "vor",
        "zu",
        "ab",
        "bei",
        "dar",
        "zurueck",
        "weiter",
        "fort",
        "vorbei",
        "bereit",
        "zusammen",
        "nach",
        "um",
    ]
)  # the particles of German separable verbs ("nehmen ... teil")


def index_terms(text: str, decompounder: Decompounder | None) -> list[str]:
    out: list[str] = []
    for word in words(text):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
        if decompounder is not None:
            out.extend(stem(p) for p in decompounder.split(word))
    if decompounder is not None:
        out.extend(stem(w) for w in decompounder.coordinated(text))
    return out


_IRREGULAR = {"gibt": "geben", "nimmt": "nehmen", "haelt": "halten", "faellt": "fallen", "traegt": "tragen",
              "sieht": "sehen", "laeuft": "laufen", "laedt": "laden", "tritt": "treten", "weist": "weisen"}  # fmt: skip


def _infinitives(verb: str) -> tuple[str, ...]:
    """A finite verb as written, and the infinitive it likely comes from: the stemmer leaves "stellt" as it is,
    so "stellt … ein" only finds "Einstellung" as "einstellen" ("rechnet" -> "rechnen", "gibt" -> "geben")."""
    forms = [verb]
    if verb in _IRREGULAR:
        forms.append(_IRREGULAR[verb])
    elif len(verb) >= 4 and verb.endswith("t"):
        forms += [verb[:-1] + "en", verb[:-2] + "en"]  # "stellt" -> "stellen", "arbeitet" -> "arbeiten"
    return tuple(forms)


def _participle_stem(word: str) -> str | None:
    """The stem of the verb behind a past participle: "geplant" -> "plan", "gestellt" -> "stell"."""
    if len(word) >= 7 and word.startswith("ge") and word.endswith(("t", "en")):
        return stem(word[2:-1] if word.endswith("t") else word[2:-2])
    return None


class BM25Index:
    def __init__(
        self, chunks: Sequence[Chunk], k1: float = 1.4, b: float = 0.6, lexicon: Lexicon | None = None
    ) -> None:
        self.chunks = list(chunks)
        self._k1, self._b = k1, b
        texts = [self._text(c) for c in self.chunks]
        vocab: set[str] = set()
        for t in texts:
            vocab.update(words(t))
        self.decompounder = Decompounder(vocab, lexicon)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        for idx, text in enumerate(texts):
            terms = index_terms(text, self.decompounder)
            self._lengths.append(len(terms))
            for term, tf in Counter(terms).items():
                postings[term].append((idx, tf))
        n = max(1, len(self.chunks))
        self._avg_len = (sum(self._lengths) / n) or 1.0
        self._idf = {term: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()}
        # numpy postings: scoring a query is a few vector operations, also at 100k chunks
        lengths = np.asarray(self._lengths, dtype=np.float32)
        self._norm = k1 * (1 - b + b * lengths / self._avg_len)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {
            term: (
                np.fromiter((i for i, _ in p), dtype=np.int32, count=len(p)),
                np.fromiter((tf for _, tf in p), dtype=np.float32, count=len(p)),
            )
            for term, p in postings.items()
        }
        self.vocabulary = frozenset(vocab)
        self._expanded: dict[str, dict[str, float]] = {}
        self._analysed: dict[str, tuple[str, ...]] = {}
        self._sorted_terms = sorted(self._idf)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for w in sorted(self.vocabulary):  # in a fixed order: ``_near`` keeps the first few neighbours
            if len(w) >= 5:
                self._by_initial[w[:1]].append(w)

    @staticmethod
    def _text(chunk: Chunk) -> str:
        return f"{chunk.title} {chunk.publisher} {chunk.section} {chunk.text}"

    def document_frequency(self, term: str) -> int:
        posting = self._postings.get(term)
        return 0 if posting is None else len(posting[0])

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def query_terms(self, text: str) -> list[str]:
        """Index terms of a text (stems, compound parts), without expansion; a text is analysed once."""
        known = self._analysed.get(text)
        if known is None:
            known = tuple(dict.fromkeys(index_terms(text, self.decompounder)))
            if len(self._analysed) > 65_536:
                self._analysed.clear()
            self._analysed[text] = known
        return list(known)

    def expanded_terms(self, question: str) -> dict[str, float]:
        """See :meth:`_expanded_terms`; the same text is expanded once (search, evidence and features all ask)."""
        known = self._expanded.get(question)
        if known is None:
            known = self._expanded_terms(question)
            if len(self._expanded) > 4096:
                self._expanded.clear()
            self._expanded[question] = known
        return dict(known)  # callers may add to their copy

    def _expanded_terms(self, question: str) -> dict[str, float]:
        """Terms of a question with weights: whole words 1.0; parts of hyphenated or closed compounds 0.3
        (so "Rheinland-Pfalz" does not count five times); and, at lower weight, index terms for typos
        ("chancenbudjet"), other word forms of the same stem ("evaluiert" -> "evaluation"), and the
        glossary's document vocabulary for everyday and English words."""
        out: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            out[term] = max(out.get(term, 0.0), weight)

        for raw in re.findall(r"[A-Za-zÄÖÜäöüß0-9]+(?:-[A-Za-zÄÖÜäöüß0-9]+)*\+?", pillar_terms(question)):
            for i, word in enumerate(words(raw)):
                if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                    continue
                add(stem(word), 1.0 if i == 0 else 0.3)
                for part in self.decompounder.split(word):
                    add(stem(part), 0.3)
        for word in self.decompounder.coordinated(question):  # "Ergo- oder Lerntherapeuten"
            add(stem(word), 1.0)
        for verb_term, parts in self._separable(question):
            add(verb_term, 1.0)
            for part in parts:
                out[part] = min(out.get(part, 0.2), 0.2)
        folded = [w for w in words(question) if w not in STOPWORDS]
        for word in folded:
            participle = _participle_stem(word)
            if participle and participle in self._idf:
                add(participle, 0.7)  # "geplant" finds "Planungen", "gefördert" finds "Förderung"
        for word in folded:
            if len(word) < 5 or word.isdigit() or stem(word) in self._idf:
                continue
            if glossed(word) or word in FUNCTION_WORDS:  # "federal" means "Bund", not "federführend"
                continue
            for alt in self._near(word):
                add(alt, 0.7)
        for term in self.query_terms(expansion(folded)):
            add(term, 0.5)
        said, verbs = phrase_expansion(question)
        typed = set(self.query_terms(question)) if verbs else set()
        for verb in verbs:  # the phrase says what the verb means here, in place of the verb and its glossary words
            glossary = set(self.query_terms(expansion(words(verb)))) - typed  # not a word the user wrote himself
            for term in {*self.query_terms(verb), *glossary}:
                out.pop(term, None)
        for term in self.query_terms(said):
            add(term, 1.0)
        return out

    def _separable(self, question: str) -> list[tuple[str, tuple[str, str]]]:
        """German separable verbs: "nehmen ... teil" searches "teilnehm" (Teilnahme, teilnehmende)."""
        found: list[tuple[str, tuple[str, str]]] = []
        for clause in re.split(r"[,;:?!.]", question):
            tokens = [fold(t) for t in re.findall(r"[A-Za-zÄÖÜäöüß]+", clause)]
            if len(tokens) < 2 or tokens[-1] not in SEPARABLE:
                continue
            for verb in tokens[:-1]:
                for form in _infinitives(verb):
                    term = stem(tokens[-1] + form)
                    if term in self._idf:
                        found.append((term, (stem(verb), stem(tokens[-1]))))
                        break
        return found

    def has_typo_neighbour(self, word: str) -> bool:
        return any(
            abs(len(c) - len(word)) <= 1 and within_one_edit(word, c) for c in self._by_initial.get(word[:1], ())
        )

    def _near(self, word: str) -> list[str]:
        """Index stems for a word the index does not know: a one-letter typo, or a shared long prefix."""
        found: list[str] = []
        for cand in self._by_initial.get(word[:1], ()):
            if abs(len(cand) - len(word)) <= 1 and within_one_edit(word, cand):
                found.append(stem(cand))
        s = stem(word)
        prefix = s[: max(5, int(len(s) * 0.6))]
        lo = bisect.bisect_left(self._sorted_terms, prefix)
        for term in self._sorted_terms[lo : lo + 6]:
            if term.startswith(prefix):
                found.append(term)
        return list(dict.fromkeys(found))[:6]

    def search(self, text: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        scores = np.zeros(len(self.chunks), dtype=np.float32)
        # summed in a fixed order: float sums depend on it, and the order of a set of strings changes from one
        # process to the next (hash randomisation), which moved near-equal scores and with them whole answers
        for term, weight in sorted(self.expanded_terms(text).items()):
            idf = self._idf.get(term, 0.0) * weight
            if not idf:
                continue
            idx, tf = self._postings[term]
            scores[idx] += idf * tf * (self._k1 + 1) / (tf + self._norm[idx])
        if allowed is not None:
            mask = np.zeros(len(self.chunks), dtype=bool)
            mask[list(allowed)] = True
            scores[~mask] = 0.0
        hits = np.flatnonzero(scores > 0)
        if hits.size == 0:
            return []
        top = (
            hits[np.argsort(-scores[hits], kind="stable")[:k]]
            if hits.size > k
            else hits[np.argsort(-scores[hits], kind="stable")]
        )
        return [(int(i), float(scores[i])) for i in top]


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]
