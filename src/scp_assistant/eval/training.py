"""Training the learned decisions on question sets (``eval train``; ``eval cv`` in ``cross_validation.py``).

Labels come from the sets themselves: a unit that covers a key fact of its question (the eval suite's fact
rule) and stands in an expected source answers it; every unit of a question to decline does not. Units that
cover a fact in a source the set does not expect are left out of training (neither right nor wrong).
The refusal model learns from the questions' ``expect`` on out-of-fold unit scores (stacking), and the
selection parameters are chosen on out-of-fold answers of the training questions. The question memory is built the
same way: a question scored out of fold is read with the memory of the questions its models were fitted on, and a
question a model is fitted on with that memory without itself.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scp_assistant.answer.prepared import Prepared
from scp_assistant.answer.scoring import (
    UNIT_MODEL_FEATURES,
    Featurized,
    Scored,
    memory_text,
    reads_wording,
    recall_for,
    score_with,
    with_memory,
)
from scp_assistant.answer.service import AnswerService
from scp_assistant.conversation.followup import FollowupResolver
from scp_assistant.conversation.resolution import Resolution
from scp_assistant.conversation.sessions import Turn
from scp_assistant.eval.conversations import fit_followup, followup_examples, play
from scp_assistant.eval.dataset import is_conversation, last_turn
from scp_assistant.eval.metrics import LEAD_WINDOW, judge
from scp_assistant.fact_rule import fact_covered
from scp_assistant.learn.fit import choose_params, fit_linear, stratified_folds
from scp_assistant.learn.memory import QuestionMemory, Recall, Remembered, nothing_recalled
from scp_assistant.learn.model import LinearModel, Models, SelectionParams
from scp_assistant.learn.question_features import QUESTION_FEATURES
from scp_assistant.learn.wording import WordingModel, fit_wording
from scp_assistant.models import Answer

log = logging.getLogger(__name__)
INNER_FOLDS = 5


@dataclass
class Example:
    """One question of a set (or the last turn of a conversation), retrieved and featurized once."""

    entry: dict[str, Any]  # for a conversation: its last turn, with the conversation's id and category
    prep: Prepared
    labels: np.ndarray  # per candidate: 1 answers, 0 does not, -1 left out
    turns: list[tuple[str, str]] | None = None  # a conversation's (question, searched query) per turn

    @property
    def featurized(self) -> Featurized | None:
        return self.prep.featurized

    @property
    def refuse(self) -> bool:
        return bool(self.entry["expect"] == "refuse")


def unit_labels(entry: dict[str, Any], featurized: Featurized | None) -> np.ndarray:
    if featurized is None:
        return np.zeros(0)
    if entry["expect"] == "refuse":
        return np.zeros(len(featurized.candidates))
    facts = list(entry.get("key_facts") or [])
    sources = set(entry.get("sources") or [])
    out = np.zeros(len(featurized.candidates))
    for i, cand in enumerate(featurized.candidates):
        if any(fact_covered(f, cand.display) for f in facts):
            out[i] = 1.0 if cand.chunk.doc_id in sources else -1.0
    return out


Resolve = Callable[[str, Turn | None], Resolution]


def featurize(
    service: AnswerService,
    entries: Sequence[dict[str, Any]],
    resolve: Resolve | None = None,
    cache: dict[str, Prepared] | None = None,
) -> list[Example]:
    """Retrieve and featurize every question; conversations are played through ``resolve`` (the session
    logic) and their last turn's query is used. ``cache`` keeps retrievals by query across calls."""
    cache = {} if cache is None else cache
    examples = []
    for entry in entries:
        turns = None
        if is_conversation(entry):
            turns = play(entry, resolve or (lambda q, _: Resolution(q, False))).turns
            query, entry = turns[-1][1], last_turn(entry)
        else:
            query = str(entry["question"])
        if query not in cache:
            cache[query] = service.retrieve(query)
        prep = dataclasses.replace(cache[query], question=str(entry["question"]))
        examples.append(Example(entry, prep, unit_labels(entry, prep.featurized), turns))
    return examples


def _unit_data(examples: Sequence[Example], recalls: Sequence[Recall]) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for ex, recall in zip(examples, recalls, strict=True):
        if ex.featurized is None or not len(ex.labels):
            continue
        keep = ex.labels >= 0
        rows.append(with_memory(ex.featurized.rows, recall)[keep])
        labels.append(ex.labels[keep])
    if not rows:
        return np.zeros((0, len(UNIT_MODEL_FEATURES))), np.zeros(0)
    return np.concatenate(rows), np.concatenate(labels)


