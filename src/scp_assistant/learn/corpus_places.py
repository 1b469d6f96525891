"""The places of the corpus as the features see them: which places a question or a passage names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scp_assistant.models import Chunk
from scp_assistant.retrieve.places import place_forms, with_aliases
from scp_assistant.text import fold

# words of a region's name that name no place ("VG Obere Kyll": "die obere Schulbehörde")
_NOT_PLACES = ("Kreis", "Landkreis", "Verbandsgemeinde", "Stadt", "Obere")


def region_places(region: str) -> list[str]:
    """The place names of a document's region as written ("Worms, RLP" -> Worms, RLP; "VG Obere Kyll" -> Kyll)."""
    return [w for w in re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", region) if w not in _NOT_PLACES]


class CorpusPlaces:
    """The regions the documents are filed under (towns, districts, Länder), and the places a text names."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        out = {fold(word) for chunk in chunks for word in region_places(chunk.region)}
        self._regions = frozenset(out - {"bund"})

    def of_passage(self, chunk: Chunk) -> frozenset[str]:
        """The places a passage is about: its document's region, and a place its title names ("Familien-
        grundschulzentren starten auch in Ludwigshafen" is about Ludwigshafen though filed under RLP)."""
        region = {fold(w) for w in re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", chunk.region)}
        return frozenset(region | self.named_in(chunk.title))

    def named_in(self, text: str) -> frozenset[str]:
        """The places a text names, by name or by the adjective of a town ("der Wormser Stadtrat", "Mainzer
        Schulen", "die Zweibrücker Grundschule")."""
        out: set[str] = set()
        for word in re.findall(r"[a-z]{4,}", with_aliases(fold(text))):
            out.update(form for form in place_forms(word) if form in self._regions)
        return frozenset(out)
