"""Monitoring: `GET /metrics` for a Prometheus scraper, and the count and timing of every HTTP
request.

The figures reveal how much traffic the service has, so `/metrics` is not public: the app
serves it only when BATON_METRICS_TOKEN is set (app.py), and then only to a request that sends
that token as `Authorization: Bearer <token>`. It is not part of the API integrators use, so
the OpenAPI document leaves it out.
"""

from __future__ import annotations

import hmac
import time

from fastapi import APIRouter, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batondesk.api.deps import MetricsDep, SettingsDep, bearer_token
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.errors import NotAuthenticated
from batondesk.observability.metrics import OperationalMetrics

router = APIRouter(route_class=UnitOfWorkRoute, tags=["ops"])


@router.get("/metrics", include_in_schema=False)
def metrics_exposition(request: Request, settings: SettingsDep, metrics: MetricsDep) -> Response:
    """Every metric in the Prometheus text format (or OpenMetrics, if the scraper asks)."""
    presented = (bearer_token(request) or "").encode()
    expected = settings.metrics_token.encode()
    # Constant time: how long a refusal takes must not tell how much of a guess was right.
    if not expected or not hmac.compare_digest(presented, expected):
        raise NotAuthenticated(
            "send the metrics token as Authorization: Bearer", code="invalid_metrics_token"
        )
    body, content_type = metrics.exposition(request.headers.get("accept", ""))
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


class RequestMetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status class. A
    request that fails before answering counts as a 5xx (the server's error page answers it)."""

    def __init__(self, app: ASGIApp, *, metrics: OperationalMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # The router records the route it matched in the scope: its template, not the
            # path, so ids never become label values.
            route = getattr(scope.get("route"), "path", None)
            self.metrics.observe_request(
                scope["method"], route, status, time.perf_counter() - started
            )
