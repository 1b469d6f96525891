"""Query expansion: everyday and English words mapped to the vocabulary of the programme documents.

Users write "Tische und Stühle", "Hausmeister", "pillar" or "funding"; the documents say "Mobiliar",
"Kernverwaltung", "Säule" and "Förderung". The expansion is added to the query (never replaces it).
"""

from __future__ import annotations

import re

from scp_assistant.retrieve.english_words import ENGLISH

SYNONYMS: dict[str, str] = {
    # the pillars by what they fund: the documents often say "Chancenbudget" where staff say "Säule II"
    "saeule1": "Investitionsprogramm Investitionen",
    "saeule2": "Chancenbudget",
    "saeule3": "multiprofessionelle Teams multiprofessionelles Personal",
    "foerderfaehig": "finanziert finanzierbar",
    # everyday German -> document vocabulary
    "tisch": "Mobiliar Ausstattung",
    "tische": "Mobiliar Ausstattung",
    "stuhl": "Mobiliar",
    "stuehle": "Mobiliar",
    "moebel": "Mobiliar",
    "einrichtung": "Ausstattung Mobiliar",
    "computer": "Ausstattung digital",
    "laptop": "Ausstattung digital",
    "laptops": "Ausstattung digital",
    "tablet": "Ausstattung digital",
    "tablets": "Ausstattung digital",
    "hausmeister": "Hausmeistertätigkeiten Kernverwaltung",
    "sekretaerin": "Sekretariatsstunden Verwaltung",
    "sekretariat": "Sekretariatsstunden",
    "verwaltungsstelle": "administrative Stelle Verwaltungspersonal Overhead",
    "verwaltungskraft": "administrative Stelle Verwaltungspersonal",
    "dach": "Instandhaltung Bausubstanz",
    "heizung": "Instandhaltung Bausubstanz",
    "sanierung": "Instandhaltung Modernisierung Werterhalt",
    "renovierung": "Instandhaltung Modernisierung",
    "reparatur": "Instandhaltung",
    "neubau": "Neubau Umbau",
    "kaufen": "anschaffen angeschafft Anschaffung",
    "kauf": "Anschaffung",
    "gekauft": "angeschafft",
    "anschaffen": "angeschafft Anschaffung",
    "beschaffen": "angeschafft Anschaffung",
    "geld": "Mittel Budget",
    "kohle": "Mittel Budget",
    "foerdergeld": "Mittel Förderung",
    "lehrer": "Lehrkräfte",
    "lehrerin": "Lehrkräfte",
    "sozialarbeiter": "Sozialarbeit Schulsozialarbeit",
    "sozialarbeiterin": "Sozialarbeit Schulsozialarbeit",
    "schulsozialarbeiter": "Schulsozialarbeit Sozialarbeit",
    "erzieher": "Kinderbetreuung Erziehung",
    "psychologe": "Psychologie",
    "therapeut": "Therapie",
    "uebertragen": "Übertragung übertragbar",
    "ansparen": "angespart übertragbar",
    "restmittel": "nicht genutzt",
    "bewerben": "Auswahl",
    "ausgewaehlt": "Auswahl",
    "teilnehmen": "Teilnahme",
    "mitmachen": "teilnehmen Teilnahme beteiligt",  # also as said apart: PHRASES
    "mitgemacht": "teilgenommen Teilnahme beteiligt",
    "pflicht": "verpflichtend",
    "eigenanteil": "Eigenanteil Kofinanzierung",
    # paying a share of one's own: what the documents call the Eigenanteil
    "zuzahlen": "Eigenanteil Kofinanzierung",
    "dazuzahlen": "Eigenanteil Kofinanzierung",
    "draufzahlen": "Eigenanteil Kofinanzierung",
    "zuzahlung": "Eigenanteil",
    "beisteuern": "Eigenanteil",
    "mitfinanzieren": "Eigenanteil Kofinanzierung",
    "kofinanzieren": "Eigenanteil Kofinanzierung",
    "zuschuss": "Zuwendung",
    "antrag": "beantragen Antrag",
    "genehmigt": "genehmigt Genehmigung",
    # who decides: the documents say who "verfügt", "vereinbart", "festlegt" or is "zuständig"
    "entscheidet": "verfügt vereinbaren festgelegt zuständig",
    "entscheiden": "verfügt vereinbaren festgelegt zuständig",
    "entscheidung": "Vereinbarung festgelegt zuständig",
    "kontakt": "Postfach",
    "ansprechpartner": "Postfach wenden",
    "jahresbilanz": "Bilanz Jahr",
    "einjahresbilanz": "Bilanz ein Jahr",
    # colloquial -> formal
    "kriegt": "erhält",
    "kriegen": "erhalten",
    "bekommt": "erhält",
    "bekommen": "erhalten",
    "wieviel": "Höhe",
    "schnitt": "Durchschnitt",
    "durchschnittlich": "Durchschnitt",
    "ausgeben": "verwenden einsetzen Ausgaben",
    "bezahlen": "finanzieren",
    "zahlen": "finanzieren",
    "aussuchen": "auswählen Auswahl",
    "ausgesucht": "ausgewählt Auswahl",
    "mitnehmen": "übertragen übertragbar",
    "uebrig": "nicht genutzt übertragen",
}


