from pathlib import Path

import pytest

from helpers import write_markdown
from scp_assistant.errors import CorpusError
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.index.store import MemoryStore, StoreInfo
from scp_assistant.ingest.pipeline import IngestPipeline
from scp_assistant.retrieve.hybrid import HybridRetriever
from scp_assistant.settings import IngestSettings, RetrieveSettings


class CountingFactory:
    def __init__(self, fail_after: int | None = None) -> None:
        self.created = 0
        self.fail_after = fail_after

    def __call__(self) -> FakeEmbedder:
        self.created += 1
        factory = self

        class Exploding(FakeEmbedder):
            def embed_documents(self, texts):  # type: ignore[no-untyped-def]
                if factory.fail_after is not None and self.calls >= factory.fail_after:
                    raise RuntimeError("crash mid-ingest")
                return super().embed_documents(texts)

        return Exploding(64)


def pipeline(store: MemoryStore, factory: CountingFactory) -> IngestPipeline:
    return IngestPipeline(store, factory, "fake:64", IngestSettings())


def test_first_ingest_indexes_every_document(corpus: Path) -> None:
    store = MemoryStore()
    report = pipeline(store, CountingFactory()).run(corpus)
    assert report.ok
    assert report.documents == 5
    assert sorted(report.added) == ["cb1", "faq1", "folien", "nrw", "s3"]
    assert report.chunks == store.count() == report.embedded_chunks
    assert any("Seiten ohne Text" in w.message for w in report.warnings)


def test_unchanged_reingest_does_not_load_the_embedder(corpus: Path) -> None:
    store = MemoryStore()
    pipeline(store, CountingFactory()).run(corpus)
    factory = CountingFactory()
    report = pipeline(store, factory).run(corpus)
    assert factory.created == 0
    assert report.unchanged == 5 and report.embedded_chunks == 0 and not report.added and not report.updated


def test_changed_document_is_replaced_and_deleted_document_disappears(corpus: Path) -> None:
    store = MemoryStore()
    pipeline(store, CountingFactory()).run(corpus)
    write_markdown(corpus, "cb1", "Chancenbudget des Schulträgers", {"Neu": "Ganz neuer Inhalt zum Trägerbudget."})
    (corpus / "docs" / "s3.md").unlink()
    report = pipeline(store, CountingFactory()).run(corpus)
    assert report.updated == ["cb1"] and report.removed == ["s3"]
    texts = [s.chunk.text for s in store.all_chunks() if s.chunk.doc_id == "cb1"]
    assert any("Ganz neuer Inhalt" in t for t in texts)
    assert not any("übertragen" in t for t in texts)  # stale chunks of the old version are gone
    assert not [s for s in store.all_chunks() if s.chunk.doc_id == "s3"]
    bm25_docs = {c.doc_id for c in HybridRetriever(store, FakeEmbedder(64), RetrieveSettings()).chunks}
    assert "s3" not in bm25_docs


def test_broken_file_is_reported_and_its_indexed_version_kept(corpus: Path) -> None:
    store = MemoryStore()
    pipeline(store, CountingFactory()).run(corpus)
    before = {s.chunk.chunk_id for s in store.all_chunks() if s.chunk.doc_id == "cb1"}
    (corpus / "docs" / "cb1.md").write_text("kein Front Matter mehr", encoding="utf-8")
    (corpus / "pdf" / "kaputt.pdf").write_bytes(b"%PDF-1.4 garbage")
    report = pipeline(store, CountingFactory()).run(corpus)
    assert not report.ok
    assert sorted(f.path for f in report.failures) == ["docs/cb1.md", "pdf/kaputt.pdf"]
    assert "cb1" not in report.removed
    assert {s.chunk.chunk_id for s in store.all_chunks() if s.chunk.doc_id == "cb1"} == before


