"""Words of a question that are not its topic: who is asking ("wir als Verbandsgemeinde"), the source it cites
("laut ism"), its names, and the words any programme question may use ("Schule", "Geld")."""

from __future__ import annotations

import re

from scp_assistant.text import WRITTEN_AS_SYMBOL, fold

NAME = re.compile(r"(?<!^)(?<![.?!:]\s)\b([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*|[A-ZÄÖÜ]{2,}\+?)\b")
# the noun after "unser…" or "wir/uns als" (an adjective may come between): "unsere kleine VG", "wir als Kreis";
# a name after it stays ("unsere Stadt Worms" keeps "Worms")
ASKER = re.compile(
    r"\b(?:[Uu]nser(?:e[mnrs]?)?|[Uu]nsre[mnrs]?|(?:[Ww]ir|[Uu]ns)\s+als)\s+(?:[a-zäöüß][\wäöüß-]*\s+)?"
    r"[A-ZÄÖÜ][\wÄÖÜäöüß-]*"
    # the body in the role the question is about ("den die Verbandsgemeinde als Schulträger tragen muss"): the role
    # stays a word of the question, a name stays ("die Stadt Worms als Schulträger"), and so does another role ("die
    # AWO als Träger von Schulsozialarbeit")
    r"|\b(?:[Dd]ie|[Dd]er|[Dd]en|[Dd]em|[Ee]ine[mnr]?|[Ee]in)\s+[A-ZÄÖÜ][\wÄÖÜäöüß-]*"
    r"(?=\s+als\s+(?:zuständige[mnr]?\s+)?Schulträger)"
)


# the kinds of body a Schulträger's staff say they are ("wir als Verbandsgemeinde", "unsere Stadt", "unser Kreis"): who
# is asking, not what is asked; "unser Trägerbudget", "unsere Schulleitungen" or "wir als Schulträger" name a topic,
# and so does "unser Stadtrat" (the documents report councils' decisions: "Hat eine Kommune das ähnlich gehandhabt?")
_BODIES = frozenset(
    "verbandsgemeinde vg gemeinde ortsgemeinde kommune stadt kreisstadt kreis landkreis kreisverwaltung "
    "stadtverwaltung gemeindeverwaltung verbandsgemeindeverwaltung vg-verwaltung verwaltung schulverwaltungsamt "
    "zweckverband schulzweckverband kaemmerei kaemmerer kaemmerin buergermeister buergermeisterin "
    "verbandsbuergermeister verbandsbuergermeisterin ortsbuergermeister oberbuergermeister".split()
)
# "unser(e) …", "wir/uns als …", in any case ("wir als verbandsgemeinde"); an adjective may come between ("unsere
# kleine VG", "unsere Große Kreisstadt")
_ASKING_BODY = re.compile(
    r"\b(?:unser\w*|unsre\w*|(?:wir|uns)\s+als)\s+([\wäöüß-]+)(?:\s+([\wäöüß-]+))?", re.IGNORECASE
)


def asking_bodies(text: str) -> frozenset[str]:
    """The folded words by which the asker names the body they work for ("wir als Verbandsgemeinde" ->
    "verbandsgemeinde"): the documents never name the asker, so these are no topic of the question. Two bodies are
    what is asked about ("Kann unser Kreis Mittel an unsere Gemeinde weitergeben?")."""
    found = frozenset(fold(w) for m in _ASKING_BODY.finditer(text) for w in m.groups() if w) & _BODIES
    return found if len(found) == 1 else frozenset()


def without_asker(text: str) -> str:
    """``text`` without who is asking ("für unsere Verbandsgemeinde", "wir als Kreis"), unless the phrase names the
    programme ("unsere Startchancen-Schule"): a question does not become a programme question because the asker
    is a Verbandsgemeinde ("Wie setzen wir eine Hundesteuersatzung für unsere Verbandsgemeinde auf?")."""
    return ASKER.sub(lambda m: m.group(0) if "startchanc" in fold(m.group(0)) else " ", text)


# what the answer is for, opening the question ("Für unsere Ratsvorlage:", "Für die Chronik unserer Schule:",
# "Fürs Kreisblatt:"): the documents need not know a Regionalkonferenz to answer what it asks. Only a purpose: "Für
# das Hallenbad: Dürfen wir …?" names the thing it asks about
_PURPOSE = re.compile(
    r"^\s*fürs?\s+[^:?!.\n]{0,50}?(?:vorlage|sitzung|ausschuss|chronik|konferenz|bericht|verteiler|ablage|protokoll|"
    r"planung|präsentation|einladung|besprechung|dokumentation|übersicht|stellungnahme|blatt|zeitung|newsletter)"
    r"[^:?!.\n]{0,30}:\s*",
    re.IGNORECASE,
)


def without_purpose(text: str) -> str:
    """``text`` without a purpose it opens with ("Für unseren Haushaltsausschuss: Wie viel …?" -> "Wie viel …?")."""
    return _PURPOSE.sub("", text, count=1)


# the source a question cites: "laut ism", "nach Angaben des Landes", "according to the BMBF", "im Newsletter"
_ATTRIBUTION = re.compile(
    r"\b(?:[Ll]aut|[Gg]emäß|[Nn]ach (?:Angaben|Darstellung|Auskunft)(?: de[rsm]| von)?|[Aa]ccording to(?: the)?)"
    r"\s+((?:[\w.+/-]+\s*){1,3})"
    r"|\b(?:im|in der|in dem|in einer|in einem|aus der|aus dem|in the)\s+((?:[\w-]*(?:Newsletter|Pressemitteilung|"
    r"Präsentation|Folien|FAQ|Bericht|Meldung|Steckbrief|Bilanz|Umfrage|Abfrage|Interview|Blog|Übersicht)\w*)"
    r"(?:\s+(?:de[rsm]|von)\s+[\w.-]+)?)"
)


_LINKS = frozenset("der des dem den die das vom von im in am zum zur und the of".split())


def attribution(text: str) -> str:
    """The words naming the source a question cites ("laut Pressemitteilung des Bildungsministeriums" ->
    "Pressemitteilung des Bildungsministeriums"), or ""."""
    words = " ".join(m.group(1) or m.group(2) for m in _ATTRIBUTION.finditer(text)).split()
    # the names in it: nouns and short acronyms ("ism", "dpa"), not the verbs that follow ("laut ism sollen")
    return " ".join(w for w in words if (w[:1].isupper() or len(w) <= 4) and w not in _LINKS)


COMMON = frozenset(
    fold(w)
    for w in (
        "Wer Wie Was Wann Wo Welche Welcher Welches Welchen Warum Gibt Gilt Darf Dürfen Kann Können Muss Müssen Ist "
        "Sind Und Aber Oder Bei Für Mit Nach Von Zum Zur Im In Auf Aus Unser Unsere Wir Ich Sie Es Das Die Der Den "
        "Schule Schulen Schulträger Land Länder Bund Programm Startchancen Startchancen-Programm SCP Säule Säulen "
        "Mittel Geld Euro Jahr Jahre Frage Fragen Antrag Anträge Budget Chancenbudget Personal What Which How Who "
        "When Where Many Much Per Can The Is Are Do Does"
    ).split()
)


def is_common(word: str) -> bool:
    """A question word or a word every question on the programme may use ("Schule", "Geld", "Personal")."""
    folded = fold(word)
    return folded in COMMON or folded in WRITTEN_AS_SYMBOL or len(folded) < 3