# abbreviations staff write that the documents spell out ("BBS" -> "berufsbildende Schulen"), with the folded
# stem a passage that spells the name out contains
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "bbs": ("berufsbildende Schulen", "berufsbild"),
    "igs": ("Integrierte Gesamtschule", "gesamtschul"),
    "fos": ("Fachoberschule", "fachoberschul"),
    "rs": ("Realschule plus", "realschul"),
    "vg": ("Verbandsgemeinde", "verbandsgemeind"),
    "mpt": ("multiprofessionelle Teams", "multiprofession"),
}

_EXPANSIONS = {**SYNONYMS, **ENGLISH, **{short: spelled for short, (spelled, _) in ABBREVIATIONS.items()}}


_DECIDE = r"entscheid(?:e|en|et|est)?|entschied(?:en)?"  # the verb, not "entscheidend" or "Entscheidung"
_APPLICATION = r"antr(?:ag|ags|äge|ägen)"  # the noun, not "Antragsteller"
_NEAR = r"[^?.!;]{0,40}?"  # within a few words, in the same sentence
_CLAUSE = r"[^?.!,;]{0,40}?"  # within a few words, in the same clause
_CLOSES = r"\s*(?=[?.!]|$)"  # ... the last word of it
_TAKING_PART = "teilnehmen Teilnahme beteiligt"

# phrases whose sense no single word carries: "Wie lange läuft das?" and "Bis wann läuft das?" ask for a duration,
# which the documents call "Laufzeit"; "Wie läuft das ab?" and "Wie lange dauert die Bearbeitung?" do not (the verb
# within a few words of "bis wann"/"wie lange", in the same clause, not followed by "ab")
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(?:bis wann|wie lange)\b[^?.!,;]{0,40}?\b(läuft|laeuft|lauft|laufen)\b(?![^?.!,;]*\bab\b)", re.I
        ),
        "Laufzeit",
    ),
    # deciding on applications is approving them: "Wer entscheidet über die Anträge?" asks who "genehmigt" or
    # "bewilligt" them (the verb alone asks who "verfügt" or is "zuständig", see SYNONYMS)
    (
        re.compile(rf"\b({_DECIDE})\b{_NEAR}\b{_APPLICATION}\b|\b{_APPLICATION}\b{_NEAR}\b({_DECIDE})\b", re.I),
        "genehmigt Genehmigung bewilligt",
    ),
    # taking part, as said in speech: "Wie viele Schulen machen mit?", "Sind auch BBS dabei?" ask who "teilnimmt" or
    # is "beteiligt" (the verb and "mit"/"dabei" closing the clause; not "Was ist dabei zu beachten?")
    (re.compile(rf"\b(mach(?:e|en|st|t|te|ten))\b{_CLAUSE}\bmit{_CLOSES}", re.I), _TAKING_PART),
    (re.compile(rf"\b(sind|ist|war|waren|sein)\b{_CLAUSE}\bdabei{_CLOSES}", re.I), _TAKING_PART),
)


def phrase_expansion(text: str) -> tuple[str, list[str]]:
    """Document words for phrases of a question, and the question's words they stand in for (the verb of "Wie
    lange läuft das?" says "Laufzeit"; searched as itself it finds whatever else "läuft")."""
    extra, replaced = [], []
    for pattern, words in PHRASES:
        match = pattern.search(text)
        if match:
            extra.append(words)
            replaced.append(next(g for g in match.groups() if g))
    return " ".join(extra), replaced


def glossed(word: str) -> bool:
    """Does the glossary say what the folded word means ("federal" -> "Bund")? Then it is no typo of another word."""
    return word in _EXPANSIONS


def expansion(words: list[str]) -> str:
    """Extra query text for the folded words of a question (empty when nothing matches)."""
    return " ".join(_EXPANSIONS[w] for w in dict.fromkeys(words) if w in _EXPANSIONS)


def spelled_out(name: str) -> str:
    """The folded stem a document uses for an abbreviated name ("bbs" -> "berufsbild"), else the name."""
    key = name.rstrip("+")
    return ABBREVIATIONS[key][1] if key in ABBREVIATIONS else name
