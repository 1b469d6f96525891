"""Concurrent questions share encoder calls, and every caller still gets its own vector (or its error)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from scp_assistant.index.batching import BatchingEmbedder
from scp_assistant.index.embedders import FakeEmbedder, Vector


class SlowEncoder(FakeEmbedder):
    """A fake whose batch call takes a while, so that callers pile up behind it; records each call's size."""

    def __init__(self, delay_s: float = 0.02, fail_on: str | None = None, hold: threading.Event | None = None) -> None:
        super().__init__(dim=16)
        self.delay_s = delay_s
        self.hold = hold  # the first call waits for it: callers pile up whatever the machine's speed
        self.fail_on = fail_on
        self.sizes: list[int] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.sizes.append(len(texts))
        try:
            if self.hold is not None:
                self.hold.wait(timeout=30)
                self.hold = None
            time.sleep(self.delay_s)
            if self.fail_on is not None and self.fail_on in texts:
                raise ValueError(f"cannot encode {self.fail_on!r}")
            return [self._vector(t) for t in texts]
        finally:
            with self._lock:
                self.active -= 1


def _ask_concurrently(embedder: BatchingEmbedder, texts: list[str]) -> dict[str, Vector | BaseException]:
    results: dict[str, Vector | BaseException] = {}
    start = threading.Barrier(len(texts))

    def run(text: str) -> None:
        start.wait()
        try:
            results[text] = embedder.embed_query(text)
        except BaseException as exc:  # collected for the assertions
            results[text] = exc

    threads = [threading.Thread(target=run, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_a_lone_question_is_encoded_at_once_alone() -> None:
    inner = SlowEncoder(delay_s=0.0)
    embedder = BatchingEmbedder(inner, max_batch=8)
    assert embedder.embed_query("Wer entscheidet?") == FakeEmbedder(dim=16).embed_query("Wer entscheidet?")
    assert inner.sizes == [1]


def test_concurrent_questions_share_calls_and_each_caller_gets_its_own_vector() -> None:
    hold = threading.Event()
    inner = SlowEncoder(delay_s=0.0, hold=hold)
    embedder = BatchingEmbedder(inner, max_batch=8)
    texts = [f"Frage Nummer {i} zum Chancenbudget" for i in range(40)]

    def release_when_all_wait() -> None:  # the first call holds the encoder until the other 39 are queued
        deadline = time.monotonic() + 30
        while len(embedder._pending) < len(texts) - 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        hold.set()

    releaser = threading.Thread(target=release_when_all_wait)
    releaser.start()
    results = _ask_concurrently(embedder, texts)
    releaser.join()
    reference = FakeEmbedder(dim=16)
    assert all(results[t] == reference.embed_query(t) for t in texts)
    assert sum(inner.sizes) == len(texts)  # every question encoded exactly once
    assert inner.sizes == [1, 8, 8, 8, 8, 7]  # the first alone, the waiting ones in batches of at most 8
    assert inner.max_active == 1  # one encoder call at a time
    assert sorted(embedder.batches) == sorted(inner.sizes)


def test_an_encoder_error_reaches_the_callers_of_that_batch_only_and_the_next_calls_work() -> None:
    inner = SlowEncoder(fail_on="kaputt")
    embedder = BatchingEmbedder(inner, max_batch=64)
    texts = ["kaputt"] + [f"Frage {i}" for i in range(15)]
    results = _ask_concurrently(embedder, texts)
    assert isinstance(results["kaputt"], ValueError)
    failed = {t for t, r in results.items() if isinstance(r, BaseException)}
    ok = set(texts) - failed
    assert all(results[t] == FakeEmbedder(dim=16).embed_query(t) for t in ok)
    # whoever shared the failing call got its error; the encoder is free again afterwards
    assert embedder.embed_query("Frage danach") == FakeEmbedder(dim=16).embed_query("Frage danach")


def test_max_batch_one_means_one_question_per_call() -> None:
    inner = SlowEncoder(delay_s=0.005)
    embedder = BatchingEmbedder(inner, max_batch=1)
    _ask_concurrently(embedder, [f"q{i}" for i in range(10)])
    assert inner.sizes == [1] * 10


@pytest.mark.parametrize("method", ["embed_documents", "embed_queries"])
def test_batch_methods_pass_through(method: str) -> None:
    inner = FakeEmbedder(dim=16)
    embedder = BatchingEmbedder(inner)
    assert getattr(embedder, method)(["a b", "c"]) == getattr(FakeEmbedder(dim=16), method)(["a b", "c"])
    assert (embedder.id, embedder.dim) == (inner.id, inner.dim)
