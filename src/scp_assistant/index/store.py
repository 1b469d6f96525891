"""The VectorStore seam, and an in-memory implementation for unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    """Readers always see one complete index version. An ingest builds the next version beside it
    (``begin_version``, then ``upsert``/``delete`` go there) and switches readers over in one step
    (``commit_version``); a build that dies half way leaves the serving version untouched."""

    def info(self) -> StoreInfo | None:
        """Embedder id and dimension of the serving version, or None when there is none."""

    def begin_version(self, info: StoreInfo) -> None:
        """Start an empty new version for this embedder beside the serving one (dropping leftovers of builds
        that never finished)."""

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None:
        """Write into the version being built."""

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Remove from the version being built."""

    def commit_version(self) -> None:
        """Make the version being built the serving one, atomically for every reader."""

    def query(
        self,
        vector: Sequence[float],
        k: int,
        where: dict[str, str] | None = None,
        known: Mapping[str, Chunk] | None = None,
    ) -> list[DenseHit]:
        """The k nearest serving chunks. ``known``: chunks the caller already holds by id (the retriever keeps
        all of them for BM25); a store may take hits from it instead of loading their text again."""

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk of the serving version with its document hash (for incremental ingest and BM25)."""

    def vectors(self, chunk_ids: Sequence[str]) -> list[list[float]]:
        """Stored embeddings of serving chunks in the given order (unchanged documents are carried over to a new
        version without embedding them again)."""

    def count(self) -> int: ...

    def version(self) -> str:
        """Changes whenever a new version is served: processes compare it to notice new content."""


@dataclass
class _MemoryVersion:
    info: StoreInfo
    items: dict[str, tuple[StoredChunk, np.ndarray]]


class MemoryStore:
    """Exact cosine search over numpy arrays; deterministic, for tests and tiny corpora."""

    def __init__(self) -> None:
        self._serving: _MemoryVersion | None = None
        self._building: _MemoryVersion | None = None
        self._version = 0

    def info(self) -> StoreInfo | None:
        return self._serving.info if self._serving else None

    def begin_version(self, info: StoreInfo) -> None:
        self._building = _MemoryVersion(info, {})

    def _target(self) -> _MemoryVersion:
        if self._building is None:
            raise RuntimeError("begin_version() first: writes go to a new version")
        return self._building

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None:
        target = self._target()
        for item, vec in zip(items, vectors, strict=True):
            target.items[item.chunk.chunk_id] = (item, np.asarray(vec, dtype=np.float64))

    def delete(self, chunk_ids: Sequence[str]) -> None:
        target = self._target()
        for cid in chunk_ids:
            target.items.pop(cid, None)

    def commit_version(self) -> None:
        self._serving, self._building = self._target(), None
        self._version += 1

    def _items(self) -> dict[str, tuple[StoredChunk, np.ndarray]]:
        return self._serving.items if self._serving else {}

    def query(
        self,
        vector: Sequence[float],
        k: int,
        where: dict[str, str] | None = None,
        known: Mapping[str, Chunk] | None = None,
    ) -> list[DenseHit]:
        q = np.asarray(vector, dtype=np.float64)
        hits = [
            DenseHit(item.chunk, float(np.dot(q, vec)))
            for item, vec in self._items().values()
            if not where or all(getattr(item.chunk, key) == val for key, val in where.items())
        ]
        hits.sort(key=lambda h: (-h.score, h.chunk.chunk_id))
        return hits[:k]

    def all_chunks(self) -> list[StoredChunk]:
        return [item for item, _ in self._items().values()]

    def vectors(self, chunk_ids: Sequence[str]) -> list[list[float]]:
        items = self._items()
        return [items[cid][1].tolist() for cid in chunk_ids]

    def count(self) -> int:
        return len(self._items())

    def version(self) -> str:
        return str(self._version)
