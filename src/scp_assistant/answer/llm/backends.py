"""The ChatModel seam: LangChain chat models behind it, with timeouts, a bounded retry and a circuit breaker.

Backends are imported lazily; a missing extra gives an install hint instead of an ImportError.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from scp_assistant.errors import ConfigError, ScpError
from scp_assistant.settings import LLMSettings

log = logging.getLogger(__name__)


class ModelError(ScpError):
    """The language model failed, timed out, or the circuit breaker is open."""


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


class ChatModel(Protocol):
    @property
    def name(self) -> str: ...

    def generate(self, messages: Sequence[Message]) -> str: ...

    def stream(self, messages: Sequence[Message]) -> Iterator[str]: ...


def _to_langchain(messages: Sequence[Message]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


class LangChainChatModel:
    """Any LangChain ``BaseChatModel`` behind our seam (LangChain types stay in here)."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def generate(self, messages: Sequence[Message]) -> str:
        result = self._model.invoke(_to_langchain(messages))
        return str(getattr(result, "content", result) or "")

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        for chunk in self._model.stream(_to_langchain(messages)):
            text = getattr(chunk, "content", chunk)
            if text:
                yield str(text)


def _require(module: str, extra: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"Für dieses LLM-Backend fehlt ein Paket: pip install 'scp-assistant[{extra}]'") from exc


def create_chat_model(settings: LLMSettings) -> ChatModel:
    """The configured LangChain chat model (never called for the extractive backend)."""
    if settings.backend == "openai":
        _require("langchain_openai", "llm")
        from langchain_openai import ChatOpenAI

        if not settings.base_url and settings.api_key is None:
            raise ConfigError("SCP_LLM__BASE_URL oder SCP_LLM__API_KEY muss für das openai-Backend gesetzt sein")
        key = settings.api_key.get_secret_value() if settings.api_key else "nicht-gesetzt"
        openai_model: Any = ChatOpenAI(
            model=settings.model or "default",
            base_url=settings.base_url or None,
            api_key=key,
            timeout=settings.timeout_s,
            max_retries=0,
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
        )
        return LangChainChatModel(openai_model, f"openai:{settings.model or 'default'}")
    if settings.backend == "ollama":
        _require("langchain_ollama", "llm")
        from langchain_ollama import ChatOllama

        ollama_model: Any = ChatOllama(
            model=settings.model or "llama3.1",
            base_url=settings.base_url or None,
            temperature=settings.temperature,
            num_predict=settings.max_tokens,
            client_kwargs={"timeout": settings.timeout_s},
        )
        return LangChainChatModel(ollama_model, f"ollama:{settings.model}")
    if settings.backend == "llamacpp":
        _require("llama_cpp", "llamacpp")
        _require("langchain_community", "llamacpp")
        from langchain_community.chat_models import ChatLlamaCpp

        if not settings.model_path:
            raise ConfigError("SCP_LLM__MODEL_PATH muss für das llamacpp-Backend auf eine GGUF-Datei zeigen")
        llama_model: Any = ChatLlamaCpp(
            model_path=settings.model_path,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            n_ctx=4096,
            verbose=False,
        )
        return LangChainChatModel(llama_model, f"llamacpp:{settings.model_path.rsplit('/', 1)[-1]}")
    raise ConfigError(f"kein generatives Backend: {settings.backend!r}")


class CircuitBreaker:
    """After ``failures`` consecutive failures the model is skipped for ``reset_s`` seconds."""

    def __init__(self, failures: int, reset_s: float) -> None:
        self._limit, self._reset = failures, reset_s
        self._count = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if time.monotonic() - self._opened_at >= self._reset:
                self._opened_at = None  # half-open: let one call through
                self._count = self._limit - 1
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._count = 0
            self._opened_at = None

    def failure(self) -> None:
        with self._lock:
            self._count += 1
            if self._count >= self._limit:
                self._opened_at = time.monotonic()
                log.warning("circuit breaker open for %.0f s", self._reset)


class GuardedModel:
    """Timeout, bounded retry and circuit breaker around a ChatModel; failures become ModelError."""

    def __init__(self, model: ChatModel, settings: LLMSettings) -> None:
        self.model = model
        self._timeout = settings.timeout_s
        self._retries = settings.max_retries
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    def generate(self, messages: Sequence[Message]) -> str:
        if not self.breaker.allow():
            raise ModelError("Sprachmodell vorübergehend abgeschaltet (zu viele Fehler)")
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            future = self._pool.submit(self.model.generate, messages)
            try:
                text = future.result(timeout=self._timeout)
                self.breaker.success()
                return text
            except FutureTimeout as exc:
                future.cancel()
                last = exc
                log.warning("model call timed out after %.1f s (attempt %d)", self._timeout, attempt + 1)
                break  # a timeout is not retried: the user is already waiting
            except Exception as exc:  # network errors, HTTP errors, malformed responses
                last = exc
                log.warning("model call failed (attempt %d): %s", attempt + 1, exc)
        self.breaker.failure()
        raise ModelError(f"Sprachmodell nicht verfügbar ({type(last).__name__})") from last

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """Tokens as they arrive; the time limit applies to the whole stream."""
        if not self.breaker.allow():
            raise ModelError("Sprachmodell vorübergehend abgeschaltet (zu viele Fehler)")
        deadline = time.monotonic() + self._timeout
        try:
            for token in self.model.stream(messages):
                yield token
                if time.monotonic() > deadline:
                    raise TimeoutError("stream took too long")
        except Exception as exc:
            self.breaker.failure()
            raise ModelError(f"Sprachmodell nicht verfügbar ({type(exc).__name__})") from exc
        self.breaker.success()
