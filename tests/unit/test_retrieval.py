"""Hybrid retrieval on fakes: fusion of the whole question with its sentences."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import bm25_over, hand_models, small_corpus
from scp_assistant.container import Container
from scp_assistant.index.embedders import FakeEmbedder
from scp_assistant.index.store import MemoryStore
from scp_assistant.retrieve.hybrid import HybridRetriever, sentences
from scp_assistant.settings import RetrieveSettings, Settings


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    tmp = tmp_path_factory.mktemp("retrieval")
    corpus = small_corpus(tmp / "corpus")
    store = MemoryStore()
    settings = Settings(data_dir=tmp / "data", corpus_dir=corpus, embedder={"backend": "fake"})  # type: ignore[arg-type]
    Container(settings, store=store, embedder=FakeEmbedder(64), models=hand_models()).ingest_pipeline().run(corpus)
    return store


class RecordingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(64)
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


def retriever(store: MemoryStore, weight: float, embedder: FakeEmbedder | None = None) -> HybridRetriever:
    return HybridRetriever(store, embedder or FakeEmbedder(64), RetrieveSettings(candidates=5, sentence_weight=weight))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Bei uns will der Fußballverein was anbieten. Gibts da im SCP nen Topf für?",
            ["Bei uns will der Fußballverein was anbieten.", "Gibts da im SCP nen Topf für?"],
        ),
        # a dash sets off a clause; pieces under three words are no sentence of their own
        (
            "Könn wir die Betriebskosten – Strom, Reinigung, Wartung – aus Säule 1 bezahlen?",
            ["Könn wir die Betriebskosten", "Strom, Reinigung, Wartung", "aus Säule 1 bezahlen?"],
        ),
        ("Wer genehmigt Anträge aus dem Chancenbudget?", []),
        ("Ok. Wer genehmigt Anträge aus dem Chancenbudget?", []),  # "Ok." is no sentence
        # an abbreviation or an ordinal ends no sentence
        (
            "Ich las 380 Mio. und 400 Mio. Euro. Was stimmt denn nun?",
            ["Ich las 380 Mio. und 400 Mio. Euro.", "Was stimmt denn nun?"],
        ),
        (
            "Was ist am 4. Juni passiert? Und wer war dabei, bzw. wer nicht?",
            ["Was ist am 4. Juni passiert?", "Und wer war dabei, bzw. wer nicht?"],
        ),
    ],
)
def test_sentences_of_a_question_of_several(question: str, expected: list[str]) -> None:
    assert sentences(question) == expected


def test_at_most_three_sentences_are_searched_on_their_own() -> None:
    assert len(sentences("Eins zwei drei. " * 6)) == 3


def test_in_a_pasted_e_mail_its_questions_are_searched_on_their_own() -> None:
    """Four sentences of background, then the question: the first three sentences were searched, never the question
    (walk-through of round 38). The whole message is searched too, so the background is not lost."""
    mail = (
        "Die Schulleitung hatte eine Idee zur Jugendhilfe. Die Kämmerei fragt nach dem Eigenanteil. Die "
        "Personalabteilung will das auch wissen. Der Dezernent fragt nach dem Budget. Können wir Schulsozialarbeit "
        "über Säule III finanzieren? Eine kurze Rückmeldung wäre schön."
    )
    assert sentences(mail) == ["Können wir Schulsozialarbeit über Säule III finanzieren?"]
    # a message of a few sentences is searched sentence by sentence, as before
    assert len(sentences("Die Kämmerei fragt nach dem Eigenanteil. Wer zahlt das bei Säule I?")) == 2


def mean_of(texts: list[str]) -> np.ndarray:
    """What the retriever searches the whole question with: the length-weighted mean of its pieces' vectors."""
    total = sum(len(t) * np.asarray(FakeEmbedder(64).embed_query(t), dtype=np.float64) for t in texts)
    return np.asarray(total / np.linalg.norm(total))


