"""Questions about a source itself: who published it, when, where it appeared.

Staff quote the documents in council papers ("Wer hat es herausgegeben, von wann ist es?", "Wo ist das Interview
erschienen?", "Woher stammt der Vorwurf?"). Almost every document opens with a sentence that says what it is
("Editorial von Bildung.Table (Table.Media) vom 23.08.2024 zum Start des Startchancen-Programms."). Elsewhere that
sentence is left out of answers (it says nothing about the programme); asked about the source, it is the answer and
opens the answer: the sentence of the document the question names ("das Editorial", "das Interview mit …"), else of
the document the answer draws on first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.answer.reading import is_description
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.models import Chunk
from scp_assistant.text import analyze, split_sentences

_CLAIM = r"(vorwurf|kritik|zahl|zahlen|angabe|angaben|aussage|behauptung|meldung|information|zitat)"
_WORDS = r"(\s[\w„“\"-]+)"
_MEDIUM = r"(artikel|bericht|beitrag|magazin|medium|zeitung|blog|newsletter|meldung|amtsblatt|anzeiger|ausgabe)"
_ASKS_FOR_SOURCE = re.compile(
    "|".join(
        [
            r"\bvon wann (ist|sind|stammt|stammen)\b",  # "von wann ist es?", not "von wann bis wann"
            rf"\bwo (ist|sind|wurde|wurden){_WORDS}{{1,8}}\s(erschienen|veröffentlicht)\b",
            rf"\bwer hat{_WORDS}{{0,8}}\s(herausgegeben|veröffentlicht|verfasst|geschrieben)\b",
            rf"\bwoher (stammt|stammen|kommt|kommen) (der|die|das|diese[rs]?) {_CLAIM}\b",  # not "die Mittel"
            r"\bwer sagt (das|so was|sowas)\b|\bvon wem (stammt|stammen|ist|sind|kommt|kommen)\b",
            r"\bwelche[nmrs]? (quelle|stand) (hat|haben) (die|das|der|diese) "
            r"(zahlen|angaben|daten|arbeitshilfen?|unterlagen|fassungen?|papiere?|dokumente?)\b",
            r"\bwelche[nmrs]? stand (hat|haben) (die|sie|diese)\s*\?",
            r"\b(im|in (der|dem|einem|einer)) [\w-]+ (erschienen|veröffentlicht)\b",  # "im Bundesanzeiger erschienen"
            rf"\bin welche[mr] {_MEDIUM}\b",
            r"\bwho (published|issued|wrote)\b",
            r"\b(where|when) (was|were) (it|this|that|they|the \w+) (published|issued|written)\b",
        ]
    ),
    re.IGNORECASE,
)


def asks_for_source(question: str) -> bool:
    """Does the question ask who published a document, when or where, or where a claim comes from?"""
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


def with_source(
    units: Sequence[UnitCandidate], sources: SourceDescriptions, question: str, read: Sequence[str] = ()
) -> list[UnitCandidate]:
    """``units`` opened by what a document is: of the documents the units come from, then of those read (``read``,
    doc ids), the one whose opening sentence, title and publisher share the most words with the question (the first
    of equals), unless the units say it already."""
    if not units:
        return []
    asked = {t for t in analyze(question) if len(t) >= 4}
    best: UnitCandidate | None = None
    shared = -1
    for doc in dict.fromkeys([*(u.chunk.doc_id for u in units), *read]):
        description = sources.of(doc)
        if description is None:
            continue
        chunk = description.chunk
        overlap = len(asked & set(analyze(f"{description.text} {chunk.title} {chunk.publisher}")))
        if overlap > shared:
            best, shared = description, overlap
    return _opened_by(best, units)


_NAMED_KIND = re.compile(
    r"\b(editorial|interview|impulspapier|recherche|pressemitteilung|positionspapier|stellungnahme|kurzmeldung|"
    r"newsletter|analyse|artikel)",
    re.IGNORECASE,
)


def with_named_source(
    units: Sequence[UnitCandidate], sources: SourceDescriptions, question: str
) -> list[UnitCandidate]:
    """``units`` opened by what their first document is when the question names that kind of document ("in seinem
    Editorial", "die WZB-Analyse") and the document's opening sentence says it is one: the reader learns which
    document, and of when."""
    kinds = {m.group(1).lower() for m in _NAMED_KIND.finditer(question)}
    if not kinds or not units:
        return list(units)
    description = sources.of(units[0].chunk.doc_id)
    named = description is not None and any(k in description.text.lower() for k in kinds)
    return _opened_by(description if named else None, units)


def _opened_by(description: UnitCandidate | None, units: Sequence[UnitCandidate]) -> list[UnitCandidate]:
    """``units`` after ``description``, unless there is none or they say it already."""
    if description is None or any(u.text == description.text for u in units):
        return list(units)
    return [description, *units]


def with_source_line(
    units: Sequence[UnitCandidate], sources: SourceDescriptions, question: str, read: Sequence[str] = ()
) -> list[UnitCandidate]:
    """The answer's units, opened by what a document is when the question asks about the source ("Von wann ist
    es?") or names the kind of document the answer draws on ("in seinem Editorial")."""
    if asks_for_source(question):
        return with_source(units, sources, question, read)
    return with_named_source(units, sources, question)
