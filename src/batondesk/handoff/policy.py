"""The escalation policy: combine the detectors' cues with the account's settings.

Evaluated on every customer message while the bot owns the conversation. Each verdict names
one reason code, the evidence (which message, which cue, which scores) and the thresholds it
was judged against; the other signals that fired are listed too, so an agent sees everything.
Order matters when several fire: the customer's own request first, then what is at stake
(sensitive), then the bot failing, then anger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from batondesk.handoff.detection import HandoffCues
from batondesk.handoff.settings import EscalationSettings


@dataclass(frozen=True)
class Verdict:
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EscalationPolicy:
    settings: EscalationSettings = field(default_factory=EscalationSettings)
    customer_tier: str = "standard"

    def before_answer(
        self, cues: HandoffCues | None, *, answering_choice: bool = False
    ) -> Verdict | None:
        """Signals that hand over whatever the bot could answer. `answering_choice`: the
        message picks one of the bot's offered choices, so echoing the earlier question is an
        answer, not the customer asking again."""
        fired = self._fired(cues or HandoffCues(), answering_choice)
        for reason in ("explicit_request", "sensitive", "repeated_failure", "frustration"):
            if reason in fired:
                return self._verdict(reason, fired)
        return None

    def high_stakes(self, top: Sequence[tuple[str, float]]) -> Verdict | None:
        """`low_confidence`: the intent model's best intent (`top`, best first) is one the
        account marks high-stakes, and it is not sure enough to answer it alone."""
        if not self.settings.signal_on("low_confidence") or not top:
            return None
        label, score = top[0]
        if (
            label in self.settings.high_stakes_intents
            and score < self.settings.high_stakes_confidence
        ):
            evidence = {"cue": "high_stakes_intent", "intent": label, "score": round(score, 4)}
            return self._verdict("low_confidence", {"low_confidence": evidence})
        return None

    def when_unclear(self, top: Sequence[tuple[str, float]], failed_turns: int) -> Verdict | None:
        """The bot would ask to clarify. `failed_turns`: its clarifications just before, about
        the same need (`handoff.need.unresolved_turns`)."""
        unclear_turns = failed_turns + 1
        if (
            self.settings.signal_on("repeated_failure")
            and unclear_turns >= self.settings.max_unclear_turns
        ):
            evidence = {"cue": "unclear_turns", "count": unclear_turns}
            return self._verdict("repeated_failure", {"repeated_failure": evidence})
        if self.settings.signal_on("vip") and self.customer_tier in self.settings.vip_tiers:
            evidence = {"cue": "customer_tier", "tier": self.customer_tier}
            return self._verdict("vip", {"vip": evidence})
        return None

    def _fired(self, cues: HandoffCues, answering_choice: bool) -> dict[str, dict[str, Any]]:
        settings = self.settings
        fired: dict[str, dict[str, Any]] = {}
        if settings.signal_on("explicit_request") and cues.explicit_request is not None:
            fired["explicit_request"] = cues.explicit_request.as_evidence()
        if (
            settings.signal_on("sensitive")
            and cues.sensitive is not None
            and cues.sensitive.name in settings.sensitive_categories
        ):
            fired["sensitive"] = cues.sensitive.as_evidence()
        failure = cues.repeated_failure
        # A sign of failure counts only on a need the bot could have failed again and again
        # (not a "thanks" or a new question, not the first miss after a settled need).
        failure_counts = cues.need.failure_can_repeat
        if (
            settings.signal_on("repeated_failure")
            and failure_counts
            and failure is not None
            and (
                failure.name != "rephrasing"
                or (not answering_choice and (failure.score or 0) >= settings.rephrase_similarity)
            )
        ):
            fired["repeated_failure"] = failure.as_evidence()
        learned = cues.learned
        if (
            settings.signal_on("learned_model")
            and learned is not None
            and learned.needs_person >= settings.learned_threshold
            and learned.reason not in fired
            and not (
                learned.reason == "repeated_failure" and (answering_choice or not failure_counts)
            )
            # "Out of curiosity, how do I spot a scam? Nothing has happened": the customer says
            # in so many words that there is no case, which the model's n-grams of "scam" and
            # "card" cannot outweigh.
            and not (cues.asks_in_general and learned.reason in ("sensitive", "explicit_request"))
        ):
            fired[learned.reason] = {
                "cue": "learned_model",
                "message_index": learned.message_index,
                **({"span": list(learned.span)} if learned.span is not None else {}),
                "score": round(learned.needs_person, 4),
                "probabilities": learned.probabilities,
            }
        if settings.signal_on("frustration"):
            sustained = sum(score >= 0.3 for score in cues.frustration_per_message) >= 2
            if cues.message_frustration >= settings.frustration_message_threshold or (
                sustained and cues.frustration >= settings.frustration_threshold
            ):
                fired["frustration"] = {
                    "cue": "frustration",
                    "message_index": cues.frustration_peak_index,
                    "score": cues.frustration,
                    "message_score": cues.message_frustration,
                    "per_message": cues.frustration_per_message,
                    "rising": cues.frustration_rising,
                    "signals": cues.frustration_signals,
                }
        return fired

    def _verdict(self, reason: str, fired: dict[str, dict[str, Any]]) -> Verdict:
        return Verdict(
            reason,
            {
                "signal": fired[reason],
                "also": sorted(name for name in fired if name != reason),
                "customer_tier": self.customer_tier,
                "escalation_thresholds": self.settings.thresholds(),
            },
        )
