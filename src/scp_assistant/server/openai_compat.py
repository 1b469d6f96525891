"""An OpenAI-compatible endpoint: chat front ends, SDKs and agent frameworks use the assistant as model
``scp-assistant`` (``GET /v1/models``, ``POST /v1/chat/completions``, streaming included).

The last user message is the question; earlier user messages are the conversation, resolved by the same
follow-up logic as the web chat (no server session needed). The answer is the same as from ``/api/v1/ask``
(same refusal policy, same backend), as Markdown: the text with its [n] markers and a "Quellen" list. The
structured citations travel in extra fields of the message (``citations``, ``refusal_reason``), which OpenAI
clients ignore and our own clients can read. A refusal is a normal assistant message.

Accepted and ignored: ``system`` messages (the assistant's rules are not configurable), ``temperature``,
``top_p``, ``max_tokens``, ``presence_penalty``, ``frequency_penalty``, ``seed``, ``user``, ``stop``.
Refused with an OpenAI-style error object, because ignoring them would mislead: ``tools``/``functions``
(the assistant calls no tools), ``n`` > 1, an unknown ``model``, a conversation without a user message.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from scp_assistant.answer import messages
from scp_assistant.answer.guard import clean_question
from scp_assistant.container import Container
from scp_assistant.conversation.chat import answer_turn, lends_no_topic
from scp_assistant.conversation.sessions import Turn
from scp_assistant.models import Answer, Citation

MODEL = "scp-assistant"
CREATED = 1_735_689_600  # 2025-01-01, the model's fixed "created" time


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def response(self) -> JSONResponse:
        kind = {401: "authentication_error", 404: "invalid_request_error", 429: "rate_limit_error"}.get(
            self.status, "invalid_request_error"
        )
        error = {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        return JSONResponse({"error": error}, status_code=self.status)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: the text parts only
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    n: int = 1
    tools: list[dict[str, Any]] | None = None
    functions: list[dict[str, Any]] | None = None


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    container.refresh_if_stale()
    return container


def check_key(request: Request) -> None:
    """Optional API keys (SCP_SERVER__API_KEYS); unset, the endpoint is open like the rest of the API."""
    keys = request.app.state.container.settings.server.api_keys
    if not keys:
        return
    given = request.headers.get("authorization", "")
    if not given.startswith("Bearer ") or given[7:].strip() not in keys:
        message = "Ungültiger oder fehlender API-Schlüssel (Authorization: Bearer …)."
        raise OpenAIError(401, message, code="invalid_api_key")


Keyed = Depends(check_key)
compat = APIRouter(prefix="/v1", tags=["OpenAI-kompatibel"], dependencies=[Keyed])


@compat.get("/models", summary="Modelle (OpenAI-kompatibel): scp-assistant")
def models() -> dict[str, Any]:
    return {"object": "list", "data": [_model()]}


@compat.get("/models/{model}", summary="Ein Modell (OpenAI-kompatibel)")
def model(model: str) -> dict[str, Any]:
    if model != MODEL:
        raise _unknown(model)
    return _model()


def _unknown(model: str) -> OpenAIError:
    return OpenAIError(404, f"Das Modell {model!r} gibt es nicht; verfügbar ist {MODEL!r}.", "model", "model_not_found")


def _model() -> dict[str, Any]:
    return {"id": MODEL, "object": "model", "created": CREATED, "owned_by": "ism"}


@compat.post(
    "/chat/completions",
    summary="Antwort im Format von OpenAI Chat Completions (auch gestreamt)",
    response_model=None,
)
async def chat_completions(
    body: ChatRequest, request: Request, container: Annotated[Container, Depends(_container)]
) -> Any:
    if body.model != MODEL:
        raise _unknown(body.model)
    if body.tools or body.functions:
        raise OpenAIError(400, "Werkzeuge (tools/functions) werden nicht unterstützt: der Assistent antwortet nur "
                          "aus den Programmunterlagen.", "tools", "unsupported_parameter")  # fmt: skip
    if body.n != 1:
        raise OpenAIError(400, "Nur eine Antwort je Anfrage (n = 1).", "n", "unsupported_parameter")
    asked = [m.text().strip() for m in body.messages if m.role == "user" and m.text().strip()]
    if not asked:
        said = any(m.role == "user" for m in body.messages)  # there, but empty or only an image
        what = "Die Nachricht enthält keinen Text." if said else "Keine Nachricht mit role 'user'."
        raise OpenAIError(400, f"Die Anfrage enthält keine Frage ({what})", "messages")
    # as many at once as /api/v1/ask allows (``server.answer_threads``, the limiter made by ``create_app``)
    limiter = request.app.state.answer_limiter
    answer, searched = await anyio.to_thread.run_sync(resolved_answer, container, asked, limiter=limiter)
    completion_id = "chatcmpl-" + uuid.uuid4().hex
    if body.stream:
        return StreamingResponse(
            _stream(completion_id, answer, searched),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )
    message = {"role": "assistant", "content": markdown(answer), **_extras(answer, searched)}
    return {
        "id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }  # fmt: skip


def resolved_answer(container: Container, asked: list[str]) -> tuple[Answer, str]:
    """The last question, resolved against the earlier ones as in a chat session."""
    limit = container.settings.answer.max_question_chars
    previous: Turn | None = None
    for earlier in asked[:-1][-container.settings.server.session_turns :]:
        text = clean_question(earlier[:limit], limit)
        earlier_resolution = container.query_rewriter.resolve(text, previous)
        if earlier_resolution.small_talk:
            continue  # as in the chat: "Danke!" between two questions leaves the topic where it was
        standalone = earlier_resolution.standalone
        # as the chat marks a turn it declined as off-topic or asked for its topic: it lends the next turn no topic.
        # An orphan is answered as in the chat (declined, it is asked for its topic); any other turn needs only the
        # scope check, which is all that declines it as off-topic
        if earlier_resolution.orphan:
            after_off_topic = previous is not None and previous.off_topic
            lends_none = lends_no_topic(answer_turn(container.answerer, text, earlier_resolution, after_off_topic))
        else:
            lends_none = not earlier_resolution.searches or not container.answer_service.in_scope(standalone)
        previous = Turn(text, standalone, off_topic=lends_none)
    question = clean_question(asked[-1], limit)
    resolution = container.query_rewriter.resolve(question, previous)
    # the chat's rule for a turn that points back at nothing ("Und wer finanziert das?" first): asked for its topic
    answer = answer_turn(container.answerer, question, resolution, previous is not None and previous.off_topic)
    answer.question = question
    return answer, resolution.standalone


def _extras(answer: Answer, searched: str) -> dict[str, Any]:
    return {
        "searched": searched,  # the standalone query: a follow-up with the earlier topic ("Gesucht wurde: …")
        "citations": answer.to_dict()["citations"],
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "notice": answer.notice,
        "suggestions": answer.suggestions,  # questions to ask instead (small talk, no topic, nothing to point back at)
    }


def markdown(answer: Answer) -> str:
    """The answer as Markdown: the text with its [n] markers, then the sources with Stand, place and link."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", "**Quellen**", ""]
    lines += [f"[{c.n}] {_source_line(c)}" for c in answer.citations]
    return "\n".join(lines)


def _source_line(c: Citation) -> str:
    parts = [c.title]
    if c.date:
        parts.append(f"Stand {messages.german_date(c.date)}")
    if c.page:
        parts.append(f"Folie/Seite {c.page}")
    elif c.section:
        parts.append(c.section)
    text = " – ".join(parts)
    return f"{text} – {c.source_url}" if c.source_url else text


def _stream(completion_id: str, answer: Answer, searched: str) -> Iterator[str]:
    from scp_assistant.answer.prepared import split_for_stream

    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        data = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }  # fmt: skip
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in split_for_stream(markdown(answer)):
        yield chunk({"content": piece})
    yield chunk(_extras(answer, searched), "stop")
    yield "data: [DONE]\n\n"


def install(app: FastAPI) -> None:
    """The router plus its error format: OpenAI clients read ``error.message``, ``error.type``, ``error.code``."""

    @app.exception_handler(OpenAIError)
    async def _openai(_: Request, exc: OpenAIError) -> JSONResponse:
        return exc.response()

    app.include_router(compat)