def test_each_sentence_is_searched_and_what_only_a_sentence_finds_joins_the_candidates(store: MemoryStore) -> None:
    question = "Unser Gemeinderat fragt viel zum Trägerbudget. Gibt es ein Praxisbeispiel aus Freiburg?"
    embedder = RecordingEmbedder()
    fused = {s.chunk.chunk_id for s in retriever(store, 1.0, embedder).retrieve(question)}
    assert embedder.queries == sentences(question)  # the whole is not encoded on its own
    # the whole question searched alone, with the same vector: what the sentences add
    mean = mean_of(sentences(question)).tolist()
    alone = {s.chunk.chunk_id for s in retriever(store, 0.0).retrieve(question, vector=mean)}
    by_sentence = {s.chunk.chunk_id for part in sentences(question) for s in retriever(store, 0.0).retrieve(part)}
    assert alone < fused and fused - alone <= by_sentence


def recording_store(store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> list[list[float]]:
    """The vectors the store is searched with, in order."""
    vectors: list[list[float]] = []
    original = store.query

    def recording(vector: list[float], *args: object, **kwargs: object) -> object:
        vectors.append(vector)
        return original(vector, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "query", recording)
    return vectors


@pytest.mark.parametrize(
    ("question", "searched", "rest"),
    [
        # of more than three sentences the questions are searched, what else it says is encoded together, once
        (
            "Wir sind neu hier. Was ist das Trägerbudget? Wer genehmigt es? Bis wann gilt es? Wo steht das?",
            ["Was ist das Trägerbudget?", "Wer genehmigt es?", "Bis wann gilt es?"],
            "Wir sind neu hier. Wo steht das?",
        ),
        # a piece too short to be searched on its own still belongs to the question
        (
            "Was bekommt eine Schule im Jahr? Und Worms? Wer genehmigt das Budget?",
            ["Was bekommt eine Schule im Jahr?", "Wer genehmigt das Budget?"],
            "Und Worms?",
        ),
    ],
)
def test_the_whole_question_is_searched_with_the_mean_of_all_its_pieces(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch, question: str, searched: list[str], rest: str
) -> None:
    vectors = recording_store(store, monkeypatch)
    embedder = RecordingEmbedder()
    retriever(store, 1.0, embedder).retrieve(question)
    assert sentences(question) == searched
    assert embedder.queries == [*searched, rest]  # at most four encoder runs, none for the whole
    assert len(vectors) == 1 + len(searched)
    assert np.allclose(vectors[0], mean_of([*searched, rest]), atol=1e-6)


def test_a_callers_vector_stands_for_the_whole_question(store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = recording_store(store, monkeypatch)
    embedder = RecordingEmbedder()
    given = FakeEmbedder(64).embed_query("irgendein Vektor")
    question = "Was bekommt eine Schule im Jahr? Und Worms? Wer genehmigt das Budget?"
    retriever(store, 1.0, embedder).retrieve(question, vector=given)
    assert embedder.queries == sentences(question) and vectors[0] == given


def test_a_question_of_one_sentence_is_searched_once_and_ranked_as_before(store: MemoryStore) -> None:
    question = "Was passiert mit nicht ausgegebenen Mitteln aus dem Trägerbudget?"
    embedder = RecordingEmbedder()
    with_sentences = retriever(store, 1.0, embedder).retrieve(question)
    assert embedder.queries == [question]
    assert with_sentences == retriever(store, 0.0).retrieve(question)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Und wer stellt die Leute dann ein?", "einstell"),  # "stellt" is left as it is by the stemmer
        ("Wer schließt die Zielvereinbarungen ab?", "abschliess"),
        ("Wie viel Geld stellt der Bund bereit?", "bereitstell"),
        ("Welche Schulen nehmen teil?", "teilnehm"),
    ],
)
def test_a_separable_verb_finds_the_documents_word_for_it(question: str, term: str) -> None:

    texts = [
        "Die Einstellung erfolgt über die Schulträger.",
        "Die Zielvereinbarungen werden zum Abschluss gebracht; abschließen wird sie die Schulaufsicht.",
        "Bund und Länder bereitstellen zusammen 20 Mrd. Euro.",
        "An den Teilnehmenden Schulen; teilnehmen können 200 Schulen.",
        *(f"Weitere Meldung {i} zum Programm." for i in range(6)),
    ]
    bm25 = bm25_over(texts)

    assert bm25.expanded_terms(question).get(term) == 1.0


