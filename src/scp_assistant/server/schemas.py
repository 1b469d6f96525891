"""The HTTP contract (request and response bodies); published as api/openapi.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(Strict):
    question: str = Field(
        ...,
        min_length=1,
        pattern=r"[0-9A-Za-zÄÖÜäöüß]",
        description="Die Frage (höchstens SCP_ANSWER__MAX_QUESTION_CHARS Zeichen, Standard 2000).",
    )
    session_id: str | None = Field(None, max_length=64, description="Sitzung für Folgefragen (aus einer Antwort).")
    previous_question: str | None = Field(
        None,
        max_length=8000,
        description="Die vorige Frage, wie der Client sie noch zeigt (rewritten_question der letzten Antwort), nach "
        "einem Neuladen oder auf der nächsten Seite eines Portals: Hält der Server die Sitzung nicht mehr (abgelaufen, "
        "Neustart), wird eine Folgefrage mit ihr gelesen; hält er sie, zählt die Sitzung.",
    )
    doc_type: str | None = Field(
        None,
        max_length=40,
        description="Nur Dokumente dieses Typs (faq, landesseite, bund, kommune, presse, forschung, verband, "
        "anderes-land, praesentation); ein Typ, den kein Dokument hat, gibt 422 mit den vorhandenen.",
    )
    region: str | None = Field(
        None,
        max_length=80,
        description="Nur Dokumente dieser Region, wie GET /api/v1/documents sie nennt („RLP“, „Bund“, „Mainz, RLP“); "
        "eine Region ohne Dokument gibt 422 mit den vorhandenen.",
    )


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str
    publisher: str
    source_url: str
    date: str = Field(description="„Stand“ der Quelle (ISO, Monat, Jahr oder leer)")
    section: str
    page: int | None
    quote: str = Field(description="Die Stelle der Quelle, aus der die Sätze mit [n] stammen.")


class RetrievedOut(BaseModel):
    doc_id: str
    chunk_id: str
    score: float


class AnswerOut(BaseModel):
    question: str
    answer: str = Field(description="Antworttext; [n] verweist auf citations[n-1].")
    refused: bool = Field(
        description="true: die Unterlagen beantworten die Frage nicht (not_covered), sie liegt außerhalb des Themas "
        "(out_of_scope), ist ein Manipulationsversuch (adversarial) oder bezieht sich auf eine vorige Frage, die es "
        "in dieser Unterhaltung nicht gibt oder nennt kein Thema (needs_context: „Und wer genehmigt das?“ als erste "
        "Frage oder nach einer themenfremden Nachricht, die kein Thema mitgibt; „Wer ist zuständig?“), oder sie ist "
        "keine Frage (small_talk: „Hallo“, „Danke!“, „Was kannst du?“)."
    )
    refusal_reason: Literal["not_covered", "out_of_scope", "adversarial", "needs_context", "small_talk"] | None
    notice: str | None
    backend: str
    citations: list[CitationOut] = Field(
        description="Die Quellen der Antwort, eine Nummer je Dokument. Auch eine Ablehnung kann Quellen tragen: bei "
        "not_covered belegt sie, was die Unterlagen in der Nähe der Frage sagen („Belegt ist: … [1]“)."
    )
    retrieved: list[RetrievedOut]
    latency_ms: float
    suggestions: list[str] = Field(
        default_factory=list,
        description="Fragen, die die Unterlagen beantworten, zum Stellen an Stelle dieser Nachricht (bei small_talk, "
        "bei einer Frage ohne Thema und bei einer ersten Frage, die sich auf eine vorige bezieht; sonst leer). Die "
        "Antwort nennt sie auch im Text.",
    )
    answer_id: str = Field(description="Für Rückmeldungen (POST /api/v1/feedback).")
    session_id: str
    rewritten_question: str = Field(
        description="Die eigenständige Suchanfrage; bei einer Folgefrage mit dem Thema der vorigen Frage "
        "(„Gesucht wurde: …“, nur anzeigen, wenn sie von der Frage abweicht)."
    )
    continued: bool = Field(
        False,
        description="Die Frage wurde vor dem Hintergrund einer vorigen gelesen (aus der Sitzung oder aus "
        "previous_question). false zu einer mitgeschickten session_id ohne previous_question heißt: die Sitzung war "
        "abgelaufen (oder unbekannt), die Frage wurde für sich gelesen.",
    )


class SectionOut(BaseModel):
    section: str
    page: int | None
    chunk_id: str


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    publisher: str
    source_url: str
    date: str
    doc_type: str
    region: str
    chunks: int
    has_file: bool
    file_url: str | None = None


class DocumentDetailOut(DocumentOut):
    sections: list[SectionOut]


Reason = Literal["falsch", "unvollständig", "quelle-falsch", "nicht-hilfreich", "veraltet", "sonstiges"]


class FeedbackIn(Strict):
    answer_id: str = Field(..., min_length=8, max_length=64)
    rating: Literal["up", "down"]
    reason: Reason | None = None
    comment: str | None = Field(None, max_length=2000, description="Bitte keine personenbezogenen Daten.")


class FeedbackOut(BaseModel):
    id: str


class ReindexOut(BaseModel):
    documents: int
    chunks: int
    added: list[str]
    updated: list[str]
    removed: list[str]
    failures: list[dict[str, str]]
    duration_s: float


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class EvalCaseIn(Strict):
    """A test case for the eval suite, e.g. from a thumbs-down in the chat."""

    question: str = Field(min_length=1, max_length=2000)
    expect: Literal["answer", "refuse"]
    key_facts: list[str] = Field(default_factory=list, max_length=20)
    sources: list[str] = Field(default_factory=list, max_length=20)
    expected_answer: str | None = Field(None, max_length=4000)
    answer_id: str | None = Field(None, max_length=64)


class EvalRunIn(Strict):
    set: Literal["dev", "tune", "conversations", "cases"] = Field(
        description="dev, tune, conversations (die Fragensätze des ism) oder cases (die hier gesammelten Testfälle)"
    )


class ExplainIn(Strict):
    question: str = Field(
        description="die Frage, wie sie gestellt wurde (bei einer Folgefrage: wie gesucht wurde, mit Thema in Klammern)"
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Nicht gefunden"},
    413: {"model": ErrorOut, "description": "Anfrage zu groß"},
    422: {"model": ErrorOut, "description": "Ungültige Eingabe (z. B. leere oder zu lange Frage)"},
    429: {"model": ErrorOut, "description": "Zu viele Anfragen; Header Retry-After nennt die Wartezeit in Sekunden"},
    503: {"model": ErrorOut, "description": "Index fehlt oder Backend nicht erreichbar"},
}
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Token fehlt oder ist falsch"},
    403: {"model": ErrorOut, "description": "Admin-Zugang nicht eingerichtet"},
}
