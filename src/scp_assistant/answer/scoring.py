"""Units of the retrieved passages, their features, and the learned scores: how well each unit answers the
question (and each part of it), and how likely it is that the documents do not answer it at all.

Featurizing does not depend on the models, so evaluation can featurize a question set once and score it
with the models of each cross-validation fold (``eval cv``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scp_assistant.answer.evidence import Evidence
from scp_assistant.answer.exclusions import asked_pillars, excluded_units
from scp_assistant.answer.reading import beside_leaders, rare_term_holders, with_leaders
from scp_assistant.answer.units import UnitReader
from scp_assistant.errors import ConfigError
from scp_assistant.learn.candidates import QueryTerms, UnitCandidate
from scp_assistant.learn.features import FeatureExtractor
from scp_assistant.learn.memory import MEMORY_UNIT_FEATURES, QuestionMemory, Recall, nothing_recalled
from scp_assistant.learn.model import LinearModel, Models
from scp_assistant.learn.question import QuestionProfile, profile, question_kind, split_carried
from scp_assistant.learn.question_features import QUESTION_FEATURES, EvidenceView, question_features
from scp_assistant.learn.unit_facts import UNIT_FEATURES, with_neighbours
from scp_assistant.learn.wording import WordingModel
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.text import fold

# what the unit model reads: a unit's own features, and what the question memory says of it
UNIT_MODEL_FEATURES = UNIT_FEATURES + MEMORY_UNIT_FEATURES
_FOCUS = UNIT_FEATURES.index("focus_unit")  # the share of the question's focus terms a unit holds


@dataclass(frozen=True)
class Featurized:
    profile: QuestionProfile
    candidates: list[UnitCandidate]
    rows: np.ndarray  # one row of UNIT_FEATURES per candidate, for the whole question
    part_rows: list[np.ndarray]  # the same per part of a multi-part question (empty for a simple one)
    evidence: EvidenceView
    query: QueryTerms  # the whole question's terms
    unknown_words: tuple[str, ...] = ()  # nouns of the question the retrieved passages do not contain
    pillars: frozenset[str] = frozenset()  # the pillars asked about (a follow-up: those of the previous turn)
    excluded: frozenset[int] = frozenset()  # candidates about another place, school year or pillar
    carried: str = ""  # a follow-up's topic taken from the previous turn
    part_places: tuple[frozenset[str], ...] = ()  # per part: the places its own words name (folded)
    unit_places: tuple[frozenset[str], ...] = ()  # per candidate: the places it is about (only if a part names one)
    # per candidate: the words a list item's coordination stands for ("Ergo-, Spiel- und Lerntherapeut/in" ->
    # ergotherapeut, spieltherapeut; stems), empty for other units
    item_words: tuple[frozenset[str], ...] = ()
    # per candidate: the places the text it shows names (folded; not a slide heading above it), for telling "In Trier
    # nehmen 9 Schulen teil" from "Im Landkreis Bernkastel-Wittlich nehmen 9 Schulen teil"
    named_places: tuple[frozenset[str], ...] = ()
    # per candidate of a follow-up: how much of the carried topic its passage holds (None: no topic carried)
    topic_share: np.ndarray | None = None


@dataclass(frozen=True)
class Scored:
    featurized: Featurized
    p: np.ndarray  # per candidate: probability that it answers the question
    part_p: list[np.ndarray]
    question_row: np.ndarray
    p_refuse: float

    @property
    def candidates(self) -> list[UnitCandidate]:
        return self.featurized.candidates


def evidence_view(evidence: Evidence) -> EvidenceView:
    return EvidenceView(
        coverage=evidence.coverage,
        unknown=len(evidence.unknown_nouns),
        unresolved=len(evidence.unresolved),
        foreign=len(evidence.foreign),
        missing_numbers=len(evidence.missing_numbers),
        programme=evidence.programme,
        english=evidence.english,
        eligibility=evidence.eligibility,
    )


class UnitScorer:
    """Reads the top ``passages`` of a ranking (plus the leaders fusion may bury) into scored units."""

    def __init__(self, bm25: BM25Index, passages: int = 18) -> None:
        self._bm25 = bm25
        self._passages = passages
        self._by_doc: dict[str, list[Chunk]] = {}
        self._index = {chunk.chunk_id: i for i, chunk in enumerate(bm25.chunks)}
        for chunk in bm25.chunks:  # sorted by id: a document's passages in reading order
            self._by_doc.setdefault(chunk.doc_id, []).append(chunk)
        self.features = FeatureExtractor(bm25)
        self._reader = UnitReader()

    def passages(self, question: str, ranked: Sequence[ScoredChunk], parts: Sequence[str] = ()) -> list[ScoredChunk]:
        """What is read of a ranking; ``parts``: of a multi-part question, whose own BM25 leaders are read too."""
        out = with_leaders(ranked, self._passages)
        rare = rare_term_holders(
            question, ranked, self._passages, self._bm25, lambda c: set(self.features.terms(c.text))
        )
        for extra in [*rare, *self._part_leaders(parts, ranked)]:
            if extra not in out:
                out.append(extra)
        return out + beside_leaders(ranked, out, self._by_doc)

    def _part_leaders(self, parts: Sequence[str], ranked: Sequence[ScoredChunk]) -> list[ScoredChunk]:
        """Per part of a question, the passage of the ranking that BM25 ranks first for that part alone: in "Wer
        genehmigt Anträge aus dem Chancenbudget, und wie hoch ist der Eigenanteil in Säule I?" the slide that
        answers the first part is the BM25 leader of that part, and fusion of the whole puts it at rank 44."""
        if len(parts) < 2:
            return []
        by_index = {self._index[s.chunk.chunk_id]: s for s in ranked if s.chunk.chunk_id in self._index}
        allowed = set(by_index)
        terms = [{t for t in self._bm25.query_terms(part) if self._bm25.idf(t) > 0} for part in parts]
        out: list[ScoredChunk] = []
        for i, part in enumerate(parts):
            # a part with a topic of its own: the leader of "und bis wann muss man sie stellen?" says just "stellen"
            others = set().union(*(t for j, t in enumerate(terms) if j != i))
            if len(terms[i] - others) >= 2 and (hits := self._bm25.search(part, 1, allowed)):
                out.append(by_index[hits[0][0]])
        return out

    def featurize(self, question: str, ranked: Sequence[ScoredChunk], evidence: Evidence) -> Featurized:
        own, carried = split_carried(question)  # a follow-up's topic from the previous turn counts less
        prof = profile(own, self.features.names_place)
        parts = prof.parts if prof.multi_part else ()
        candidates = self._reader.candidates(ranked, self.passages(question, ranked, parts))
        whole = self.features.query(own, prof.kind, carried, carried)
        rows = self._rows(whole, candidates)
        part_rows = []
        part_places: list[frozenset[str]] = []
        if prof.multi_part:
            for part in prof.parts:
                rest = " ".join([*(p for p in prof.parts if p != part), carried])
                part_query = self.features.query(part, question_kind(part), rest, carried)
                part_rows.append(self._rows(part_query, candidates))
                part_places.append(self.features.places_named(part))  # not a follow-up's place: only the part's
        unknown = tuple(evidence.unresolved)
        asked = asked_pillars(own, carried)
        excluded = excluded_units(own, asked, rows, candidates)
        view = evidence_view(evidence)
        unit_places = tuple(self.features.places_of_unit(c) for c in candidates) if any(part_places) else ()
        item_words = tuple(self.features.coordinated(c.text) if c.kind == "item" else frozenset() for c in candidates)
        named = tuple(self.features.places_named(c.display) for c in candidates)
        share = self._topic_share(carried, candidates) if carried else None
        return Featurized(
            prof, candidates, rows, part_rows, view, whole, unknown, asked, excluded, carried,
            part_places=tuple(part_places), unit_places=unit_places, item_words=item_words,
            named_places=named, topic_share=share,
        )  # fmt: skip

    def _topic_share(self, topic: str, candidates: Sequence[UnitCandidate]) -> np.ndarray | None:
        """Per candidate: the share (by idf) of a topic's terms that its passage holds; None for a topic of no word
        the documents use ("(bitte kurz)" typed by the user): nothing carried to miss."""
        weights = {t: self._bm25.idf(t) for t in self.features.terms(topic) if self._bm25.idf(t) > 0}
        total = sum(weights.values())
        if not total:
            return None
        held = (self.features.passage_terms(c.chunk) for c in candidates)
        return np.fromiter((sum(w for t, w in weights.items() if t in h) / total for h in held), dtype=np.float64)

    def _rows(self, query: QueryTerms, candidates: Sequence[UnitCandidate]) -> np.ndarray:
        if not candidates:
            return np.zeros((0, len(UNIT_FEATURES)))
        return with_neighbours(np.stack([self.features.unit(query, c) for c in candidates]), candidates)


# nouns of everyday speech: "Wie viele Leute arbeiten da?" lacks a figure, not "Leute"
_EVERYDAY = frozenset(
    fold(w)
    for w in (
        "Leute Menschen Rede Sache Sachen Ding Dinge Beispiel Info Infos Ahnung Problem Probleme Thema Themen Zeit "
        "Weise Fall Fälle Punkt Punkte Grund Überblick Idee Ideen Hilfe Ordnung Ende Anfang Moment Mal Bescheid"
    ).split()
)


def missing_words(
    question: str, featurized: Featurized, unit: UnitCandidate | None, features: FeatureExtractor
) -> list[str]:
    """What the documents lack, in the question's words: nouns the passages do not contain ("Entgeltgruppe"),
    then the question's rarest nouns that the nearest unit does not contain ("Sockelbetrag"). Without a nearest
    unit only the first: "Kaisersesch" is in the documents, just not for the school year asked about."""
    # a capital at the start of a sentence says nothing about a noun ("Überall liest man …"): such a word counts only
    # when the documents use it ("Sockelbetrag: wie hoch …?")
    starts = {m.group(1) for m in re.finditer(r"(?:^|[.!?;:–]\s+|\n)\W*([A-ZÄÖÜ][\wÄÖÜäöüß-]*)", question.strip())}

    def says_what(word: str) -> bool:
        if fold(word) in _EVERYDAY or features.common(word):
            return False
        return word not in starts or features.in_corpus(word)

    out = [w for w in dict.fromkeys(featurized.unknown_words) if says_what(w)]
    if unit is None:
        return out[:2]
    have = features.terms(unit.display)
    for word in re.findall(r"(?<=\s)[A-ZÄÖÜ][\wÄÖÜäöüß-]{3,}", question):
        terms = features.terms(word)
        # a word any question may use ("Geld", "Personal") or anyone says ("Leute") does not say what is missing
        if terms & featurized.query.focus and not terms & have and word not in out and says_what(word):
            out.append(word)
    return out[:2]


def score(featurized: Featurized, models: Models) -> Scored:
    """The models' view of a featurized question."""
    recall = recall_for(featurized, models.memory)
    return score_with(featurized, models.unit, models.refusal, models.wording, recall)


