"""Hybrid retrieval: dense top-k fused with BM25 by weighted reciprocal rank fusion."""

from __future__ import annotations

import dataclasses
import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scp_assistant.asking import LETTER_SENTENCES, asks
from scp_assistant.errors import IndexEmptyError, IndexMismatchError, InputError
from scp_assistant.index.embedders import Embedder, Vector
from scp_assistant.index.store import VectorStore
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.compounds import Lexicon
from scp_assistant.settings import RetrieveSettings
from scp_assistant.text import chat_sentences

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filters:
    doc_type: str | None = None
    region: str | None = None

    def as_where(self) -> dict[str, str]:
        return {k: v for k, v in (("doc_type", self.doc_type), ("region", self.region)) if v}

    def allows(self, chunk: Chunk) -> bool:
        return all(getattr(chunk, k) == v for k, v in self.as_where().items())


def dense_z(ranked: Sequence[ScoredChunk]) -> dict[str, float]:
    """Dense similarity as a z-score within the candidate pool: comparable across embedders, whose raw
    cosine scales differ (e5 crowds everything into 0.8-0.95, others spread wider)."""
    scores = [s.dense_score for s in ranked if s.dense_rank is not None]
    if len(scores) < 3:
        return {s.chunk.chunk_id: 0.0 for s in ranked}
    mean = statistics.fmean(scores)
    std = statistics.pstdev(scores) or 1.0
    return {s.chunk.chunk_id: ((s.dense_score - mean) / std if s.dense_rank is not None else -1.0) for s in ranked}


