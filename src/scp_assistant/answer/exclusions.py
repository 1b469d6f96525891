"""Units an answer never uses, whatever their score: they are about another place, school year or pillar than
the question, or they are a contact line and the question does not ask whom to contact.

A question about Trier is not answered from a page on Worms, "Und für 2025/26?" not with the 2024/25 figures,
a question about Säule II not with a sentence that names only Säule I. The refusal decision sees the same
exclusions: what the answer could never show does not count as evidence that the documents answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.question import NTH_YEAR, pillars
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.learn.unit_text import ASKS_CONTACT, CONTACT

_CONFLICT = UNIT_FEATURES.index("region_conflict")
_SCHOOL_YEAR = re.compile(r"\b(20\d\d)\s?/\s?(?:20)?(\d\d)\b")
# what a document's title, a unit or a question says about its pillar without naming it ("Richtlinie
# Investitionsprogramm Startchancen (Bayern)" is Säule I, "FAQ Schuleigenes Chancenbudget" Säule II)
_TITLE_TOPICS = (
    ("I", re.compile(r"investition|schulbau", re.I)),
    ("II", re.compile(r"chancenbudget|trägerbudget", re.I)),
    ("III", re.compile(r"multiprofession", re.I)),
)
_ORDINALS = {"first": "erst", "second": "zweit", "third": "dritt", "fourth": "viert", "fifth": "fünft"}


def school_years(text: str) -> set[str]:
    """School years a text names, normalised: "2024/25", "2024/2025" -> "2024/25"; a year of the programme
    counts as one too ("im ersten Programmjahr" -> "erst")."""
    ordinals = (m.group(1) or m.group(2) for m in NTH_YEAR.finditer(text))
    nth = {_ORDINALS.get(o.lower(), o.lower()) for o in ordinals}
    return {f"{a}/{b}" for a, b in _SCHOOL_YEAR.findall(text)} | nth


def other_school_year(question: str, cands: Sequence[UnitCandidate]) -> set[int]:
    """Units that name school years, none of them one the question asks about ("im ersten Programmjahr" for
    "Und im zweiten Jahr?"). A programme year and a calendar school year are not compared."""
    asked = school_years(question)
    if not asked:
        return set()
    return {
        i
        for i, c in enumerate(cands)
        if (named := school_years(c.display)) and not named & asked and _kinds(named) & _kinds(asked)
    }


def _kinds(years: set[str]) -> set[bool]:
    return {"/" in y for y in years}


def unit_pillars(cand: UnitCandidate) -> frozenset[str]:
    """The pillars a unit is about: those it names; else those its section names; else those its words stand for
    ("ADD/Schulaufsicht: - Genehmigt Anträge aus Chancenbudget" is Säule II, walk-through of round 43); else the
    one pillar its document's title names ("Investitionsprogramm (Säule I)": "Beispiele sind: Kreativ- und
    Lernlabore …")."""
    named = pillars(cand.display) or pillars(cand.context) or pillars(cand.chunk.section) or _topics(cand.display)
    if named:
        return named
    title = pillars(cand.chunk.title) or _topics(cand.chunk.title)
    return title if len(title) == 1 else frozenset()


def _topics(text: str) -> frozenset[str]:
    return frozenset(n for n, topic in _TITLE_TOPICS if topic.search(text))


def asked_pillars(own: str, carried: str = "") -> frozenset[str]:
    """The pillars a question asks about: those it names and those its words stand for ("… Säule I … und wie lange
    gilt der Betrag des Trägerbudgets?" asks about I and II, "das Trägerbudget von Worms" about II); else those of
    the topic a follow-up carries."""
    named = pillars(own) | _topics(own)
    return named or pillars(carried)


def other_pillar(asked: frozenset[str], cands: Sequence[UnitCandidate]) -> set[int]:
    """Units about pillars, none of them one the question asks about."""
    if not asked:
        return set()
    return {i for i, c in enumerate(cands) if (named := unit_pillars(c)) and not named & asked}


def contact_lines(question: str, cands: Sequence[UnitCandidate]) -> set[int]:
    """Addresses to write or call, unless the question asks for one: "Probleme mit dem SCP-Portal richten Sie an
    startchancen(at)bm.rlp.de" answers "An wen wende ich mich?", not every question that says "SCP"."""
    if ASKS_CONTACT.search(question):
        return set()
    return {i for i, c in enumerate(cands) if CONTACT.search(c.display)}


def excluded_units(
    question: str, asked_pillars: frozenset[str], rows: np.ndarray, cands: Sequence[UnitCandidate]
) -> frozenset[int]:
    """Indices of the candidates an answer to ``question`` must not use (rows as in UNIT_FEATURES)."""
    out = set(np.flatnonzero(rows[:, _CONFLICT] > 0.5).tolist()) if len(cands) else set()
    out |= other_school_year(question, cands)
    out |= other_pillar(asked_pillars, cands)
    out |= contact_lines(question, cands)
    return frozenset(out)
