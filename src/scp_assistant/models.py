"""Our own types that cross the seams between stages (no Chroma or LangChain types here)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DOC_TYPES = (
    "faq",
    "landesseite",
    "bund",
    "kommune",
    "presse",
    "forschung",
    "verband",
    "anderes-land",
    "praesentation",
)

RefusalReason = Literal["not_covered", "out_of_scope", "adversarial", "needs_context", "small_talk"]


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str
    title: str
    publisher: str
    source_url: str
    date: str
    doc_type: str
    region: str
    path: str = ""


@dataclass(frozen=True)
class Section:
    """A natural unit of a document before chunking: a Markdown section, an FAQ entry or a PDF page."""

    heading: str
    text: str
    page: int | None = None
    question: str = ""  # FAQ entries: the question, kept apart from the answer text


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    sections: list[Section]
    content_hash: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    chunk_id: str
    title: str
    publisher: str
    source_url: str
    date: str
    doc_type: str
    region: str
    section: str
    page: int | None
    text: str
    question: str = ""

    def metadata(self) -> dict[str, Any]:
        """The descriptive fields (everything but the text), e.g. for a store or a LangChain Document."""
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "publisher": self.publisher,
            "source_url": self.source_url,
            "date": self.date,
            "doc_type": self.doc_type,
            "region": self.region,
            "section": self.section,
            "page": self.page,
            "question": self.question,
        }

    def cite(self, n: int, quote: str) -> Citation:
        return Citation(
            n=n,
            doc_id=self.doc_id,
            title=self.title,
            publisher=self.publisher,
            source_url=self.source_url,
            date=self.date,
            section=self.section,
            page=self.page,
            quote=quote,
            chunk_id=self.chunk_id,
        )

    def embedding_text(self) -> str:
        """What the embedder sees: title and section give context to short passages."""
        head = f"{self.title} – {self.section}" if self.section else self.title
        return f"{head}\n{self.text}"


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float
    dense_score: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    publisher: str
    source_url: str
    date: str
    section: str
    page: int | None
    quote: str
    chunk_id: str = ""


@dataclass(frozen=True)
class RetrievedRef:
    doc_id: str
    chunk_id: str
    score: float


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    refusal_reason: RefusalReason | None
    notice: str | None
    backend: str
    citations: list[Citation]
    retrieved: list[RetrievedRef]
    latency_ms: float = 0.0
    searched: str = ""  # what was searched: the question with typing errors corrected (the chat shows it)
    # questions to ask instead (small talk, no topic named, nothing to point back at)
    suggestions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("searched")
        for c in data["citations"]:
            c.pop("chunk_id", None)
        data["latency_ms"] = round(self.latency_ms, 1)
        return data
