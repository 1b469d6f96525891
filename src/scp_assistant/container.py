"""The one place that picks implementations from settings and builds the services.

Everything is built lazily on first use, so `ingest` of an unchanged corpus never loads the embedding
model and tests can inject fakes for any part.
"""

from __future__ import annotations

import logging
import time
from functools import cached_property
from typing import TYPE_CHECKING

from scp_assistant.admin.console import Console
from scp_assistant.admin.records import AdminRecords
from scp_assistant.answer.guard import screen
from scp_assistant.answer.service import AnswerService
from scp_assistant.conversation.chat import Answerer, ChatService
from scp_assistant.conversation.clarify import Clarifier, Suggestions
from scp_assistant.conversation.followup import FollowupResolver
from scp_assistant.conversation.resolution import QueryRewriter
from scp_assistant.conversation.sessions import MemorySessionStore, SessionStore, SQLSessionStore
from scp_assistant.database import Database, open_database
from scp_assistant.feedback.store import FeedbackStore, SQLFeedbackStore
from scp_assistant.index.batching import BatchingEmbedder
from scp_assistant.index.catalog import Catalog
from scp_assistant.index.chroma_store import ChromaStore
from scp_assistant.index.embedders import Embedder, create_embedder, embedder_id_for
from scp_assistant.index.store import VectorStore
from scp_assistant.ingest.pipeline import IngestPipeline
from scp_assistant.learn.model import LinearModel, Models, load_models
from scp_assistant.retrieve.compounds import Lexicon
from scp_assistant.retrieve.hybrid import HybridRetriever
from scp_assistant.retrieve.places import place_words
from scp_assistant.retrieve.spelling import GeneralLexicon, SpellingCorrector
from scp_assistant.settings import Settings

if TYPE_CHECKING:
    from scp_assistant.answer.llm.backends import GuardedModel

log = logging.getLogger(__name__)


