#!/usr/bin/env python3
"""Tune the support threshold of generated sentences on pairs built from the corpus.

Positive pair: a sentence with the passage it comes from (lightly paraphrased: every third word dropped, as a
model would shorten). Negative pair: the same sentence with a passage of another document that shares at least
one content word (harder than a random one). Prints accuracy per threshold for the blended score (lexical + e5)
and for lexical overlap alone. usage: python bench/support_threshold.py [--pairs 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from scp_assistant.answer.llm.validate import SupportChecker  # noqa: E402
from scp_assistant.container import Container  # noqa: E402
from scp_assistant.settings import Settings  # noqa: E402
from scp_assistant.text import analyze, split_sentences  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(7)
    container = Container(Settings(data_dir=Path(tempfile.mkdtemp()), corpus_dir=REPO / "corpus"))
    container.ingest_pipeline().run(REPO / "corpus")
    chunks = [s.chunk for s in container.store.all_chunks()]
    samples = []
    for chunk in rng.sample(chunks, min(len(chunks), args.pairs)):
        sentences = [s for s in split_sentences(chunk.text.replace("\n", " ")) if len(s.split()) >= 6]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        words = sentence.split()
        shortened = " ".join(w for i, w in enumerate(words) if i % 3 != 2)
        terms = set(analyze(sentence))
        others = [c for c in chunks if c.doc_id != chunk.doc_id and terms & set(analyze(c.text))]
        if not others:
            continue
        samples.append((shortened, chunk.text, rng.choice(others).text))
    blended = SupportChecker(container.embedder.embed_query, container.embedder.embed_documents)
    lexical = SupportChecker()
    for name, checker in (("blended (lexical + e5)", blended), ("lexical only", lexical)):
        pos = [checker.score(s, p) for s, p, _ in samples]
        neg = [checker.score(s, n) for s, _, n in samples]
        print(f"\n{name}: {len(samples)} positive and {len(samples)} negative pairs")
        print("| threshold | kept (true support) | rejected (unrelated) | accuracy |\n|---|---|---|---|")
        for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            tp = sum(x >= t for x in pos) / len(pos)
            tn = sum(x < t for x in neg) / len(neg)
            print(f"| {t} | {tp:.3f} | {tn:.3f} | {(tp + tn) / 2:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