def remember(examples: Sequence[Example]) -> QuestionMemory:
    """The memory of the training questions that reach the models (not those the screening declines, and no turn of
    a conversation: its own words with a topic carried from elsewhere, "Und wie sieht das Wirkmodell aus? (Martina
    Diedrich)", resemble any question on that topic): each as it is compared (``memory_text``: corrected), its key
    facts, the documents that answer it, and whether to decline it."""
    return QuestionMemory(
        [
            Remembered(
                str(ex.entry["id"]),
                memory_text(ex.featurized),
                () if ex.refuse else tuple(str(f) for f in ex.entry.get("key_facts") or []),
                ex.refuse,
                tuple(str(s) for s in ex.entry.get("sources") or []),
            )
            for ex in examples
            if ex.featurized is not None and ex.turns is None
        ]
    )


def _recalls(examples: Sequence[Example], memory: QuestionMemory) -> list[Recall]:
    """What the memory says of each question it holds, read as a new one (without itself)."""
    return [
        recall_for(ex.featurized, memory, str(ex.entry["id"])) if ex.featurized else nothing_recalled(0)
        for ex in examples
    ]


def _folds(examples: Sequence[Example], folds: int, salt: str) -> list[int]:  # inner folds of a training run
    keys = [str(ex.entry["id"]) for ex in examples]
    groups = [str(ex.entry.get("category") or ex.entry["expect"]) for ex in examples]
    return stratified_folds(keys, groups, folds, salt)


def _wording(examples: Sequence[Example]) -> WordingModel:
    # the questions whose wording the prior reads (answer/scoring.py): no English, no "… (topic)" follow-up
    read = [(ex.featurized, ex.refuse) for ex in examples if ex.featurized and reads_wording(ex.featurized)]
    return fit_wording([featurized.profile.text for featurized, _ in read], [refuse for _, refuse in read])


def _out_of_fold(examples: Sequence[Example]) -> list[Scored | None]:
    """Scores of every training question from models that did not see it (unit and wording models, then the
    refusal model)."""
    fold = _folds(examples, INNER_FOLDS, "inner")
    scored: list[Scored | None] = [None] * len(examples)
    for k in range(INNER_FOLDS):
        seen = [e for e, f in zip(examples, fold, strict=True) if f != k]
        memory = remember(seen)
        unit = fit_linear(*_unit_data(seen, _recalls(seen, memory)), UNIT_MODEL_FEATURES)
        wording = _wording(seen)
        for i, ex in enumerate(examples):
            if fold[i] == k and ex.featurized is not None:
                recall = recall_for(ex.featurized, memory)
                scored[i] = score_with(ex.featurized, unit, wording=wording, recall=recall)
    rows = np.array([s.question_row for s in scored if s is not None])
    targets = np.array([ex.refuse for ex, s in zip(examples, scored, strict=True) if s is not None], dtype=float)
    owners = [i for i, s in enumerate(scored) if s is not None]
    for k in range(INNER_FOLDS):
        train = [j for j, i in enumerate(owners) if fold[i] != k]
        refusal = fit_linear(rows[train], targets[train], QUESTION_FEATURES)
        for j, i in enumerate(owners):
            if fold[i] == k:
                s = scored[i]
                assert s is not None
                scored[i] = dataclasses.replace(s, p_refuse=float(refusal.predict(rows[j][None, :])[0]))
    return scored


def conclude(service: AnswerService, prep: Prepared, scored: Scored, models: Models) -> Answer:
    """The answer a question gets with these scores and parameters (a copy of ``prep`` is used)."""
    trial = dataclasses.replace(prep, refusal=None, scored=scored)
    return service.conclude(trial, models)


