"""Generated answers: same retrieval and refusal policy as the extractive default, then the model, then the
validator; the extractive answer is the fallback whenever the model fails or nothing it wrote can be verified."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scp_assistant.answer.llm.backends import GuardedModel, ModelError
from scp_assistant.answer.llm.prompt import answer_messages
from scp_assistant.answer.llm.validate import (
    Renumberer,
    SupportChecker,
    is_list_item,
    join_shown,
    split_claims,
    validate,
)
from scp_assistant.answer.prepared import Prepared, answered, finish, split_for_stream
from scp_assistant.answer.service import AnswerService
from scp_assistant.models import Answer, Chunk, Citation
from scp_assistant.retrieve.hybrid import Filters
from scp_assistant.settings import LLMSettings

log = logging.getLogger(__name__)

MODEL_FAILED = "Hinweis: Das Sprachmodell war nicht verfügbar; gezeigt wird die Antwort direkt aus den Unterlagen."
NOT_VERIFIED = (
    "Hinweis: Die formulierte Antwort ließ sich nicht mit den Quellen belegen; gezeigt wird die Antwort "
    "direkt aus den Unterlagen."
)
_SOURCES = 5


class GenerativeAnswerService:
    def __init__(
        self, base: AnswerService, model: GuardedModel, checker: SupportChecker, settings: LLMSettings
    ) -> None:
        self._base = base
        self._model = model
        self._checker = checker
        self._settings = settings
        self.backend = settings.backend

    def _sources(self, prep: Prepared) -> list[Chunk]:
        return [s.chunk for s in prep.ranked[:_SOURCES]]

    def _fallback(self, prep: Prepared, note: str) -> Answer:
        answer = self._base.compose(prep)
        answer.notice = " ".join(n for n in (note, answer.notice) if n)
        return answer

    def _answer(self, prep: Prepared, text: str, citations: list[Citation]) -> Answer:
        cited = {c.chunk_id for c in citations}
        return answered(prep, text, citations, [c for c in self._sources(prep) if c.chunk_id in cited], self.backend)

    def _not_covered(self, prep: Prepared) -> Answer:
        return self._base._refusal(prep.question, "not_covered", "", prep)

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        prep = self._base.prepare(question, filters)
        if prep.refusal:
            return finish(prep, prep.refusal)
        sources = self._sources(prep)
        try:
            raw = self._model.generate(answer_messages(prep.query, sources))
        except ModelError as exc:
            log.warning("falling back to the extractive answer: %s", exc)
            return finish(prep, self._fallback(prep, MODEL_FAILED))
        result = validate(raw, sources, self._checker, self._settings.support_threshold)
        if result.dropped:
            log.info("dropped %d unsupported sentences", len(result.dropped))
        if not result.text:
            if result.not_covered:
                return finish(prep, self._not_covered(prep))
            return finish(prep, self._fallback(prep, NOT_VERIFIED))
        return finish(prep, self._answer(prep, result.text, result.citations))

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[tuple[str, Any]]:
        """Tokens are buffered into sentences; each sentence is validated before it is sent as a delta."""
        prep = self._base.prepare(question, filters)
        yield "prepared", prep
        if prep.refusal:
            yield from _replay(finish(prep, prep.refusal))
            return
        sources = self._sources(prep)
        renumber = Renumberer(sources, self._checker, self._settings.support_threshold)
        shown: list[str] = []
        buffer = ""
        try:
            for token in self._model.stream(answer_messages(prep.query, sources)):
                buffer += token
                claims = split_claims(buffer)
                if len(claims) < 2:
                    continue
                for claim in claims[:-1]:  # the last one may still be growing
                    yield from _emit(renumber.accept(claim), shown)
                buffer = claims[-1]
            for claim in split_claims(buffer):
                yield from _emit(renumber.accept(claim), shown)
        except ModelError as exc:
            if not shown:
                log.warning("stream fell back to the extractive answer: %s", exc)
                yield from _replay(finish(prep, self._fallback(prep, MODEL_FAILED)))
                return
        if not shown:
            fallback = self._not_covered(prep) if renumber.not_covered else self._fallback(prep, NOT_VERIFIED)
            yield from _replay(finish(prep, fallback))
            return
        streamed = join_shown(shown)
        final = finish(prep, self._answer(prep, streamed, renumber.citations()))
        if len(final.answer) > len(streamed):  # notes added after the sentences (e.g. another Land's rules)
            yield "delta", final.answer[len(streamed) :]
        yield "answer", final


def _emit(sentence: str | None, shown: list[str]) -> Iterator[tuple[str, Any]]:
    if not sentence:
        return
    prefix = ("\n" if is_list_item(sentence) or is_list_item(shown[-1]) else " ") if shown else ""
    shown.append(sentence)
    yield "delta", prefix + sentence


def _replay(answer: Answer) -> Iterator[tuple[str, Any]]:
    for piece in split_for_stream(answer.answer):
        yield "delta", piece
    yield "answer", answer