class Container:
    def __init__(
        self,
        settings: Settings,
        *,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
        models: Models | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.settings = settings
        self._checked_at = 0.0
        self._seen_version: str | None = None
        if store is not None:
            self.__dict__["store"] = store
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        if models is not None:
            self.__dict__["models"] = models
        if lexicon is not None:
            self.__dict__["lexicon"] = lexicon

    @cached_property
    def store(self) -> VectorStore:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return ChromaStore(self.settings.chroma, self.settings.data_dir)

    @cached_property
    def embedder(self) -> Embedder:
        embedder = create_embedder(self.settings.embedder)
        if self.settings.embedder.query_batch > 1:
            return BatchingEmbedder(embedder, self.settings.embedder.query_batch)
        return embedder

    @property
    def embedder_id(self) -> str:
        if "embedder" in self.__dict__:
            return self.embedder.id
        return embedder_id_for(self.settings.embedder)

    def ingest_pipeline(self) -> IngestPipeline:
        return IngestPipeline(self.store, lambda: self.embedder, self.embedder_id, self.settings.ingest)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.embedder, self.settings.retrieve, self.lexicon)

    @cached_property
    def models(self) -> Models:
        return load_models(self.settings.answer.model_path)

    @cached_property
    def answer_service(self) -> AnswerService:
        return AnswerService(self.retriever, self.settings.answer, self.settings.retrieve, self.models, self._speller())

    def _speller(self) -> SpellingCorrector | None:
        if not self.settings.retrieve.correct_spelling:
            return None
        bm25 = self.retriever.bm25
        texts = (f"{c.title} {c.section} {c.text}" for c in bm25.chunks)
        return SpellingCorrector(texts, self.lexicon, lambda term: bm25.idf(term) > 0, keep=place_words())

    @cached_property
    def lexicon(self) -> Lexicon:
        return GeneralLexicon()

    def warm(self) -> None:
        """Build what the first question would otherwise wait for: model, BM25, sessions and the word list."""
        _ = self.chat_service  # builds BM25, which reads coordinations with the word list: it is loaded (0.4 s)

    @cached_property
    def database(self) -> Database:
        return open_database(self.settings.database_url, self.settings.data_dir)

    @cached_property
    def feedback_store(self) -> FeedbackStore:
        return SQLFeedbackStore(self.database)

    @cached_property
    def sessions(self) -> SessionStore:
        s = self.settings.server
        if s.session_store == "memory":
            return MemorySessionStore(ttl_s=s.session_ttl_s, turns=s.session_turns, max_sessions=s.max_sessions)
        return SQLSessionStore(self.database, ttl_s=s.session_ttl_s, turns=s.session_turns, max_sessions=s.max_sessions)

    @cached_property
    def guarded_model(self) -> GuardedModel:
        from scp_assistant.answer.llm.backends import GuardedModel, create_chat_model

        return GuardedModel(create_chat_model(self.settings.llm), self.settings.llm)

    @cached_property
    def answerer(self) -> Answerer:
        """The configured answer backend: extractive (default) or a generative one validated against sources."""
        if self.settings.llm.backend == "extractive":
            return self.answer_service
        from scp_assistant.answer.llm.generator import GenerativeAnswerService
        from scp_assistant.answer.llm.validate import SupportChecker

        checker = SupportChecker(self.embedder.embed_query, self.embedder.embed_documents)
        return GenerativeAnswerService(self.answer_service, self.guarded_model, checker, self.settings.llm)

    def resolver_with(self, model: LinearModel | None) -> FollowupResolver:
        """The follow-up resolver with a given follow-up model (training and cross-validation try several)."""
        service = self.answer_service
        return FollowupResolver(
            self.retriever.bm25,
            model,
            lambda text: screen(text, service.judge.is_programme_text).kind == "ok",
            on_topic=service.in_scope,
            correct=service.corrected,
        )

    @cached_property
    def resolver(self) -> FollowupResolver:
        return self.resolver_with(self.models.followup)

    @cached_property
    def query_rewriter(self) -> QueryRewriter:
        """How a turn becomes a standalone query: the resolver, or a generative model under its checks."""
        if self.settings.llm.backend != "extractive" and self.settings.llm.rewrite_followups:
            from scp_assistant.conversation.model_rewrite import ModelRewriter

            inner: QueryRewriter = ModelRewriter(self.guarded_model, self.resolver)
        else:
            inner = self.resolver
        # small talk and topicless first turns are answered before any of them (by the same scope check)
        service = self.answer_service
        suggestions = Suggestions(self.retriever.bm25)
        return Clarifier(inner, self.resolver.topics, suggestions, self.resolver.in_scope, service.corrected)

    @cached_property
    def chat_service(self) -> ChatService:
        return ChatService(
            self.answerer,
            self.sessions,
            self.feedback_store,
            self.settings.answer.max_question_chars,
            self.query_rewriter,
            self._shown_question,
        )

    def _shown_question(self, text: str) -> str:
        """What a question a client still shows lends a follow-up: checked like any question (the genuine question of
        a manipulation; nothing of an off-topic one or of a manipulation alone)."""
        service = self.answer_service
        screening = screen(text, service.judge.is_programme_text)
        return screening.query if screening.kind == "ok" and service.in_scope(screening.query) else ""

    @cached_property
    def admin_records(self) -> AdminRecords:
        return AdminRecords(self.database)

    @cached_property
    def console(self) -> Console:
        from scp_assistant.eval.execute import console_run

        def index_changed() -> None:
            self.reset_retrieval()
            self.refresh_if_stale(every_s=0)

        return Console(
            self.settings,
            self.admin_records,
            lambda: self.catalog,
            self.ingest_pipeline,
            index_changed,
            lambda entries, folder, previous, title: console_run(self, entries, folder, previous, title),
        )

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.store, self.settings.corpus_dir)

    def refresh_if_stale(self, every_s: float = 2.0) -> None:
        """Reload retrieval (BM25, caches) when another process changed the index; checked at most every
        ``every_s`` seconds, so it costs nothing per request."""
        now = time.monotonic()
        if now - self._checked_at < every_s:
            return
        self._checked_at = now
        version = self.store.version()
        if self._seen_version is None:
            self._seen_version = version
        elif version != self._seen_version:
            log.info("index changed (%s -> %s): reloading retrieval", self._seen_version, version)
            self._seen_version = version
            self.reset_retrieval()

    def reset_retrieval(self) -> None:
        """Forget the retriever (and BM25) after the index changed, e.g. after a re-ingest."""
        for name in ("retriever", "answer_service", "answerer", "resolver", "query_rewriter", "chat_service"):
            self.__dict__.pop(name, None)
        if "catalog" in self.__dict__:
            self.catalog.refresh()
