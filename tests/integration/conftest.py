from __future__ import annotations

from pathlib import Path

import pytest

from scp_assistant.container import Container
from scp_assistant.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    """The bundled corpus ingested with the real e5 model into real embedded Chroma (once per session)."""
    data = tmp_path_factory.mktemp("real-data")
    settings = Settings(data_dir=data, corpus_dir=REPO / "corpus")
    container = Container(settings)
    report = container.ingest_pipeline().run(REPO / "corpus")
    assert report.ok, report.failures
    return container
