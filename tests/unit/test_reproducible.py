"""Scores do not depend on the process: Python orders a set of strings differently in every process (hash
randomisation), and a float sum taken in that order differs in its last bits. Summed in set order, BM25 scores,
the mean idf of a unit and the wording prior moved by 1e-16 from one run to the next; near-equal scores then
swapped places, and `eval cv` of the same code gave 306 or 313 right decisions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from scp_assistant.models import Chunk
from scp_assistant.retrieve.bm25 import BM25Index

ROOT = Path(__file__).resolve().parents[2]


def corpus_index() -> BM25Index:
    """BM25 over the bundled documents' paragraphs (no embedder, no Chroma: only the sums are under test)."""
    chunks = [
        Chunk(path.stem, f"{path.stem}::{n:03d}", path.stem, "", "", "", "landesseite", "RLP", "", None, para)
        for path in sorted((ROOT / "corpus" / "docs").glob("*.md"))
        for n, para in enumerate(p for p in path.read_text(encoding="utf-8").split("\n\n") if len(p) > 80)
    ]
    return BM25Index(chunks)


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from scp_assistant.learn.features import FeatureExtractor
    from scp_assistant.learn.wording import WordingModel, VOCABULARY

    sys.path.insert(0, sys.argv[1])
    from test_reproducible import corpus_index

    bm25 = corpus_index()
    questions = [
        "Wie hoch ist der Eigenanteil bei Säule I, und wer genehmigt die Anträge aus dem Chancenbudget?",
        "Dürfen wir aus dem Trägerbudget Personal für schulübergreifende Angebote im Sozialraum finanzieren?",
        "Welche Berufsgruppen sind in Säule III förderfähig und wie erfolgt die Einstellung über die Schulträger?",
    ]
    out = {"bm25": [bm25.search(q, 20) for q in questions]}
    extractor = FeatureExtractor(bm25)
    out["mean_idf"] = [extractor._mean_idf(frozenset(bm25.query_terms(q))) for q in questions]
    words = sorted(VOCABULARY)
    wording = WordingModel({w: (i % 7 - 3) / 3.7 for i, w in enumerate(words)}, 0.1)
    out["wording"] = [wording.log_odds(" ".join(words[i::3])) for i in range(3)]
    print(json.dumps(out))
    """
)


def _run(seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(Path(__file__).parent)],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_scores_are_the_same_bits_in_every_process() -> None:
    runs = [_run(seed) for seed in ("1", "2", "3", "4")]
    assert all(runs[0]["bm25"]) and all(run == runs[0] for run in runs[1:])  # type: ignore[arg-type]


def test_bm25_scores_do_not_depend_on_the_order_of_the_query_terms() -> None:
    bm25 = corpus_index()
    question = "Welche Berufsgruppen sind in Säule III förderfähig, und wie erfolgt die Einstellung über die Träger?"
    forward = bm25.search(question, 30)
    terms = bm25.expanded_terms(question)
    assert len(terms) > 5
    bm25.expanded_terms = lambda text: dict(reversed(list(terms.items())))  # type: ignore[method-assign]
    assert bm25.search(question, 30) == forward
