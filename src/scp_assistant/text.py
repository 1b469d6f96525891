"""German text helpers shared by chunking, BM25 and answer composition.

- answer units (sentences, lists with their lead-in) live in :mod:`scp_assistant.text_units`.
- what a message asks (a pasted letter's question sentences) lives in :mod:`scp_assistant.asking`.
- :func:`split_sentences`: sentence boundaries that respect German abbreviations and ordinals.
- :func:`chat_sentences`: the sentences of a typed message (lower-case starts, optionally dash clauses).
- :func:`analyze`: tokens for lexical matching: case and umlaut/ß folding, Snowball stemming.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import snowballstemmer

_ABBREV = {
    "z",
    "b",
    "bzw",
    "u",
    "a",
    "nr",
    "art",
    "abs",
    "ca",
    "mio",
    "mrd",
    "ggf",
    "d",
    "h",
    "insb",
    "bspw",
    "usw",
    "etc",
    "e",
    "v",
    "st",
    "vgl",
    "s",
    "sog",
    "inkl",
    "zzgl",
    "max",
    "min",
    "evtl",
    "dr",
    "prof",
    "päd",
    "städt",
    "o",
    "ä",
    "gem",
    "lt",
    "bzgl",
    "jan",
    "feb",
    "febr",
    "aug",
    "sept",
    "okt",
    "nov",
    "dez",
    "tsd",
}
_SENT_END = re.compile(r"(?<=[.!?…])[\"“”»«']?\s+(?=[\"„“«»(]?[A-ZÄÖÜ0-9])")
MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"


def is_editorial_note(text: str) -> bool:
    """An editor's note ("Hinweis der Redaktion: …"): it comments on what its source says."""
    return text.startswith(EDITORIAL_NOTE)


def ends_with_abbreviation(text: str) -> bool:
    """Whether the full stop that ends ``text`` belongs to an abbreviation ("bzw.", "Mio."), an ordinal
    ("am 4.") or a single letter, so it ends no sentence."""
    last = re.search(r"(\S+)[.]$", text.rstrip("\"“”»«'"))
    if not last:
        return False
    word = last.group(1).lower().strip('(„"')
    return word in _ABBREV or bool(re.fullmatch(r"\d{1,2}|[a-zäöü]", word))


_CHAT_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
_CHAT_CLAUSE = re.compile(r"(?<=[.?!])\s+(?=\S)|\s+[–—]\s+")


