"""Why a question gets its answer: what was searched, which passages were found, how likely each answer unit was
to answer, which units the answer took, and what decided between answering and declining.

For the ism team (console "Antwort prüfen", ``scp-assistant explain``): when an answer is wrong, this tells whether
the search missed the passage (retrieval), the passage was found but another unit was preferred (selection), or the
question was declined although the documents answer it (refusal), and by which signals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from scp_assistant.answer.prepared import finish
from scp_assistant.answer.scoring import memory_text
from scp_assistant.answer.service import AnswerService
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.question_features import QUESTION_FEATURES
from scp_assistant.models import Chunk, ScoredChunk

# what the refusal model's signals mean, for the people who read the explanation
SIGNALS = {
    "p_best": "Wahrscheinlichkeit der besten Einheit",
    "p_second": "Wahrscheinlichkeit der zweitbesten Einheit",
    "p_top3": "mittlere Wahrscheinlichkeit der drei besten Einheiten",
    "p_best_top3_passages": "beste Einheit der drei ersten Abschnitte",
    "coverage": "Anteil der Fragewörter in den gefundenen Abschnitten",
    "unknown": "Fragewörter, die der Index nicht kennt",
    "unresolved": "Namen der Frage, die keine gefundene Stelle nennt",
    "foreign": "Orte, die die Unterlagen nicht nennen",
    "missing_numbers": "Zahlen der Frage, die keine Stelle nennt",
    "programme": "Frage nennt das Programm",
    "eligibility": "Frage nach der Förderfähigkeit",
    "names_missing_best": "Namen der Frage fehlen in der besten Einheit",
    "names_missing_passages": "Namen der Frage fehlen in den Abschnitten",
    "typed_best": "beste Einheit enthält das Gefragte (Betrag, Datum, Stelle …)",
    "focus_best": "seltene Fragewörter in der besten Einheit",
    "names_typed": "eine Einheit hat Namen und Gefragtes zugleich",
    "p_weakest_part": "schwächster Teil einer mehrteiligen Frage",
    "cov_best": "Fragewörter in der besten Einheit",
    "names_missing_top3": "Namen fehlen in den drei besten Einheiten",
    "typed_top3": "Gefragtes in den drei besten Einheiten",
    "numbers_best": "Zahlen der Frage in der besten Einheit",
    "place_slot_missing": "für den Ort fehlt das Gefragte",
    "wording": "Formulierung der Frage (gelernt aus beantworteten und abgelehnten Fragen)",
    "memory_nearest": "Ähnlichkeit der ähnlichsten Trainingsfrage",
    "memory_refuse": "Anteil abzulehnender Fragen unter den ähnlichen Trainingsfragen",
    "memory_fact_best": "eine Textstelle nennt einen Kernfakt einer ähnlichen Trainingsfrage",
}


@dataclass(frozen=True)
class PassageView:
    rank: int
    doc_id: str
    title: str
    where: str  # section or page
    score: float
    text: str
    read: bool  # its units were answer candidates


@dataclass(frozen=True)
class UnitView:
    p: float  # learned probability that the unit answers the question
    kind: str
    doc_id: str
    where: str
    text: str
    chosen: bool  # in the answer
    inside: bool  # not chosen itself, but part of a unit that was (a sentence of a chosen FAQ answer)
    excluded: bool  # about another place, school year or pillar


@dataclass(frozen=True)
class SimilarView:
    question: str  # a training question (a follow-up as it was searched)
    similarity: float  # 0..1, by rarity-weighted content words
    declined: bool  # a question the documents do not answer
    facts: list[str]  # its key facts (what the units were checked against)


@dataclass(frozen=True)
class Signal:
    name: str
    meaning: str
    value: float
    push: float  # contribution to the log-odds of declining (> 0: towards declining)


@dataclass(frozen=True)
class Explanation:
    question: str
    searched: str
    decision: str  # "beantwortet" | "abgelehnt"
    refusal_reason: str | None
    reasons: list[str]  # in German, what decided
    p_refuse: float | None
    refuse_above: float
    kind: str
    parts: list[str]
    signals: list[Signal]  # strongest first
    passages: list[PassageView]
    units: list[UnitView]
    similar: list[SimilarView]  # the training questions most like it (``learn/memory.py``)
    answer: str
    citations: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(
    service: AnswerService, question: str, units: int = 12, passages: int = 8, backend: str = "extractive"
) -> Explanation:
    """Answer ``question`` as the chat would (extractive stage) and say why. Raises InputError like an answer.
    ``backend``: the configured answering backend; with a language model, the explanation says that the model words
    the answer from the same passages after the same decision."""
    prep = service.prepare(question)
    answer = finish(prep, prep.refusal or service.compose(prep))
    params = service.models.params
    scored = prep.scored
    reasons: list[str] = []
    if backend != "extractive":
        reasons.append(
            f"Gezeigt ist die extraktive Antwort. Im Chat formuliert das Sprachmodell ({backend}) sie aus denselben "
            "Abschnitten; die Entscheidung zwischen Antworten und Ablehnen ist dieselbe."
        )
    if prep.stripped:
        reasons.append("Anweisungen in der Nachricht wurden entfernt; gesucht wurde nur die eigentliche Frage.")
    if prep.scope_note:  # declined before the learned models: which check, and why
        reasons.append(prep.scope_note)
    if prep.foreign_places:
        reasons.append(f"Orte, die die Unterlagen nicht nennen: {', '.join(prep.foreign_places)}.")
    if prep.featurized is not None and prep.featurized.unknown_words:
        reasons.append(f"Wörter, die in den gefundenen Abschnitten fehlen: {', '.join(prep.featurized.unknown_words)}.")
    signals: list[Signal] = []
    similar: list[SimilarView] = []
    chosen: list[UnitCandidate] = []
    unit_views: list[UnitView] = []
    read: set[str] = set()
    if scored is not None:
        above = scored.p_refuse >= params.refuse_above
        relation = "≥" if above else "<"
        reasons.append(
            f"Ablehnungswahrscheinlichkeit {_de(scored.p_refuse)} {relation} Schwelle {_de(params.refuse_above)}."
        )
        signals = _signals(service, scored.question_row)
        if not answer.refused:
            chosen = prep.shown or []  # what the answer shows, after it was cut to its length
        read = {c.chunk.chunk_id for c in scored.candidates}
        order = sorted(range(len(scored.p)), key=lambda i: (-round(float(scored.p[i]), 9), i))[:units]
        unit_views = [_unit_view(scored.candidates[i], float(scored.p[i]), chosen, i in scored.featurized.excluded)
                      for i in order]  # fmt: skip
        similar = _similar(service, memory_text(scored.featurized))
    return Explanation(
        question=prep.question,
        searched=prep.query,
        decision="abgelehnt" if answer.refused else "beantwortet",
        refusal_reason=answer.refusal_reason,
        reasons=reasons,
        p_refuse=round(float(scored.p_refuse), 4) if scored is not None else None,
        refuse_above=params.refuse_above,
        kind=scored.featurized.profile.kind if scored is not None else "",
        parts=list(scored.featurized.profile.parts) if scored is not None else [],
        signals=signals,
        passages=[  # the first ones found, and every further one whose units were read
            _passage_view(rank, s, read)
            for rank, s in enumerate(prep.ranked, start=1)
            if rank <= passages or s.chunk.chunk_id in read
        ],
        units=unit_views,
        similar=similar,
        answer=answer.answer,
        citations=[c.__dict__ for c in answer.citations],
    )


def _similar(service: AnswerService, text: str) -> list[SimilarView]:
    memory = service.models.memory
    if memory is None:
        return []
    found = [(memory.entries[i], s) for i, s in memory.neighbours(text)]
    return [SimilarView(e.question, round(s, 3), e.refuse, list(e.facts)) for e, s in found]


def _signals(service: AnswerService, row: np.ndarray, n: int = 6) -> list[Signal]:
    """The refusal model's strongest pushes for this question: standardised value times weight."""
    model = service.models.refusal
    push = (row - np.asarray(model.mean)) / np.asarray(model.scale) * np.asarray(model.coef)
    order = sorted(range(len(QUESTION_FEATURES)), key=lambda i: (-abs(float(push[i])), i))[:n]
    return [
        Signal(QUESTION_FEATURES[i], SIGNALS.get(QUESTION_FEATURES[i], ""), round(float(row[i]), 3),
               round(float(push[i]), 3))
        for i in order
    ]  # fmt: skip


