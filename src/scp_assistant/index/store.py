"""The VectorStore seam, and an in-memory implementation for unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scp_assistant.models import Chunk


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the store keeps it, with the hash of the document version it came from."""

    chunk: Chunk
    doc_hash: str
    doc_chunks: int
    path: str = ""  # source file relative to the corpus dir


@dataclass(frozen=True)
class DenseHit:
    chunk: Chunk
    score: float  # cosine similarity, higher is better


@dataclass(frozen=True)
class StoreInfo:
    embedder_id: str
    dim: int


class VectorStore(Protocol):
    def info(self) -> StoreInfo | None:
        """Embedder id and dimension the collection was built with, or None when it does not exist."""

    def reset(self, info: StoreInfo) -> None:
        """Drop everything and start an empty collection for this embedder."""

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def query(self, vector: Sequence[float], k: int, where: dict[str, str] | None = None) -> list[DenseHit]: ...

    def all_chunks(self) -> list[StoredChunk]:
        """Every stored chunk with its document hash (for incremental ingest and BM25)."""

    def count(self) -> int: ...

    def version(self) -> str:
        """Changes whenever an ingest changed the index: processes compare it to notice new content."""

    def bump_version(self) -> None: ...


class MemoryStore:
    """Exact cosine search over numpy arrays; deterministic, for tests and tiny corpora."""

    def __init__(self) -> None:
        self._info: StoreInfo | None = None
        self._items: dict[str, tuple[StoredChunk, np.ndarray]] = {}
        self._version = 0

    def info(self) -> StoreInfo | None:
        return self._info

    def reset(self, info: StoreInfo) -> None:
        self._info = info
        self._items.clear()

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None:
        for item, vec in zip(items, vectors, strict=True):
            self._items[item.chunk.chunk_id] = (item, np.asarray(vec, dtype=np.float64))

    def delete(self, chunk_ids: Sequence[str]) -> None:
        for cid in chunk_ids:
            self._items.pop(cid, None)

    def query(self, vector: Sequence[float], k: int, where: dict[str, str] | None = None) -> list[DenseHit]:
        q = np.asarray(vector, dtype=np.float64)
        hits = [
            DenseHit(item.chunk, float(np.dot(q, vec)))
            for item, vec in self._items.values()
            if not where or all(getattr(item.chunk, key) == val for key, val in where.items())
        ]
        hits.sort(key=lambda h: (-h.score, h.chunk.chunk_id))
        return hits[:k]

    def all_chunks(self) -> list[StoredChunk]:
        return [item for item, _ in self._items.values()]

    def count(self) -> int:
        return len(self._items)

    def version(self) -> str:
        return str(self._version)

    def bump_version(self) -> None:
        self._version += 1
