"""What a message asks: whether a sentence asks at all, and of a pasted e-mail or letter the sentences that do,
without the words that only announce them ("Deshalb meine konkrete Frage: …")."""

from __future__ import annotations

import re

from scp_assistant.text import chat_sentences, fold

# "?" then anything but a word or another "?" to the end: "…?", "…?!", "…?“" (linear on a run of "?", which
# "\?\W*$" retried from every one of them)
_ASKS = re.compile(r"\?[^\w?]*$")
# sentences of a message beyond which it is a pasted e-mail or letter: background, then what it asks
LETTER_SENTENCES = 3
_ON_ITS_OWN = 10  # words from which a question sentence of a letter names its own topic

# a lead-in that only announces a question names it ("Frage", "gefragt", "question") and says nothing else:
# "Deshalb meine konkrete Frage:", "Kurz gefragt:", "My question is:". Not "Eine Frage dazu:" ("dazu" points back),
# "Bis wann:", "Ab 2026:", "Von nun an:" or "Zwei Fragen zu Worms:"
_ANNOUNCING = frozenset(fold(w) for w in "frage fragen gefragt anfrage rückfrage nachfrage anliegen question".split())
_FILLER = frozenset(
    fold(w)
    for w in """meine meinen mein unsere unser unseren eine ein die das der kurze kurz konkrete konkreten konkret
    eigentliche deshalb daher deswegen darum also noch nun folgende lautet lautete ist wäre hier erste zweite
    dritte nächste weitere letzte my our the is a one quick short""".split()
)
_LEAD_IN = re.compile(r"^\s*([^\W\d_][^:?\d€%§]{0,79}?)\s*:\s+(?=\S)")


def asks(sentence: str) -> bool:
    """Does the sentence ask ("…?", "…?!", "…?“")?"""
    return bool(_ASKS.search(sentence))


def without_lead_in(sentence: str) -> str:
    """A question without a lead-in that only announces it: "Deshalb meine konkrete Frage: Wie hoch ist der
    Eigenanteil?" asks "Wie hoch ist der Eigenanteil?". A lead-in with anything more stays ("Zwei Fragen zu Worms:
    …", "Säule I: wer entscheidet?", "Eine Frage dazu: …"), and so does a colon before something that does not ask."""
    match = _LEAD_IN.match(sentence)
    if not match:
        return sentence
    lead = [fold(w) for w in re.findall(r"[^\W\d_]+", match.group(1))]
    if not _ANNOUNCING.intersection(lead) or any(w not in _ANNOUNCING and w not in _FILLER for w in lead):
        return sentence
    rest = sentence[match.end() :]
    if not asks(rest):
        return sentence
    return rest[0].upper() + rest[1:]


def without_lead_ins(text: str) -> str:
    """``text`` with the lead-in of each of its sentences left out (:func:`without_lead_in`), the rest as written:
    "Wir sind eine Grundschule in Worms. Kurze Frage: wer genehmigt das Trägerbudget?"."""
    for sentence in chat_sentences(text):
        asked = without_lead_in(sentence)
        if asked != sentence:
            text = text.replace(sentence, asked, 1)
    return text


def asked_in(text: str) -> str:
    """What a message asks: of a message of more than ``LETTER_SENTENCES`` sentences (of three words or more), its
    question sentences, if it has any ("Vielen Dank für das Gespräch am Dienstag. … Wie hoch ist der Eigenanteil,
    den wir bei Säule I tragen müssen?"); any other text whole. A short question comes with the sentence before it:
    what it points back to ("Die Kosten liegen bei 80.000 €. Ist das förderfähig?") or what a polite closing asks
    about ("Wie hoch der Eigenanteil ist, ist uns unklar. Können Sie uns helfen?"). Lead-ins that only announce
    a question are gone already: every question is cleaned first (``answer/guard.py``, :func:`without_lead_ins`)."""
    parts = [p for p in chat_sentences(text) if len(p.split()) >= 3]
    if len(parts) <= LETTER_SENTENCES:
        return text
    kept = {j for i, p in enumerate(parts) if asks(p) for j in (i - 1, i) if j == i or len(p.split()) < _ON_ITS_OWN}
    return " ".join(parts[i] for i in sorted(kept) if i >= 0) if kept else text
