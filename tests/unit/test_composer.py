"""The extractive composer on hand-made rankings: which passages and units it reads and picks."""

from scp_assistant.answer.extractive import ExtractiveComposer
from scp_assistant.models import Chunk, ScoredChunk
from scp_assistant.retrieve.bm25 import BM25Index


def _chunk(i: int, text: str, page: int | None = None, section: str = "Abschnitt") -> Chunk:
    return Chunk("deck", f"deck::{i:03d}", "Austausch", "ism", "", "2025", "praesentation", "RLP", section, page, text)


def _ranking(chunks: list[Chunk]) -> list[ScoredChunk]:
    return [ScoredChunk(c, 1.0 / (i + 1), dense_rank=i, bm25_rank=i) for i, c in enumerate(chunks)]


def test_a_passage_below_the_top_k_with_the_questions_rare_noun_is_read() -> None:
    filler = [_chunk(i, f"Zusammenarbeit der Institutionen im Austausch, Folie {i}.", page=i) for i in range(8)]
    example = _chunk(8, "Praxisbeispiel: Durchgängige Sprachbildung in Freiburg", page=8)
    composer = ExtractiveComposer(BM25Index([*filler, example]), passages=4)
    picked = composer.compose(
        "Welches Praxisbeispiel zur Zusammenarbeit wurde vorgestellt?", _ranking([*filler, example])
    )
    assert any("Freiburg" in p.text for p in picked)


def test_a_when_question_gets_a_date_from_the_cited_slide() -> None:
    title = _chunk(0, "Herzlich Willkommen zum 1. Schulträgeraustausch im Startchancen-Programm\n04. Juni 2025", page=1)
    other = _chunk(1, "Der Schulträgeraustausch dient dem Austausch der Schulträger untereinander.", section="Ziel")
    composer = ExtractiveComposer(BM25Index([title, other]))
    picked = composer.compose("Wann fand der erste Schulträgeraustausch statt?", _ranking([title, other]))
    assert any("04. Juni 2025" in p.text for p in picked)


def test_slide_units_under_a_block_heading_match_through_it() -> None:
    slide = _chunk(
        0,
        "Säule I: Investitionsprogramm\nDie Pläne beinhalten:\n• Mobiliar\n• Werkstätten\n"
        "Säule II: Chancenbudget\n• Kursangebote\n• Ferienangebote",
        page=14,
    )
    composer = ExtractiveComposer(BM25Index([slide, _chunk(1, "Sonstiges zur Säule II.")]))
    picked = composer.compose("Was war in Säule I geplant?", _ranking([slide]))
    texts = "\n".join(p.text for p in picked)
    assert "Mobiliar" in texts and "Ferienangebote" not in texts


def test_derived_words_match_their_base() -> None:
    index = BM25Index([_chunk(0, "Ein Antrag und ein Plan."), _chunk(1, "Sonstiges")])
    composer = ExtractiveComposer(index)
    assert {"antrag", "plan"} <= composer._with_affixes(index.query_terms("Beantragung der Planungen"))
    assert "sonst" not in composer._with_affixes(index.query_terms("Beantragung"))
