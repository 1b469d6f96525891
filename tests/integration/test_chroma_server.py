"""Scale-out path: a real Chroma server on loopback (`chroma run`), ingest into it, and two API processes
answering from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import free_port

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Wait until the process behind ``url`` answers; if it exits or stays silent, fail with the end of its log
    (a failure here once left nothing to go on when the output went to /dev/null)."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    state = "did not answer in time" if proc.poll() is None else f"exited with {proc.returncode}"
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else "(no log)"
    raise AssertionError(f"{url} {state}; end of {log.name}:\n{tail}")


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def ask(port: int, question: str, session_id: str | None = None) -> dict:  # type: ignore[type-arg]
    body = {"question": question} | ({"session_id": session_id} if session_id else {})
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/ask",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())  # type: ignore[no-any-return]


def test_ingest_into_chroma_server_and_serve_from_two_processes(tmp_path: Path) -> None:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma CLI comes with chromadb"
    port = free_port()
    server_log = tmp_path / "chroma.log"
    server = start(
        [chroma, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port", str(port)], server_log
    )
    apis: list[subprocess.Popen[bytes]] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, server_log)
        corpus = tmp_path / "corpus"
        shutil.copytree(REPO / "corpus" / "faq", corpus / "faq")
        env = {
            **os.environ,
            "SCP_CHROMA__HOST": "127.0.0.1",
            "SCP_CHROMA__PORT": str(port),
            "SCP_DATA_DIR": str(tmp_path / "data"),
            "ANONYMIZED_TELEMETRY": "False",
        }
        cli = [sys.executable, "-m", "scp_assistant.cli"]
        ingest = subprocess.run([*cli, "ingest", str(corpus)], env=env, capture_output=True, text=True, timeout=300)
        assert ingest.returncode == 0, ingest.stderr
        assert "Dokumente im Index: 8" in ingest.stdout
        assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally: it went to the server
        api_ports: list[int] = []
        while len(api_ports) < 2:  # two distinct ports, neither of them Chroma's
            candidate = free_port()
            if candidate not in (*api_ports, port):
                api_ports.append(candidate)
        for p in api_ports:
            apis.append(
                start(
                    [*cli, "serve", "--port", str(p)],
                    tmp_path / f"api-{p}.log",
                    {
                        **env,
                        "SCP_DATA_DIR": str(tmp_path / f"data-{p}"),
                        "SCP_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
                    },
                )
            )
        for p, proc in zip(api_ports, apis, strict=True):
            wait_for(f"http://127.0.0.1:{p}/readyz", proc, tmp_path / f"api-{p}.log", 120)
        answers = [ask(p, "Darf aus dem Chancenbudget Mobiliar angeschafft werden?") for p in api_ports]
        for answer in answers:
            assert not answer["refused"] and answer["citations"][0]["doc_id"] == "rlp-cb-schule"
        assert answers[0]["answer"] == answers[1]["answer"]
        # a follow-up to the first process's answer, sent to the second: the session is in the shared database
        follow = ask(api_ports[1], "Und wer muss zustimmen?", answers[0]["session_id"])
        assert follow["session_id"] == answers[0]["session_id"]
        assert "Mobiliar" in follow["rewritten_question"] and "Chancenbudget" in follow["rewritten_question"]
    finally:
        for proc in [*apis, server]:
            proc.terminate()
            proc.wait(timeout=20)
