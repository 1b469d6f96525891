"""The eval report opens offline in a real browser, without console errors, and its table works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scp_assistant.cli import main

pytestmark = pytest.mark.browser


def test_report_renders_without_errors(
    browser: Any, artifacts: Path, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCP_EMBEDDER__BACKEND", "fake")
    assert main(["ingest", str(corpus)]) == 0
    questions = tmp_path / "q.yaml"
    questions.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "q1",
                    "question": "Darf aus dem Chancenbudget Mobiliar angeschafft werden?",
                    "expect": "answer",
                    "category": "eligibility",
                    "key_facts": ["Mobiliar nicht ausgeschlossen"],
                    "sources": ["faq1"],
                },
                {
                    "id": "q2",
                    "question": "Wer hat die Fußball-WM 2014 gewonnen?",
                    "expect": "refuse",
                    "category": "out_of_scope",
                },
                {
                    "id": "q3",
                    "question": "Welche Berufsgruppen sind in Säule III förderfähig?",
                    "expect": "answer",
                    "category": "factual",
                    "key_facts": ["14 Berufsgruppen", "Hausmeister"],
                    "sources": ["s3"],
                },
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    run = tmp_path / "run"
    main(["eval", "run", "--questions", str(questions), "--output", str(run)])

    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto((run / "report.html").as_uri())
    assert page.locator("h1").inner_text().startswith("SCP Assistant – Auswertung")
    assert page.locator("#results tbody tr").count() == 3
    # categories, hits@k, answer times, and where the wrong answer went wrong: "Hausmeister" stands in no passage
    assert page.locator("svg").count() == 4
    assert page.locator("svg[aria-label='Woran falsche Antworten scheiterten']").count() == 1
    assert "Kernfakt prüfen: ein fehlender Kernfakt ist so in keinem Abschnitt" in page.locator("#results").inner_text()
    page.fill("#q", "Fußball")
    assert page.locator("#results tbody tr:not([hidden])").count() == 1
    page.fill("#q", "")
    page.check("#onlyfail")
    visible = page.locator("#results tbody tr:not([hidden])")
    assert visible.count() == 1 and "q3" in visible.first.inner_text()
    page.uncheck("#onlyfail")
    page.locator("#results thead th").first.click()  # sort by id
    page.screenshot(path=str(artifacts / "eval-report.png"), full_page=True)
    assert errors == []
    assert all(url.startswith("file://") for url in requests)  # offline: nothing from a CDN
    page.close()
