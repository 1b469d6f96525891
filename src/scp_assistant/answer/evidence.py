"""Is there enough evidence in the documents to answer? Combines signals instead of one score threshold:

- nouns of the question the corpus never mentions (not as a word, a compound part, or a near-typo):
  a fact question about an unknown thing ("Welche Entgeltgruppe ...", "Landkreis Bad Kreuznach") cannot be
  answered from these documents, while an eligibility question ("Dürfen wir Tische kaufen?") can be answered
  from the general rules;
- numbers and years of the question missing from the retrieved passages;
- how much of the question's specific vocabulary (IDF-weighted) the top passages contain;
- the dense similarity of the best passage.
The combination is mapped to a score in 0..1 and compared with ``answer.refusal_threshold``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from scp_assistant.asking import asked_in
from scp_assistant.learn.question_words import is_common, without_asker, without_purpose
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index, within_one_edit
from scp_assistant.retrieve.hybrid import dense_z
from scp_assistant.retrieve.places import PlaceNames
from scp_assistant.text import STOPWORDS, WRITTEN_AS_SYMBOL, fold, plain, stem, words

GLOSSARY = tuple(
    """
    startchanc scp saeule chancenbudget traegerbudget budget schultraeger schul foerder programm mpt
    multiprofession schulaufsicht add landesinstitut ism invest antrag mittel kommun verbandsgemeind landkreis
    bildung lehrkr sozialarbeit sozialpaed kita ganztag finanz zielvereinbar kooperationsvereinbar
    verwaltungsvereinbar blv landesanteil halbierungsziel akademie schueler s4 famos schumas bvj grundschul
    realschul igs bbs personal team evaluation koordin netzwerk eigenanteil zuwendung bewillig school pillar
    funding fund startchancen regionetzwerk bund laender kultusminister bildungsministerium ministerium
    jugendamt jugendhilfe traeger pädagog paedagog sozialraum chancengerecht
    """.split()
)  # word beginnings of the programme's vocabulary
_ELIGIBILITY = re.compile(
    r"\b(darf|dürfen|darfst|dürft|können|kann|könnt|könnten|ist es (erlaubt|möglich|zulässig)|erlaubt|zulässig|"
    r"förderfähig|finanzierbar|may|can)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    fold(w)
    for w in """
    wie wieviel wieviele viele viel welche welcher welches welchen wann warum wieso weshalb wer wen wem wo woher
    wohin was ob gibt unser unsere wofür wozu womit wodurch woran worauf wobei hallo danke
    """.split()
)
_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "for",
        "on",
        "what",
        "which",
        "who",
        "how",
        "does",
        "do",
        "are",
        "can",
        "with",
        "when",
        "where",
        "why",
    ]
)


@dataclass(frozen=True)
class Evidence:
    score: float
    unknown_nouns: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # unknown nouns the passages cannot piece together
    foreign: list[str] = field(default_factory=list)  # ... and the whole corpus cannot either
    # the question uses programme vocabulary, or names a place whose programme documents it found
    programme: bool = True
    place_only: bool = False  # ... the place alone ("Wie viel bekommt Mainz?", "Wie viele Einwohner hat Mainz?")
    missing_numbers: list[str] = field(default_factory=list)
    coverage: float = 0.0
    dense: float = 0.0  # z-score of the best passage's dense similarity within the candidates
    english: bool = False
    eligibility: bool = False
    foreign_places: list[str] = field(default_factory=list)  # places asked about that the documents never name

    def off_topic(self, floor: float) -> bool:
        """No question for the documents: no programme word, and less than ``floor`` of its words in the passages
        or a thing they do not know. A place with programme documents of its own makes a programme question ("Wie
        viel bekommt Mainz?", "Wie viel Geld bekommt Worms?"), but not of a thing they do not know ("Wie viele
        Einwohner hat Mainz?"); a word any programme question may use ("Geld") is no such thing."""
        if self.programme and not self.place_only:
            return False
        unknown = [u for u in self.unresolved if not (self.place_only and is_common(u))]
        return bool(unknown) or (not self.place_only and self.coverage < floor)


class EvidenceJudge:
    def __init__(self, bm25: BM25Index) -> None:
        self._bm25 = bm25
        self._vocab = bm25.vocabulary
        self.known = lru_cache(maxsize=16384)(self._known)
        self._corpus_words = " " + " ".join(sorted(self._vocab)) + " "
        self.resolved_in_corpus = lru_cache(maxsize=4096)(lambda noun: _resolved(noun, self._corpus_words))
        self._passages: dict[str, tuple[frozenset[str], str]] = {}
        self.places = PlaceNames(f"{c.title} {c.section} {c.region} {c.text}" for c in bm25.chunks)

    def _passage(self, chunk: Chunk) -> tuple[frozenset[str], str]:
        """A passage's index terms and words, computed once per passage (the index does not change under us)."""
        known = self._passages.get(chunk.chunk_id)
        if known is None:
            text = f"{chunk.title} {chunk.section} {chunk.text}"
            known = (frozenset(self._bm25.query_terms(text)), " ".join(words(text)))
            if len(self._passages) < 200_000:
                self._passages[chunk.chunk_id] = known
        return known

    def _about_its_place(self, question: str, top: Sequence[ScoredChunk]) -> bool:
        """Does the question name a place whose own programme documents it found ("Wie viel bekommt Mainz?" finds the
        Mainz press release)? Such a question is about the programme without naming it: a Schulträger asks about
        its town's share. Words a screen declines before the search ("Wetter in Mainz") never get here."""
        named = [fold(p) for p in self.places.named(without_asker(question))]
        return any(place in fold(c.chunk.title) for place in named for c in top)

    # ---- vocabulary ------------------------------------------------------------------------------
    def _known(self, word: str) -> bool:
        if word in self._vocab or word.isdigit() or word in WRITTEN_AS_SYMBOL:
            return True
        if self._bm25.idf(stem(word)) > 0:
            return True
        parts = self._bm25.decompounder.split(word)
        if parts and len(parts[-1]) >= 5:  # a generic short head ("geld", "ende") does not make it known
            return True
        for prefix in ("un", "nicht"):
            if word.startswith(prefix) and len(word) - len(prefix) >= 5 and self.known(word[len(prefix) :]):
                return True
        return len(word) >= 6 and self._bm25.has_typo_neighbour(word)  # a typo such as "chancenbudjet"

    @staticmethod
    def is_programme_text(text: str) -> bool:
        """Does the text use the programme's vocabulary (a typo in a long word included: "Chancenbuget")?"""
        return any(w.startswith(GLOSSARY) or _near_glossary(w) for w in words(text))

    def unknown_nouns(self, question: str) -> list[str]:
        out: list[str] = []
        for sentence in re.split(r"[.!?;:\n–]+", question):
            tokens = re.findall(r"[A-Za-zÄÖÜäöüß][\wÄÖÜäöüß+-]*", sentence)
            for token in tokens:
                if not token[0].isupper() or len(token) < 4:
                    continue
                parts = [fold(p) for p in token.rstrip("+").split("-") if len(p) >= 3]
                if not parts or parts[0] in STOPWORDS or parts[0] in _QUESTION_WORDS:
                    continue
                if not all(self.known(w) for w in parts):
                    out.append(token)
        return out

    def _things_missing(self, question: str, passage_terms: set[str]) -> list[str]:
        """The nouns of a question (not its places, not words any programme question may use, "Geld") none of whose
        index terms the passages hold."""
        nouns = re.findall(r"(?<![.?!:]\s)(?<!^)\b[A-ZÄÖÜ][a-zäöüß]{3,}\b", question.strip())
        return [
            n for n in nouns
            if not is_common(n) and not self.places.named(n) and not set(self._bm25.query_terms(n)) & passage_terms
        ]  # fmt: skip

    # ---- judgement ------------------------------------------------------------------------------
    def judge(self, question: str, ranked: Sequence[ScoredChunk]) -> Evidence:
        """Score 0..1: starts from coverage and similarity, minus penalties for what the passages lack."""
        tokens = re.findall(r"[a-z]+", question.lower())
        # distinct words: "in" is German too ("Wie viel Geld geht in Worms in Säule II?" is no English question), and
        # "is" is how German is typed fast ("wie hoch is der eigenanteil … in rlp"): those two alone make no English
        found = _ENGLISH.intersection(tokens)
        english = len(found) >= max(2, len(tokens) // 5) and bool(found - {"in", "is"})
        eligibility = bool(_ELIGIBILITY.search(question))
        top = ranked[:5]
        passages = " ".join(f"{c.chunk.title} {c.chunk.section} {c.chunk.text}" for c in top)
        p_terms: set[str] = set().union(*(self._passage(c.chunk)[0] for c in top))
        q_terms = [t for t in self._bm25.query_terms(question) if self._bm25.idf(t) > 0]
        total = sum(self._bm25.idf(t) for t in q_terms)
        coverage = sum(self._bm25.idf(t) for t in q_terms if t in p_terms) / total if total else 0.0
        asked = asked_in(question)  # of a pasted e-mail, what it asks: not the dates, sums and nouns of its background
        nums = re.findall(r"\d+(?:[.,/]\d+)*", asked)
        p_nums = set(re.findall(r"\d+(?:[.,/]\d+)*", passages))
        missing_numbers = [n for n in nums if n not in p_nums and not (len(n) == 1 and n in "123456789")]
        z = dense_z(ranked)
        dense = max((z[c.chunk.chunk_id] for c in top), default=0.0)
        unknown = [] if english else self.unknown_nouns(without_purpose(asked))
        passage_words = " " + " ".join(self._passage(c.chunk)[1] for c in top) + " "
        unresolved = [u for u in unknown if not _resolved(u, passage_words)]
        foreign = [u for u in unresolved if not self.resolved_in_corpus(u)]
        # a question the programme's own FAQ asks is the programme's, whatever its words ("Wer ist für was
        # zuständig?", offered to click in place of a question without a topic)
        named = self.is_programme_text(without_asker(question)) or _asked_by(question, top)
        # ... unless it asks about a thing those passages do not name ("Wer ist Oberbürgermeister von Worms?": the
        # corpus knows the word from Mainz, the Worms passages do not have it): then it is read as before
        place_only = not named and self._about_its_place(question, top[:3]) and not self._things_missing(asked, p_terms)
        programme = named or place_only

        score = 0.6 + 0.3 * (coverage - 0.5) + 0.08 * (min(dense, 5.0) - 2.7)
        if eligibility:  # "Dürfen wir X bezahlen?" is answered by the general rules even for an unknown X
            score += 0.05
        elif foreign:
            score -= 0.5
        elif unresolved:
            score -= 0.2
        elif unknown:
            score -= 0.05
        if missing_numbers:
            score -= 0.15 if eligibility else 0.3
        if not programme:
            score -= 0.3
        score = max(0.0, min(1.0, score))
        return Evidence(
            score=score,
            unknown_nouns=unknown,
            unresolved=unresolved,
            foreign=foreign,
            programme=programme,
            place_only=place_only,
            missing_numbers=missing_numbers,
            coverage=coverage,
            dense=dense,
            english=english,
            eligibility=eligibility,
            foreign_places=[] if eligibility else self.places.asked_about(question),
        )


_LONG_GLOSSARY = tuple(g for g in GLOSSARY if len(g) >= 7)


def _asked_by(question: str, top: Sequence[ScoredChunk]) -> bool:
    """Is the question, word for word, the FAQ question of one of the passages?"""
    asked = plain(question)
    return any(c.chunk.question and plain(c.chunk.question) == asked for c in top)


def _near_glossary(word: str) -> bool:
    if len(word) < 7:
        return False
    return any(
        within_one_edit(word[:n], g) for g in _LONG_GLOSSARY for n in (len(g) - 1, len(g), len(g) + 1) if n <= len(word)
    )


def _resolved(noun: str, passage_words: str) -> bool:
    """Can each part of ``noun`` be found inside the passage words? Pieces of 5+ letters (3+ at the start,
    4+ at the end), joined by German linking letters: "Mindestteilnehmerzahl" is resolved by a passage
    about the "Mindestzahl an Teilnehmenden", "Fluchterfahrung" is not resolved by one about budgets."""
    for part in (fold(p) for p in re.split(r"[-/]", noun) if len(p) >= 3):
        if f" {part} " in passage_words:
            continue
        n = len(part)
        ok = [False] * (n + 1)
        ok[0] = True
        for i in range(n):
            if not ok[i]:
                continue
            if i > 0 and part[i] in "sen":
                ok[i + 1] = True  # a linking letter (Fugen-s, -e-, -n-)
            for j in range(n, i, -1):
                size = j - i
                minimum = 3 if i == 0 else (4 if j == n else 5)
                if size >= minimum and part[i:j] in passage_words:
                    ok[j] = True
        if not ok[n]:
            return False
    return True
