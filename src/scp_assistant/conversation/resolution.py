"""What the conversation makes of a turn before the answer stage sees it: the standalone query to search, whether
the turn depends on the previous one, and whether it is to be asked for its topic or answered as small talk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from scp_assistant.conversation.sessions import Turn


@dataclass(frozen=True)
class Resolution:
    standalone: str  # what is searched (and shown as "Gesucht wurde" when it differs from the turn)
    dependent: bool
    p_dependent: float = 0.0
    orphan: bool = False  # a first turn that only makes sense after another one ("Und wer genehmigt das?")
    # ... and names nothing of its own, or no programme noun beside a pronoun: "Und wer finanziert das?", "Gilt das
    # auch für BBS?" are asked for their topic whatever the answer stage would make of them (a guess at "das")
    points_at_nothing: bool = False
    # a first turn that names no topic at all ("Wer ist zuständig?"): asked for it, with questions to ask instead
    too_general: bool = False
    small_talk: str = ""  # "greeting", "thanks", "goodbye" or "capability" ("Hallo", "Danke!", "Was kannst du?")
    suggestions: tuple[str, ...] = ()  # questions the documents answer, offered in place of the turn

    @property
    def searches(self) -> bool:
        """Is the turn searched? Not one that points at nothing, names nothing or is small talk."""
        return not (self.points_at_nothing or self.too_general or self.small_talk)


class QueryRewriter(Protocol):
    def resolve(self, question: str, previous: Turn | None) -> Resolution: ...
