"""Response bodies of the console's reading routes (published in api/openapi.json with the rest of the contract)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FeedbackEntryOut(BaseModel):
    id: str
    created_at: str = Field(description="ISO-Zeit (UTC)")
    rating: str = Field(description="up oder down")
    reason: str | None
    comment: str | None
    question: str
    answer: str
    citations: list[dict[str, Any]]
    answer_id: str | None
    searched: str = Field(description="womit die Antwort gesucht wurde, wenn nicht mit der Frage selbst")
    case_id: str | None = Field(description="der aus dieser Rückmeldung angelegte Testfall")


class FeedbackPageOut(BaseModel):
    total: int = Field(description="so viele Rückmeldungen passen zur Auswahl")
    remaining: int = Field(description="so viele passende folgen nach dieser Seite")
    entries: list[FeedbackEntryOut] = Field(description="die angefragte Seite davon, neueste zuerst")


class SignalOut(BaseModel):
    name: str
    meaning: str
    value: float
    push: float = Field(description="Beitrag zur Ablehnung (Log-Odds; > 0 spricht fürs Ablehnen)")


class PassageOut(BaseModel):
    rank: int
    doc_id: str
    title: str
    where: str = Field(description="Abschnitt oder Seite")
    score: float
    text: str
    read: bool = Field(description="ihre Textstellen kamen für die Antwort in Frage")


class UnitOut(BaseModel):
    p: float = Field(description="gelernte Wahrscheinlichkeit, dass die Textstelle die Frage beantwortet")
    kind: str
    doc_id: str
    where: str
    text: str
    chosen: bool = Field(description="steht in der Antwort")
    inside: bool = Field(description="steht als Teil einer gewählten Textstelle in der Antwort")
    excluded: bool = Field(description="handelt von einem anderen Ort, Schuljahr oder einer anderen Säule")


class SimilarOut(BaseModel):
    question: str = Field(description="eine Trainingsfrage (eine Folgefrage so, wie sie gesucht wurde)")
    similarity: float = Field(description="0 bis 1, nach seltenen gemeinsamen Inhaltswörtern")
    declined: bool = Field(description="eine Frage, die die Unterlagen nicht beantworten")
    facts: list[str] = Field(description="ihre Kernfakten, gegen die die Textstellen geprüft wurden")


class ExplainOut(BaseModel):
    question: str
    searched: str
    decision: str = Field(description="beantwortet oder abgelehnt")
    refusal_reason: str | None
    reasons: list[str] = Field(description="was entschied, auf Deutsch")
    p_refuse: float | None = Field(description="Ablehnungswahrscheinlichkeit (keine, wenn vor den Modellen abgelehnt)")
    refuse_above: float
    kind: str
    parts: list[str]
    signals: list[SignalOut]
    passages: list[PassageOut]
    units: list[UnitOut]
    similar: list[SimilarOut] = Field(description="die ähnlichsten Trainingsfragen (Fragengedächtnis)")
    answer: str
    citations: list[dict[str, Any]]
