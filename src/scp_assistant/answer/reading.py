"""Which passages the extractive composer reads, and how it reads slides and units.

The fused ranking's top k, plus passages that fusion may bury: the clear BM25 winner, the best dense hit, and
the one place in the corpus that uses a rare noun of the question. On slides, short heading lines give the
lines under them their context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.text import Unit

BM25_CLEAR_WIN = 1.5  # the BM25 top hit scores at least this much more than the runner-up
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:€|euro|eur\b|mio|mrd|millionen|milliarden|prozent|%)", re.IGNORECASE)


def with_leaders(ranked: Sequence[ScoredChunk], k: int) -> list[ScoredChunk]:
    """The top k of the fused ranking plus the best dense hit and a clear BM25 winner wherever fusion put them:
    an exact-term match that only BM25 finds ("Genehmigt Anträge aus Chancenbudget") must not get lost."""
    out = list(ranked[:k])
    bm25_leader = next((s for s in ranked if s.bm25_rank == 0 and s.bm25_margin >= BM25_CLEAR_WIN), None)
    dense_leader = next((s for s in ranked if s.dense_rank == 0), None)
    for leader in (bm25_leader, dense_leader):
        if leader is not None and leader not in out:
            out.append(leader)
    return out


def block_context(units: Sequence[Unit], terms: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """On a slide, the terms of the short heading line a unit stands under ("Säule I: Investitionsprogramm",
    "Datengrundlagen"): a slide's blocks are its sections."""
    out: list[frozenset[str]] = []
    current: frozenset[str] = frozenset()
    for unit, unit_terms in zip(units, terms, strict=True):
        text = unit.text.strip()
        heading = not unit.is_list and len(text) <= 60 and len(text.split()) <= 7 and not text.endswith((".", "!", "?"))
        out.append(frozenset() if heading else current)
        if heading:
            current = unit_terms
    return out


def low_content(units: Sequence[Unit]) -> bool:
    """A slide made of labels and titles: fewer than two lines that carry a statement (a list, ten words or
    more, or a figure in a line of four words or more)."""
    informative = sum(
        1
        for u in units
        if u.is_list or len(u.text.split()) >= 10 or (re.search(r"\d", u.text) and len(u.text.split()) >= 4)
    )
    return informative < 2


def answers_quantity(text: str, counted: set[str], bm25: BM25Index) -> bool:
    """A count of the asked thing ("200 Schulen" for "Wie viele Schulen") or an amount (€, Mio., %);
    a date alone does not answer "wie viele"."""
    if counted:
        for match in re.finditer(r"\b\d[\d.,]*\s+(?:[a-zäöüß-]+\s+)?([A-Za-zÄÖÜäöüß-]+)", text):
            if set(bm25.query_terms(match.group(1))) & counted:
                return True
        return False
    return bool(_AMOUNT.search(text)) or bool(re.search(r"\b(19|20)\d\d\b", text))


def is_filler(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) < 12 or stripped.endswith("?"):
        return True
    return bool(re.match(r"^(#|Downloads?\b|Weitere Informationen|Mehr dazu|Quelle:)", stripped))


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
