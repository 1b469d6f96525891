"""The unit model's feature names, what is known of a unit whatever the question (computed once and kept by
``features.FeatureExtractor``), and the feature that reads a unit's neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scp_assistant.learn.candidates import UNIT_KINDS, UnitCandidate
from scp_assistant.models import DOC_TYPES

UNIT_FEATURES = (
    "cov_unit", "cov_context", "cov_passage", "cov_heading", "focus_unit", "focus_passage", "names_missing",
    "numbers_in_unit", "has_amount", "has_date", "has_number", "has_body", "has_verdict", "has_place",
    "asks_amount_has_amount", "asks_count", "asks_count_has_count", "asks_when_has_date", "asks_who_has_body",
    "asks_yesno_has_verdict", "asks_where_has_place", "dense_z", "passage_rank_inv", "bm25_rank_inv", "dense_rank_inv",
    "log_chars", "short", "first_unit", "position", "heading_like", "lead_paragraph", "meta_words", "ends_colon",
    "region_match", "region_conflict", "fragment", "editorial", "slide", "novelty", "neighbor_cov", "mean_idf",
    "source_named", "source_other", "leans_back", "place_unasked",
    *(f"kind_{k}" for k in UNIT_KINDS), *(f"source_{t}" for t in DOC_TYPES),
)  # fmt: skip


@dataclass(frozen=True)
class UnitFacts:
    """What a unit is and says, whatever the question: its terms at several reaches, its source and its form."""

    own: frozenset[str]  # index terms of the unit's text
    around: frozenset[str]  # ... plus its context, parent, section heading and FAQ question
    near: frozenset[str]  # ... plus its context and parent only
    head: frozenset[str]
    passage: frozenset[str]
    folded: str
    region: frozenset[str]
    text: str
    fixed: dict[str, float]
    vector: np.ndarray  # the question-independent features at their places in a row
    count: bool  # a figure that can answer "wie viele" (not a year, a date or "ein")
    about: frozenset[str]  # what its document says about itself (title, publisher, type, lead paragraph)
    day: bool  # a date to the day ("18.06.", "4. Juni 2024")
    places: frozenset[str]  # the places its text or heading names
    span: bool  # a span of time ("auf zehn Jahre angelegt", "2024 bis 2034", "befristet")


def with_neighbours(rows: np.ndarray, candidates: Sequence[UnitCandidate]) -> np.ndarray:
    """Fill in ``neighbor_cov``: an answer often sits next to the sentence that names the topic."""
    if not len(rows):
        return rows
    cov, out = UNIT_FEATURES.index("cov_unit"), UNIT_FEATURES.index("neighbor_cov")
    at = {(c.chunk.chunk_id, c.position): i for i, c in enumerate(candidates)}
    for i, c in enumerate(candidates):
        near = [at.get((c.chunk.chunk_id, c.position + d)) for d in (-1, 1)]
        rows[i, out] = max((rows[j, cov] for j in near if j is not None), default=0.0)
    return rows