def _passage_view(rank: int, found: ScoredChunk, read: set[str]) -> PassageView:
    chunk = found.chunk
    return PassageView(
        rank,
        chunk.doc_id,
        chunk.title,
        _where(chunk),
        round(found.score, 5),
        _short(chunk.text),
        chunk.chunk_id in read,
    )


def _unit_view(unit: UnitCandidate, p: float, chosen: list[UnitCandidate], excluded: bool) -> UnitView:
    same = [c for c in chosen if c.chunk.chunk_id == unit.chunk.chunk_id]
    taken = any(c.text == unit.text for c in same)
    inside = not taken and any(unit.text in c.text for c in same)
    return UnitView(round(p, 4), unit.kind, unit.chunk.doc_id, _where(unit.chunk), _short(unit.display), taken,
                    inside, excluded)  # fmt: skip


def _where(chunk: Chunk) -> str:
    return f"S. {chunk.page}" if chunk.page else chunk.section


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _de(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def as_text(found: Explanation) -> str:
    """The explanation for a terminal, in German."""
    lines = [f"Frage: {found.question}"]
    if found.searched != found.question:
        lines.append(f"Gesucht wurde: {found.searched}")
    kind = f" (Art der Frage: {found.kind}; {len(found.parts)} Teil(e))" if found.kind else ""
    lines.append(f"Entscheidung: {found.decision}{kind}")
    lines += [f"  - {reason}" for reason in found.reasons]
    if found.signals:
        lines.append("Stärkste Signale des Ablehnungsmodells (+ spricht fürs Ablehnen, − fürs Antworten):")
        lines += [f"  {_signed(s.push)}  {s.name} = {_de(s.value)}  {s.meaning}" for s in found.signals]
    lines.append("Gefundene Abschnitte (nicht gelesen: keine Textstelle daraus kam für die Antwort in Frage):")
    for p in found.passages:
        read = "gelesen" if p.read else "nicht gelesen"
        lines.append(f"  {p.rank:>2}. {p.doc_id} – {p.where or p.title} ({read})")
    if found.units:
        lines.append(
            "Einheiten nach Wahrscheinlichkeit, dass sie antworten "
            "(✓ in der Antwort, (✓) darin enthalten, × anderer Ort):"
        )
        for u in found.units:
            mark = "✓" if u.chosen else ("(✓)" if u.inside else ("×" if u.excluded else " "))
            lines.append(f"  {_de(u.p)} {mark} {u.doc_id} {u.where}: {' '.join(u.text.split())[:110]}")
    if found.similar:
        lines.append("Ähnliche Trainingsfragen (Ähnlichkeit; abgelehnt oder Kernfakten):")
        for s in found.similar:
            said = "Ablehnung" if s.declined else "Kernfakten: " + "; ".join(s.facts)
            lines.append(f"  {_de(s.similarity)} {s.question[:100]} → {said[:80]}")
    lines += ["Antwort:", found.answer]
    return "\n".join(lines)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + _de(abs(value))
