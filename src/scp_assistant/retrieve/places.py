"""Places a Schulträger may ask about, and which of them the documents never mention.

Staff ask about their own town or district ("Wie viele Startchancen-Schulen hat Pirmasens?"). When the documents
never name that place, they cannot give its figures, however well the rest of the question matches: such a
question is refused as not covered instead of being answered with another place's or the Land's figures. The
list holds the districts, district-free and larger towns of Rheinland-Pfalz, Germany's larger cities and the other
Länder; it is general geography, not derived from any question set. A place the corpus names is known and never
refused here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from scp_assistant.models import Chunk
from scp_assistant.text import fold

_RLP_CITIES = (
    "Frankenthal", "Kaiserslautern", "Koblenz", "Landau", "Ludwigshafen", "Mainz", "Neustadt an der Weinstraße",
    "Neustadt", "Pirmasens", "Speyer", "Trier", "Worms", "Zweibrücken",
)  # fmt: skip
_RLP_DISTRICTS = (
    "Ahrweiler", "Altenkirchen", "Alzey-Worms", "Bad Dürkheim", "Bad Kreuznach", "Bernkastel-Wittlich",
    "Birkenfeld", "Cochem-Zell", "Donnersbergkreis", "Eifelkreis Bitburg-Prüm", "Bitburg-Prüm", "Germersheim",
    "Kusel", "Mainz-Bingen", "Mayen-Koblenz", "Neuwied", "Rhein-Hunsrück-Kreis", "Rhein-Lahn-Kreis",
    "Rhein-Pfalz-Kreis", "Südliche Weinstraße", "Südwestpfalz", "Trier-Saarburg", "Vulkaneifel", "Westerwaldkreis",
)  # fmt: skip
_RLP_TOWNS = (
    "Andernach", "Bingen", "Idar-Oberstein", "Ingelheim", "Lahnstein", "Mayen", "Alzey", "Bitburg", "Wittlich",
    "Montabaur", "Boppard", "Cochem", "Daun", "Landstuhl", "Prüm", "Saarburg", "Simmern", "Sinzig", "Remagen",
    "Betzdorf", "Hachenburg", "Westerburg", "Bad Ems", "Nastätten", "Dahn", "Rodalben", "Kirn", "Haßloch",
    "Schifferstadt", "Wörth am Rhein", "Grünstadt", "Bad Bergzabern", "Annweiler", "Edenkoben", "Nieder-Olm",
    "Bad Sobernheim", "Meisenheim", "Lauterecken", "Rockenhausen", "Kirchheimbolanden", "Eisenberg", "Winnweiler",
    "Ramstein-Miesenbach", "Enkenbach-Alsenborn", "Otterbach", "Weilerbach", "Bad Marienberg", "Ransbach-Baumbach",
    "Höhr-Grenzhausen", "Selters", "Wirges", "Diez", "Nassau", "Emmelshausen", "Kastellaun", "Kirchberg",
    "Baumholder", "Herrstein", "Morbach", "Hermeskeil", "Konz", "Schweich", "Gerolstein", "Hillesheim", "Ulmen",
    "Zell", "Traben-Trarbach", "Bernkastel-Kues", "Thalfang", "Vallendar", "Weißenthurm", "Bendorf",
    "Linz am Rhein", "Unkel", "Asbach", "Dierdorf", "Puderbach", "Daaden", "Adenau", "Altenahr", "Bad Breisig",
    "Brohltal", "Kaisersesch", "Polch", "Münstermaifeld", "Lutzerath", "Bad Neuenahr-Ahrweiler", "Hauenstein",
    "Thaleischweiler-Wallhalben", "Waldfischbach-Burgalben",
)  # fmt: skip
_GERMAN_CITIES = (
    "Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Dortmund", "Leipzig", "Bremen",
    "Dresden", "Hannover", "Nürnberg", "Duisburg", "Bochum", "Wuppertal", "Bielefeld", "Bonn", "Münster",
    "Mannheim", "Karlsruhe", "Wiesbaden", "Saarbrücken", "Heidelberg", "Freiburg", "Darmstadt", "Kassel",
    "Augsburg", "Gelsenkirchen", "Aachen", "Chemnitz", "Kiel", "Magdeburg", "Rostock", "Erfurt", "Potsdam",
    "Schwerin", "Offenbach", "Hanau", "Gießen", "Neunkirchen", "Homburg", "Sankt Ingbert",
)  # fmt: skip
# the other Länder: "Und was sagt NRW dazu?" after a question on Hessen asks about another place
_LAENDER = (
    "Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Bremen", "Hamburg", "Hessen", "Mecklenburg-Vorpommern",
    "Niedersachsen", "Nordrhein-Westfalen", "NRW", "Saarland", "Sachsen", "Sachsen-Anhalt", "Schleswig-Holstein",
    "Thüringen",
)  # fmt: skip
PLACES = tuple(dict.fromkeys(_RLP_CITIES + _RLP_DISTRICTS + _RLP_TOWNS + _GERMAN_CITIES + _LAENDER))
# short forms staff write for a Land the documents may spell out, or the other way round (folded)
ALIASES = {"nrw": "nordrhein-westfalen"}
_ALIAS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for pair in ALIASES.items() for k in pair) + r")(?!\w)")
_BACK = {v: k for k, v in ALIASES.items()}


def with_aliases(folded: str) -> str:
    """A folded text plus the other form of each Land it names in short or in full ("nrw" <-> "nordrhein-
    westfalen"), so that a name written one way is found in a text that writes it the other way."""
    found = {m.group(1) for m in _ALIAS.finditer(folded)}
    extra = [ALIASES.get(f) or _BACK[f] for f in sorted(found)]
    return f"{folded} {' '.join(extra)}" if extra else folded


def place_forms(folded_word: str) -> tuple[str, ...]:
    """What a folded word may name as a place: itself, or for a town's adjective the town ("mainzer" -> "mainz",
    "zweibruecker" -> "zweibruecken")."""
    if folded_word.endswith("er") and len(folded_word) > 5:
        stem = folded_word[:-2]
        return folded_word, stem, f"{stem}en"
    return (folded_word,)


# "Wir als Kreis Kusel, dürfen wir …?": the place says who asks, not what the question is about
_SELF = re.compile(r"\b(wir|uns|unser\w*|ich|mein\w*|we|our|us)\b", re.IGNORECASE)


def _pattern(place: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(fold(place))}(?![\w-])")


class PlaceNames:
    """Which places a text names, and which of those the corpus never mentions."""

    def __init__(self, corpus_texts: Iterable[str], places: Iterable[str] = PLACES) -> None:
        corpus = with_aliases(" ".join(fold(t) for t in corpus_texts))  # "NRW" is named where "Nordrhein-Westfalen" is
        tokens = set(re.findall(r"\w+(?:-\w+)*", corpus))
        # longest first, so "Mayen-Koblenz" is one place and not "Koblenz"
        self._patterns = sorted(((p, _pattern(p)) for p in places), key=lambda item: -len(item[0]))

        def mentioned(place: str, pattern: re.Pattern[str]) -> bool:  # a word lookup first: the corpus is large
            words = fold(place).split()
            return all(w in tokens for w in words) and (len(words) == 1 or bool(pattern.search(corpus)))

        self._unknown = frozenset(p for p, pattern in self._patterns if not mentioned(p, pattern))

    def named(self, text: str) -> list[str]:
        folded = fold(text)
        found: list[tuple[int, str]] = []
        for place, pattern in self._patterns:
            match = pattern.search(folded)
            if match is not None:
                found.append((match.start(), place))
                folded = folded[: match.start()] + " " * (match.end() - match.start()) + folded[match.end() :]
        return [place for _, place in sorted(found)]

    def unknown(self, text: str) -> list[str]:
        """Places the text names that the documents never mention."""
        return [p for p in self.named(text) if p in self._unknown]

    def asked_about(self, text: str) -> list[str]:
        """Unknown places a question asks about; none when the question only says who is asking."""
        return [] if _SELF.search(text) else self.unknown(text)


def place_words() -> frozenset[str]:
    """Folded one-word forms of the places, as a word of a question shows them ("Pirmasens", "Mayen-Koblenz",
    "Kreuznach" for "Bad Kreuznach")."""
    out = set()
    for place in PLACES:
        words = place.split()
        if len(words) == 1:
            out.add(fold(place))
        elif words[0] in ("Bad", "Sankt"):
            out.add(fold(words[-1]))
        elif len(words[0]) >= 4 and words[0] != "Südliche":
            out.add(fold(words[0]))
    return frozenset(out)


# words of a document's region that name no place: "Bund" (the federal level), and the kinds of body ("VG Obere
# Kyll": "obere" is no place, "die obere Schulbehörde")
_NOT_PLACES = ("Bund", "Kreis", "Landkreis", "Verbandsgemeinde", "Stadt", "Obere")


def region_places(region: str) -> list[str]:
    """The places a document's region names, as written ("Worms, RLP" -> ["Worms"]; "RLP" is too short to count,
    "Verbandsgemeinde Obere Kyll, RLP" -> ["Kyll"], "Bund" -> [])."""
    return [w for w in re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", region) if w not in _NOT_PLACES]


class CorpusPlaces:
    """The places the documents are filed under (towns, districts, Länder), and the places a text names."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._regions = frozenset(fold(word) for chunk in chunks for word in region_places(chunk.region))

    def of_passage(self, chunk: Chunk) -> frozenset[str]:
        """The places a passage is about (folded): its document's region, and a place its title names ("Familien-
        grundschulzentren starten auch in Ludwigshafen" is about Ludwigshafen though filed under RLP)."""
        return frozenset({fold(w) for w in region_places(chunk.region)} | self.named_in(chunk.title))

    def named_in(self, text: str) -> frozenset[str]:
        """The places a text names (folded), by name or by the adjective of a town ("der Wormser Stadtrat", "Mainzer
        Schulen", "die Zweibrücker Grundschule")."""
        out: set[str] = set()
        for word in re.findall(r"[a-z]{4,}", with_aliases(fold(text))):
            out.update(form for form in place_forms(word) if form in self._regions)
        return frozenset(out)
