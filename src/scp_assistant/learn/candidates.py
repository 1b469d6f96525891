"""What the learned models read about a question and its answer candidates: an answer unit with where it stands
(built by ``answer/units.py``) and a question's weighted terms (built by ``FeatureExtractor.query``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scp_assistant.models import Chunk

UNIT_KINDS = ("sentence", "list", "item", "faq")


@dataclass(frozen=True)
class UnitCandidate:
    """One answer unit of a retrieved passage, with where it stands."""

    text: str  # as shown (a list as "- " lines)
    chunk: Chunk
    kind: str  # sentence | list | item | faq
    position: int  # index of the unit in its passage
    units_in_passage: int
    context: str = ""  # what it stands under: section heading, FAQ question, slide block heading, list lead-in
    parent: str = ""  # shown above a list item or slide bullet ("ADD/Schulaufsicht")
    passage_rank: int = 0
    dense_z: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None

    @property
    def display(self) -> str:
        return f"{self.parent}\n{self.text}" if self.parent else self.text


@dataclass(frozen=True)
class QueryTerms:
    """A question (or a part of one) as the features see it: weighted index terms, its rarest terms, names."""

    weights: Mapping[str, float]  # term -> idf x weight
    focus: frozenset[str]  # the rarest terms (highest idf)
    names: tuple[str, ...]  # folded names, acronyms and places written in the question
    numbers: tuple[str, ...]
    kind: str
    places: frozenset[str] = field(default_factory=frozenset)  # folded region words the question names
    sources: frozenset[str] = field(default_factory=frozenset)  # terms of the source it cites ("laut ism")
    day: bool = False  # it asks for the day ("An welchem Datum …?"): a month or a year does not answer it
    span: bool = False  # it asks how long ("Wie lange läuft …?"): a list of dates does not answer it
    # a focus term's equivalents in the documents' words ("bbs" -> "berufsbild", "authority" -> "schultrag"): a
    # unit that says "berufsbildende Schulen" covers the "BBS" of the question
    focus_alternatives: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def coverage(self, terms: frozenset[str]) -> float:
        """The share of the question's weight (IDF) that ``terms`` hold."""
        total = sum(self.weights.values())
        return sum(w for t, w in self.weights.items() if t in terms) / total if total else 0.0

    def focus_covered(self, terms: frozenset[str]) -> int:
        """How many focus terms ``terms`` contain, in their own or the documents' words."""
        return sum(1 for t in self.focus if t in terms or self.focus_alternatives.get(t, frozenset()) & terms)
