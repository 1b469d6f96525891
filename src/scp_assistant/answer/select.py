"""Which scored units make the answer, in which order.

The answer leads with the unit most likely to answer the question (for a multi-part question: the best unit
of each part, in the order of the parts), then adds units that are likely to answer too (a little more so when
they come from a source the answer leads with), say something the answer does not say yet, fit the budget, and
(for a question of one part) come from at most two sources; shorter ones are tried first among like ones. A
part without a unit likely enough to answer it is reported as not covered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from scp_assistant.answer.scoring import Scored
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.model import SelectionParams
from scp_assistant.learn.question import asks_yes_or_no, question_kind
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.learn.unit_text import unit_leans_on_previous
from scp_assistant.text import analyze, is_editorial_note

_OWN = UNIT_FEATURES.index("cov_unit")
ITEM_MARGIN = 0.1  # items of a list this close to its best item are shown with it
# an item singles itself out when it holds at least this share of the question's weighted terms ("Genehmigt Anträge
# aus Chancenbudget" for "Wer genehmigt Anträge aus dem Chancenbudget?"); a word in common ("schulbibliothekarische
# Räume" for a question on "Schulen") does not. Out of fold on the bundled sets, narrowing on any shared word cost
# 9 of 411 right decisions against never narrowing; from 0.5 on the figure is flat.
SINGLED_OUT = 0.75


@dataclass(frozen=True)
class Selection:
    units: list[UnitCandidate]
    uncovered_parts: list[str]


def _overlaps(a: UnitCandidate, b: UnitCandidate, other_places: bool = False) -> bool:
    """The same thing twice: one unit contains the other (an FAQ answer and its sentence, a list and its
    item), or both say nearly the same in other words or another source ("Teilnehmen soll in der Regel die
    Schulleitung" / "In der Regel nimmt die Schulleitung teil") and not of ``other_places`` ("In Trier nehmen 9
    Schulen teil" and "Im Landkreis Bernkastel-Wittlich nehmen 9 Schulen teil" are two answers)."""
    if a.chunk.chunk_id == b.chunk.chunk_id and (a.text in b.text or b.text in a.text):
        return True
    if other_places:
        return False
    na, nb = _figures(a.text), _figures(b.text)
    if na and nb and not na & nb:  # the same sentence with other figures: another place or year ("für Mainz
        return False  # rund 253.215 €" / "(Worms) rund 114.000 €")
    sa, sb = _terms(a.text), _terms(b.text)
    return len(sa & sb) / max(3, min(len(sa), len(sb))) >= 0.6


@lru_cache(maxsize=16_384)
def _figures(text: str) -> frozenset[str]:
    """Amounts, counts and dates a text names, single digits included: "In Trier nehmen 9 Schulen teil" and "In
    Worms nehmen 8 Schulen teil" are two answers (the documents write pillars as Roman numerals)."""
    return frozenset(re.findall(r"\d[\d.,]*\d|(?<![\d.,])\d(?!\d|[.,]\d)", text))


@lru_cache(maxsize=16_384)
def _terms(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


def _order(p: np.ndarray) -> list[int]:
    """Indices by descending value (a probability, or what ranks further units); ties broken by position in the
    candidate list (deterministic)."""
    return sorted(range(len(p)), key=lambda i: (-round(float(p[i]), 9), i))


def select(scored: Scored, params: SelectionParams) -> Selection:
    cands = scored.candidates
    if not cands:
        return Selection([], [])
    elsewhere = scored.featurized.excluded  # another place, school year or pillar (answer/exclusions.py)
    named_places = scored.featurized.named_places
    chosen: list[int] = []
    uncovered: list[str] = []

    budget = params.budget * (params.multi_part_factor if scored.featurized.profile.multi_part else 1.0)

    def fits(i: int) -> bool:
        used = sum(len(cands[j].display) for j in chosen)
        return not chosen or used + len(cands[i].display) <= budget

    def take(i: int) -> None:
        before = _antecedent(i)
        if before is not None and before not in chosen:
            # a sentence that points back ("Damit liegt … bei ihnen.") comes with the one it points to, or not
            # at all when that does not fit or may not be shown; a lead without its antecedent stays
            used = sum(len(cands[j].display) for j in chosen)
            if before in elsewhere or (chosen and used + len(cands[before].display) + len(cands[i].display) > budget):
                if chosen:
                    return
            elif not any(_same(before, j) for j in chosen):
                chosen.append(before)
        whole = _list_of(i)
        shown = _narrowed(whole)
        fresh = [k for k in shown if _new(k)]
        if not fresh and shown != [whole] and not set(shown) & set(chosen) and _new(whole):
            # the items said already in another source's words ("Maker-Spaces und Werkstätten" of Bavaria's rule):
            # this source's list says it for its own, so it comes whole
            fresh = [whole]
        chosen.extend(fresh)

    def _new(k: int) -> bool:
        return k not in chosen and k not in elsewhere and not any(_same(k, j) for j in chosen)

    def _same(a: int, b: int) -> bool:
        places = named_places and named_places[a] and named_places[b] and not named_places[a] & named_places[b]
        return _overlaps(cands[a], cands[b], other_places=bool(places))

    def _lead(order: list[int]) -> int | None:
        """The first of ``order`` that is no editor's note (a note comments on what its source says), else the
        first."""
        return next((i for i in order if not is_editorial_note(cands[i].text)), order[0] if order else None)

    def _antecedent(i: int) -> int | None:
        """The sentence a sentence of pointing words ("Damit", "Dabei", "Sie") continues in its passage."""
        unit = cands[i]
        if not unit_leans_on_previous(unit.kind, unit.text):
            return None
        return next(
            (
                k
                for k, c in enumerate(cands)
                if c.kind == "sentence" and c.chunk.chunk_id == unit.chunk.chunk_id and c.position == unit.position - 1
            ),
            None,
        )

    def _list_of(i: int) -> int:
        """An item is shown through its list: alone when the question singles it out, else with its siblings."""
        if cands[i].kind != "item":
            return i
        item = cands[i]
        return next(
            (
                k
                for k, c in enumerate(cands)
                if c.kind == "list" and c.chunk.chunk_id == item.chunk.chunk_id and item.text[2:] in c.text
            ),
            i,
        )

    def _narrowed(i: int) -> list[int]:
        """A list is shown as the items of it that answer, when some do clearly more than the rest: "ADD/
        Schulaufsicht: - Genehmigt Anträge aus Chancenbudget" rather than the whole slide group."""
        if cands[i].kind != "list":
            return [i]
        items = [
            k
            for k, c in enumerate(cands)
            if c.kind == "item" and c.chunk.chunk_id == cands[i].chunk.chunk_id and c.text[2:] in cands[i].text
        ]
        if len(items) < 2:
            return [i]
        asked = [k for k in items if k not in elsewhere]
        if asked and len(asked) < len(items):  # "- Säule II: …" of a town's three pillars for a question on one
            return asked
        # only when the words of the question single items out: "Genehmigt Anträge aus Chancenbudget" among the
        # ADD's tasks, not one line of a breakdown ("120 Grundschulen", "46 Realschulen plus", ...)
        rows = scored.featurized.rows
        named = [k for k in items if rows[k, _OWN] >= SINGLED_OUT]
        best = max(float(scored.p[k]) for k in items)
        keep = [k for k in named if scored.p[k] >= best - ITEM_MARGIN]
        # or, when a question asks whether one thing may be funded, by one of its rarest words that no other item
        # has: "Heilerziehungspflege/Sonderpädagogik" of the 14 professions for "Dürfen wir einen
        # Heilerziehungspfleger einstellen?" (a question for the goals "außer der Halbierung" wants the others)
        profile = scored.featurized.profile
        if scored.featurized.evidence.eligibility and asks_yes_or_no(profile.text) and not profile.multi_part:
            coordinated = scored.featurized.item_words  # "Ergo-, Spiel- und Lerntherapeut/in" names Ergotherapeuten
            own = {k: _terms(cands[k].text) | (coordinated[k] if coordinated else frozenset()) for k in items}
            focus = {t for t in scored.featurized.query.focus if len(t) >= 5 and not t.startswith("saule")}
            for k in items:
                rare = focus & own[k]
                unique = rare and not any(rare & own[j] for j in items if j != k)
                if unique and k not in keep and scored.p[k] >= best - ITEM_MARGIN:
                    keep.append(k)
        if not keep or len(named) == len(items):
            return [i]
        return sorted(keep, key=lambda k: cands[k].position)

    parts = scored.featurized.profile.parts
    if scored.part_p:
        places = scored.featurized.part_places or (frozenset(),) * len(parts)
        for part, part_p, named in zip(parts, scored.part_p, places, strict=True):
            # a part is answered by a unit likely for the part that does not contradict the whole question, and a
            # part about a place never by a unit about another place ("Worms und Trier": not Trier by Worms's figures)
            about = _fits_places(scored.featurized.unit_places, named, question_kind(part), len(cands))
            joint = part_p * np.sqrt(np.maximum(scored.p, 1e-9)) * about
            best = _lead(_order(joint))
            if best is None:
                continue
            if part_p[best] < params.part_above or not about[best]:
                uncovered.append(part)
            elif fits(best) or not chosen:
                take(best)
    if not chosen:
        first = _lead([i for i in _order(scored.p) if i not in elsewhere])
        if first is None:
            return Selection([], uncovered)
        take(first)
    multi = scored.featurized.profile.multi_part
    # the answer goes on in the sources it leads with (the lead's, or each part's): of the key facts missing from an
    # answer that cited a right source, 144 of 355 stood in another passage of that source (out of fold)
    lead_docs = {cands[j].chunk.doc_id for j in chosen}
    likely = scored.p + params.same_source_bonus * np.array([float(c.chunk.doc_id in lead_docs) for c in cands])
    # in which order they are tried: a long unit waits behind shorter ones of like probability, so more of what is
    # asked fits the budget; whether a unit may join stays a matter of ``likely``
    lengths = np.array([len(c.display) for c in cands], dtype=float)
    for i in _order(likely - params.length_cost * lengths / max(1.0, budget)):
        if likely[i] < params.add_above:
            continue
        docs = {cands[j].chunk.doc_id for j in chosen}
        new_source = not multi and cands[i].chunk.doc_id not in docs
        if is_editorial_note(cands[i].text) and cands[i].chunk.doc_id not in docs:
            continue  # an editor's note comments on its own source: it joins what that source says, never alone
        if new_source and (len(docs) >= params.max_sources or scored.p[i] < params.second_source_above):
            continue
        if fits(i):
            take(i)
    return Selection(_grouped([cands[i] for i in chosen]), uncovered)


def _fits_places(unit_places: Sequence[frozenset[str]], asked: frozenset[str], kind: str, n: int) -> np.ndarray:
    """Per candidate, 1 if it may answer a part that names the places ``asked``, else 0: never a unit about other
    places only; for an amount or a count, only a unit about the place (a figure belongs to its place, a rule such
    as "Die ADD genehmigt die Anträge" to every place). All 1 when the part names no place."""
    if not asked or not unit_places:
        return np.ones(n)
    figure = kind in ("amount", "count")
    return np.array([float(bool(u & asked) or (not u and not figure)) for u in unit_places])


def _grouped(units: list[UnitCandidate]) -> list[UnitCandidate]:
    """Items under the same parent stay together (one "ADD/Schulaufsicht:" heading, not two), and a sentence
    follows the sentence it continues in its passage ("Schulträger sind für die äußeren Schulangelegenheiten
    zuständig. Damit liegt … bei ihnen."), wherever the scores put it. The first unit stays first."""
    out: list[UnitCandidate] = []
    for unit in units:
        if unit.parent:
            same = [k for k, u in enumerate(out) if u.parent == unit.parent and u.chunk.chunk_id == unit.chunk.chunk_id]
            if same:
                out.insert(same[-1] + 1, unit)
                continue
        before = next(
            (
                k
                for k, u in enumerate(out)
                if u.chunk.chunk_id == unit.chunk.chunk_id and u.position == unit.position - 1
            ),
            None,
        )
        if before is not None and not unit.parent and not out[before].parent:
            out.insert(before + 1, unit)
            continue
        out.append(unit)
    return out
