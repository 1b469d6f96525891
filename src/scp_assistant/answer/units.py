"""The answer units of retrieved passages: sentences, lists, single list items, whole FAQ answers.

A list item keeps what it stands under: the sentence that introduces the list ("Die Pläne beinhalten:") or,
on a slide, the first bullet of its group when that bullet names the group ("ADD/Schulaufsicht" above
"Genehmigt Anträge aus Chancenbudget"), or the section heading that names the place its document is about
("Mittel für den Schulträger Worms" above "Säule III: … erhält die Stadt rund 561.000 €"). An answer can then show
one bullet with its parent instead of the whole slide or list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.answer.reading import block_context_texts, is_description, is_filler
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.unit_text import dangling
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.hybrid import dense_z
from scp_assistant.retrieve.places import region_places
from scp_assistant.text_units import Unit, split_units

FAQ_WHOLE_MAX = 700  # an FAQ answer up to this length is also offered whole


def _items(unit: Unit) -> tuple[str, list[str]]:
    """A list unit as (lead-in, items)."""
    lead, items = "", []
    for line in unit.text.split("\n"):
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif not items:
            lead = f"{lead} {line}".strip()
    return lead, items


def _group_heading(items: list[str]) -> bool:
    """On a slide, the first bullet names its group when it is short and the points under it are not."""
    first = items[0]
    return (
        len(items) >= 3
        and len(first.split()) <= 3
        and len(first) <= 40
        and not first.endswith((".", ":"))
        and sum(len(i.split()) >= 4 for i in items[1:]) >= len(items[1:]) / 2
    )


def _label(text: str) -> bool:
    """A label on a slide: a few words, no sentence mark, no figure or address ("Kreisverwaltung", "Freie Träger";
    not "04. Juni 2025", "Säule I: Investitionsprogramm", a phone number or a link), and no rest of a wrapped line
    (it starts in lower case or closes a bracket it did not open)."""
    return (
        len(text.split()) <= 4
        and not re.search(r"[.!?:;]|\d|@|://|www\.", text)
        and text[:1].isupper()
        and text.count("(") == text.count(")")
    )


def _names_any(text: str, places: list[str]) -> bool:
    """Does the text name one of the places as a word of its own ("Trier", not "Trier-Saarburg")?"""
    return any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text) for p in places)


def passage_units(chunk: Chunk) -> list[tuple[str, str, str, str]]:
    """(text, kind, context, parent) for every unit of a passage, in reading order."""
    slide = chunk.page is not None
    units = split_units(chunk.text, by_line=slide, cut_off=dangling)
    blocks = block_context_texts(units) if slide else [""] * len(units)
    out: list[tuple[str, str, str, str]] = []
    if chunk.question and len(chunk.text) <= FAQ_WHOLE_MAX and len(units) > 1:
        out.append((chunk.text.strip(), "faq", chunk.question, ""))
    heading = chunk.question or chunk.section if not slide else ""
    # a section heading that names, as a word of its own, a place its document is about ("Mittel für den
    # Schulträger Worms"): the points under it say only "die Stadt", and shown alone they would not say which one
    places = region_places(chunk.region)
    place_heading = chunk.section if not slide and places and _names_any(chunk.section, places) else ""
    carried = ""  # a bullet that stops mid-phrase introduces the next list ("Anträge vornehmlich für")
    cut_off = False  # the list before ended in a point that stops mid-phrase
    for position, (unit, block) in enumerate(zip(units, blocks, strict=True)):
        context = " ".join(x for x in (heading, block) if x)
        heads_next = position + 1 < len(units) and units[position + 1].is_list  # a list follows
        if not unit.is_list:
            after_cut, cut_off, carried = cut_off, False, ""
            # cut off, it never answers alone: "Das Personal soll" introduces a list. Nor does a slide's label
            # ("Kreisverwaltung", "Datengrundlagen" in a diagram): above a list it is the list's heading
            if dangling(unit.text) or (slide and _label(unit.text)):
                # the rest of a point cut off by the layout ("- ggf. zwischen" … "Gebietskörperschaften") heads nothing
                carried = unit.text if heads_next and not after_cut else ""
                continue
            if not is_filler(unit.text) and not is_description(unit.text, chunk, position):
                out.append((unit.text, "sentence", context, ""))
            continue
        lead, items = _items(unit)
        trailing = items[-1] if heads_next and items and (dangling(items[-1]) or items[-1].endswith(":")) else ""
        if trailing:  # "- Anträge vornehmlich für" heads the next list: it is no point of this one
            items = items[:-1]
            if not items:  # the lead-in of both: "Die Schulträger planen:\n- Anträge vornehmlich für"
                carried = f"{lead} {trailing}".strip()
                continue
            unit = Unit("\n".join([lead, *(f"- {i}" for i in items)]).strip(), unit.is_list)
        parent = lead or carried
        place = "" if parent else place_heading
        if place and not _names_any(unit.text, places):
            out.append((unit.text, "list", context, place))
            parent = place
        elif slide and not parent and _group_heading(items):
            parent, items = items[0], items[1:]  # "ADD/Schulaufsicht" names the bullets under it
            out.append(("\n".join(f"- {i}" for i in items), "list", context, parent))
        elif carried and not lead:
            out.append((f"{carried}\n{unit.text}", "list", context, ""))
        else:
            out.append((unit.text, "list", context, ""))
        if len(items) > 1 or (parent and parent != place):  # one point under a place heading: the list itself
            out.extend((f"- {item}", "item", context, parent) for item in items if not is_filler(item))
        carried = trailing
        cut_off = bool(items) and not trailing and dangling(items[-1])
    return out


class UnitReader:
    """Candidates from the passages an answer may use; a passage's units are split once and kept."""

    def __init__(self) -> None:
        self._cache: dict[str, list[tuple[str, str, str, str]]] = {}

    def _units(self, chunk: Chunk) -> list[tuple[str, str, str, str]]:
        known = self._cache.get(chunk.chunk_id)
        if known is None:
            known = passage_units(chunk)
            if len(self._cache) < 200_000:
                self._cache[chunk.chunk_id] = known
        return known

    def candidates(self, ranked: Sequence[ScoredChunk], passages: Sequence[ScoredChunk]) -> list[UnitCandidate]:
        z = dense_z(ranked)
        rank = {s.chunk.chunk_id: i for i, s in enumerate(ranked)}
        out: list[UnitCandidate] = []
        for scored in passages:
            chunk = scored.chunk
            units = self._units(chunk)
            for position, (text, kind, context, parent) in enumerate(units):
                out.append(
                    UnitCandidate(
                        text=text,
                        chunk=chunk,
                        kind=kind,
                        position=position,
                        units_in_passage=len(units),
                        context=context,
                        parent=parent,
                        passage_rank=rank.get(chunk.chunk_id, len(ranked)),
                        dense_z=z.get(chunk.chunk_id, -1.0),
                        dense_rank=scored.dense_rank,
                        bm25_rank=scored.bm25_rank,
                    )
                )
        return out
