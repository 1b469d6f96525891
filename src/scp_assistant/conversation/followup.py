"""Follow-up questions: does a turn depend on the previous one, and what is its standalone query?

A turn such as "Und in Säule III?", "Bis wann?" or "Gilt das auch für BBS?" only makes sense with the previous
question; "Welche Berufsgruppen darf ich in Säule III einstellen?" stands alone even in a session. The decision
comes from a small learned model (``learn/``; features below, trained on conversation sets by ``scp-assistant eval
train``). A dependent turn gets the previous turn's topic as whole phrases ("Säule I", "Trägerbudget", "Worms");
what the new turn names replaces what it changes (Säule II -> Säule III keeps "Trägerbudget" and swaps the pillar).
A turn out of scope or adversarial on its own is never combined with the session: it is refused as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from scp_assistant.asking import asks
from scp_assistant.conversation.resolution import Resolution
from scp_assistant.conversation.sessions import Turn
from scp_assistant.conversation.topic_phrases import TopicPhrases
from scp_assistant.conversation.turn_words import (
    CONNECTOR,
    ONLY_ASKS,
    PILLAR,
    PLACE_NAME_WORDS,
    POINTING,
    POINTS_AT,
    POINTS_BACK,
    PRONOUN,
    QUESTION_WORD,
    WIDE,
    WIDE_ADVERB,
    Phrase,
    content_words,
    pillar_phrase,
    pillars_of,
)  # fmt: skip
from scp_assistant.document_words import as_documents_write
from scp_assistant.learn.model import LinearModel
from scp_assistant.learn.question import split_carried
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.text import fold

FOLLOWUP_FEATURES = (
    "content_words", "short", "connector", "pronoun", "question_word", "own_topics", "own_specific",
    "slot_only", "overlap_previous", "previous_topics", "ends_question", "bias_free",
)  # fmt: skip


# a question whether something may be paid or done ("Dürfen wir Lehrkräfte … bezahlen?", "Können wir …")
_MAY_WE = re.compile(r"(?:und |aber |also )?(?:darf|dürfen|kann|können|könnten)\b", re.IGNORECASE)
# the word before a phrase is a preposition ("aus Trägerbudget", "für Teams"), not an adjective of it
_PREPOSITION_BEFORE = re.compile(r"\b(?:aus|für|in|im|bei|beim|von|vom|über|zum|zur|mit)\s+$", re.IGNORECASE)
# a turn that names one thing, an article before it at most ("Und eine Motopädin?", "Schulsozialarbeiter?")
_ONE_THING = re.compile(r"(?:(?:ein|eine|einen|der|die|das|den)\s+)?([A-ZÄÖÜ][\wÄÖÜäöüß-]*)\s*[?!.]*", re.IGNORECASE)


class FollowupResolver:
    """Decides per turn with the learned model (rules of thumb when no model is trained) and builds the query."""

    def __init__(
        self, bm25: BM25Index, model: LinearModel | None, in_scope: Callable[[str], bool], threshold: float = 0.5,
        on_topic: Callable[[str], bool] | None = None, correct: Callable[[str], str] | None = None,
    ) -> None:  # fmt: skip
        """``in_scope``: neither manipulation nor plainly off-topic by its wording (the guard); ``on_topic``: the
        answer stage's whole scope check, which also searches (a turn with words of its own that the programme's
        passages do not speak of, "Und wie hoch ist die Umsatzsteuer aktuell?", borrows no topic); ``correct``: the
        search's correction of typing errors ("wer genehmigt das Chancenbuget?" is a question of its own)."""
        self._model = model
        self.in_scope = in_scope
        self._on_topic = on_topic
        self._threshold = threshold
        self._topics = TopicPhrases(bm25)
        self._correct = correct or (lambda text: text)

    @property
    def topics(self) -> TopicPhrases:
        """What a turn names (the clarifier reads it too)."""
        return self._topics

    # ---- decision -------------------------------------------------------------------------------
    def features(self, question: str, previous: Turn) -> np.ndarray:
        return self._row(self._correct(question), replace(previous, standalone=self._correct(previous.standalone)))

    def _row(self, question: str, previous: Turn) -> np.ndarray:
        own = self._topics.phrases(question)
        before = self._topics.phrases(previous.standalone)
        words = content_words(question)
        before_text = fold(previous.standalone)
        topics = [p for p in own if p.slot == "topic"]
        values = {
            "content_words": min(len(words), 12) / 12,
            "short": float(len(question.split()) <= 5),
            "connector": float(bool(CONNECTOR.search(question.strip()))),
            "pronoun": float(bool(PRONOUN.search(self._topics.truecased(question)))),
            "question_word": float(bool(QUESTION_WORD.search(question))),
            "own_topics": min(len(topics), 4) / 4,
            "own_specific": min(sum(self._topics.specific(p) for p in own), 3) / 3,
            "slot_only": float(bool(own) and not topics),
            "overlap_previous": sum(fold(p.text) in before_text for p in own) / len(own) if own else 0.0,
            "previous_topics": min(len(before), 6) / 6,
            "ends_question": float(asks(question)),
            "bias_free": 1.0,
        }
        return np.fromiter((values[n] for n in FOLLOWUP_FEATURES), dtype=np.float64, count=len(FOLLOWUP_FEATURES))

    def p_dependent(self, question: str, previous: Turn) -> float:  # both as ``resolve`` reads them (corrected)
        row = self._row(question, previous)
        if self._model is not None:
            return float(self._model.predict(row[None, :])[0])
        f = dict(zip(FOLLOWUP_FEATURES, row, strict=True))  # rules of thumb until a model is trained
        return 0.9 if (f["connector"] or f["short"]) and f["own_specific"] < 0.34 else 0.1

    # ---- resolution -----------------------------------------------------------------------------
    def points_back(self, question: str) -> bool:
        """Does a question only make sense after another one: it opens with "und/aber/auch …", points back ("das",
        "dort") or asks only ("Bis wann?"), with at most two words of its own, all of them words the documents use
        ("Und wer genehmigt das?", "Gilt das auch für BBS?"; not "Wie ist das Wetter?")?"""
        words = content_words(question)
        own = [w for w in words if not QUESTION_WORD.fullmatch(w) and not POINTING.fullmatch(w)]
        opens = bool(CONNECTOR.search(question.strip()) or ONLY_ASKS.match(question))
        points = bool(POINTS_BACK.search(self._topics.truecased(question))) and len(question.split()) <= 5
        return (opens or points) and len(own) <= 2 and all(self._topics.indexed(w) for w in own)

    def resolve(self, question: str, previous: Turn | None) -> Resolution:
        # "Und in der dritten Säule?", "Und im 2. Jahr?" swap like "Und in Säule III?", "Und im zweiten Jahr?"
        question = as_documents_write(self._correct(question))
        if previous is not None:
            previous = replace(previous, standalone=as_documents_write(self._correct(previous.standalone)))
        if previous is not None and (previous.off_topic or not self.in_scope(previous.standalone)):
            # an off-topic turn ("Was ist das Wetter morgen in Mainz?") has no programme topic to carry: the next
            # turn is read as if it came first, not searched as "… (Mainz)"; one that only swaps its place or year
            # ("und in Worms?") asks the off-topic question again, and is declined like it
            swapped = self._same_question_elsewhere(question, previous)
            if swapped:
                return Resolution(swapped, True, 1.0)
            previous = None
        if previous is None:
            # asked first, such a turn is not declined as out of scope: the user is asked for its topic
            orphan = self.in_scope(question) and self.points_back(question)
            # it names nothing at all ("Und bis wann?"), or points back by a pronoun with no programme noun of its
            # own ("Gilt das auch für BBS?": BBS is what it asks about, "das" what it is about)
            phrases = self._topics.phrases(question)
            topical = any(p.slot == "topic" for p in phrases)
            pronoun = bool(POINTS_BACK.search(self._topics.truecased(question))) and not topical
            nothing = orphan and (not phrases or pronoun)
            return Resolution(question, False, orphan=orphan, points_at_nothing=nothing)
        if not self.in_scope(question):
            return Resolution(question, False)
        p = self.p_dependent(question, previous)
        if p < self._threshold:
            return Resolution(question, False, p)
        if self._stands_alone(question) and self._on_topic is not None and not self._on_topic(question):
            # declined as it stands: "Und wie hoch ist die Umsatzsteuer aktuell, 19 oder 7 Prozent?" borrows no topic
            return Resolution(question, False, p)
        return Resolution(self.combine(question, previous), True, p)

    def _stands_alone(self, question: str) -> bool:
        """A turn the answer stage may judge by itself: three words of its own or more, pointing back at nothing.
        "Gilt das unbefristet?", "Und bis wann?", "Und Logopäden?" or "Worüber hat er da gesprochen?" only make sense
        with the previous turn, and alone they would read as off-topic."""
        own = [w for w in content_words(question) if not QUESTION_WORD.fullmatch(w)]
        return len(own) >= 3 and not POINTS_AT.search(question)  # three words of its own: no points_back

    def _same_question_elsewhere(self, question: str, previous: Turn) -> str:
        """The previous question with the place or year the turn names instead of its own, when the turn says
        nothing else of the programme ("und in Worms?", "Und 2026?", "Wie ist es in Kusel?", "Und in Ludwigshafen am
        Rhein?"); else empty."""
        own = self._topics.phrases(question)
        moved = [p for p in own if p.slot in ("place", "year")]
        if not moved or any(p.slot not in ("place", "year", "topic") for p in own):
            return ""
        named = " ".join(fold(p.text) for p in moved)
        words = content_words(question)
        rest = [w for w in words if not QUESTION_WORD.fullmatch(w) and not POINTING.fullmatch(w)]
        # a word of its own makes it a question of its own; the rest of a place's name ("Ludwigshafen am Rhein",
        # "Neustadt an der Weinstraße") does not
        if any(fold(w) not in named and fold(w) not in PLACE_NAME_WORDS for w in rest):
            return ""
        new = {p.slot: p.text for p in reversed(moved)}
        swapped = self._swap(previous.standalone, new, set(new))
        return swapped if swapped != previous.standalone else ""

    def combine(self, question: str, previous: Turn) -> str:
        """The standalone query: the previous topic's phrases, with what the new turn names in their place."""
        own = self._topics.phrases(question)
        filled = {p.slot for p in own if p.slot != "topic"}
        wide = WIDE.search(question) if "place" not in filled else None
        if wide:
            filled.add("place")
            own.append(Phrase("Rheinland-Pfalz" if wide.group(1) else "Deutschland", "place"))
        before, carried_before = split_carried(previous.standalone)
        previous_phrases = self._topics.phrases(before) + self._carried_phrases(carried_before)
        own_text = fold(question)
        carried = [p for p in previous_phrases if p.slot not in filled and fold(p.text) not in own_text]
        length = len(question.split()) - sum(len(p.text.split()) - 1 for p in own if p.text in question)
        swaps = not QUESTION_WORD.search(question) and length <= 5  # "Und in Säule III?", "Gilt das für Säule II?"
        if not carried:
            # all the previous question named is what the turn replaces: "Und für Säule III?" after "Was kann man aus
            # Säule II alles finanzieren?" asks that question about Säule III
            new = {p.slot: p.text for p in reversed(own)}
            swapped = self._swap(before, new, filled) if swaps and filled else before
            return swapped if swapped != before else question
        # a topic that stands for another pillar stays behind: "Und bei den Chancenbudgets?" after a question on
        # the multiprofessionelle Teams (a pillar the new turn names itself is swapped below, not dropped)
        asked = set().union(*(pillars_of(p) for p in own))
        other_pillar = [p for p in carried if asked and (named := pillars_of(p)) and not named & asked]
        kept = list(dict.fromkeys(p.text for p in carried if p not in other_pillar))[:6]
        if wide and wide.group(1) and "rheinland-pfalz" not in own_text:
            kept.append("Rheinland-Pfalz")  # "landesweit" is a word no passage on the Land's figures needs
        if swaps:
            # "Und in Säule III?" / "Und für Worms?": the previous question with the new phrases in place; the
            # phrase to swap may stand in the topic an earlier follow-up carried ("Bis wann? (Säule I RLP)")
            new = {p.slot: p.text for p in reversed(own)}
            base, tail = self._swap(before, new, filled), self._swap(carried_before, new, filled)
            if (base, tail) != (before, carried_before):
                return f"{base.rstrip()} ({tail})" if tail else base
            if swapped := self._swap_topic(question, before, carried_before, own):
                return swapped
            in_pillar = self._pillar_for_topic(before, other_pillar, own)
            if in_pillar:
                return f"{in_pillar.rstrip()} ({carried_before})" if carried_before else in_pillar
            if other_pillar:  # "Und bei den Teams?" after a Chancenbudget question: its topic, not its question
                return f"{question.rstrip()} ({' '.join(kept)})" if kept else question
            # nothing to swap ("Wer genehmigt die Anträge?" -> "Und in Säule III?"): the previous question, narrowed
            return f"{before.rstrip().rstrip('?')} – {CONNECTOR.sub('', question.strip()).strip()}"
        return f"{question.rstrip()} ({' '.join(kept)})" if kept else question

    @staticmethod
    def _pillar_for_topic(before: str, other_pillar: list[Phrase], own: list[Phrase]) -> str:
        """The previous question about the pillar the turn names instead of the thing of another pillar it asked
        about: "Und in Säule III?" after "Was darf aus dem Trägerbudget finanziert werden?" (the Trägerbudget is a
        budget of Säule II) asks "Was darf aus Säule III finanziert werden?". Only for a turn that names just that
        pillar and a question with one such thing; empty otherwise."""
        pillar = [p for p in own if p.slot == "pillar"]
        if len(own) != 1 or len(pillar) != 1 or len(other_pillar) != 1:
            return ""
        thing = re.compile(
            rf"(\b(?:dem|den|der|des|die|das)\s+)?(?<![\wÄÖÜäöüß-]){re.escape(other_pillar[0].text)}(?![\wÄÖÜäöüß-])"
        )
        found = thing.search(before)
        # the thing itself, with its article or right after a preposition: not the noun of a longer name ("bei den
        # multiprofessionellen Teams" would become "bei den multiprofessionellen Säule I")
        if found is None or not (found.group(1) or _PREPOSITION_BEFORE.search(before[: found.start()])):
            return ""
        return before[: found.start()] + pillar[0].text + before[found.end() :]

    def _swap_topic(self, question: str, before: str, carried: str, own: list[Phrase]) -> str:
        """The previous eligibility question about the one thing the turn names instead of the one thing it asked
        about (other than a pillar, place or year): "Und Schulsozialarbeiter?" after "Dürfen wir Lehrkräfte aus dem
        Chancenbudget bezahlen?" asks "Dürfen wir Schulsozialarbeiter aus dem Chancenbudget bezahlen?". Only for a
        turn of that one word (an article before it at most) and when both are specific words of the documents:
        which one gives way is clear then ("Und für multiprofessionelles Personal?" does not swap "Stadt"); "Wer
        genehmigt die Anträge?" does not become "Wer genehmigt die Schulsozialarbeiter?"."""
        if not _MAY_WE.match(before.strip()):
            return ""
        new = [p for p in own if p.slot == "topic" and not pillars_of(p) and self._topics.specific(p)]
        turn = _ONE_THING.fullmatch(CONNECTOR.sub("", question).strip())
        if len(new) != 1 or len(own) != 1 or turn is None or turn.group(1) != new[0].text:
            return ""
        old = [p for p in self._topics.phrases(before) if p.slot == "topic" and not pillars_of(p)]
        if len(old) != 1 or not self._topics.specific(old[0]) or fold(old[0].text) == fold(new[0].text):
            return ""
        whole_word = re.compile(rf"(?<![\wÄÖÜäöüß-]){re.escape(old[0].text)}(?![\wÄÖÜäöüß-])")
        swapped = whole_word.sub(lambda _: new[0].text, before, count=1)
        if swapped == before:
            return ""
        return f"{swapped.rstrip()} ({carried})" if carried else swapped

    def _carried_phrases(self, carried: str) -> list[Phrase]:
        """The topic an earlier follow-up carried ("Säule II Trägerbudget Worms"): its pillars as pillars, its places
        as places, every other word as it stands."""
        out = [pillar_phrase(m) for m in PILLAR.finditer(carried)]
        words = PILLAR.sub(" ", carried).split()
        return out + [Phrase(w, "place" if self._topics.is_place(fold(w)) else "topic") for w in words]

    def _swap(self, text: str, new: dict[str, str], filled: set[str]) -> str:
        """``text`` with its pillar, place, school type and year replaced by the ones the new turn names."""
        if "pillar" in filled:
            text = PILLAR.sub(new["pillar"], text, count=1)
        if "place" in filled and not any(p.slot == "place" for p in self._topics.phrases(text)):
            # the whole country or Land gives way to the place the turn names: "… bundesweit …?" -> "Und bei uns in
            # RLP?" asks the same "in RLP"
            text = WIDE_ADVERB.sub(f"in {new['place']}", text, count=1)
        for phrase in self._topics.phrases(text):
            if phrase.slot in filled and phrase.slot != "pillar":
                text = re.sub(re.escape(phrase.text), new[phrase.slot], text, count=1)
        return text
