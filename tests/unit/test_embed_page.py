"""The page for portal operators (/einbinden): the script tag for this very server, its allowlist, its limits."""

import html
import re

from fastapi.testclient import TestClient

from scp_assistant.container import Container
from scp_assistant.server.app import create_app
from scp_assistant.server.embed_page import embed_page
from scp_assistant.settings import ServerSettings


def test_the_embed_page_gives_the_script_tag_for_the_address_it_was_opened_at(fake_container: Container) -> None:
    server = ServerSettings.model_validate(
        {**fake_container.settings.server.model_dump(), "allowed_origins": ["https://www.vg-beispiel.de"]}
    )
    settings = fake_container.settings.model_copy(update={"server": server})
    with TestClient(create_app(settings, fake_container), base_url="http://assistent.example:8000") as client:
        page = client.get("/einbinden")
        start = client.get("/")
        script = client.get("/einbinden.js")  # the copy button's, allowed by the page's script-src 'self'
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    assert 'src="/einbinden.js"' in page.text
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    snippet = html.unescape(re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
    assert snippet.startswith('<script src="http://assistent.example:8000/widget.js" ')
    assert "data-max-chars" not in snippet  # the server keeps the widget's own limit
    assert "<code>https://www.vg-beispiel.de</code>" in page.text and "SCP_SERVER__ALLOWED_ORIGINS" in page.text
    assert '<script src="/widget.js" data-position="right" defer>' in page.text  # live on the page
    assert not re.search(r"\{\{[A-Z_]+\}\}", page.text)  # every value filled in
    assert 'href="/einbinden"' in start.text  # the chat page points operators to it


def test_the_embed_page_escapes_what_it_fills_in_and_names_a_changed_limit() -> None:
    template = "<textarea>{{SNIPPET}}</textarea><p>{{BASE}} {{ORIGINS}} {{MAX_CHARS}}</p><script{{MAX_ATTR}}>"
    page = embed_page(template, 'http://host"><b>x/', ["https://a.de/<i>"], 3000)
    assert "<b>" not in page and "<i>" not in page
    assert "data-max-chars=&quot;3000&quot;" in page and '<script data-max-chars="3000">' in page
    copied = html.unescape(re.search(r"<textarea>(.*?)</textarea>", page, re.S).group(1))  # type: ignore[union-attr]
    assert copied.startswith('<script src="http://host"><b>x/widget.js"')  # as given, for the operator to see
    # one pass: a value that looks like a placeholder stays as it is
    once = embed_page("{{ORIGINS}} {{BASE}}", "http://h/{{ORIGINS}}", ["https://a.de"], 2000)
    assert once == "Derzeit freigegeben: <code>https://a.de</code>. http://h/{{ORIGINS}}"
    assert embed_page("{{ORIGINS}}", "http://h/", [], 2000).startswith("Derzeit ist kein Portal freigegeben")
