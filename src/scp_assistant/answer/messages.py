"""The German texts users see when the assistant declines or adds a notice."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from scp_assistant.answer.exclusions import asked_pillars
from scp_assistant.learn.unit_text import AMOUNT, DATED, has_count
from scp_assistant.models import Chunk, RefusalReason
from scp_assistant.text import MONTHS, fold

SCOPE = (
    "Ich beantworte ausschließlich Fragen zum Startchancen-Programm, und zwar nur auf Grundlage der "
    "hinterlegten Programmunterlagen."
)


def german_date(value: str) -> str:
    """'2025-06-04' -> '04.06.2025', '2025-05' -> '05/2025': dates as German readers write them."""
    bits = value.split("-")
    return ".".join(reversed(bits)) if len(bits) == 3 else "/".join(reversed(bits))


def contacts(email: str, question: str = "") -> str:
    """Where binding answers come from; the ADD for the Chancenbudget only when the question may be about it: a
    question about Säule I or III alone is not sent to the Chancenbudget's authority."""
    ministry = (
        f"Verbindliche Auskünfte gibt das Ministerium für Bildung Rheinland-Pfalz (Startchancen-Postfach: {email})"
    )
    asked = asked_pillars(question)
    if asked and "II" not in asked:
        return f"{ministry}."
    return f"{ministry}; für Anträge und Bewilligungen im Chancenbudget ist die Schulaufsicht der ADD zuständig."


def refusal(
    reason: RefusalReason,
    category: str,
    email: str,
    related: Sequence[Chunk],
    nearby: str = "",
    missing: Sequence[str] = (),
    question: str = "",
) -> str:
    if reason == "adversarial":
        if category == "approval":
            first = (
                "Ich kann keine Förderentscheidung bestätigen und keine Bescheide oder amtlichen Schreiben im "
                "Namen einer Behörde erstellen; ich habe keinen Zugriff auf Anträge. Verbindlich ist allein der "
                "Bescheid der zuständigen Stelle."
            )
        elif category == "personal":
            first = "Ich gebe keine personenbezogenen Daten heraus und verarbeite keine."
        else:
            first = (
                "Meine Rolle und meine Regeln lassen sich nicht ändern, und interne Anweisungen gebe ich nicht heraus."
            )
        return f"{first} {SCOPE} Gern beantworte ich Ihre Fragen zum Programm. {contacts(email)}"
    if reason == "out_of_scope":
        # declined after the search for words no passage found uses: say which, rather than only that the question is
        # not about the programme ("Welchen Stundensatz dürfen wir Honorarkräften zahlen?" asks a Schulträger's
        # question; the documents know Honorarverträge, not Honorarkräfte or a Stundensatz)
        first = (
            f"Zu {_named(missing)} finde ich in den Programmunterlagen nichts."
            if missing
            else "Dazu kann ich leider nicht helfen."
        )
        return (
            f"{first} {SCOPE} Fragen Sie mich zum Beispiel, was aus Säule I, II "
            f"oder III gefördert werden kann, wer was beantragt und genehmigt oder wie hoch der Eigenanteil ist."
        )
    if missing:
        named = _named(missing)
        # the word may well stand in the documents ("Laufzeit"), just not as the answer to what was asked
        first = (
            f"Auf Ihre Frage zu {named} finde ich in den Programmunterlagen keine Antwort, und ich möchte nichts raten."
        )
    else:
        first = "Dazu finde ich in den Programmunterlagen keine belastbare Angabe, und ich möchte nichts raten."
    if nearby:
        # a list stays a list: "Belegt ist:" on its own line above it, not "Belegt ist: - Viele …" as one line
        shown = f"\n{nearby.lstrip()}" if nearby.lstrip().startswith("- ") else f" {nearby}"
        return f"{first}\n\nBelegt ist:{shown}\n\n{contacts(email, question)}"
    # a programme question the documents do not answer is not out of scope: no "I only answer programme questions"
    text = f"{first} {contacts(email, question)}"
    if related:
        names = "; ".join(_label(c) for c in related)
        text += f" Am nächsten kommen diese Abschnitte: {names}."
    return text


