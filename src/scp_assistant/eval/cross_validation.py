"""Cross-validation of the learned decisions (``eval cv``): every question answered by models that never saw it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scp_assistant.answer.prepared import Prepared
from scp_assistant.answer.service import AnswerService
from scp_assistant.conversation.followup import FollowupResolver
from scp_assistant.eval.training import featurize, train
from scp_assistant.learn.fit import stratified_folds
from scp_assistant.learn.model import LinearModel
from scp_assistant.models import Answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrossValidated:
    answers: dict[str, Answer]  # id -> the answer from models that never saw the question
    turns: dict[str, list[tuple[str, str]]]  # conversation id -> (question, searched query) per turn


def cross_validate(
    service: AnswerService,
    resolver: Callable[[LinearModel | None], FollowupResolver],
    entries: Sequence[dict[str, Any]],
    folds: int = 5,
    split: int = 0,
) -> CrossValidated:
    """Every question (and conversation) answered by models fitted on the other folds, the follow-up model
    included. ``split`` picks another (equally stratified) assignment of questions to folds: a change judged on
    several splits is judged less by which questions happened to train together."""
    keys = [str(e["id"]) for e in entries]
    salt = "outer" if split == 0 else f"outer-{split}"
    fold = stratified_folds(keys, [str(e.get("category") or e.get("expect")) for e in entries], folds, salt)
    cache: dict[str, Prepared] = {}
    answers: dict[str, Answer] = {}
    turns: dict[str, list[tuple[str, str]]] = {}
    for k in range(folds):
        models, _ = train(service, resolver, [e for e, f in zip(entries, fold, strict=True) if f != k], (), cache)
        held = [e for e, f in zip(entries, fold, strict=True) if f == k]
        for ex in featurize(service, held, resolver(models.followup).resolve, cache):
            fresh = dataclasses.replace(ex.prep, scored=None, started=time.perf_counter())
            if ex.featurized is not None:
                fresh.refusal = None
            answers[str(ex.entry["id"])] = service.answer(fresh, models)
            if ex.turns is not None:
                turns[str(ex.entry["id"])] = ex.turns
        log.info("fold %d/%d done", k + 1, folds)
    return CrossValidated(answers, turns)
