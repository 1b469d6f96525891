"""Hybrid retrieval: dense top-k fused with BM25 by weighted reciprocal rank fusion."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scp_assistant.errors import IndexEmptyError, IndexMismatchError
from scp_assistant.index.embedders import Embedder
from scp_assistant.index.store import VectorStore
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.settings import RetrieveSettings

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

    def __init__(self, store: VectorStore, embedder: Embedder, settings: RetrieveSettings) -> None:
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
        self.bm25 = BM25Index(chunks)
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
        s = self.settings
        filters = filters or Filters()
        vector = vector if vector is not None else self._embedder.embed_query(query)
        dense = self._store.query(vector, s.candidates, filters.as_where() or None, self._by_id)
        allowed = None
        if filters.as_where():
            allowed = {i for i, c in enumerate(self.bm25.chunks) if filters.allows(c)}
        sparse = self.bm25.search(query, s.candidates, allowed)

        fused: dict[str, float] = {}
        by_id: dict[str, Chunk] = {}
        dense_info: dict[str, tuple[float, int]] = {}
        bm25_rank: dict[str, int] = {}
        for rank, hit in enumerate(dense):
            cid = hit.chunk.chunk_id
            by_id[cid] = hit.chunk
            dense_info[cid] = (hit.score, rank)
            fused[cid] = fused.get(cid, 0.0) + s.dense_weight / (s.rrf_k + rank + 1)
        for rank, (idx, _score) in enumerate(sparse):
            chunk = self.bm25.chunks[idx]
            cid = chunk.chunk_id
            by_id.setdefault(cid, chunk)
            bm25_rank[cid] = rank
            fused[cid] = fused.get(cid, 0.0) + s.bm25_weight / (s.rrf_k + rank + 1)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        margin = sparse[0][1] / sparse[1][1] if len(sparse) > 1 and sparse[1][1] > 0 else 0.0
        out = [
            ScoredChunk(
                chunk=by_id[cid],
                score=score,
                dense_score=dense_info.get(cid, (0.0, 0))[0],
                dense_rank=dense_info[cid][1] if cid in dense_info else None,
                bm25_rank=bm25_rank.get(cid),
                bm25_margin=margin if bm25_rank.get(cid) == 0 else 0.0,
            )
            for cid, score in ranked
        ]
        return out[: limit or len(out)]
