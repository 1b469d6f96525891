"""Features of the unit model: how well an answer unit (a sentence, list, list item or FAQ answer of a retrieved
passage, built by ``answer/units.py``) answers a question. They say what the pipeline knows of it: lexical coverage of
the question's terms (IDF-weighted; in the unit, its context, its passage), the question's rare terms and names,
whether it carries what is asked for (an amount, a date, a body, a yes or no), retrieval ranks and similarity, its
form and its source. The weights come from data (``scp-assistant eval train``); the refusal model's features, built
on the unit model's scores, are in ``question_features.py``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scp_assistant.asking import asked_in
from scp_assistant.learn.candidates import UNIT_KINDS, QueryTerms, UnitCandidate
from scp_assistant.learn.question_words import ASKER, COMMON, NAME, asking_bodies, attribution, is_common
from scp_assistant.learn.unit_facts import UNIT_FEATURES, UnitFacts
from scp_assistant.learn.unit_text import (
    AMOUNT,
    ASKS_DAY,
    ASKS_SPAN,
    BODY,
    DATE,
    DAY,
    META,
    NUMBER,
    PLACE,
    SPAN,
    VERDICT,
    dangling,
    has_count,
    unit_leans_on_previous,
    without_status_dates,
)
from scp_assistant.models import DOC_TYPES, Chunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.glossary import expansion, spelled_out
from scp_assistant.retrieve.places import CorpusPlaces, with_aliases
from scp_assistant.text import STOPWORDS, figures, fold, is_editorial_note, stem, words

_INDEX = {name: i for i, name in enumerate(UNIT_FEATURES)}


class FeatureExtractor:
    """Computes feature vectors; what depends only on a unit or a passage is computed once and kept."""

    def __init__(self, bm25: BM25Index) -> None:
        self._bm25 = bm25
        self._terms: dict[str, frozenset[str]] = {}
        self._facts: dict[tuple[str, str, str, str, str], UnitFacts] = {}
        self._places = CorpusPlaces(bm25.chunks)
        self._leads: dict[str, str] = {}  # doc id -> its lead paragraph (no section, not a slide)
        for chunk in bm25.chunks:
            if not chunk.section and chunk.page is None:
                self._leads.setdefault(chunk.doc_id, chunk.text)
        self._about: dict[str, frozenset[str]] = {}  # doc id -> terms of its title, publisher, type and lead
        self._common_terms: frozenset[str] | None = None

    def names_place(self, word: str) -> bool:
        """Is the word a place of the corpus ("Worms", "Hessen"), or its adjective ("Wormser")?"""
        return bool(self.places_named(word))

    def places_named(self, text: str) -> frozenset[str]:
        """The places of the corpus a text names (folded)."""
        return self._places.named_in(text)

    def places_of_unit(self, cand: UnitCandidate) -> frozenset[str]:
        """The places a unit is about (folded): those it, its heading or its document's title name, and its
        document's region."""
        facts = self._static(cand)
        return facts.places | facts.region

    def passage_terms(self, chunk: Chunk) -> frozenset[str]:
        """Index terms of a passage with its title, section heading and FAQ question."""
        return self.terms(f"{chunk.title} {chunk.section} {chunk.question} {chunk.text}")

    def coordinated(self, text: str) -> frozenset[str]:
        """Stems of the words a coordination of the text stands for ("Lehr- und Fachkräfte" -> "lehrkraft")."""
        return frozenset(stem(w) for w in self._bm25.decompounder.coordinated(text))

    def terms(self, text: str) -> frozenset[str]:
        """Index terms of a text plus the index terms its words begin or end with ("Beantragung" says
        "Antrag"), cached."""
        known = self._terms.get(text)
        if known is None:
            base = self._bm25.query_terms(text)
            out = set(base)
            for term in base:
                for cut in range(4, len(term) - 1):
                    for part in (term[:cut], term[-cut:]):
                        if self._bm25.idf(part) > 0:
                            out.add(part)
            known = frozenset(out)
            if len(self._terms) < 500_000:
                self._terms[text] = known
        return known

    def query(self, text: str, kind: str, context: str = "", carried: str = "") -> QueryTerms:
        """Terms of ``text``; words of ``context`` (the rest of a multi-part question, or an earlier turn) count
        at 0.3. ``carried`` is the topic a follow-up takes from the turn before: its places are the question's."""
        weighted = self._bm25.expanded_terms(text)
        for term, w in self._bm25.expanded_terms(context).items() if context else ():
            weighted.setdefault(term, 0.3 * w)
        for term in {t for body in asking_bodies(text) for t in self._bm25.expanded_terms(body)} & weighted.keys():
            weighted[term] *= 0.3  # "wir als Verbandsgemeinde": who asks counts as context (Kaisersesch shares it)
        weights = {t: self._bm25.idf(t) * w for t, w in sorted(weighted.items()) if self._bm25.idf(t) > 0}
        # who is asking ("wir als Verbandsgemeinde", "unsere Grundschule") is no name or focus of the question:
        # the documents never name the asker, and a missing "Verbandsgemeinde" is no sign that they lack the answer
        asked = asked_in(text)  # of a pasted e-mail, what it asks: not its background's names and figures
        topic = ASKER.sub(" ", asked)
        own = [t for t in self._bm25.query_terms(topic) if self._bm25.idf(t) > 0]
        alternatives = self._alternatives(topic, own)
        focus = frozenset(sorted(alternatives, key=lambda t: (-self._bm25.idf(t), t))[:3])
        alternatives = {t: alternatives[t] for t in sorted(focus) if alternatives[t]}
        names = tuple(dict.fromkeys(spelled_out(fold(m)) for m in NAME.findall(topic) if self._specific(m)))
        numbers = figures(asked)
        places = self._places.named_in(f"{text} {carried}")  # "die Stadt" of a follow-up: the last place
        cited = attribution(f"{text} {carried}")
        common = len(self._bm25.chunks) // 10  # "laut ism für die Schulen": "Schulen" names no source
        sources = frozenset(
            t for t in self.terms(cited) if self._bm25.idf(t) > 0 and self._bm25.document_frequency(t) <= common
        )
        return QueryTerms(
            weights, focus, names, numbers, kind, places, sources, bool(ASKS_DAY.search(text)),
            bool(ASKS_SPAN.search(text)), alternatives,
        )  # fmt: skip

    def _alternatives(self, topic: str, own: Sequence[str]) -> dict[str, frozenset[str]]:
        """The question's own terms with their equivalents in the documents' words (glossary: "bbs" ->
        "berufsbild"); a word the documents never use ("psychologist") stands for its rarest equivalent. Only
        specific equivalents: "Schule" for "BBS" would let every unit cover it."""
        common = len(self._bm25.chunks) // 10
        out: dict[str, set[str]] = {t: set() for t in own}
        for word in words(topic):
            if word in STOPWORDS:
                continue
            extra = expansion([word])
            alt = [
                a for a in self._bm25.query_terms(extra)
                if self._bm25.idf(a) > 0 and self._bm25.document_frequency(a) <= common
            ]  # fmt: skip
            if not alt:
                continue
            known = [t for t in self._bm25.query_terms(word) if t in out]
            if not known:
                if word in COMMON:
                    continue  # "when" -> "Datum", "much" -> "Höhe": the kind of answer asked for, not its topic
                # it stands for the rarest equivalent that is a whole word, never a part of one ("pupils" ->
                # "Schülerinnen": not "inn")
                whole = [a for a in (stem(w) for w in words(extra)) if a in alt]
                if not whole:
                    continue
                known = [max(whole, key=lambda a: (self._bm25.idf(a), a))]
            for t in known:
                out.setdefault(t, set()).update(a for a in alt if a != t)
        return {t: frozenset(alt) for t, alt in out.items()}

    def _source_terms(self, chunk: Chunk) -> frozenset[str]:
        """What a document says about itself: title, publisher, type and its lead paragraph ("Pressemitteilung
        des Ministeriums für Bildung …"), cached per document."""
        known = self._about.get(chunk.doc_id)
        if known is None:
            lead = self._leads.get(chunk.doc_id, "")
            known = self.terms(f"{chunk.title} {chunk.publisher} {chunk.doc_type} {lead}")
            self._about[chunk.doc_id] = known
        return known

    def in_corpus(self, word: str) -> bool:
        """Do the documents use the word (in any form)?"""
        return any(self._bm25.document_frequency(t) > 0 for t in self._bm25.query_terms(word))

    def common(self, word: str) -> bool:
        """A word any programme question may use, in any form ("Geld", "Geldes", "Schulen")."""
        if self._common_terms is None:
            self._common_terms = self.terms(" ".join(sorted(COMMON)))
        terms = self._bm25.query_terms(word)
        return is_common(word) or (bool(terms) and set(terms) <= self._common_terms)

    def _specific(self, token: str) -> bool:
        """A name, acronym or rare noun of the question ("Trier", "ADD", "Sockelbetrag"): rare in the corpus.
        German capitalises every noun, so rarity is what sets a name apart from an ordinary noun."""
        if is_common(token):
            return False
        if token.isupper():
            return True
        terms = self._bm25.query_terms(token)
        rare = max(3, len(self._bm25.chunks) // 20)
        return bool(terms) and min(self._bm25.document_frequency(t) for t in terms) <= rare

    def _mean_idf(self, terms: frozenset[str]) -> float:
        """How specific a unit's words are (mean idf, capped, 0-1): a blurb many passages repeat ("Das Programm
        steht auf drei Säulen") rarely answers what was asked, a sentence of rare words more often does."""
        # summed in a fixed order: a set's order changes between processes, and the sum's last bits with it
        return sum(min(self._bm25.idf(t), 6.0) for t in sorted(terms)) / len(terms) / 6.0 if terms else 0.0

    def _static(self, cand: UnitCandidate) -> UnitFacts:
        """What a unit is, whatever the question: computed once per unit and kept."""
        key = (cand.chunk.chunk_id, cand.kind, cand.text, cand.parent, cand.context)
        known = self._facts.get(key)
        if known is not None:
            return known
        chunk = cand.chunk
        own = self.terms(cand.text)
        context = self.terms(f"{cand.context} {cand.parent}") if (cand.context or cand.parent) else frozenset()
        head = self.terms(f"{chunk.section} {chunk.question}") - self.terms(chunk.title)
        text = cand.display
        dated = without_status_dates(text)  # "(Stand Mai 2025)" is when the document was current, not an event
        words = text.split()
        fixed = {
            "has_amount": float(bool(AMOUNT.search(text))),
            "has_date": float(bool(DATE.search(dated))),
            "has_number": float(bool(NUMBER.search(text))),
            "has_body": float(bool(BODY.search(text))),
            "has_verdict": float(bool(VERDICT.search(text))),
            "has_place": float(bool(PLACE.search(text))),
            "log_chars": math.log(1 + len(text)),
            "short": float(len(cand.text) < 45),
            "first_unit": float(cand.position == 0),
            "position": cand.position / max(1, cand.units_in_passage - 1),
            "heading_like": float(len(words) <= 7 and not text.rstrip().endswith((".", "!", "?", ":"))),
            "lead_paragraph": float(not chunk.section and chunk.page is None),
            "meta_words": min(3.0, float(len(META.findall(text)))),
            "ends_colon": float(cand.text.rstrip().endswith(":")),
            "fragment": float(dangling(cand.text)),
            "editorial": float(is_editorial_note(cand.text)),
            "slide": float(chunk.page is not None),
            "leans_back": float(unit_leans_on_previous(cand.kind, cand.text)),
            "mean_idf": self._mean_idf(own),
            **{f"kind_{k}": float(cand.kind == k) for k in UNIT_KINDS},
            **{f"source_{t}": float(chunk.doc_type == t) for t in DOC_TYPES},
        }
        vector = np.zeros(len(UNIT_FEATURES))
        for name, value in fixed.items():
            vector[_INDEX[name]] = value
        facts = UnitFacts(
            own=own,
            around=own | context | head,
            near=own | context,
            head=head,
            passage=self.passage_terms(chunk),
            folded=with_aliases(fold(f"{text} {cand.context} {chunk.title}")),
            region=self._places.of_passage(chunk),
            text=text,
            fixed=fixed,
            vector=vector,
            count=has_count(text),
            about=self._source_terms(chunk),
            day=bool(DAY.search(dated)),
            places=self._places.named_in(f"{text} {cand.context}"),
            span=bool(SPAN.search(text)),
        )
        if len(self._facts) < 500_000:
            self._facts[key] = facts
        return facts

    def unit(self, q: QueryTerms, cand: UnitCandidate) -> np.ndarray:
        f = self._static(cand)
        fixed = f.fixed
        missing = sum(1 for n in q.names if n not in f.folded)
        values = {
            "cov_unit": q.coverage(f.own),
            "cov_context": q.coverage(f.around),
            "cov_passage": q.coverage(f.passage),
            "cov_heading": q.coverage(f.head),
            "focus_unit": q.focus_covered(f.near) / len(q.focus) if q.focus else 0.0,
            "focus_passage": q.focus_covered(f.passage) / len(q.focus) if q.focus else 0.0,
            "names_missing": missing / len(q.names) if q.names else 0.0,
            "numbers_in_unit": sum(n in f.text for n in q.numbers) / len(q.numbers) if q.numbers else 0.0,
            "asks_amount_has_amount": float(q.kind == "amount") * fixed["has_amount"],
            # a count question's units are less often answers whatever they hold: the prior on its own, so that
            # the interaction says only what a figure adds
            "asks_count": float(q.kind == "count"),
            "asks_count_has_count": float(q.kind == "count" and f.count),
            "asks_when_has_date": float(
                q.kind == "when" and (f.day if q.day else f.span if q.span else fixed["has_date"] > 0)
            ),
            "asks_who_has_body": float(q.kind == "who") * fixed["has_body"],
            "asks_yesno_has_verdict": float(q.kind == "yesno") * fixed["has_verdict"],
            "asks_where_has_place": float(q.kind == "where") * fixed["has_place"],
            "dense_z": max(-2.0, min(cand.dense_z, 5.0)),
            "passage_rank_inv": 1.0 / (1 + cand.passage_rank),
            "bm25_rank_inv": 0.0 if cand.bm25_rank is None else 1.0 / (1 + cand.bm25_rank),
            "dense_rank_inv": 0.0 if cand.dense_rank is None else 1.0 / (1 + cand.dense_rank),
            "region_match": float(bool(q.places & f.region)),
            # the question names a place and the unit's document is about another one (Worms for Trier, Bayern);
            # documents about RLP or the Bund as a whole are about every place
            "region_conflict": float(bool(q.places) and bool(f.region - {"bund"}) and not (q.places & f.region)),
            "novelty": len(f.own - q.weights.keys()) / len(f.own) if f.own else 0.0,
            "neighbor_cov": 0.0,  # set by with_neighbours: the best coverage of the units next to it
            # the question cites a source ("laut ism", "laut Pressemitteilung des Bildungsministeriums"): is this
            # unit's document that source?
            "source_named": float(bool(q.sources & f.about)),
            "source_other": float(bool(q.sources) and not q.sources & f.about),
            "place_unasked": float(not q.places and bool(f.places)),
        }
        row = f.vector.copy()  # what the unit is, then what it is for this question
        for name, value in values.items():
            row[_INDEX[name]] = value
        return row
