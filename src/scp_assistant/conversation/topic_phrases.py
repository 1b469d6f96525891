"""The topic of a question as whole phrases ("Säule I", "Trägerbudget", "Worms"): what a follow-up carries over
from the turn before, and what it may replace (``followup.py``)."""

from __future__ import annotations

import re

from scp_assistant.answer.evidence import EvidenceJudge
from scp_assistant.conversation.turn_words import (
    PILLAR,
    QUESTION_WORD,
    SCHOOL,
    WORD,
    YEAR,
    Phrase,
    nouns,
    pillar_phrase,
)
from scp_assistant.learn.question import NTH_YEAR, split_carried
from scp_assistant.learn.question_words import asking_bodies
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.places import place_forms, place_words
from scp_assistant.text import STOPWORDS, fold


class TopicPhrases:
    """Reads the phrases of a question against the index: places, pillars, school types, years, programme nouns."""

    def __init__(self, bm25: BM25Index) -> None:
        self._bm25 = bm25
        regions = {w for c in bm25.chunks for w in re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", c.region)}
        generic = {"bund", "kreis", "landkreis", "stadt", "verbandsgemeinde", "gemeinde", "obere"}
        # places the documents never name count too: "Und Pirmasens?" asks the previous question for Pirmasens
        self._places = (frozenset(fold(w) for w in regions) | place_words()) - generic
        self._rare = max(3, len(bm25.chunks) // 20)
        self._nouns, only_nouns = nouns(c.text for c in bm25.chunks)
        # what a lower-case typist's word is capitalised as: a word the documents only write as a noun, also run
        # together ("startchancenprogramm" for their "Startchancen-Programm")
        self._capitalised = only_nouns | frozenset(n.replace("-", "") for n in only_nouns if "-" in n)

    def phrases(self, text: str) -> list[Phrase]:
        """The topic of a question as whole phrases, in order: pillars, places, school types, programme nouns."""
        own, _ = split_carried(text)
        out = [pillar_phrase(m) for m in PILLAR.finditer(own)]
        for m in SCHOOL.finditer(own):
            out.append(Phrase(m.group(1), "school"))
        for m in YEAR.finditer(own):
            out.append(Phrase(m.group(0), "year"))
        for m in NTH_YEAR.finditer(own):  # "im ersten Programmjahr" -> "Und im zweiten Jahr?"
            out.append(Phrase(m.group(0), "year"))
        masked = NTH_YEAR.sub(" ", SCHOOL.sub(" ", PILLAR.sub(" ", own)))
        tokens = WORD.findall(masked)
        small = not any(t[0].isupper() and not t.isupper() for t in tokens)  # types everything in lower case
        asker = asking_bodies(own)  # "wir als Verbandsgemeinde": who asks, no topic to carry (round 42 walk-through)
        for i, token in enumerate(tokens):
            folded = fold(token.rstrip("+"))
            if self.is_place(folded):
                out.append(Phrase(self._as_written(token, place=True), "place"))
            elif folded not in asker and self._topic_word(token, first=i == 0, lowercase_typist=small):
                out.append(Phrase(self._as_written(token), "topic"))
        seen: set[str] = set()
        unique = []
        for phrase in out:
            if phrase.text.lower() not in seen:
                seen.add(phrase.text.lower())
                unique.append(phrase)
        return unique

    def _as_written(self, token: str, place: bool = False) -> str:
        """A word typed in lower case as the documents write it, for the topic a follow-up carries and shows
        ("Bezogen auf die vorige Frage: Chancenbudget", not "chancenbudget"): a place (not an acronym such as "rlp")
        or a word the documents only write as a noun; "ism" stays as it is."""
        if not token.islower():
            return token
        if (place and len(token) > 4) or fold(token) in self._capitalised:
            return "-".join(part.capitalize() for part in token.split("-"))
        return token

    def is_place(self, folded: str) -> bool:
        """A place, or a town's adjective ("Mainzer Schulen", "Zweibrücker")."""
        return bool(self._places.intersection(place_forms(folded))) or folded in ("rlp", "rheinland-pfalz")

    def _topic_word(self, token: str, first: bool, lowercase_typist: bool = False) -> bool:
        folded = fold(token)
        if folded in STOPWORDS or len(token) < 3 or QUESTION_WORD.fullmatch(token):
            return False
        if token.isupper() and len(token) >= 2:
            return True  # ADD, PL, MPT
        if not token[0].isupper():
            # an acronym written small ("ism", "bbs"), or a noun of someone who types everything small
            # ("chancenbudget"): programme words are topics all the same; a verb ("finanziert") is not
            # ... or a programme noun typed small among capitals ("aus dem chancenbudget ne Schulhund-AG")
            noun = len(token) <= 4 or folded in (self._nouns if lowercase_typist else self._capitalised)
            return noun and EvidenceJudge.is_programme_text(token) and self.indexed(token)
        return not first and self.indexed(token)

    def truecased(self, text: str) -> str:
        """A question typed in lower case (its first word aside, which a phone capitalises) with the words the
        documents only write as nouns capitalised, as the patterns that tell an article from a pronoun read it: in
        "was ist das startchancenprogramm" the "das" is an article, in "bis wann läuft das?" it points back. A
        question with capitals of its own gets them for the programme's nouns only ("darf man aus dem chancenbudget
        ne Schulhund-AG bezahlen": "dem" is an article there too)."""
        tokens = WORD.findall(text)
        mixed = any(t[0].isupper() and not t.isupper() for t in tokens[1:])

        def cased(word: str) -> str:
            noun = word.islower() and fold(word) in self._capitalised
            noun = noun and (not mixed or EvidenceJudge.is_programme_text(word))
            return word.capitalize() if noun else word

        return WORD.sub(lambda m: cased(m.group(0)), text)

    def names_something(self, text: str) -> bool:
        """Does a question name what it is about: a noun, name or acronym (a word the documents write as a noun,
        however it is typed), a number, a place, pillar, school type or year, or a word the documents do not use
        ("Möbel", "schools": what it asks about may hide there)? "Wer ist zuständig?", "Wer entscheidet?" and "Was
        wird gefördert?" name nothing: what they ask depends on a topic they leave open."""
        if text.isupper():  # shouted: "WER IST ZUSTÄNDIG?" (no acronyms)
            text = text.lower()
        if re.search(r"\d", text) or self.phrases(text):
            return True
        for i, token in enumerate(WORD.findall(self.truecased(text))):
            if QUESTION_WORD.fullmatch(token) or fold(token) in STOPWORDS or len(token) < 3:
                continue
            if not self.indexed(token) or self.is_noun(token, first=i == 0) or token.isupper():  # "ADD"
                return True
        return False

    def is_noun(self, token: str, first: bool) -> bool:
        """A word the documents write as a noun, as typed: capitalised inside a sentence (a sentence's first word is
        capitalised anyway), or known as a noun."""
        return (token[0].isupper() and not first) or fold(token) in self._nouns

    def indexed(self, token: str) -> bool:
        """Do the documents use the word (in any form)?"""
        return any(self._bm25.idf(t) > 0 for t in self._bm25.query_terms(token))

    def specific(self, phrase: Phrase) -> bool:
        """A place, pillar, school type or year, or a topic word few passages use ("Trägerbudget", not "Schulen")."""
        terms = self._bm25.query_terms(phrase.text)
        return phrase.slot != "topic" or (
            bool(terms) and min(self._bm25.document_frequency(t) for t in terms) <= self._rare
        )