class HybridRetriever:
    """Built once per process: loads every chunk from the store for BM25 (never rebuilt per query)."""

    def __init__(
        self, store: VectorStore, embedder: Embedder, settings: RetrieveSettings, lexicon: Lexicon | None = None
    ) -> None:
        """``lexicon``: everyday words, for BM25 to read coordinations ("Ergo-, Spiel- und Lerntherapeut/in"); without
        one, only the corpus vocabulary completes them."""
        info = store.info()
        if info is None or store.count() == 0:
            raise IndexEmptyError(
                "Es gibt noch keinen Index. Bitte zuerst die Dokumente einlesen: scp-assistant ingest corpus"
            )
        if info.embedder_id != embedder.id or info.dim != embedder.dim:
            raise IndexMismatchError(
                f"Der Index wurde mit {info.embedder_id} ({info.dim} Dimensionen) gebaut, eingestellt ist "
                f"{embedder.id} ({embedder.dim}). Bitte neu einlesen: scp-assistant ingest corpus"
            )
        self._store = store
        self._embedder = embedder
        self.settings = settings
        chunks = sorted((s.chunk for s in store.all_chunks()), key=lambda c: c.chunk_id)
        self.bm25 = BM25Index(chunks, lexicon=lexicon)
        self._by_id = {c.chunk_id: c for c in chunks}
        log.info("hybrid retriever ready: %d chunks", len(chunks))

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self.bm25.chunks

    def embed_query(self, query: str) -> list[float]:
        return self._embedder.embed_query(query)

    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        limit: int | None = None,
        vector: list[float] | None = None,
    ) -> list[ScoredChunk]:
        """Dense and BM25 candidates of the query, fused; for a question of several sentences ("Bei uns will der
        Fußballverein nachmittags was anbieten. Gibts da im SCP nen Topf für?") each sentence is searched too and
        fused at ``sentence_weight``: one sentence carries the topic, another the ask, and the whole blurs both.

        Such a question is encoded sentence by sentence: the searched sentences one by one, whatever else it says
        ("Danke!", a fourth sentence) as one more text, and the vector of the whole is the mean of theirs, weighted
        by length, as e5 pools the windows of a long text. No text is encoded twice: one run of the model fewer
        than encoding the whole as well, and at most four runs whatever the length. A caller's ``vector`` stands
        for the whole question."""
        filters = filters or Filters()
        where = filters.as_where() or None
        allowed = self.allowed(filters)
        pieces = chat_sentences(query, dashes=True)
        parts = _searched(pieces) if self.settings.sentence_weight > 0 else []
        vectors = [self._embedder.embed_query(part) for part in parts]
        if vector is None and parts:
            vector = self._whole(query, pieces, parts, vectors)
        runs = [(self._search(query, where, allowed, vector), 1.0)]
        weight = self.settings.sentence_weight
        runs += [(self._search(part, where, allowed, v), weight) for part, v in zip(parts, vectors, strict=True)]
        return self._fuse(runs)[: limit or None]

    def allowed(self, filters: Filters) -> set[int] | None:
        """The chunks the filters let through (None: no filter); a filter that no document matches is an input
        error that names the values there are (a typo in it would otherwise look like a question out of scope)."""
        if not filters.as_where():
            return None
        allowed = {i for i, c in enumerate(self.bm25.chunks) if filters.allows(c)}
        if not allowed:
            raise InputError(self._no_match(filters))
        return allowed

    def _no_match(self, filters: Filters) -> str:
        """Which filter matches no document, with the values the index has."""
        for key, said, value in (
            ("doc_type", "hat den Typ", filters.doc_type),
            ("region", "gehört zur Region", filters.region),
        ):
            known = sorted({getattr(c, key) for c in self.bm25.chunks})
            if value and value not in known:
                listed = "; ".join(f"„{k}“" for k in known)
                return f"Kein Dokument {said} „{value}“. Vorhanden: {listed}."
        return "Kein Dokument hat diesen Typ in dieser Region; einen der beiden Filter weglassen."

    def _whole(self, query: str, pieces: Sequence[str], parts: Sequence[str], vectors: Sequence[Vector]) -> Vector:
        """The whole question's vector from its searched sentences' and the rest of its pieces."""
        rest = " ".join(p for p in pieces if p not in parts)
        texts, vecs = list(parts), list(vectors)
        if rest:
            texts.append(rest)
            vecs.append(self._embedder.embed_query(rest))
        weights = np.asarray([len(t) for t in texts], dtype=np.float64)[:, None]
        total = (np.asarray(vecs, dtype=np.float64) * weights).sum(axis=0)
        norm = float(np.linalg.norm(total))
        whole: Vector = (total / norm).tolist() if norm > 0 else self._embedder.embed_query(query)
        return whole

    def _search(
        self, query: str, where: dict[str, str] | None, allowed: set[int] | None, vector: list[float] | None
    ) -> _Run:
        s = self.settings
        vector = vector if vector is not None else self._embedder.embed_query(query)
        dense = self._store.query(vector, s.candidates, where, self._by_id)
        sparse = self.bm25.search(query, s.candidates, allowed)
        return _Run([(h.chunk, h.score) for h in dense], [(self.bm25.chunks[i], score) for i, score in sparse])

    def _fuse(self, runs: Sequence[tuple[_Run, float]]) -> list[ScoredChunk]:
        """Weighted reciprocal rank fusion over the runs; ranks and scores as features come from the first run
        that found a passage (the whole question before its sentences)."""
        s = self.settings
        fused: dict[str, float] = {}
        seen: dict[str, ScoredChunk] = {}
        for run, weight in runs:
            found: dict[str, ScoredChunk] = {}
            for rank, (chunk, score) in enumerate(run.dense):
                fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + weight * s.dense_weight / (s.rrf_k + rank + 1)
                found[chunk.chunk_id] = ScoredChunk(chunk, 0.0, dense_score=score, dense_rank=rank)
            for rank, (chunk, _score) in enumerate(run.sparse):
                fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + weight * s.bm25_weight / (s.rrf_k + rank + 1)
                base = found.get(chunk.chunk_id, ScoredChunk(chunk, 0.0))
                found[chunk.chunk_id] = dataclasses.replace(base, bm25_rank=rank)
            for cid, hit in found.items():
                seen.setdefault(cid, hit)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        return [dataclasses.replace(seen[cid], score=score) for cid, score in ranked]


@dataclass(frozen=True)
class _Run:
    """One query's candidates: dense hits and BM25 hits with their scores, best first."""

    dense: list[tuple[Chunk, float]]
    sparse: list[tuple[Chunk, float]]


SEARCHED_SENTENCES = LETTER_SENTENCES  # the sentences of a question searched on their own, at most


def sentences(query: str, limit: int = SEARCHED_SENTENCES) -> list[str]:
    """The sentences of a question of several (each of at least three words), at most ``limit``; none for a
    question of one sentence."""
    return _searched(chat_sentences(query, dashes=True), limit)


def _searched(pieces: Sequence[str], limit: int = SEARCHED_SENTENCES) -> list[str]:
    """In a message of more sentences than searched (a pasted e-mail), its questions, even one: "Können wir … über
    Säule III finanzieren?" after four sentences of background, which the search of the whole message covers."""
    parts = [p for p in pieces if len(p.split()) >= 3]
    asking = [p for p in parts if asks(p)]
    if len(parts) > limit and asking:
        return asking[:limit]
    return parts[:limit] if len(parts) > 1 else []
