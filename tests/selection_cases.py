"""Hand-made units and scores for the selection tests (``tests/unit/test_selection*.py``, ``test_answer_units.py``)."""

from __future__ import annotations

import numpy as np

from scp_assistant.answer.exclusions import excluded_units
from scp_assistant.answer.scoring import Featurized, Scored
from scp_assistant.learn.candidates import QueryTerms, UnitCandidate
from scp_assistant.learn.model import SelectionParams
from scp_assistant.learn.question import profile
from scp_assistant.learn.question_features import QUESTION_FEATURES, EvidenceView
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.models import Chunk

EVIDENCE = EvidenceView(0.5, 0, 0, 0, 0, True, False, False)


def chunk(doc: str, n: int = 0, text: str = "", page: int | None = None) -> Chunk:
    return Chunk(doc, f"{doc}::{n:03d}", f"Titel {doc}", "BM", f"https://example.org/{doc}", "2024-08-14",
                 "landesseite", "RLP", f"Abschnitt {n}", page, text)  # fmt: skip


def unit(
    text: str, doc: str = "a", n: int = 0, position: int = 0, parent: str = "", kind: str = "sentence"
) -> UnitCandidate:
    return UnitCandidate(text, chunk(doc, n, text), kind, position, 5, parent=parent)


def scored(question: str, units: list[UnitCandidate], p: list[float], part_p: list[list[float]] | None = None,
           p_refuse: float = 0.0, asked_pillars: frozenset[str] = frozenset(),
           part_places: tuple[frozenset[str], ...] = (),
           unit_places: tuple[frozenset[str], ...] = (),
           named_places: tuple[frozenset[str], ...] = ()) -> Scored:  # fmt: skip
    rows = np.zeros((len(units), len(UNIT_FEATURES)))
    prof = profile(question)
    parts = [rows.copy() for _ in prof.parts] if part_p else []
    query = QueryTerms({}, frozenset(), (), (), prof.kind)
    excluded = excluded_units(question, asked_pillars, rows, units)
    featurized = Featurized(
        prof, units, rows, parts, EVIDENCE, query, (), asked_pillars, excluded,
        part_places=part_places, unit_places=unit_places, named_places=named_places,
    )  # fmt: skip
    return Scored(
        featurized,
        np.array(p),
        [np.array(x) for x in part_p or []],
        np.zeros(len(QUESTION_FEATURES)),
        p_refuse,
    )


PARAMS = SelectionParams(add_above=0.6, part_above=0.3, budget=300)
