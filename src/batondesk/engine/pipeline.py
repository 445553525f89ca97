"""The whole turn: understand -> decide -> respond."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from batondesk.engine.decision import Decision, DecisionPolicy, KnowledgeEntry
from batondesk.engine.response import Reply, ReplyContext, Responder
from batondesk.engine.understanding import Understander, Understanding


@dataclass(frozen=True)
class TurnContext:
    """What the pipeline may know about the conversation; assembled by the caller."""

    earlier_customer_messages: list[str]
    knowledge: dict[str, KnowledgeEntry]  # intent -> answer
    failed_turns: int
    policy: DecisionPolicy
    # The knowledge base's answer gate: checks the policy's decision against the retrieved
    # evidence (see batondesk.knowledge.answering). None: the decision stands as made.
    review: Callable[[Decision, Understanding], Decision] | None = None


@dataclass(frozen=True)
class PipelineResult:
    understanding: Understanding
    decision: Decision


class Pipeline:
    def __init__(self, understander: Understander, responder: Responder | None = None) -> None:
        self.understander = understander
        self.responder = responder or Responder()

    def run(self, text: str, context: TurnContext) -> PipelineResult:
        understanding = self.understander.understand(text, context.earlier_customer_messages)
        decision = context.policy.decide(understanding, context.knowledge, context.failed_turns)
        if context.review is not None:
            decision = context.review(decision, understanding)
        return PipelineResult(understanding, decision)

    def reply(
        self,
        decision: Decision,
        queue_position: int | None = None,
        context: ReplyContext | None = None,
    ) -> Reply:
        return self.responder.respond(decision, queue_position, context)
