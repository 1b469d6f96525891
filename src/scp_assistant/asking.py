"""What a message asks: whether a sentence asks at all, and of a pasted e-mail or letter the sentences that do,
without the words that only announce them ("Deshalb meine konkrete Frage: …")."""

from __future__ import annotations

import re

from scp_assistant.text import STOPWORDS, chat_sentences, fold

_ASKS = re.compile(r"\?\W*$")
# sentences of a message beyond which it is a pasted e-mail or letter: background, then what it asks
LETTER_SENTENCES = 3
_ON_ITS_OWN = 10  # words from which a question sentence of a letter names its own topic

# the words of a lead-in that announces a question and says nothing of its topic ("Deshalb meine konkrete Frage:",
# "Kurz gefragt:", "My question is:"), beyond the stop words
_ANNOUNCING = frozenset(
    fold(w)
    for w in """frage fragen gefragt anfrage rückfrage nachfrage anliegen konkret konkrete konkreten kurz kurze
    eigentliche eigentlich deshalb daher deswegen darum somit folgende folgendes dazu hierzu lautet lautete wäre
    erste zweite dritte nächste weitere letzte zusammengefasst kurzum question questions my our is the so""".split()
)
_LEAD_IN = re.compile(r"^\s*([^:?]{1,80}?)\s*:\s+(?=\S)")


def asks(sentence: str) -> bool:
    """Does the sentence ask ("…?", "…?!", "…?“")?"""
    return bool(_ASKS.search(sentence))


def without_lead_in(sentence: str) -> str:
    """A question without a lead-in that only announces it: "Deshalb meine konkrete Frage: Wie hoch ist der
    Eigenanteil?" asks "Wie hoch ist der Eigenanteil?". A lead-in with a topic of its own stays ("Zwei Fragen zu
    Worms: …", "Säule I: wer entscheidet?"), and so does a colon before something that does not ask."""
    match = _LEAD_IN.match(sentence)
    if not match or not asks(sentence[match.end() :]):
        return sentence
    lead = re.findall(r"[^\W\d_]+", match.group(1))
    if not lead or any(fold(w) not in STOPWORDS and fold(w) not in _ANNOUNCING for w in lead):
        return sentence
    rest = sentence[match.end() :]
    return rest[0].upper() + rest[1:]


def asked_in(text: str) -> str:
    """What a message asks: of a message of more than ``LETTER_SENTENCES`` sentences (of three words or more), its
    question sentences, if it has any ("Vielen Dank für das Gespräch am Dienstag. … Wie hoch ist der Eigenanteil,
    den wir bei Säule I tragen müssen?"); any other text whole. A short question comes with the sentence before it:
    what it points back to ("Die Kosten liegen bei 80.000 €. Ist das förderfähig?") or what a polite closing asks
    about ("Wie hoch der Eigenanteil ist, ist uns unklar. Können Sie uns helfen?"). A lead-in that only announces
    the question is left out (:func:`without_lead_in`)."""
    parts = [p for p in chat_sentences(text) if len(p.split()) >= 3]
    if len(parts) <= LETTER_SENTENCES:
        return without_lead_in(text)
    kept = {j for i, p in enumerate(parts) if asks(p) for j in (i - 1, i) if j == i or len(p.split()) < _ON_ITS_OWN}
    return " ".join(without_lead_in(parts[i]) for i in sorted(kept) if i >= 0) if kept else text
