"""Coordinations with a suspended hyphen ("Ergo-, Spiel- und Lerntherapeut/in") stand for whole words."""

from scp_assistant.models import Chunk
from scp_assistant.retrieve.bm25 import BM25Index
from scp_assistant.retrieve.compounds import Decompounder

EVERYDAY = frozenset({"therapeut", "therapeuten", "pädagogik", "kraft", "fachkraft", "arbeit", "schule"})


def _chunk(i: int, text: str) -> Chunk:
    return Chunk("d", f"d::{i}", "T", "", "", "", "", "", "", None, text)


def test_each_first_part_joins_the_shared_last_part() -> None:
    words = Decompounder(set(), EVERYDAY)
    assert words.coordinated("Ergo-, Spiel- und Lerntherapeut/in") == ["ergotherapeut", "spieltherapeut"]
    assert words.coordinated("Musik-, Kunst- und Theaterpädagogik") == ["musikpaedagogik", "kunstpaedagogik"]
    assert words.coordinated("Schulbegleiter/in sowie Integrations-/Inklusionsfachkraft") == ["integrationsfachkraft"]


def test_the_longest_known_last_part_wins_and_the_corpus_vocabulary_counts() -> None:
    words = Decompounder({"sozialarbeit", "kraefte"}, EVERYDAY)
    assert words.coordinated("Jugend- und Schulsozialarbeit") == ["jugendsozialarbeit"]  # not "jugendarbeit"
    assert words.coordinated("für Lehr- und Fachkräfte sowie Teams") == ["lehrkraefte"]  # folded, from the corpus
    assert Decompounder({"kraefte"}).coordinated("Lehr- oder Fachkräfte") == ["lehrkraefte"]  # no lexicon needed


def test_no_coordination_or_no_known_last_part_gives_nothing() -> None:
    words = Decompounder({"programm"}, EVERYDAY)
    assert words.coordinated("Das Startchancen-Programm in Rheinland-Pfalz und Säule-III-Mittel") == []
    assert words.coordinated("Bau- oder Gesundheitsamt") == []  # "amt" is too short to be told from a fragment
    assert words.coordinated("Ein Gedanken- und Ideenwechsel") == []  # nothing known
    # a short word of the corpus is no last part, nor does a gender form start a coordination
    assert Decompounder({"samt"}).coordinated("Bau- oder Gesundheitsamt") == []
    assert Decompounder({"elternarbeit", "arbeit"}).coordinated("Schüler:innen- und Elternarbeit") == []
    assert Decompounder({"kraefte"}).coordinated("Lehr- und " + "Fach" * 100 + "kräfte") == []  # too long to search


def test_bm25_finds_a_list_by_a_word_of_its_coordination() -> None:
    professions = _chunk(0, "Zu den Berufsuntergruppen gehören Ergo-, Spiel- und Lerntherapeut/in und Motopäde/in.")
    others = [_chunk(i, f"Die Schule {i} plant Projekte mit Therapie und Beratung.") for i in range(1, 6)]
    index = BM25Index([professions, *others], lexicon=EVERYDAY)
    assert index.search("Dürfen wir eine Ergotherapeutin einstellen?", 1)[0][0] == 0
    assert "ergotherapeut" in index.query_terms(professions.text)
    assert "ergotherapeut" in index.expanded_terms("Ergo- oder Lerntherapeuten?")
