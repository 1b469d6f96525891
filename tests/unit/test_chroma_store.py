"""The embedded Chroma store with tiny hand-made vectors (no model): versions and the search beam."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaClientSettings

from scp_assistant.index.chroma_store import SEARCH_EF, ChromaStore
from scp_assistant.index.store import StoredChunk, StoreInfo
from scp_assistant.models import Chunk
from scp_assistant.settings import ChromaSettings


def _chunk(cid: str, text: str) -> StoredChunk:
    chunk = Chunk("doc", cid, "Titel", "Verlag", "https://example.org", "", "faq", "RLP", "", None, text)
    return StoredChunk(chunk, "hash", 2, "corpus/doc.md")


def _built(tmp_path: Path) -> ChromaStore:
    store = ChromaStore(ChromaSettings(), tmp_path)
    store.begin_version(StoreInfo("test-embedder", 3))
    store.upsert([_chunk("doc#0", "Säule I"), _chunk("doc#1", "Säule II")], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    store.commit_version()
    return store


def _ef_search(path: Path) -> int:
    client = chromadb.PersistentClient(
        path=str(path / "chroma"), settings=ChromaClientSettings(anonymized_telemetry=False)
    )
    pointer = client.get_collection(f"{ChromaSettings().collection}__pointer", embedding_function=None)
    serving = client.get_collection(str((pointer.metadata or {})["current"]), embedding_function=None)
    return int(serving.configuration["hnsw"]["ef_search"])


def test_a_new_version_searches_with_the_wide_beam(tmp_path: Path) -> None:
    store = _built(tmp_path)
    assert [h.chunk.chunk_id for h in store.query([0.9, 0.1, 0.0], 2)] == ["doc#0", "doc#1"]
    assert _ef_search(tmp_path) == SEARCH_EF


def test_an_index_built_with_the_narrow_default_beam_gets_the_wide_one_when_opened(tmp_path: Path) -> None:
    _built(tmp_path)
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaClientSettings(anonymized_telemetry=False)
    )
    pointer = client.get_collection(f"{ChromaSettings().collection}__pointer", embedding_function=None)
    client.get_collection(str((pointer.metadata or {})["current"]), embedding_function=None).modify(
        configuration={"hnsw": {"ef_search": 100}}  # what older builds of this project left behind
    )
    assert _ef_search(tmp_path) == 100

    reopened = ChromaStore(ChromaSettings(), tmp_path)
    assert reopened.info() == StoreInfo("test-embedder", 3)
    assert _ef_search(tmp_path) == SEARCH_EF
    assert [h.chunk.chunk_id for h in reopened.query([0.0, 1.0, 0.0], 1)] == ["doc#1"]