def recall_for(featurized: Featurized, memory: QuestionMemory | None, exclude: str | None = None) -> Recall:
    """What the question memory says of a question (a follow-up with the topic it carries) and its units;
    ``exclude``: the id of a training question, read as if it were new."""
    if memory is None:
        return nothing_recalled(len(featurized.candidates))
    candidates = featurized.candidates
    texts, docs = [c.display for c in candidates], [c.chunk.doc_id for c in candidates]
    return memory.recall(memory_text(featurized), texts, docs, exclude)


def memory_text(featurized: Featurized) -> str:
    """What the memory compares: the question's own words and the topic a follow-up carries."""
    return f"{featurized.profile.text} {featurized.carried}".strip()


def with_memory(rows: np.ndarray, recall: Recall) -> np.ndarray:
    """Unit rows with the memory's column: what the unit model reads (``UNIT_MODEL_FEATURES``)."""
    assert len(recall.unit) == len(rows), "a recall of other candidates"
    return np.hstack([rows, recall.unit[:, None], recall.source[:, None]])


def score_with(
    featurized: Featurized,
    unit: LinearModel,
    refusal: LinearModel | None = None,
    wording: WordingModel | None = None,
    recall: Recall | None = None,
) -> Scored:
    """Unit scores, and the refusal model's view of them (0 without a refusal model). The refusal features see
    only the units an answer may use: a page on Worms is no evidence that the documents answer for Koblenz.
    ``wording`` reads how a question is worded. No prior for an English question (the function words are German)
    or for a follow-up searched as its own words plus the previous turn's topic ("Bis wann? (Trägerbudget Worms)"):
    what it asks is completed by the turn before. A follow-up the resolver rewrote into a whole question ("Wie hoch
    ist das Trägerbudget in Worms 2025/26?") is read like any question."""
    recall = recall or nothing_recalled(len(featurized.candidates))
    p = unit.predict(with_memory(featurized.rows, recall))
    part_p = [unit.predict(with_memory(rows, recall)) for rows in featurized.part_rows]
    keep = np.array([i for i in range(len(p)) if i not in featurized.excluded], dtype=int)
    part_best = [float(x[keep].max()) if len(keep) else 0.0 for x in part_p]
    ranks = [featurized.candidates[i].passage_rank for i in keep]
    prior = wording.log_odds(featurized.profile.text) if wording is not None and reads_wording(featurized) else 0.0
    rows = featurized.rows[keep]
    memory = recall.question_values(keep)
    apart = topic_apart(featurized, p, keep)
    row = question_features(
        featurized.profile, featurized.evidence, rows, p[keep], ranks, part_best, prior, memory, apart
    )
    p_refuse = float(refusal.predict(row[None, :])[0]) if refusal is not None else 0.0
    return Scored(featurized, p, part_p, row, p_refuse)


