"""Which passages the answer reads, and how it reads slides and units.

The fused ranking's top k, plus passages that fusion may bury: the BM25 winner, the best dense hit, the
one place in the corpus that uses a rare noun of the question, and the passages right beside the top few (an
answer often goes on in the next section of the same document). On slides, short heading lines give the lines
under them their context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.text_units import Unit


def with_leaders(ranked: Sequence[ScoredChunk], k: int) -> list[ScoredChunk]:
    """The top k of the fused ranking plus the first passage that a BM25 or a dense search ranked first, wherever
    fusion put them: an exact-term match that only BM25 finds ("Genehmigt Anträge aus Chancenbudget") must not get
    lost, and fusion buries a passage that only one of the two searches finds (rank 28 for that slide)."""
    out = list(ranked[:k])
    bm25_leader = next((s for s in ranked if s.bm25_rank == 0), None)
    dense_leader = next((s for s in ranked if s.dense_rank == 0), None)
    for leader in (bm25_leader, dense_leader):
        if leader is not None and leader not in out:
            out.append(leader)
    return out


def beside_leaders(
    ranked: Sequence[ScoredChunk],
    reading: Sequence[ScoredChunk],
    by_doc: Mapping[str, Sequence[Chunk]],
    leaders: int = 3,
) -> list[ScoredChunk]:
    """The passages just before and after each of the top ``leaders`` passages in their document, not read yet:
    "Wie läuft das formal ab …?" finds the section on the agreement, and the money follows in the next one."""
    have = {s.chunk.chunk_id for s in reading}
    known = {s.chunk.chunk_id: s for s in ranked}
    out: list[ScoredChunk] = []
    for leader in ranked[:leaders]:
        siblings = by_doc.get(leader.chunk.doc_id, ())
        at = next((i for i, c in enumerate(siblings) if c.chunk_id == leader.chunk.chunk_id), None)
        if at is None:
            continue
        for chunk in (siblings[i] for i in (at - 1, at + 1) if 0 <= i < len(siblings)):
            if chunk.chunk_id not in have:
                have.add(chunk.chunk_id)
                out.append(known.get(chunk.chunk_id) or ScoredChunk(chunk=chunk, score=0.0))
    return out


def block_context_texts(units: Sequence[Unit]) -> list[str]:
    """On a slide, the short heading line each unit stands under ("Säule II: Chancenbudget"), as text."""
    out: list[str] = []
    current = ""
    previous_heading = False
    for unit in units:
        heading = _is_heading(unit)
        if heading and previous_heading and current:  # a short line right under a heading belongs to it
            out.append(current)
            # and names what follows too: "Umsetzungsstand … Mai 2025 / Säule I: Investitionsprogramm"
            current = f"{current} {unit.text.strip()}"
            previous_heading = False
            continue
        out.append("" if heading else current)
        if heading:
            current = unit.text.strip()
        previous_heading = heading
    return out


def _is_heading(unit: Unit) -> bool:
    text = unit.text.strip()
    return not unit.is_list and len(text) <= 60 and len(text.split()) <= 7 and not text.endswith((".", "!", "?"))


def is_filler(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) < 12 or stripped.endswith("?"):
        return True
    return bool(_FILLER.match(stripped))


# navigation and courtesy lines of pages and slides ("Herzlich Willkommen zum …", "Vielen Dank für Ihre Teilnahme")
_FILLER = re.compile(
    r"^(#|Downloads?\b|Weitere Informationen|Mehr dazu|Quelle:|Herzlich willkommen|Willkommen\b|Vielen Dank|"
    r"Danke\b|Auf Wiedersehen|Link zur\b)",
    re.IGNORECASE,
)


_DOCUMENT_KIND = re.compile(
    r"^(?:[\wÄÖÜäöüß.-]+\s+){0,2}?[\wÄÖÜäöüß-]*(artikel|meldung|seite|pressemitteilung|pressestatement|beitrag|"
    r"bekanntmachung|recherche|analyse|richtlinie|ausgabe|interview|eintrag|selbstdarstellung|fachtext|editorial|"
    r"impulspapier|beschluss|übersicht|newsletter|bericht|steckbrief\w*|dokumentation|präsentation|broschüre|"
    r"handreichung|positionspapier|stellungnahme|darstellung|beispiel(?=\s+aus\b))\b",
    re.IGNORECASE,
)


def is_description(text: str, chunk: Chunk, position: int) -> bool:
    """The sentence that opens a document by saying what it is ("Artikel der Rheinpfalz vom Mai 2024 zu …",
    "Landesseite zu Säule II (undatiert)"): about the source, not the programme; the citation names the source."""
    opening = chunk.chunk_id.endswith("::000") and not chunk.section and not chunk.question and chunk.page is None
    stripped = text.strip()
    return (
        opening
        and position <= 1  # "Seite des Kultusministeriums zu Säule II (undatiert). Darstellung aus Niedersachsen."
        and not _ORDINARY_START.match(stripped)  # "Die Analyse zeigt …", "Laut Bericht …" are content
        and bool(_DOCUMENT_KIND.match(stripped))
    )


_ORDINARY_START = re.compile(
    r"(der|die|das|dem|den|des|ein|eine[mnrs]?|laut|mit|auf|nach|im|in|am|zum|zur|bei|seit|vom|von|für|über)\b", re.I
)


_VERDICT = re.compile(r"(?:Ja|Nein)[.,;:]\s+(?=\S)")


def without_verdict(text: str) -> str:
    """An FAQ answer without the "Ja." / "Nein." that answers its own FAQ question: shown for another question
    ("Wer berät Schulträger …?" - "Ja. Das Land weist …"), the verdict answers what the user did not ask."""
    match = _VERDICT.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    return rest[:1].upper() + rest[1:]


def rare_term_holders(
    question: str,
    ranked: Sequence[ScoredChunk],
    k: int,
    bm25: BM25Index,
    terms_of: Callable[[Chunk], set[str]],
    limit: int = 2,
) -> list[ScoredChunk]:
    """Passages below the top k that hold a noun of the question found in at most two passages of the whole
    corpus ("Praxisbeispiel"): the one place that uses the user's own word is worth reading."""
    nouns = {
        term
        for word in re.findall(r"(?<![.?!]\s)(?<!^)\b[A-ZÄÖÜ][a-zäöüß]{4,}\b", question)
        for term in bm25.query_terms(word)[:1]
        if 0 < bm25.document_frequency(term) <= 2
    }
    if not nouns:
        return []
    out: list[ScoredChunk] = []
    for scored in ranked[k:]:
        if nouns & terms_of(scored.chunk):
            out.append(scored)
            if len(out) == limit:
                break
    return out