def fit(service: AnswerService, examples: Sequence[Example], sets: Sequence[str] = ()) -> Models:
    """Unit model, refusal model and selection parameters from the training questions."""
    usable = [ex for ex in examples if ex.featurized is not None]
    memory = remember(usable)
    unit_rows, unit_targets = _unit_data(usable, _recalls(usable, memory))
    unit = fit_linear(unit_rows, unit_targets, UNIT_MODEL_FEATURES)
    oof = _out_of_fold(usable)
    rows = np.array([s.question_row for s in oof if s is not None])
    targets = np.array([ex.refuse for ex, s in zip(usable, oof, strict=True) if s is not None], dtype=float)
    refusal = fit_linear(rows, targets, QUESTION_FEATURES)
    wording = _wording(usable)
    pairs = [(ex, s) for ex, s in zip(usable, oof, strict=True) if s is not None]

    known: dict[tuple[int, SelectionParams], tuple[bool, bool, int]] = {}
    judged: dict[tuple[int, str, tuple[str, ...]], tuple[bool, bool, int]] = {}

    def outcome(params: SelectionParams) -> list[tuple[bool, bool, int]]:
        never = dataclasses.replace(params, refuse_above=2.0)  # never decline here: the threshold is not read
        trial = Models(unit, refusal, never)
        out = []
        for i, (ex, s) in enumerate(pairs):
            # a question of one part reads nothing of the budget factor for questions of several
            multi = s.featurized.profile.multi_part
            key = (i, never if multi else dataclasses.replace(never, multi_part_factor=1.0))
            if key not in known:
                answer = conclude(service, ex.prep, s, trial)
                # parameters that differ mostly give the same answer: it is judged once
                said = (i, answer.answer, tuple(c.doc_id for c in answer.citations))
                if said not in judged:
                    verdict = judge(ex.entry, answer.to_dict())
                    facts = ex.entry.get("key_facts") or []
                    lead = any(fact_covered(f, answer.answer[:LEAD_WINDOW]) for f in facts)
                    judged[said] = (verdict.correct if not ex.refuse else False, lead, len(answer.answer))
                known[key] = judged[said]
            out.append(known[key])
        return out

    # a question about a place the documents never name is declined whatever the refusal model says
    refuse_p = [1.0 if ex.prep.foreign_places else s.p_refuse for ex, s in pairs]
    params, objective = choose_params(outcome, refuse_p, [ex.refuse for ex, _ in pairs])
    info = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "question_sets": list(sets),
        "questions": len(examples),
        "unit_rows": len(unit_targets),
        "objective_out_of_fold": round(objective, 4),
        "strongest_unit_features": unit.strongest(),
        "strongest_refusal_features": refusal.strongest(),
        "strongest_wording": wording.strongest(),
    }
    return Models(unit, refusal, params, info=info, wording=wording, memory=memory)


def train(
    service: AnswerService, resolver: Callable[[LinearModel | None], FollowupResolver],
    entries: Sequence[dict[str, Any]], sets: Sequence[str] = (), cache: dict[str, Prepared] | None = None,
) -> tuple[Models, list[Example]]:  # fmt: skip
    """The follow-up model from the conversations, then everything else from all questions (conversations with
    the queries the trained follow-up model gives them)."""
    followup = fit_followup(resolver(None), followup_examples(entries))
    examples = featurize(service, entries, resolver(followup).resolve, cache)
    models = fit(service, examples, sets)
    if followup is not None:
        models.info["strongest_followup_features"] = followup.strongest()
    return dataclasses.replace(models, followup=followup), examples


def blank_models() -> Models:
    """Models that know nothing (all weights zero): to featurize question sets before anything is trained."""

    def zero(features: Sequence[str]) -> LinearModel:
        n = len(features)
        return LinearModel(tuple(features), (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0)

    return Models(zero(UNIT_MODEL_FEATURES), zero(QUESTION_FEATURES))


def describe(models: Models) -> str:
    lines = [f"Parameter: {dataclasses.asdict(models.params)}"]
    named = [("Einheiten", models.unit), ("Ablehnung", models.refusal), ("Folgefrage", models.followup)]
    for name, model in ((n, m) for n, m in named if m is not None):
        lines.append(f"Stärkste Merkmale ({name}): " + ", ".join(f"{f} {w:+.2f}" for f, w in model.strongest()))
    if models.wording is not None:
        strongest = models.wording.strongest()
        lines.append("Stärkste Wörter (Formulierung → Ablehnung): " + ", ".join(f"{f} {w:+.2f}" for f, w in strongest))
    return "\n".join(lines)


def median_chars(answers: Sequence[Answer]) -> float:
    return statistics.median(len(a.answer) for a in answers) if answers else 0.0