def chat_sentences(text: str, dashes: bool = False) -> list[str]:
    """The sentences of a message as people type them: also when the next one starts in lower case ("ok danke.
    regnets morgen?"); an abbreviation or ordinal ("z. B.", "Mio.", "am 4.") ends none. With ``dashes``, a clause
    set off by dashes is a piece of its own ("Könn wir die Betriebskosten – Strom, Reinigung – zahlen?")."""
    pieces: list[str] = []
    for piece in (_CHAT_CLAUSE if dashes else _CHAT_SENTENCE_END).split(text.strip()):
        if pieces and ends_with_abbreviation(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return [p.strip() for p in pieces if p.strip()]


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _SENT_END.finditer(text):
        if ends_with_abbreviation(text[start : match.start()]):
            continue  # abbreviation or ordinal ("4. Juni"), not a sentence end
        pieces.append(text[start : match.start()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


EDITORIAL_NOTE = ("Hinweis der Redaktion", "Anmerkung der Redaktion", "Redaktioneller Hinweis")


# ---- lexical analysis -------------------------------------------------------------------------

_STOP_RAW = """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis
    bitte bzw da damit dann darf darfst das dass dem den denen denn der deren des dessen die dies diese diesem
    diesen dieser dieses doch dort du durch dürfen ein eine einem einen einer eines er es etwa euch euer eure
    für gibt gab hab habe haben hat hatte hätte ich ihm ihn ihr ihre im in ins ist ja jede jedem jeden jeder
    jedes jetzt kann kein keine keinem keinen keiner können könnte man mehr mein meine mich mir mit muss
    müssen nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so soll sollen sollte sonst
    über um und uns unser unsere unter vom von vor war waren was weil welche welchem welchen welcher welches
    wem wen wenn wer werden wie wieder will wir wird wo wurde wurden zu zum zur zwar zwischen eigentlich genau
    denn mal ne einfach gerne bitte sagen sag mir uns viel viele vielen wieviel wieviele ihrem ihren ihrer ihres
    unserem unseren unserer unseres meinem meinen meiner seinem seinen seiner seines eurem euren eurer dein deine
    deinem deinen deiner sich selbst etwas jemand irgendwie irgendwelche solche solchen solcher dieselbe
    wann warum wieso weshalb woher wohin wozu wofür womit wodurch worauf woran wobei ab
    hatten hätten gäbe gegeben schon konkret überhaupt wirklich eben halt gerade ganz sieht sehen siehst jeweils
    gibts gehts geht wars hats ists übers fürs aufm nen nem ner unsre unsren unsrem unsrer nich nix sowas is
    the of and to a in is for on what which who how does do
    are be can with by from at or an it this that"""

_STEMMERS = threading.local()
_TOKEN = re.compile(r"[a-z0-9äöüß]+(?:[+][a-z]*)?", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case with umlauts and ß folded: 'Trägerbudget' and 'Traegerbudget' both become 'traegerbudget'."""
    text = text.lower()
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def plain(text: str) -> str:
    """A text's words, folded and single-spaced: two wordings are the same question when these are equal."""
    return " ".join(re.findall(r"\w+", fold(text)))


def german_stemmer() -> Any:
    """One Snowball stemmer per thread: a stemmer keeps its word in itself, so sharing one across the server's
    threads corrupts words under load (seen as IndexError inside snowballstemmer)."""
    stemmer = getattr(_STEMMERS, "german", None)
    if stemmer is None:
        stemmer = _STEMMERS.german = snowballstemmer.stemmer("german")
    return stemmer


# the feminine ending Snowball keeps after t, g, d, "or" and "ar": "Psychologin", "Lerntherapeutin", "Logopädin",
# "Direktorin", "Referentinnen" (the documents mostly write "Psychologe/in", "Lerntherapeut/in", "Logopäde"). Only
# on stems of more than six letters, so short words that merely end like it keep it ("Termin", "Martin", "Routine";
# "Ärztin" is missed); in the corpus it changes only Direktorin, Referentinnen and Staatssekretärin(nen)
_FEMININE = re.compile(r"(?:(?<=[tgd])|(?<=or)|(?<=ar))inn?$")
_NOT_FEMININE = ("beginn",)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball German stem of a folded word (ae/oe/ue are mapped back so the stemmer sees umlauts), with the
    feminine ending of job titles removed so "Psychologin" meets "Psychologe", and a participle's ending so
    "genehmigt" meets "Genehmigung"."""
    w = word.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü") if not word.isdigit() else word
    s = str(german_stemmer().stemWord(w)).replace("ä", "a").replace("ö", "o").replace("ü", "u")
    if len(s) > 6 and not s.endswith(_NOT_FEMININE):
        s = _FEMININE.sub("", s)
    # the participle meets its noun: "genehmigt" / "Genehmigung" -> "genehm", "beantragt" / "Beantragung" ->
    # "beantrag", "kündigt" / "Kündigung" -> "kundig" (the stem of its "-ung" noun: Snowball keeps a participle's "-t")
    if len(s) > 6 and s.endswith(("igt", "agt")):
        s = str(german_stemmer().stemWord(s[:-1] + "ung"))
    return s


STOPWORDS = frozenset(fold(w) for w in _STOP_RAW.split())


_PILLAR = re.compile(r"\b(S(?:ä|ae)ulen?)[\s-]+(III|II|I|1|2|3)\b", re.IGNORECASE)
_ROMAN = {"i": "1", "ii": "2", "iii": "3"}


# words the documents write as a sign or an abbreviation ("40 %", "20.000 €", "6 Mrd. €"): no question lacks an answer
# for using them (folded)
WRITTEN_AS_SYMBOL = frozenset("prozent euro million millionen milliarde milliarden mio mrd prozentpunkte".split())


def figures(text: str) -> tuple[str, ...]:
    """The numbers a text states, in order, without pillar numerals ("Säule 2", "säule2" name a pillar)."""
    return tuple(dict.fromkeys(re.findall(r"\d+(?:[.,/]\d+)*", _PILLAR_WORD.sub(" ", _PILLAR.sub(" ", text)))))


_PILLAR_WORD = re.compile(r"\bs(?:ä|ae)ulen?[123]\b", re.IGNORECASE)


def pillar_terms(text: str) -> str:
    """'Säule I' -> 'Säule saeule1', 'Säule-III-Mittel' -> 'Säule saeule3-Mittel': the numeral matters."""
    return _PILLAR.sub(lambda m: f"{m.group(1)} saeule{_ROMAN.get(m.group(2).lower(), m.group(2))}", text)


def words(text: str) -> list[str]:
    """Folded word tokens (numbers kept), hyphenated compounds split into their parts plus the whole."""
    text = pillar_terms(text)
    out: list[str] = []
    for raw in re.findall(r"[A-Za-zÄÖÜäöüß0-9]+(?:-[A-Za-zÄÖÜäöüß0-9]+)*\+?", text):
        parts = raw.rstrip("+").split("-")
        if len(parts) > 1:
            out.append(fold("".join(parts)))
        out.extend(fold(p) for p in parts if p)
        if raw.endswith("+"):
            out.append(fold(parts[-1]) + "plus")
    return out


def analyze(text: str) -> list[str]:
    """Stems of content words (stop words and 1-letter tokens dropped), for BM25 and overlap scoring."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


# the closing of a letter, from which on a pasted e-mail is its signature ("Mit freundlichen Grüßen / Petra Schmitt /
# Kämmerin, Kreisverwaltung …"): after a line break or a sentence, never at the start of the message
_CLOSING = re.compile(
    r"(?:\n|(?<=[.!?])[ ]+)[ ]*(?:mit[ ]+(?:freundlichen|besten|herzlichen|vielen|kollegialen)[ ]+grü(?:ß|ss)en"
    r"|mit[ ]+freundlichem[ ]+gru(?:ß|ss)|(?:freundliche|viele|beste|liebe|herzliche|schöne|kollegiale)[ ]+grü(?:ß|ss)e"
    r"|gru(?:ß|ss)|grü(?:ß|ss)e|mfg|lg|vg|(?:best|kind|warm)[ ]+regards|regards)\b[^?]*$",
    re.IGNORECASE,
)


# the greeting a pasted e-mail opens with ("Hallo Frau Yilmaz,", "Sehr geehrte Damen und Herren,", "Moin!"): up to
# its comma, exclamation mark or line break, a few words at most
_SALUTATION = re.compile(
    r"^\s*(?:hallo|hi|hey|moin|servus|grüß gott|grüezi|guten (?:tag|morgen|abend)|dear|hello|"
    r"good (?:morning|afternoon)|(?:sehr geehrte[rs]?|liebe[rs]?)\s+(?:frau|herr\w*|damen|kolleg\w*|team|alle|ism))\b"
    # then at most a few words of address ("Frau Yilmaz", "zusammen", "und Herren"), never the question itself:
    # "Hallo wie hoch ist das Budget für Mainz, und …?" keeps all of it
    r"(?:\s+(?:(?-i:[A-ZÄÖÜ][\w.-]*)|frau|herr\w*|dr\.|zusammen|alle|und|liebe[rs]?|damen|kolleg\w*|team)){0,4}"
    r"[ ]*(?:[,!]|\n)\s*",
    re.IGNORECASE,
)


def without_salutation(text: str) -> str:
    """``text`` without the greeting it opens with, when something is left after it ("Hallo Frau Yilmaz, können
    Sie mir sagen, wer …?" is searched from "Können Sie …")."""
    match = _SALUTATION.match(text)
    rest = text[match.end() :] if match else ""
    if not re.search(r"\w", rest):
        return text
    return rest[:1].upper() + rest[1:]


def without_signature(text: str) -> str:
    """``text`` without the signature of a pasted e-mail: from its closing formula to the end, where no question
    follows it ("Viele Grüße aus Worms! Wie hoch …?" keeps its question) and something is left before it."""
    match = _CLOSING.search(text)
    if match is None or not re.search(r"\w", text[: match.start()]):
        return text
    return text[: match.start()].rstrip()
