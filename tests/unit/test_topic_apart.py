"""The refusal model's view of a follow-up: do the turn's own words and the topic it carries meet in one unit?"""

from __future__ import annotations

import numpy as np

from scp_assistant.answer.scoring import Featurized, topic_apart
from scp_assistant.container import Container


def _apart(container: Container, query: str, believed: float = 1.0) -> float:
    featurized = container.answer_service.retrieve(query).featurized
    assert isinstance(featurized, Featurized)
    n = len(featurized.candidates)
    return topic_apart(featurized, np.full(n, believed), np.arange(n))


def test_a_follow_up_is_apart_when_its_words_and_its_topic_stand_in_different_units(
    fake_container: Container,
) -> None:
    """ "Wer muss zustimmen?" after a question on Mobiliar from the Chancenbudget meets its topic in the FAQ answer
    ("Der Schulträger muss vorher zustimmen" under "Darf aus dem Chancenbudget Mobiliar angeschafft werden?"); after
    one on the Eigenanteil in Nordrhein-Westfalen no unit holds both: "Und wie viele davon in Worms? (FSJ-Kräfte)"
    found Worms' schools and the Land's FSJ figure, never both, and was answered (round 38)."""
    together = _apart(fake_container, "Wer muss zustimmen? (Mobiliar Chancenbudget)")
    apart = _apart(fake_container, "Wer muss zustimmen? (Nordrhein-Westfalen Eigenanteil)")
    assert together < 0.2 and apart > 0.8
    # what the unit model does not believe counts for little
    assert _apart(fake_container, "Wer muss zustimmen? (Mobiliar Chancenbudget)", believed=0.1) > 0.8
    # a question of its own carries no topic: nothing to be apart from; nor does a bracket of words no document uses
    assert _apart(fake_container, "Wer muss dem Mobiliar aus dem Chancenbudget zustimmen?") == 0.0
    assert _apart(fake_container, "Wer muss dem Mobiliar zustimmen? (bitte kurz)") == 0.0


def test_a_follow_up_without_words_of_its_own_needs_only_its_topic(fake_container: Container) -> None:
    """ "Bis wann?" has no focus term: a unit whose passage holds the topic is enough."""
    assert _apart(fake_container, "Bis wann? (Mobiliar Chancenbudget)") < 0.2
    assert _apart(fake_container, "Bis wann? (Nordrhein-Westfalen Eigenanteil)") < 0.2
    assert _apart(fake_container, "Bis wann? (Freiburg Sprachbildung)") < 0.2
