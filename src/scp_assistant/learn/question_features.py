"""Features of the refusal model: do the documents answer the question at all? Computed from the unit model's
scores of the question's candidate units and from the evidence judge's question-level signals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scp_assistant.learn.memory import MEMORY_QUESTION_FEATURES
from scp_assistant.learn.question import QuestionProfile
from scp_assistant.learn.unit_facts import UNIT_FEATURES

# what the evidence says, not what kind of question it is: a prior on the question's form ("how many ...?",
# English, several parts) would learn which forms the training sets happened to leave unanswered. Nor how close the
# question is to the passages as a whole (e5), alone or inside the hand-made evidence score: it got a positive
# weight, because a question the documents cannot answer is often written in their own words; without both, 920 ->
# 939 right out of fold over three splits (README, round 24). The evidence score's other parts are features of
# their own here
QUESTION_FEATURES = (
    "p_best", "p_second", "p_top3", "p_best_top3_passages", "coverage", "unknown", "unresolved",
    "foreign", "missing_numbers", "programme", "eligibility", "names_missing_best", "names_missing_passages",
    "typed_best", "focus_best", "names_typed", "p_weakest_part", "cov_best", "names_missing_top3", "typed_top3",
    "numbers_best", "place_slot_missing", "wording", "topic_apart", *MEMORY_QUESTION_FEATURES,
)  # fmt: skip


@dataclass(frozen=True)
class EvidenceView:
    """The question-level signals of the rule-based evidence judge (answer/evidence.py)."""

    coverage: float
    unknown: int
    unresolved: int
    foreign: int
    missing_numbers: int
    programme: bool
    english: bool
    eligibility: bool


def question_features(
    profile: QuestionProfile,
    evidence: EvidenceView,
    unit_rows: np.ndarray,
    unit_p: np.ndarray,
    passage_ranks: Sequence[int],
    part_best: Sequence[float],
    wording: float = 0.0,
    memory: Mapping[str, float] | None = None,
    topic_apart: float = 0.0,
) -> np.ndarray:
    """Refusal-model features from the scored units of a question (rows as in UNIT_FEATURES); ``wording``: the
    log-odds of declining that the question's wording alone gives (``learn/wording.py``); ``topic_apart``: of a
    follow-up, how far its own words and the topic it carries are from meeting in one unit (``scoring.py``)."""
    col = {name: i for i, name in enumerate(UNIT_FEATURES)}
    order = np.argsort(-unit_p, kind="stable") if len(unit_p) else np.array([], dtype=int)
    p = unit_p[order] if len(unit_p) else np.zeros(1)
    best = order[0] if len(order) else None
    top3 = [i for i, r in enumerate(passage_ranks) if r < 3]
    typed = [
        "asks_amount_has_amount", "asks_count_has_count", "asks_when_has_date", "asks_who_has_body",
        "asks_yesno_has_verdict", "asks_where_has_place",
    ]  # fmt: skip
    typed_any = unit_rows[:, [col[t] for t in typed]].max(axis=1) if len(unit_rows) else np.zeros(0)
    asks_typed = profile.kind in ("amount", "count", "when", "who", "yesno", "where")
    typed_p = unit_p * (typed_any if asks_typed else 1.0) if len(unit_p) else np.zeros(1)
    values = {
        "p_best": float(p[0]),
        "p_second": float(p[1]) if len(p) > 1 else 0.0,
        "p_top3": float(np.mean(p[:3])),
        "p_best_top3_passages": float(max((unit_p[i] for i in top3), default=0.0)),
        "coverage": evidence.coverage,
        "unknown": min(evidence.unknown, 3),
        "unresolved": min(evidence.unresolved, 3),
        "foreign": min(evidence.foreign, 3),
        "missing_numbers": min(evidence.missing_numbers, 3),
        "programme": float(evidence.programme),
        "eligibility": float(evidence.eligibility),
        "names_missing_best": float(unit_rows[best, col["names_missing"]]) if best is not None else 1.0,
        "names_missing_passages": float(unit_rows[:, col["names_missing"]].min()) if len(unit_rows) else 1.0,
        "typed_best": float(typed_p.max()) if len(typed_p) else 0.0,
        "focus_best": float((unit_rows[:, col["focus_unit"]] * unit_p).max()) if len(unit_rows) else 0.0,
        # the question's names (places, bodies) and what it asks for (an amount, a count, a date) in one unit:
        # "Wie viele Schulen in Ludwigshafen?" is answered by "In Ludwigshafen nehmen 14 Schulen teil", "Wie viel
        # Geld bekommt Trier?" is not answered by "In Trier nehmen 9 Schulen teil"
        "names_typed": float(((1.0 - unit_rows[:, col["names_missing"]]) * (typed_any if asks_typed else 1.0)).max())
        if len(unit_rows)
        else 0.0,
        "p_weakest_part": float(min(part_best)) if part_best else float(p[0]),
        # what the answer would be made of: the best units (by the unit model) and what they cover of the question
        "cov_best": float(unit_rows[best, col["cov_context"]]) if best is not None else 0.0,
        "names_missing_top3": float(unit_rows[order[:3], col["names_missing"]].min()) if len(order) else 1.0,
        "typed_top3": float(typed_any[order[:3]].max()) if len(order) and asks_typed else 1.0,
        "numbers_best": float(unit_rows[best, col["numbers_in_unit"]]) if best is not None else 0.0,
        # a question about a place that asks for an amount, count, date, body or place, and no unit of that
        # place's documents holds one: "Wie viel Geld bekommt die VG Obere Kyll?" next to its school count
        "place_slot_missing": float(asks_typed and _place_slot_missing(unit_rows, typed_any, col)),
        "wording": wording,
        # a follow-up whose own words and the topic it carries meet in no unit the model believes: "Und wie viele
        # davon in Worms? (FSJ-Kräfte)" finds Worms' schools and the FSJ figure of the Land, never both
        "topic_apart": topic_apart,
        **{name: 0.0 for name in MEMORY_QUESTION_FEATURES},
        **(memory or {}),  # what the similar training questions say (``learn/memory.py``)
    }
    return np.fromiter((values[n] for n in QUESTION_FEATURES), dtype=np.float64, count=len(QUESTION_FEATURES))


def _place_slot_missing(unit_rows: np.ndarray, typed_any: np.ndarray, col: Mapping[str, int]) -> bool:
    if not len(unit_rows):
        return False
    local = unit_rows[:, col["region_match"]] > 0.5
    about_place = bool(local.any() or (unit_rows[:, col["region_conflict"]] > 0.5).any())
    return about_place and not bool((local & (typed_any > 0.5)).any())
