"""Chroma behind our VectorStore seam: embedded PersistentClient by default, HttpClient for a server.

We always pass our own vectors; Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scp_assistant.errors import BackendUnavailableError
from scp_assistant.index.store import DenseHit, StoredChunk, StoreInfo
from scp_assistant.models import Chunk
from scp_assistant.settings import ChromaSettings

log = logging.getLogger(__name__)

_BATCH = 500


def _to_meta(item: StoredChunk) -> dict[str, Any]:
    meta = item.chunk.metadata()
    del meta["chunk_id"]  # the record id
    meta.update(page=item.chunk.page or 0, doc_hash=item.doc_hash, doc_chunks=item.doc_chunks, path=item.path)
    return meta


def _from_meta(chunk_id: str, text: str, meta: dict[str, Any]) -> StoredChunk:
    chunk = Chunk(
        doc_id=str(meta["doc_id"]),
        chunk_id=chunk_id,
        title=str(meta.get("title", "")),
        publisher=str(meta.get("publisher", "")),
        source_url=str(meta.get("source_url", "")),
        date=str(meta.get("date", "")),
        doc_type=str(meta.get("doc_type", "")),
        region=str(meta.get("region", "")),
        section=str(meta.get("section", "")),
        page=int(meta.get("page") or 0) or None,
        text=text,
        question=str(meta.get("question", "")),
    )
    return StoredChunk(chunk, str(meta.get("doc_hash", "")), int(meta.get("doc_chunks", 0)), str(meta.get("path", "")))


class ChromaStore:
    def __init__(self, settings: ChromaSettings, data_dir: Path) -> None:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaClientSettings

        client_settings = ChromaClientSettings(anonymized_telemetry=False)
        self._name = settings.collection
        try:
            if settings.host:
                self._client = chromadb.HttpClient(host=settings.host, port=settings.port, settings=client_settings)
            else:
                path = data_dir / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=client_settings)
        except Exception as exc:
            where = f"{settings.host}:{settings.port}" if settings.host else str(data_dir)
            raise BackendUnavailableError(f"Chroma unter {where} ist nicht erreichbar: {exc}") from exc
        self._collection: Any = None
        self._count: int | None = None  # cached for queries; reset by every write

    def _get(self) -> Any:
        if self._collection is None:
            try:
                self._collection = self._client.get_collection(self._name, embedding_function=None)
            except Exception:  # chromadb raises NotFoundError / ValueError depending on version
                return None
        return self._collection

    def info(self) -> StoreInfo | None:
        col = self._get()
        if col is None:
            return None
        meta = col.metadata or {}
        if "embedder" not in meta:
            return None
        return StoreInfo(str(meta["embedder"]), int(meta.get("dim", 0)))

    def reset(self, info: StoreInfo) -> None:
        self._count = None
        try:
            self._client.delete_collection(self._name)
        except Exception:
            log.debug("no collection %s to delete", self._name)
        self._collection = self._client.create_collection(
            self._name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": info.embedder_id, "dim": info.dim},
        )

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None:
        self._count = None
        col = self._get()
        for start in range(0, len(items), _BATCH):
            part = items[start : start + _BATCH]
            col.upsert(
                ids=[i.chunk.chunk_id for i in part],
                embeddings=[list(v) for v in vectors[start : start + _BATCH]],
                documents=[i.chunk.text for i in part],
                metadatas=[_to_meta(i) for i in part],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        self._count = None
        col = self._get()
        for start in range(0, len(chunk_ids), _BATCH):
            col.delete(ids=list(chunk_ids[start : start + _BATCH]))

    def query(self, vector: Sequence[float], k: int, where: dict[str, str] | None = None) -> list[DenseHit]:
        col = self._get()
        if col is None:
            return []
        if self._count is None:
            self._count = int(col.count())
        n = min(k, self._count)
        if n == 0:
            return []
        clause: dict[str, Any] | None = None
        if where:
            terms = [{key: {"$eq": val}} for key, val in where.items()]
            clause = terms[0] if len(terms) == 1 else {"$and": terms}
        res = col.query(
            query_embeddings=[list(vector)],
            n_results=n,
            where=clause,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for cid, text, meta, dist in zip(
            res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
        ):
            hits.append(DenseHit(_from_meta(cid, text, meta).chunk, 1.0 - float(dist)))
        return hits

    def all_chunks(self) -> list[StoredChunk]:
        col = self._get()
        if col is None:
            return []
        out: list[StoredChunk] = []
        total = col.count()
        for offset in range(0, total, 5000):
            res = col.get(include=["documents", "metadatas"], limit=5000, offset=offset)
            for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                out.append(_from_meta(cid, text, meta))
        return out

    def count(self) -> int:
        col = self._get()
        return 0 if col is None else int(col.count())

    def version(self) -> str:
        col = self._get()
        if col is None:
            return "none"
        try:
            fresh = self._client.get_collection(self._name, embedding_function=None)  # metadata as stored now
        except Exception:
            return "none"
        return f"{fresh.id}:{(fresh.metadata or {}).get('version', 0)}"

    def bump_version(self) -> None:
        col = self._get()
        if col is None:
            return
        meta = dict(col.metadata or {})
        meta["version"] = int(meta.get("version", 0)) + 1
        meta.pop("hnsw:space", None)
        col.modify(metadata=meta)
        self._collection = None
