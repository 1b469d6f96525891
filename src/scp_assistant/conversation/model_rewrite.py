"""Follow-ups rewritten by a generative model, under the same checks as the rule-based resolution.

The resolver decides first whether the turn depends on the previous one (a turn that is out of scope or
adversarial on its own never does). Only then is the model asked for a standalone question, and what it writes
must itself be in scope; otherwise, or when the model fails, the resolver's own query is used. The rewritten
question then goes through the answer stage's guard and refusal policy like any other question.
"""

from __future__ import annotations

from scp_assistant.answer.llm.backends import GuardedModel, ModelError
from scp_assistant.answer.llm.prompt import rewrite_messages
from scp_assistant.conversation.followup import FollowupResolver
from scp_assistant.conversation.resolution import Resolution
from scp_assistant.conversation.sessions import Turn


class ModelRewriter:
    def __init__(self, model: GuardedModel, resolver: FollowupResolver) -> None:
        self._model = model
        self._resolver = resolver

    def resolve(self, question: str, previous: Turn | None) -> Resolution:
        base = self._resolver.resolve(question, previous)
        if not base.dependent or previous is None:
            return base
        try:
            text = self._model.generate(rewrite_messages(previous.standalone, question)).strip().strip('"„“')
        except ModelError:
            return base
        if not text or len(text) > 300 or "\n" in text or not self._resolver.in_scope(text):
            return base
        return Resolution(text, True, base.p_dependent)
