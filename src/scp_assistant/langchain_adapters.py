"""Thin adapters so users can plug our parts into their own LangChain chains.

- :class:`EmbeddingsAdapter` exposes any of our embedders as LangChain ``Embeddings``
  (documents and queries keep their own e5 prefixes).
- :class:`HybridLangChainRetriever` exposes the hybrid retriever as a LangChain ``BaseRetriever``; each
  ``Document`` carries our chunk metadata (doc_id, chunk_id, title, section, page, source_url, ...).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from scp_assistant.index.embedders import Embedder
from scp_assistant.models import ScoredChunk
from scp_assistant.retrieve.hybrid import Filters, HybridRetriever


class EmbeddingsAdapter(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_query(text)


def to_document(scored: ScoredChunk) -> Document:
    return Document(page_content=scored.chunk.text, metadata={**scored.chunk.metadata(), "score": scored.score})


class HybridLangChainRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # HybridRetriever; typed loosely so that fakes can stand in
    k: int = 6
    doc_type: str | None = None
    region: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        engine: HybridRetriever = self.retriever
        ranked = engine.retrieve(query, Filters(self.doc_type, self.region), limit=self.k)
        return [to_document(s) for s in ranked]
