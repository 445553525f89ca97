"""Typing indicators: "<agent> is typing" for the customer, "the customer is typing" for the
console. Only the fact of typing travels, never a character of the draft; nothing is stored.

Browsers send a `typing: true` at most every few seconds while a person types and a
`typing: false` when they stop or send. The server passes on a change of state at once and
repeats of the same state at most every `REPEAT_SECONDS` per conversation and side, so a
misbehaving client cannot flood the channel.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from sqlalchemy.orm import Session

from batondesk.actions.events import notify_channel
from batondesk.store.models import Conversation

Side = Literal["customer", "agent"]
REPEAT_SECONDS = 2.0
# Forget conversations quiet for this long, so the table stays small.
_FORGET_SECONDS = 300.0


class TypingThrottle:
    """The last state passed on per (conversation, side, person) in this process; owned by
    the app (`app.state.typing_throttle`). Thread-safe."""

    def __init__(self, repeat_seconds: float = REPEAT_SECONDS) -> None:
        self.repeat_seconds = repeat_seconds
        self._lock = threading.Lock()
        self._last: dict[tuple[int, str, int], tuple[bool, float]] = {}

    def allow(self, key: tuple[int, str, int], typing: bool, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            previous = self._last.get(key)
            if (
                previous is not None
                and previous[0] == typing
                and now - previous[1] < self.repeat_seconds
            ):
                return False
            self._last[key] = (typing, now)
            if len(self._last) > 10_000:
                self._last = {k: v for k, v in self._last.items() if now - v[1] < _FORGET_SECONDS}
            return True


def do_announce_typing(
    session: Session,
    conversation: Conversation,
    *,
    side: Side,
    typing: bool,
    throttle: TypingThrottle,
    agent_id: int | None = None,
    agent_name: str | None = None,
) -> bool:
    """Tell the other side that someone started or stopped typing (sent on commit). The
    customer's typing goes to the account's console channel, an agent's to the
    conversation's channel with the agent's display name. Returns False when throttled."""
    if not throttle.allow((conversation.id, side, agent_id or 0), typing):
        return False
    notification: dict[str, object] = {
        "type": "typing",
        "conversation_id": conversation.id,
        "sender": side,
        "typing": typing,
    }
    if side == "agent":
        notification["name"] = agent_name
        notify_channel(session, f"conversation:{conversation.id}", notification)
    else:
        notify_channel(session, f"account:{conversation.account_id}", notification)
    return True
