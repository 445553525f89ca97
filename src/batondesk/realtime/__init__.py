"""Real-time fan-out of conversation events to widgets and consoles.

In-process by default; through Redis pub/sub when `REDIS_URL` is set, so every API worker's
subscribers hear what any worker published.
"""

from batondesk.realtime.broker import (
    Broker,
    InProcessBroker,
    RedisBroker,
    make_broker,
    publish_after_commit,
)

__all__ = ["Broker", "InProcessBroker", "RedisBroker", "make_broker", "publish_after_commit"]
