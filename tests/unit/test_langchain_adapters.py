from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from scp_assistant.container import Container
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.langchain_adapters import EmbeddingsAdapter, HybridLangChainRetriever


def test_embeddings_adapter_is_a_langchain_embeddings() -> None:
    fake = FakeEmbedder(32)
    adapter = EmbeddingsAdapter(fake)
    assert isinstance(adapter, Embeddings)
    assert adapter.embed_query("Säule I") == fake.embed_query("Säule I")
    assert adapter.embed_documents(["a b", "c d"]) == fake.embed_documents(["a b", "c d"])


def test_retriever_adapter_returns_documents_with_our_metadata(fake_container: Container) -> None:
    retriever = HybridLangChainRetriever(retriever=fake_container.retriever, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Mobiliar aus dem Chancenbudget")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["doc_id"] == "faq1"
    assert {"chunk_id", "title", "section", "page", "source_url", "score"} <= set(docs[0].metadata)
    only_other_land = HybridLangChainRetriever(retriever=fake_container.retriever, k=5, doc_type="anderes-land")
    assert {d.metadata["doc_id"] for d in only_other_land.invoke("Eigenanteil Säule I")} == {"nrw"}