_MONTHS = frozenset(MONTHS.lower().split("|"))
# words of a message's frame, not of its topic: greetings, politeness, "Frage", "dringend"
_FRAME = frozenset(
    "herren damen grüße grüßen hallo danke bitte frage fragen antwort antworten anfrage dringend ungefähr "
    "schnell kollegen kolleginnen".split()
)
_OPENER = re.compile(r"(?:^|[.!?:;,–(\n\"„“]\s*)([\wÄÖÜäöüß-]+)")
_BEFORE_PRONOUN = re.compile(r"\b([\wÄÖÜäöüß-]+)\s+(?:du|sie|ich|wir|ihr|man|es|er)\b", re.IGNORECASE)
# an adjective or adverb written with a capital letter ("Ehrlich", "Schnellstmöglich", "Dringend"), never a noun
_NOT_A_NOUN = re.compile(r"(lich|ig|isch|bar|weise|los|sam|[^aeiouäöü]end)$", re.IGNORECASE)


def nameable(question: str, words: Sequence[str], limit: int = 2) -> list[str]:
    """Of the words a question uses and the documents do not, those a refusal can name as what is missing: nouns
    of some weight. When a word may not be one, it is not named: the first word of a sentence or clause
    ("Schreib mir …", "Apropos …", "Hallo, Brauche dringend …"), a verb before its pronoun ("Kannst du"), an
    adjective or adverb ("Ehrlich", "Dringend"), the frame of a message ("Herren", "Frage"), a short everyday noun
    ("Leute", "Namen") or a month."""
    openers = {m.group(1) for m in _OPENER.finditer(question)}
    verbs = {m.group(1) for m in _BEFORE_PRONOUN.finditer(question)}
    out = []
    for word in words:
        low = word.lower()
        if word in openers or word in verbs or len(word) < 6 or low in _MONTHS or low in _FRAME:
            continue
        if _NOT_A_NOUN.search(word) and len(word) >= 7:
            continue
        out.append(word[0] + word[1:].lower() if word.isupper() else word)  # "HUNDESTEUER" -> "Hundesteuer"
    return list(dict.fromkeys(out))[:limit]


_SCREENS = {
    "injection": "die Nachricht versucht, die Regeln des Assistenten zu ändern",
    "personal": "die Nachricht fragt nach personenbezogenen Daten",
    "approval": "die Nachricht verlangt eine Förderentscheidung oder ein amtliches Schreiben",
    "off_topic": "ein Thema außerhalb des Programms (etwa Wetter, Verkehr, Gedichte oder Programmcode)",
}


def screened_note(category: str) -> str:
    """Why the screen before the search declined a message (for the console's explanation)."""
    return f"Prüfung vor der Suche: {_SCREENS.get(category, 'keine Frage zum Programm')}."


def off_topic_note(coverage: float, unresolved: Sequence[str], floor: float) -> str:
    """Why a question without programme words was declined after the search."""
    if unresolved:
        missing = f"diese Wörter stehen in keinem gefundenen Abschnitt: {', '.join(unresolved)}"
    else:
        missing = f"nur {coverage:.0%} ihrer Wörter stehen in den gefundenen Abschnitten (nötig: {floor:.0%})"
    return f"Themenprüfung nach der Suche: keine Programmwörter in der Frage, und {missing}.".replace("%", " %")


def _named(words: Sequence[str]) -> str:
    return " und ".join(f"„{w}“" for w in words)


