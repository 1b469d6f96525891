"""Chroma behind our VectorStore seam: embedded PersistentClient by default, HttpClient for a server.

We always pass our own vectors; Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scp_assistant.errors import BackendUnavailableError
from scp_assistant.index.store import DenseHit, StoredChunk, StoreInfo
from scp_assistant.models import Chunk
from scp_assistant.settings import ChromaSettings

log = logging.getLogger(__name__)
SEARCH_EF = 200

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
        self._collection: Any = None  # the serving version, resolved through the pointer
        self._serving_name: str | None = None
        self._building: Any = None
        self._count: int | None = None  # cached for queries; reset when the serving version changes

    # ---- versions -------------------------------------------------------------------------------
    # Each index version is its own collection "<name>__v<n>". A small pointer collection "<name>__pointer"
    # names the serving one in its metadata; switching versions is one metadata write. A store built before
    # versions existed (a plain "<name>" collection) keeps serving until the first new version is committed.

    def _pointer(self) -> dict[str, Any]:
        try:
            return dict(self._client.get_collection(f"{self._name}__pointer", embedding_function=None).metadata or {})
        except Exception:  # chromadb raises NotFoundError / ValueError depending on version
            return {}

    def _get(self) -> Any:
        if self._collection is None:
            name = str(self._pointer().get("current", self._name))
            try:
                self._collection = self._client.get_collection(name, embedding_function=None)
            except Exception:
                return None
            self._serving_name = name
            _widen_search(self._collection)
        return self._collection

    def _forget(self) -> None:
        self._collection, self._serving_name, self._count = None, None, None

    def info(self) -> StoreInfo | None:
        col = self._get()
        if col is None:
            return None
        meta = col.metadata or {}
        if "embedder" not in meta:
            return None
        return StoreInfo(str(meta["embedder"]), int(meta.get("dim", 0)))

    def begin_version(self, info: StoreInfo) -> None:
        pointer = self._pointer()
        serving = str(pointer.get("current", self._name))
        number = int(pointer.get("version", 0)) + 1
        for name in self._collection_names():  # unfinished builds and versions no reader uses any more
            if name.startswith(f"{self._name}__v") and name != serving:
                self._client.delete_collection(name)
        self._building = self._client.create_collection(
            f"{self._name}__v{number}",
            embedding_function=None,
            # a wide search beam: with the default (max(10, k)) the tail of the top k is approximate and came out
            # different between processes (a passage at 0.768 missing, one at 0.754 in its place); at this size
            # 200 makes the search practically exact, and the answer deterministic
            configuration={"hnsw": {"space": "cosine", "ef_search": SEARCH_EF, "ef_construction": SEARCH_EF}},
            metadata={"embedder": info.embedder_id, "dim": info.dim, "version": number},
        )

    def _collection_names(self) -> list[str]:
        return [str(getattr(c, "name", c)) for c in self._client.list_collections()]

    def _target(self) -> Any:
        if self._building is None:
            raise RuntimeError("begin_version() first: writes go to a new version")
        return self._building

    def upsert(self, items: Sequence[StoredChunk], vectors: Sequence[Sequence[float]]) -> None:
        col = self._target()
        for start in range(0, len(items), _BATCH):
            part = items[start : start + _BATCH]
            col.upsert(
                ids=[i.chunk.chunk_id for i in part],
                embeddings=[list(v) for v in vectors[start : start + _BATCH]],
                documents=[i.chunk.text for i in part],
                metadatas=[_to_meta(i) for i in part],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        col = self._target()
        for start in range(0, len(chunk_ids), _BATCH):
            col.delete(ids=list(chunk_ids[start : start + _BATCH]))

    def commit_version(self) -> None:
        built = self._target()
        number = int((built.metadata or {}).get("version", 0))
        pointer = self._client.get_or_create_collection(
            f"{self._name}__pointer", embedding_function=None, metadata={"current": built.name, "version": number}
        )
        pointer.modify(metadata={"current": built.name, "version": number})  # the switch, one write
        self._building = None
        self._forget()

    def vectors(self, chunk_ids: Sequence[str]) -> list[list[float]]:
        col = self._get()
        found: dict[str, list[float]] = {}
        for start in range(0, len(chunk_ids), _BATCH):
            res = col.get(ids=list(chunk_ids[start : start + _BATCH]), include=["embeddings"])
            for cid, vec in zip(res["ids"], res["embeddings"], strict=True):
                found[cid] = [float(x) for x in vec]
        return [found[cid] for cid in chunk_ids]

    def query(
        self,
        vector: Sequence[float],
        k: int,
        where: dict[str, str] | None = None,
        known: Mapping[str, Chunk] | None = None,
    ) -> list[DenseHit]:
        try:
            return self._query(vector, k, where, known or {})
        except Exception:
            log.info("serving collection changed under a query; resolving the pointer again")
            self._forget()
            return self._query(vector, k, where, known or {})

    def _query(
        self, vector: Sequence[float], k: int, where: dict[str, str] | None, known: Mapping[str, Chunk]
    ) -> list[DenseHit]:
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
        # ids and distances only (a third of the cost); texts come from `known` or, for the rest, one get
        res = col.query(query_embeddings=[list(vector)], n_results=n, where=clause, include=["distances"])
        ids, distances = res["ids"][0], res["distances"][0]
        chunks = {cid: known[cid] for cid in ids if cid in known}
        missing = [cid for cid in ids if cid not in chunks]
        if missing:
            got = col.get(ids=missing, include=["documents", "metadatas"])
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                chunks[cid] = _from_meta(cid, text, meta).chunk
        return [DenseHit(chunks[cid], 1.0 - float(dist)) for cid, dist in zip(ids, distances, strict=True)]

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
        pointer = self._pointer()
        current = str(pointer.get("current", self._name))
        if self._serving_name is not None and current != self._serving_name:
            self._forget()  # another process committed a new version
        return (
            f"{current}:{pointer.get('version', 0)}" if pointer else ("legacy" if self._get() is not None else "none")
        )


def _widen_search(collection: Any) -> None:
    """An index built before the wide search beam gets it now, not only with its next rebuilt version: the beam
    is a setting of the collection that can be changed in place."""
    try:
        hnsw = dict((collection.configuration or {}).get("hnsw") or {})
        if int(hnsw.get("ef_search") or 0) < SEARCH_EF:
            collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
            log.info("Suchbreite der Sammlung %s auf %d erhöht", collection.name, SEARCH_EF)
    except Exception as exc:  # an older server without configurable collections: search as before
        log.warning("Suchbreite der Sammlung %s nicht änderbar: %s", getattr(collection, "name", "?"), exc)