def topic_apart(featurized: Featurized, p: np.ndarray, keep: np.ndarray) -> float:
    """1 minus the best of (a unit's score x its share of the turn's own focus x its passage's share of the carried
    topic) over the units an answer may use; 0 for a question that carries no topic. A turn without focus words of
    its own ("Bis wann?") needs only the topic."""
    share = featurized.topic_share
    if share is None:
        return 0.0
    if not len(keep):
        return 1.0
    focus = featurized.rows[keep, _FOCUS] if featurized.query.focus else np.ones(len(keep))
    return float(1.0 - (p[keep] * focus * share[keep]).max())


def reads_wording(featurized: Featurized) -> bool:
    """Does the wording prior speak for this question (training and answering use the same rule)?"""
    return not featurized.carried and not featurized.evidence.english


def check_models(models: Models) -> None:
    models.unit.check(UNIT_MODEL_FEATURES, "unit")
    models.refusal.check(QUESTION_FEATURES, "refusal")
    reads = dict(zip(models.refusal.features, models.refusal.coef, strict=True)).get("wording", 0.0) != 0.0
    if reads and models.wording is None:
        raise ConfigError(
            "Das Ablehnungsmodell liest die Formulierung der Frage, die Modelldatei enthält dafür aber kein Modell "
            "('wording'). Bitte neu trainieren: scp-assistant eval train"
        )
    weights = dict(zip(models.unit.features, models.unit.coef, strict=True))
    if models.memory is None and any(weights.get(name, 0.0) for name in MEMORY_UNIT_FEATURES):
        raise ConfigError(
            "Das Einheiten-Modell liest das Fragengedächtnis, die Modelldatei enthält aber keins ('memory'). "
            "Bitte neu trainieren: scp-assistant eval train"
        )
