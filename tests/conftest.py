from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from helpers import hand_models, small_corpus
from scp_assistant.container import Container
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.index.store import MemoryStore
from scp_assistant.retrieve.spelling import GeneralLexicon
from scp_assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return small_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        embedder={"backend": "fake"},  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def lexicon() -> GeneralLexicon:
    """The general word list of the spelling correction, loaded once for all tests that share it."""
    return GeneralLexicon()


@pytest.fixture
def fake_container(settings: Settings, corpus: Path, lexicon: GeneralLexicon) -> Container:
    """A container on fakes (in-memory store, hashing embedder), with the small corpus ingested."""
    container = Container(
        settings, store=MemoryStore(), embedder=FakeEmbedder(64), models=hand_models(), lexicon=lexicon
    )
    report = container.ingest_pipeline().run(corpus)
    assert report.ok, report.failures
    return container


@pytest.fixture(scope="session")
def real_container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    """The bundled corpus ingested with the real e5 model into real embedded Chroma (once per session)."""
    data = tmp_path_factory.mktemp("real-data")
    settings = Settings(data_dir=data, corpus_dir=REPO / "corpus")
    container = Container(settings)
    report = container.ingest_pipeline().run(REPO / "corpus")
    assert report.ok, report.failures
    return container


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus: Path) -> Path:
    """For CLI tests: real embedded Chroma in a temp dir, fake embedder (fast), the small corpus."""
    monkeypatch.setenv("SCP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCP_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("SCP_EMBEDDER__BACKEND", "fake")
    models = tmp_path / "hand-models.json"
    hand_models().save(models)  # the plumbing under test, not what the shipped model learned on the real corpus
    monkeypatch.setenv("SCP_ANSWER__MODEL_PATH", str(models))
    return corpus