def test_a_question_for_how_long_something_runs_searches_its_duration_not_the_verb() -> None:

    texts = [
        "Ein Teilprojekt läuft von 2024 bis 2030.",  # "läuft", but not the programme's duration
        "Laufzeit: Das Programm ist auf zehn Jahre angelegt.",
        *(f"Weitere Meldung {i} zum Programm." for i in range(6)),
    ]
    bm25 = bm25_over(texts)
    verb = bm25.query_terms("läuft")[0]

    for question in ("Wie lange läuft das Programm?", "Bis wann läuft das?", "Und wie lange laeuft das Programm?"):
        terms = bm25.expanded_terms(question)
        assert terms.get("laufzeit") == 1.0 and verb not in terms
        assert bm25.search(question, 1)[0][0] == 1  # the passage on the Laufzeit
    # how, not how long; how long something else takes; another clause
    for question in (
        "Wie läuft das Antragsverfahren ab?",
        "Bis wann läuft das Verfahren ab?",
        "Wie lange dauert die Bearbeitung?",
        "Bis wann muss der Antrag gestellt sein, und wie läuft das ab?",
    ):
        assert "laufzeit" not in bm25.expanded_terms(question)


def test_who_decides_on_applications_searches_who_approves_them() -> None:
    """The documents say the school supervision "genehmigt Anträge"; "Wer entscheidet über die Anträge?" searched
    "verfügt", "vereinbaren", "zuständig" and found the budgets' general pages instead."""
    from scp_assistant.text import stem

    texts = [
        "Die Schule verfügt über ihr Chancenbudget und ist für die Planung zuständig.",
        "ADD/Schulaufsicht: Genehmigt Anträge aus dem Chancenbudget.",
        *(f"Weitere Meldung {i} zum Chancenbudget." for i in range(6)),
    ]
    bm25 = bm25_over(texts)
    for question in (
        "Wer entscheidet über die Anträge aus dem Chancenbudget?",
        "Wer entscheidet eigentlich über die Chancenbudget-Anträge unserer Schulen?",
        "Über unseren Antrag: wer entschied da?",
    ):
        assert bm25.search(question, 1)[0][0] == 1, question
    # deciding something else is not approving
    for question in (
        "Wer entscheidet, ob eine Kommune mitmacht?",
        "Wir stellen einen Antrag. Wer entscheidet dann?",  # another sentence
        "Ist für den Antragsteller die Frist entscheidend?",  # neither the verb nor the noun
    ):
        assert stem("genehmigt") not in bm25.expanded_terms(question), question
    # a word the user wrote stays, even when the verb's glossary has it too
    assert "zustand" in bm25.expanded_terms("Wer ist zuständig und entscheidet über die Anträge?")


def test_taking_part_as_said_in_speech_searches_who_takes_part() -> None:
    """ "Wie viele Schulen in RLP machen mit?" found the school types and S4, not "In Rheinland-Pfalz sind 200 Schulen
    am Startchancen-Programm beteiligt" (walk-through of round 34); "mitmachen" is "teilnehmen" in the documents."""
    from scp_assistant.text import stem

    texts = [
        "Was die Schulen mit ihrem Budget machen, entscheiden sie selbst.",
        "In Rheinland-Pfalz sind 200 Schulen am Startchancen-Programm beteiligt.",
        *(f"Weitere Meldung {i} zu den Schulen." for i in range(6)),
    ]
    bm25 = bm25_over(texts)
    for question in ("Wie viele Schulen machen mit?", "Welche Schulen machen beim SCP mit", "Sind auch BBS dabei?"):
        assert bm25.search(question, 1)[0][0] == 1, question
    taking_part = stem("beteiligt")
    assert taking_part in bm25.expanded_terms("Wollen wir da mitmachen?")
    # "mit" or "dabei" inside the clause is no taking part
    for question in ("Was machen wir mit dem Geld?", "Was ist dabei zu beachten?", "Kann man mit dem Geld was machen?"):
        assert taking_part not in bm25.expanded_terms(question), question
