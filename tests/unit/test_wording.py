"""The wording prior of the refusal model: what it reads of a question, what it learns, and its place in the model
file and in the refusal features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scp_assistant.errors import ConfigError
from scp_assistant.learn.model import LinearModel, Models, load_models
from scp_assistant.learn.question import profile
from scp_assistant.learn.question_features import QUESTION_FEATURES, EvidenceView, question_features
from scp_assistant.learn.unit_facts import UNIT_FEATURES
from scp_assistant.learn.wording import NUMBER, VOCABULARY, WordingModel, fit_wording, wording_tokens


def test_only_german_function_words_and_a_number_marker_are_read() -> None:
    tokens = wording_tokens("An welchem Datum hat der Stadtrat von Trier 2025 genau beschlossen?")
    assert {"an", "welchem", "hat", "der", "von", "genau", NUMBER} <= tokens
    assert not tokens & {"datum", "stadtrat", "trier", "beschlossen"}  # topic words and places say nothing here
    assert wording_tokens("Which body approves the applications?") == frozenset()  # no English
    assert wording_tokens("Für welche Schulen gilt das?") == wording_tokens("Für welche Kitas gilt das?")


def test_the_model_learns_which_wordings_go_with_declining() -> None:
    exact = ["Ab welchem Betrag muss {} genau gemeldet werden?", "An welchem Tag muss {} genau vorliegen?"]
    broad = ["Was ist eigentlich {}?", "Was macht eigentlich {}?"]
    topics = ["das Trägerbudget", "die Schulsozialarbeit", "das Portal", "die ADD", "der Antrag"]
    texts = [t.format(x) for t in exact for x in topics] + [t.format(x) for t in broad for x in topics]
    decline = [True] * 10 + [False] * 10
    model = fit_wording(texts, decline)
    assert model.weights["welchem"] > 0 and model.weights["eigentlich"] < 0
    assert model.log_odds("Ab welchem Alter muss man genau zahlen?") > 0 > model.log_odds("Was ist eigentlich S4?")
    assert "stadtrat" not in model.weights and "trägerbudget" not in model.weights


def test_one_class_or_no_shared_words_gives_a_neutral_model() -> None:
    assert fit_wording(["Was ist das?", "Wer ist das?"], [False, False]).log_odds("Was ist das?") == 0.0
    assert fit_wording(["Trägerbudget?", "Säule?"], [True, False]).weights == {}


def test_the_prior_is_a_refusal_feature_and_travels_in_the_model_file(tmp_path: Path) -> None:
    evidence = EvidenceView(0.8, 0, 0, 0, 0, True, False, False)
    no_units = np.zeros((0, len(UNIT_FEATURES)))
    row = question_features(profile("An welchem Tag?"), evidence, no_units, np.zeros(0), [], [], 2.5)
    assert row[QUESTION_FEATURES.index("wording")] == 2.5
    zero = LinearModel(("x",), (0.0,), (1.0,), (0.0,), 0.0)
    saved = Models(zero, zero, wording=WordingModel({"welchem": 1.25, "eigentlich": -0.5}, -0.25))
    saved.save(tmp_path / "m.json")
    loaded = load_models(tmp_path / "m.json")
    assert loaded.wording == saved.wording
    assert loaded.wording is not None and loaded.wording.log_odds("An welchem Tag?") == pytest.approx(1.0)


def test_a_model_file_whose_refusal_reads_the_wording_but_lacks_its_model_is_refused(tmp_path: Path) -> None:
    from scp_assistant.answer.scoring import check_models

    models = load_models()
    Models(models.unit, models.refusal, models.params, models.followup).save(tmp_path / "m.json")
    with pytest.raises(ConfigError, match="wording"):
        check_models(load_models(tmp_path / "m.json"))
    check_models(models)


def test_the_shipped_model_has_a_wording_prior() -> None:
    wording = load_models().wording
    assert wording is not None and wording.weights
    assert set(wording.weights) <= VOCABULARY | {NUMBER}  # function words only
