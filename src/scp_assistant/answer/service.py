"""The answer stage: screen the question, retrieve, score the units of the passages with the learned models,
then answer with the units that answer it, or decline.

Three steps that other backends and the evaluation reuse: ``retrieve`` (clean, screen, search, featurize),
``decide`` (the models' verdict: decline, or keep the scores for composing) and ``compose`` (the
extractive answer). The refusal policy always runs before a generative model is called.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from scp_assistant.answer import messages
from scp_assistant.answer.citations import conflicting_figures, render
from scp_assistant.answer.evidence import Evidence, EvidenceJudge
from scp_assistant.answer.guard import clean_question, screen
from scp_assistant.answer.prepared import Prepared, answered, finish, split_for_stream
from scp_assistant.answer.provenance import SourceDescriptions, with_source_line
from scp_assistant.answer.reading import without_verdict
from scp_assistant.answer.scoring import UnitScorer, check_models, missing_words, score
from scp_assistant.answer.select import select
from scp_assistant.document_words import as_documents_write
from scp_assistant.errors import InputError
from scp_assistant.learn.candidates import UnitCandidate
from scp_assistant.learn.model import Models
from scp_assistant.learn.question import asks_yes_or_no
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.learn.unit_text import unit_leans_on_previous
from scp_assistant.models import Answer, Chunk, Citation, RefusalReason, RetrievedRef, ScoredChunk
from scp_assistant.retrieve.hybrid import Filters, HybridRetriever
from scp_assistant.retrieve.spelling import SpellingCorrector
from scp_assistant.settings import AnswerSettings, RetrieveSettings
from scp_assistant.text import is_editorial_note

log = logging.getLogger(__name__)

NEARBY_CHARS = 400  # a refusal quotes what the documents say nearby up to this length
_NAMES_MISSING = UNIT_FEATURES.index("names_missing")
OFF_TOPIC_COVERAGE = 0.3  # share of the question's known terms in the top passages, without programme words


class AnswerService:
    backend = "extractive"

    def __init__(
        self,
        retriever: HybridRetriever,
        settings: AnswerSettings,
        retrieve: RetrieveSettings,
        models: Models,
        speller: SpellingCorrector | None = None,
    ) -> None:
        check_models(models)
        self._retriever = retriever
        self._speller = speller
        self._settings = settings
        self._retrieve = retrieve
        self.models = models
        self.judge = EvidenceJudge(retriever.bm25)
        self.scorer = UnitScorer(retriever.bm25, settings.passages)
        self._sources = SourceDescriptions(retriever.bm25.chunks)  # what each document says it is

    def retrieve(self, question: str, filters: Filters | None = None) -> Prepared:
        """Clean and screen the question, search, and featurize the units of the passages (no model yet)."""
        prep, evidence = self._scoped(question, filters)
        if evidence is not None:  # none when the question was declined
            prep.featurized = self.scorer.featurize(prep.query, prep.ranked, evidence)
        return prep

    def corrected(self, text: str) -> str:
        """The text with its typing errors corrected as the search corrects them ("Chancenbuget" -> "Chancenbudget")."""
        return self._speller.correct(text) if self._speller else text

    def in_scope(self, question: str) -> bool:
        """Whether a message is a question for us by itself: neither manipulation nor off-topic, by the same checks
        as an answer ("Und wie hoch ist die Umsatzsteuer aktuell, 19 oder 7 Prozent?" names no programme word and
        nothing the passages say; in a session about the Umsatzsteuerpunkte it must not borrow their topic)."""
        try:
            prep, _ = self._scoped(question)
        except InputError:  # empty or too long: not for this check to say; the answer stage reports it
            return True
        return prep.refusal is None

    def _scoped(self, question: str, filters: Filters | None = None) -> tuple[Prepared, Evidence | None]:
        """The search and the scope decision of ``retrieve``: a refusal for manipulation or an off-topic question,
        else the evidence of the passages found."""
        started = time.perf_counter()
        text = clean_question(question, self._settings.max_question_chars)
        screening = screen(text, self.judge.is_programme_text)
        query = as_documents_write(self._speller.correct(screening.query) if self._speller else screening.query)
        if query != screening.query:
            log.info("searched as %r (typing errors corrected, pillars and years as the documents write them)", query)
        ranked = self._retriever.retrieve(query, filters)
        retrieved = [
            RetrievedRef(s.chunk.doc_id, s.chunk.chunk_id, round(s.score, 5))
            for s in ranked[: max(self._retrieve.min_retrieved, 20)]
        ]
        prep = Prepared(text, query, screening.stripped, ranked, retrieved, started)
        if screening.kind in ("adversarial", "out_of_scope"):
            reason: RefusalReason = "adversarial" if screening.kind == "adversarial" else "out_of_scope"
            prep.refusal = self._refusal(text, reason, screening.category, prep)
            prep.scope_note = messages.screened_note(screening.category)
            return prep, None
        evidence = self.judge.judge(query, ranked)
        log.debug("evidence %s", evidence)
        prep.foreign_places = tuple(evidence.foreign_places)
        if evidence.off_topic(OFF_TOPIC_COVERAGE):
            # neither the programme's vocabulary nor much of anything the documents say ("Bist du ein Mensch?",
            # "'; DROP TABLE …", "{{7*7}}"), or no programme word and a thing the passages do not know
            # ("Wie rechne ich eine Dienstreise nach dem Landesreisekostengesetz ab?"; coverage counts only
            # words the index knows, so it alone looks complete there): not a question for us. On the bundled
            # sets, 18 questions of this kind, all to decline. Nothing to learn from there
            named = messages.nameable(query, evidence.unresolved)
            prep.refusal = self._refusal(text, "out_of_scope", "", prep, unknown=named)
            prep.scope_note = messages.off_topic_note(evidence.coverage, evidence.unresolved, OFF_TOPIC_COVERAGE)
            return prep, None
        return prep, evidence

    def decide(self, prep: Prepared, models: Models | None = None) -> Prepared:
        """The models' verdict on a retrieved question: scores for composing, or a refusal."""
        if prep.refusal is not None or prep.featurized is None:
            return prep
        models = models or self.models
        prep.scored = score(prep.featurized, models)
        return self._verdict(prep, models)

    def _verdict(self, prep: Prepared, models: Models) -> Prepared:
        scored = prep.scored
        assert scored is not None
        # the documents cannot give figures or plans of a place they never name ("Wie viele Startchancen-Schulen
        # hat Pirmasens?"), however well the rest of the question matches
        # Scope was settled in ``retrieve``: a question that got here uses words the passages know, so a refusal
        # says what is missing and what they do say, never "I only answer programme questions" ("Seit wann gibt es
        # die Lawaetz-Stiftung?", "Und bis wann reicht das Geld? (Familiengrundschulzentren Ludwigshafen)")
        if not scored.candidates or scored.p_refuse >= models.params.refuse_above or prep.foreign_places:
            prep.refusal = self._refusal(prep.question, "not_covered", "", prep, models)
        return prep

    def conclude(self, prep: Prepared, models: Models) -> Answer:
        """Decide with the scores already in ``prep`` and write the answer (evaluation with given scores)."""
        if prep.refusal is None and prep.scored is not None:
            self._verdict(prep, models)
        return prep.refusal or self.compose(prep, models)

    def prepare(self, question: str, filters: Filters | None = None) -> Prepared:
        """Everything before an answer is written. Generative backends reuse this, so the refusal policy always
        runs before a model is called."""
        return self.decide(self.retrieve(question, filters))

    def compose(self, prep: Prepared, models: Models | None = None) -> Answer:
        """The extractive answer for a prepared question that passed the refusal policy."""
        models = models or self.models
        if prep.scored is None:
            self.decide(prep, models)
        if prep.scored is None or not prep.scored.candidates:
            return prep.refusal or self._refusal(prep.question, "not_covered", "", prep, models)
        selection = select(prep.scored, models.params)
        units = list(selection.units)
        # "Ja." / "Nein." answer a yes-or-no question, and only in the unit the answer leads with: a further FAQ
        # answer's verdict answers its own FAQ question ("Darf aus dem Chancenbudget Mobiliar angeschafft werden?" -
        # "Mobiliar ist nicht grundsätzlich ausgeschlossen … Nein. Das schuleigene Chancenbudget gilt jeweils für
        # ein Schuljahr …", where the "Nein." was about carrying funds over)
        units = notes_last(units)  # first: the unit that leads once an editor's note has moved behind
        keep = 1 if asks_yes_or_no(prep.scored.featurized.profile.text) else 0
        units = units[:keep] + [_without_verdict(u) for u in units[keep:]]
        if not units:  # nothing that answers for the place asked about
            return self._refusal(prep.question, "not_covered", "", prep, models)
        units = with_source_line(units, self._sources, prep.question, [s.chunk.doc_id for s in prep.ranked[:8]])
        profile = prep.scored.featurized.profile
        is_place = self.scorer.features.names_place
        closing = [messages.part_not_covered(part, profile.parts, is_place) for part in selection.uncovered_parts]
        lacking = None if profile.multi_part else messages.slot_not_given(profile.kind, [u.display for u in units])
        closing += [lacking] if lacking else []  # "Bis wann …?" answered without any date says so, not only nearby
        body, citations = render(units, closing)
        while len(body) > self._settings.max_answer_chars and len(units) > 1:  # never pad past what a reader takes
            units.pop()
            body, citations = render(units, closing)
        prep.shown = units
        conflict = conflicting_figures(units, citations)
        extra = [messages.conflict_notice(conflict)] if conflict else []
        return answered(prep, body, citations, _cited_chunks(units), self.backend, extra)

    def answer(self, prep: Prepared, models: Models | None = None) -> Answer:
        """Decide and write (used by ``ask`` and by cross-validation with each fold's models)."""
        self.decide(prep, models)
        return finish(prep, prep.refusal or self.compose(prep, models))

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        return self.answer(self.retrieve(question, filters))

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]:
        """("prepared", Prepared), then ("delta", text) pieces, then ("answer", Answer)."""
        prep = self.prepare(question, filters)
        yield "prepared", prep
        answer = finish(prep, prep.refusal or self.compose(prep))
        for piece in split_for_stream(answer.answer):
            yield "delta", piece
        yield "answer", answer

    def _refusal(
        self,
        question: str,
        reason: RefusalReason,
        category: str,
        prep: Prepared,
        models: Models | None = None,
        unknown: Sequence[str] = (),
    ) -> Answer:
        """A refusal; for a question the documents do not answer, it says what they do say nearby (cited). ``unknown``:
        words of an off-topic question that no passage found uses."""
        citations: list[Citation] = []
        nearby = ""
        related: list[Chunk] = []
        missing: list[str] = list(unknown)
        if reason == "not_covered":
            best = self._nearby(prep, models or self.models, local_only=bool(prep.foreign_places))
            if best is not None:
                nearby, citations = render([_without_verdict(best)])
            else:
                related = _related(prep.ranked)
            if prep.featurized is not None:
                missing = missing_words(prep.query, prep.featurized, best, self.scorer.features)
            missing = list(dict.fromkeys([*prep.foreign_places, *missing]))[:2]
        return Answer(
            question=question,
            answer=messages.refusal(reason, category, self._settings.contact_email, related, nearby, missing, question),
            refused=True,
            refusal_reason=reason,
            notice=None,
            backend=self.backend,
            citations=citations,
            retrieved=prep.retrieved,
        )

    @staticmethod
    def _nearby(prep: Prepared, models: Models, local_only: bool = False) -> UnitCandidate | None:
        """The unit nearest to answering that can stand alone after "Belegt ist:": never one about another place,
        school year or pillar; for a place the documents never name, none from another place's page; none that
        leans on the sentence before it ("Sie dient der Finanzierung …": shown alone, it would not say what it is
        about), no editor's note (it comments on a source that is not shown) and none too long to quote. Of those,
        one that names what the question names comes first ("Wie hoch wird das Trägerbudget von Zweibrücken nach
        der Neuberechnung …?": Zweibrücken's budget, not the two kinds of Chancenbudget), and for a question that
        names no place, one that is not about a single Schulträger."""
        scored = prep.scored
        if scored is None or not len(scored.p):
            return None
        usable = [
            i
            for i, unit in enumerate(scored.candidates)
            if i not in scored.featurized.excluded
            and not (local_only and "," in unit.chunk.region)
            and not unit_leans_on_previous(unit.kind, unit.text)
            and not is_editorial_note(unit.text)
            and scored.p[i] >= models.params.related_above
            and len(unit.display) <= NEARBY_CHARS
        ]
        if not usable:
            return None
        rows = scored.featurized.rows
        # a question that names no place is not told what one Schulträger got ("pro Schüler?" quoted Worms' budget)
        anywhere = not scored.featurized.query.places

        def nearest(i: int) -> tuple[float, bool, float, int]:
            local = anywhere and "," in scored.candidates[i].chunk.region
            return -round(float(rows[i, _NAMES_MISSING]), 9), not local, round(float(scored.p[i]), 9), -i

        return scored.candidates[max(usable, key=nearest)]


def notes_last(units: Sequence[UnitCandidate]) -> list[UnitCandidate]:
    """An editor's note comments on the sources: it follows what they say and never opens an answer (out of fold
    on 621: the same answers right; the first 300 characters held a key fact in 2 fewer, both inside a note)."""
    return sorted(units, key=lambda u: is_editorial_note(u.text))


def _without_verdict(unit: UnitCandidate) -> UnitCandidate:
    text = without_verdict(unit.text)
    return unit if text == unit.text else dataclasses.replace(unit, text=text)


def _related(ranked: Sequence[ScoredChunk], limit: int = 3) -> list[Chunk]:
    out: list[Chunk] = []
    seen: set[str] = set()
    for s in ranked:
        if s.chunk.doc_id not in seen:
            seen.add(s.chunk.doc_id)
            out.append(s.chunk)
        if len(out) == limit:
            break
    return out


def _cited_chunks(units: Sequence[UnitCandidate]) -> list[Chunk]:
    return list({u.chunk.chunk_id: u.chunk for u in units}.values())
