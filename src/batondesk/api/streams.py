"""Server-Sent Events from the broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any

import anyio
from fastapi import Request
from sse_starlette import EventSourceResponse

from batondesk.realtime import Broker

# When the server stops, a stream ends with a `reconnect` event asking the browser to come
# back after this long (to another worker, through the load balancer).
RECONNECT_MILLISECONDS = 1000
# How long a stopping server gives each stream to say so before cutting it.
SHUTDOWN_GRACE_SECONDS = 2.0


def stream_channel(request: Request, broker: Broker, *channels: str) -> EventSourceResponse:
    """Server-Sent Events of every notification on `channels` (the first one names the
    stream in its `ready` event)."""
    stopping = anyio.Event()  # set by sse-starlette when the server is shutting down

    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"event": "ready", "data": json.dumps({"channel": channels[0]})}
        notifications = broker.subscribe(*channels).__aiter__()
        server_stopping = asyncio.ensure_future(stopping.wait())
        arriving: asyncio.Future[dict[str, Any]] | None = None
        try:
            while True:
                arriving = asyncio.ensure_future(anext(notifications))
                await asyncio.wait({arriving, server_stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not arriving.done():
                    arriving.cancel()
                    with suppress(asyncio.CancelledError, StopAsyncIteration):
                        await arriving
                    # End the response properly, so the browser reconnects at once rather
                    # than after an error.
                    yield {"event": "reconnect", "data": "{}", "retry": RECONNECT_MILLISECONDS}
                    return
                notification = arriving.result()
                if await request.is_disconnected():
                    break
                yield {
                    "event": notification.get("type", "update"),
                    "data": json.dumps(notification),
                }
        except StopAsyncIteration:
            return
        finally:
            server_stopping.cancel()
            if arriving is not None and not arriving.done():
                arriving.cancel()  # the client left or the response was cut: stop listening

    return EventSourceResponse(
        events(), ping=15, shutdown_event=stopping, shutdown_grace_period=SHUTDOWN_GRACE_SECONDS
    )