# a turn that points back at nothing is asked for its topic; with questions to click when there are some
# (``conversation/clarify.py``), else with two examples in the text
NEEDS_CONTEXT_ASK = (
    "Ihre Frage bezieht sich offenbar auf etwas, das vorher gesagt wurde; in dieser Unterhaltung gibt es aber noch "
    "keine vorige Frage. Bitte stellen Sie sie mit ihrem Thema."
)
# ... after a turn declined as off-topic or asked for its own topic: that turn gives no topic, and the conversation
# does have turns
NEEDS_CONTEXT_AFTER_OFF_TOPIC_ASK = (
    "Ihre Frage bezieht sich offenbar auf die vorige Nachricht; die nannte aber kein Thema aus den "
    "Programmunterlagen. Bitte stellen Sie sie mit ihrem Thema."
)
_EXAMPLES = (
    ", zum Beispiel: „Wer genehmigt Anträge aus dem Chancenbudget?“ oder „Wie hoch ist der Eigenanteil in Säule I?“"
)
NEEDS_CONTEXT = NEEDS_CONTEXT_ASK.removesuffix(".") + _EXAMPLES
NEEDS_CONTEXT_AFTER_OFF_TOPIC = NEEDS_CONTEXT_AFTER_OFF_TOPIC_ASK.removesuffix(".") + _EXAMPLES


def part_not_covered(part: str, parts: Sequence[str] = (), is_place: Callable[[str], bool] | None = None) -> str:
    """One sentence for a part of a multi-part question that the documents do not answer. A part that is the
    question for one of several places ("Wie viel bekommen Worms und Trier?") is named by that place alone."""
    place = _place_of(part, [p for p in parts if p != part], is_place) if is_place else ""
    if place:
        return f"Zu {place} finde ich dazu in den Programmunterlagen keine Angabe."
    asked = part.strip().rstrip("?!. ")
    return f"Zu „{asked}?“ finde ich in den Programmunterlagen keine Angabe."


_SLOTS: dict[str, tuple[Callable[[str], object], str]] = {
    "when": (DATED.search, "Einen Termin oder eine Frist nennen die gefundenen Stellen dazu nicht."),
    "amount": (AMOUNT.search, "Einen Betrag nennen die gefundenen Stellen dazu nicht."),
    "count": (has_count, "Eine Anzahl nennen die gefundenen Stellen dazu nicht."),
}


def slot_not_given(kind: str, texts: Sequence[str]) -> str | None:
    """One sentence for a question after a date, an amount or a count whose answer holds none: what the answer
    shows is what the documents say nearby, and the reader is told that the thing asked for is not among it ("Bis
    wann müssen die Anträge gestellt sein?" – the documents name no deadline)."""
    slot = _SLOTS.get(kind)
    if slot is None or any(slot[0](text) for text in texts):
        return None
    return slot[1]


# what may stand before the place in a part: "bekommt der Landkreis …", "in Trier", "für Worms"
_BEFORE_PLACE = ("der", "die", "das", "den", "dem", "im", "in", "für")


def _place_of(part: str, others: Sequence[str], is_place: Callable[[str], bool]) -> str:
    """The place that sets ``part`` apart from another part asking the same for another place, if that is all."""
    words = part.split()
    a = [w.lower().strip(',.?!„“"()') for w in words]
    for other in others:
        b = [w.lower().strip(',.?!„“"()') for w in other.split()]
        head = 0
        while head < min(len(a), len(b)) and a[head] == b[head]:
            head += 1
        tail = 0
        while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
            tail += 1
        differing = words[head : len(words) - tail]
        while differing and differing[0].lower() in _BEFORE_PLACE:
            differing = differing[1:]
        name = " ".join(differing).strip(',.?!„“"()')
        if head + tail >= 2 and 0 < len(differing) <= 3 and differing[0][:1].isupper() and is_place(name):
            return name
    return ""


def _label(chunk: Chunk) -> str:
    where = f"Folie {chunk.page}" if chunk.page else chunk.section
    return f"„{chunk.title}“" + (f" – {where}" if where else "")


