from fastapi.testclient import TestClient

from scp_assistant.container import Container
from scp_assistant.server.app import create_app


def test_health_ready_and_ask(fake_container: Container) -> None:
    with TestClient(create_app(fake_container.settings, fake_container)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["chunks"] > 0
        res = client.post("/api/v1/ask", json={"question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"})
        assert res.status_code == 200
        body = res.json()
        assert body["refused"] is False and body["citations"][0]["doc_id"] == "faq1"


def test_bad_requests_get_clear_422s(fake_container: Container) -> None:
    with TestClient(create_app(fake_container.settings, fake_container)) as client:
        empty = client.post("/api/v1/ask", json={"question": "  "})
        assert empty.status_code == 422 and "leer" in empty.json()["error"]["message"]
        huge = client.post("/api/v1/ask", json={"question": "x" * 1_000_000})
        assert huge.status_code == 422 and "zu lang" in huge.json()["error"]["message"]
        extra = client.post("/api/v1/ask", json={"question": "Was ist Säule I?", "role": "admin"})
        assert extra.status_code == 422 and extra.json()["error"]["code"] == "invalid_request"
        assert "Traceback" not in extra.text


def test_not_ready_without_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from scp_assistant.index.embedders import FakeEmbedder
    from scp_assistant.index.store import MemoryStore
    from scp_assistant.settings import Settings

    settings = Settings(data_dir=tmp_path, embedder={"backend": "fake"})  # type: ignore[arg-type]
    container = Container(settings, store=MemoryStore(), embedder=FakeEmbedder())
    with TestClient(create_app(settings, container)) as client:
        assert client.get("/readyz").status_code == 503
        res = client.post("/api/v1/ask", json={"question": "Was ist Säule I?"})
        assert res.status_code == 503 and res.json()["error"]["code"] == "index_missing"
