"""Questions about a source itself: who published it, when, where it appeared.

Staff quote the documents in council papers ("Wer hat es herausgegeben, von wann ist es?", "Wo ist das Interview
erschienen?", "Woher stammt der Vorwurf?"). Every document opens with a sentence that says what it is ("Editorial
von Bildung.Table (Table.Media) vom 23.08.2024 zum Start des Startchancen-Programms."). Elsewhere that sentence
is left out of answers (it says nothing about the programme); asked about the source, it is the answer, and it
opens the answer, cited like the passage after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.answer.reading import is_description
from scp_assistant.learn.features import UnitCandidate
from scp_assistant.models import Chunk
from scp_assistant.text import split_sentences

_ASKS_FOR_SOURCE = re.compile(
    r"\bvon wann\b|\b(erschienen|veröffentlicht|herausgegeben|publiziert|verfasst)\b|\bwoher stamm|\bworauf stützt"
    r"|\bwelche[nmrs]? (quelle|stand)\b|\bmit welchem stand\b|\bzitier"
    r"|\bin welche[mr] (artikel|bericht|beitrag|magazin|medium|zeitung|blog|newsletter|meldung)\b"
    r"|\bwho (published|issued|wrote)\b|\bwhen was (it|this|that) (published|issued|written)\b"
    r"|\b(who|when) (published|issued|wrote)\b",
    re.IGNORECASE,
)


def asks_for_source(question: str) -> bool:
    return bool(_ASKS_FOR_SOURCE.search(question))


class SourceDescriptions:
    """The sentence each document opens with to say what it is, as an answer unit of its opening passage."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._by_doc: dict[str, UnitCandidate] = {}
        for chunk in chunks:
            if chunk.doc_id in self._by_doc:
                continue
            sentences = split_sentences(chunk.text)
            first = sentences[0] if sentences else ""
            if first and is_description(first, chunk, 0):
                self._by_doc[chunk.doc_id] = UnitCandidate(first, chunk, "sentence", 0, len(sentences))

    def of(self, doc_id: str) -> UnitCandidate | None:
        return self._by_doc.get(doc_id)


def with_source(units: Sequence[UnitCandidate], sources: SourceDescriptions) -> list[UnitCandidate]:
    """``units`` opened by what the document of the first one is, unless they say it already."""
    if not units:
        return []
    description = sources.of(units[0].chunk.doc_id)
    if description is None or any(u.text == description.text for u in units):
        return list(units)
    return [description, *units]
