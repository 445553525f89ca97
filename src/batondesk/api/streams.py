"""Server-Sent Events from the broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sse_starlette import EventSourceResponse

from batondesk.realtime import Broker


def stream_channel(request: Request, broker: Broker, channel: str) -> EventSourceResponse:
    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"event": "ready", "data": json.dumps({"channel": channel})}
        async for notification in broker.subscribe(channel):
            if await request.is_disconnected():
                break
            yield {"event": notification.get("type", "update"), "data": json.dumps(notification)}

    return EventSourceResponse(events(), ping=15)