def test_a_reindex_that_crashes_half_way_leaves_the_old_version_serving(corpus: Path) -> None:
    store = MemoryStore()
    assert pipeline(store, CountingFactory()).run(corpus).ok
    before = {(s.chunk.chunk_id, s.doc_hash, s.chunk.text) for s in store.all_chunks()}
    version = store.version()
    for path in sorted((corpus / "docs").glob("*.md")):
        path.write_text(path.read_text(encoding="utf-8") + "\n## Nachtrag\n\nNeuer Absatz.\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        pipeline(store, CountingFactory(fail_after=1)).run(corpus)  # dies after the first changed document
    assert {(s.chunk.chunk_id, s.doc_hash, s.chunk.text) for s in store.all_chunks()} == before
    assert store.version() == version  # readers never saw a half-built version
    report = pipeline(store, CountingFactory()).run(corpus)
    assert report.ok and report.documents == 5 and store.version() != version
    assert any(s.chunk.section == "Nachtrag" for s in store.all_chunks())
    assert pipeline(store, CountingFactory()).run(corpus).unchanged == 5


def test_queries_during_a_build_see_the_serving_version_and_unchanged_vectors_are_carried_over(
    corpus: Path,
) -> None:
    store = MemoryStore()
    pipeline(store, CountingFactory()).run(corpus)
    probe = store.all_chunks()[0].chunk.chunk_id
    vector = store.vectors([probe])[0]
    store.begin_version(StoreInfo("fake:64", 64))
    assert store.count() > 0 and store.query(vector, 1)[0].chunk.chunk_id == probe  # still the old version
    store.commit_version()
    assert store.count() == 0  # an empty build, committed, is what readers see
    factory = CountingFactory()
    report = pipeline(store, factory).run(corpus)
    assert report.embedded_chunks == report.chunks  # nothing to carry over from an empty version
    (corpus / "docs" / "cb1.md").write_text(
        (corpus / "docs" / "cb1.md").read_text(encoding="utf-8") + "\n## Neu\n\nText.\n", encoding="utf-8"
    )
    report = pipeline(store, CountingFactory()).run(corpus)
    assert report.updated == ["cb1"] and report.embedded_chunks < report.chunks
    assert store.vectors([probe])[0] == vector or probe.startswith("cb1")


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="nicht gefunden"):
        pipeline(MemoryStore(), CountingFactory()).run(tmp_path / "fehlt")
    (tmp_path / "leer").mkdir()
    with pytest.raises(CorpusError, match="Keine Dokumente"):
        pipeline(MemoryStore(), CountingFactory()).run(tmp_path / "leer")


def test_duplicate_ids_are_rejected(corpus: Path) -> None:
    write_markdown(corpus, "copy-of-cb1", "Kopie", {"A": "Text."})
    path = corpus / "docs" / "copy-of-cb1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("id: copy-of-cb1", "id: cb1"), encoding="utf-8")
    report = pipeline(MemoryStore(), CountingFactory()).run(corpus)
    assert [f.path for f in report.failures] == ["docs/copy-of-cb1.md"]
    assert "doppelte id" in report.failures[0].message


def test_limits_skip_huge_files_long_pdfs_and_slow_extraction(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time as _time

    from helpers import make_pdf
    from scp_assistant.ingest import loaders

    (corpus / "pdf" / "riesig.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 300_000)
    (corpus / "pdf" / "lang.pdf").write_bytes(make_pdf([f"Seite {i} mit etwas Text darauf." for i in range(12)]))
    settings = IngestSettings(max_file_mb=0.2, max_pdf_pages=10, max_seconds_per_file=30)
    report = IngestPipeline(MemoryStore(), CountingFactory(), "fake:64", settings).run(corpus)
    failures = {f.path: f.message for f in report.failures}
    assert "zu groß" in failures["pdf/riesig.pdf"] and "12 Seiten" in failures["pdf/lang.pdf"]
    assert report.documents == 5  # the rest is ingested

    real_extract = loaders.page_text

    def slow(page: object) -> str:  # a page that takes forever, like a PDF bomb
        _time.sleep(30)
        return real_extract(page)

    monkeypatch.setattr(loaders, "page_text", slow)
    (corpus / "pdf" / "riesig.pdf").unlink()
    (corpus / "pdf" / "lang.pdf").unlink()
    started = _time.monotonic()
    report = IngestPipeline(MemoryStore(), CountingFactory(), "fake:64", IngestSettings(max_seconds_per_file=1.0)).run(
        corpus
    )
    assert _time.monotonic() - started < 10
    assert "länger als 1 s" in {f.path: f.message for f in report.failures}["pdf/folien.pdf"]
    assert report.documents == 4
