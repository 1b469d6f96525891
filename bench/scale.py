#!/usr/bin/env python3
"""Retrieval at scale: synthetic corpora of 1k, 10k and 100k chunks built from the bundled corpus.

Texts are recombined from sentences of real chunks; vectors are the real e5 vectors of the source chunk plus
small Gaussian noise (re-embedding 100k chunks would take hours on 2 cores): this measures the store, BM25 and
fusion, not the embedder. Query vectors are precomputed with e5 (the encoder's own time is printed separately).
Each size is then served by a fresh process, as an API worker would: it opens the store, loads BM25 and the e5
model, runs the queries and reports its own peak RSS (the building process holds far more than a worker).
usage: python bench/scale.py [--sizes 1000,10000,100000] [--queries 40]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from _common import write_results  # noqa: E402

from scp_assistant.container import Container  # noqa: E402
from scp_assistant.index.chroma_store import ChromaStore  # noqa: E402
from scp_assistant.index.store import StoredChunk, StoreInfo  # noqa: E402
from scp_assistant.models import Chunk  # noqa: E402
from scp_assistant.retrieve.hybrid import HybridRetriever  # noqa: E402
from scp_assistant.settings import ChromaSettings, RetrieveSettings, Settings  # noqa: E402
from scp_assistant.text import split_sentences  # noqa: E402


def serve(data_dir: Path, collection: str) -> int:
    """A serving process over one synthetic store: BM25 build time, retrieval latency and its own peak RSS."""
    from scp_assistant.index.embedders import create_embedder
    from scp_assistant.settings import EmbedderSettings

    job = json.loads(sys.stdin.read())
    questions, vectors = job["questions"], job["vectors"]
    embedder = create_embedder(EmbedderSettings())  # loaded as in a worker (its memory counts), not timed here
    embedder.embed_query("Warmlauf")
    store = ChromaStore(ChromaSettings(collection=collection), data_dir)
    started = time.perf_counter()
    retriever = HybridRetriever(store, embedder, RetrieveSettings())
    build_s = time.perf_counter() - started
    retriever.retrieve(questions[0], vector=vectors[0])
    lat = []
    for _ in range(3):
        for q, v in zip(questions, vectors, strict=False):
            t0 = time.perf_counter()
            retriever.retrieve(q, vector=v)
            lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    result = {
        "bm25_build_s": round(build_s, 1),
        "retrieve_p50_ms": round(statistics.median(lat), 1),
        "retrieve_p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--collection", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve, args.collection)
    rng = random.Random(3)
    work = Path(tempfile.mkdtemp(prefix="scp-scale-"))
    base = Container(Settings(data_dir=work / "base", corpus_dir=REPO / "corpus"))
    base.ingest_pipeline().run(REPO / "corpus")
    collection = base.store._get()  # type: ignore[attr-defined]
    got = collection.get(include=["embeddings", "documents", "metadatas"])
    real = list(zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True))
    sentences = [s for _, text, _, _ in real for s in split_sentences(text.replace("\n", " "))]
    questions = [q["question"] for q in yaml.safe_load((REPO / "eval" / "dev.yaml").read_text(encoding="utf-8"))]
    t0 = time.perf_counter()
    vectors = [base.embedder.embed_query(q) for q in questions[: args.queries]]
    encode_ms = (time.perf_counter() - t0) * 1000 / len(vectors)

    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        store = ChromaStore(ChromaSettings(collection=f"scale{size}"), work / f"s{size}")
        store.begin_version(StoreInfo("e5:multilingual-e5-small", 384))
        started = time.perf_counter()
        batch_items: list[StoredChunk] = []
        batch_vecs: list[list[float]] = []
        for i in range(size):
            _, text, meta, vec = real[i % len(real)]
            text = " ".join(rng.sample(sentences, 3)) if i >= len(real) else text
            noisy = np.asarray(vec) + np.random.default_rng(i).normal(0, 0.02, 384)
            noisy /= np.linalg.norm(noisy)
            chunk = Chunk(
                doc_id=f"{meta['doc_id']}-{i // len(real)}",
                chunk_id=f"syn::{i:06d}",
                title=str(meta["title"]),
                publisher=str(meta["publisher"]),
                source_url="",
                date="",
                doc_type=str(meta["doc_type"]),
                region=str(meta["region"]),
                section=str(meta["section"]),
                page=None,
                text=text,
            )
            batch_items.append(StoredChunk(chunk, "h", 1))
            batch_vecs.append(noisy.tolist())
            if len(batch_items) == 5000:
                store.upsert(batch_items, batch_vecs)
                batch_items, batch_vecs = [], []
        if batch_items:
            store.upsert(batch_items, batch_vecs)
        store.commit_version()
        insert_s = time.perf_counter() - started
        del store, batch_items, batch_vecs
        served = subprocess.run(
            [sys.executable, __file__, "--serve", str(work / f"s{size}"), "--collection", f"scale{size}"],
            input=json.dumps({"questions": questions[: args.queries], "vectors": vectors}),
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append({"chunks": size, "insert_s": round(insert_s, 1), **json.loads(served.stdout)})
        print(rows[-1], flush=True)
    write_results("scale", {"query_encode_ms": round(encode_ms, 1), "rows": rows})
    print(f"\ne5 query encoding: {encode_ms:.1f} ms per question (not included below)")
    print("| chunks | insert s | BM25 build s | retrieval p50 ms | p95 ms | worker peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['chunks']} | {r['insert_s']} | {r['bm25_build_s']} | {r['retrieve_p50_ms']} | "
            f"{r['retrieve_p95_ms']} | {r['rss_mb']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