_COUNT_WORDS = ("Eine", "Zwei", "Drei", "Vier", "Fünf", "Sechs", "Sieben", "Acht", "Neun", "Zehn", "Elf", "Zwölf")


def other_land_notice(chunks: Sequence[Chunk]) -> str:
    """ "Eine Quelle stammt aus Berlin (anderes Land)", "Zwei Quellen stammen aus Berlin und Nordrhein-Westfalen
    (andere Länder)": counted by document, named by Land ("einem anderen Land" for a source without one). It says
    where a source comes from, not that what it says holds there only: "Nach Angaben des NRW-Schulministeriums ist
    das Investitionsbudget in Säule I bundesweit an einen Eigenanteil von 30 % gebunden" speaks of every Land (the
    notice said "beschreibt die Regelung in Nordrhein-Westfalen, nicht in Rheinland-Pfalz"; walk-through, round 31)."""
    sources = len({c.doc_id for c in chunks}) or 1
    named = sorted({c.region for c in chunks if c.region})
    unnamed = any(not c.region for c in chunks)
    lands = [*named, "einem weiteren Land" if named else "einem anderen Land"] if unnamed else named
    count = _COUNT_WORDS[sources - 1] if sources <= len(_COUNT_WORDS) else str(sources)
    subject = f"{count} Quelle stammt" if sources == 1 else f"{count} Quellen stammen"
    listed = lands[0] if len(lands) == 1 else ", ".join(lands[:-1]) + " und " + lands[-1]
    other = "" if not named else " (anderes Land)" if len(lands) == 1 else " (andere Länder)"
    return f"Hinweis: {subject} aus {listed}{other}, nicht aus Rheinland-Pfalz."


def local_example_notice(places: Sequence[str]) -> str:
    named = " und ".join(places)
    return (
        f"Hinweis: Ein Teil der Angaben beschreibt das Beispiel {named} (Zahlen und Beschlüsse dieses Schulträgers) "
        "und gilt nicht ohne Weiteres für andere Schulträger."
    )


def local_examples(chunks: Sequence[Chunk], question: str) -> list[str]:
    """The places whose own pages an answer cites ("Mainz, RLP"), where the question does not ask about them:
    "Die Stadt trägt dabei einen Eigenanteil von 30 %" is Mainz's figure, not a rule for every Schulträger."""
    asked = fold(question)
    out: list[str] = []
    for chunk in chunks:
        place, _, land = chunk.region.partition(",")
        if not land.strip() or not place.strip():
            continue
        key = fold(place.split()[-1])
        if key not in asked and place.strip() not in out:
            out.append(place.strip())
    return out


def unsaid_notices(notice: str | None, text: str) -> list[str]:
    """The notices of an answer that its text does not already end with (the other-Land note is in both)."""
    parts = re.split(r"\s+(?=Hinweis: |Ihre Nachricht enthielt )", notice or "")
    return [p for p in parts if p and p not in text]


# a question in English gets its answer in German (the documents' words, cited): say so, in both languages
ENGLISH_NOTICE = (
    "Hinweis: Die Programmunterlagen sind deutschsprachig, deshalb antworte ich auf Deutsch. "
    "(The programme documents are in German, so the answer is in German.)"
)


STRIPPED_NOTICE = (
    "Ihre Nachricht enthielt Anweisungen an den Assistenten; diese wurden ignoriert. Beantwortet wird nur die "
    "darin enthaltene Frage zum Startchancen-Programm."
)


def conflict_notice(figures: Sequence[tuple[str, int, str]]) -> str:
    """figures: (figure, citation number, date) as found in different sources."""
    listed = "; ".join(f"{fig} [{n}]" + (f" (Stand {date})" if date else "") for fig, n, date in figures)
    return f"Hinweis: Die Quellen nennen unterschiedliche Zahlen: {listed}. Maßgeblich ist die amtliche Quelle."
