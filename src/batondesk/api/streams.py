"""Server-Sent Events from the broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sse_starlette import EventSourceResponse

from batondesk.realtime import Broker


def stream_channel(request: Request, broker: Broker, *channels: str) -> EventSourceResponse:
    """Server-Sent Events of every notification on `channels` (the first one names the
    stream in its `ready` event)."""

    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"event": "ready", "data": json.dumps({"channel": channels[0]})}
        async for notification in broker.subscribe(*channels):
            if await request.is_disconnected():
                break
            yield {"event": notification.get("type", "update"), "data": json.dumps(notification)}

    return EventSourceResponse(events(), ping=15)
