"""The conversation pipeline: understand -> decide (answer / clarify / escalate) -> respond.

Nothing here touches the database or HTTP: actions hand the pipeline what it needs (the message,
the conversation so far, the account's knowledge) and persist what it returns.
"""

from batondesk.engine.decision import Decision, DecisionPolicy
from batondesk.engine.pipeline import Pipeline, PipelineResult, TurnContext
from batondesk.engine.response import Reply, Responder
from batondesk.engine.understanding import (
    ClassifierUnderstander,
    Understander,
    Understanding,
)

__all__ = [
    "ClassifierUnderstander",
    "Decision",
    "DecisionPolicy",
    "Pipeline",
    "PipelineResult",
    "Reply",
    "Responder",
    "TurnContext",
    "Understander",
    "Understanding",
]
