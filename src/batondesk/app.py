"""HTTP app factory: routers, middleware, error handlers and the shared state they use."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from batondesk import __version__
from batondesk.api import admin, auth, console, handoff, knowledge, privacy, widget
from batondesk.api.errors import install_error_handlers
from batondesk.api.http_security import SlidingWindowLimiter, security_headers, widget_rate_limit
from batondesk.config import Settings, get_settings
from batondesk.engine.services import TurnServices
from batondesk.realtime import Broker, make_broker
from batondesk.store import init_store
from batondesk.web import install_web

log = logging.getLogger("batondesk")

# Requests larger than this are refused before parsing (a message is at most a few KB).
MAX_REQUEST_BYTES = 256 * 1024


def create_app(
    settings: Settings | None = None,
    *,
    services: TurnServices | None = None,
    broker: Broker | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    db = init_store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.broker.close()
        db.dispose()

    app = FastAPI(
        title="Baton",
        version=__version__,
        description="Self-hosted customer support: AI answers, humans take the baton.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.broker = broker or make_broker(settings.redis_url)
    # Intent models, article indexes, the answer policy and the LLM writer of this process.
    app.state.services = services or TurnServices.from_settings(settings)
    db.publisher = _publisher(app.state.broker)

    install_error_handlers(app)
    for router in (
        widget.router,
        auth.router,
        console.router,
        admin.router,
        privacy.router,
        handoff.router,
        knowledge.router,
    ):
        app.include_router(router)
    install_web(app)  # console, admin pages, chat widget and /static

    limiter = (
        SlidingWindowLimiter(settings.widget_rate_limit_per_minute)
        if settings.widget_rate_limit_per_minute > 0
        else None
    )
    production = settings.environment == "production"

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        limited = widget_rate_limit(request, limiter)
        if limited is not None:
            return limited
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            return JSONResponse(
                {
                    "error": {
                        "code": "too_large",
                        "message": f"request body over {MAX_REQUEST_BYTES} bytes",
                    }
                },
                status_code=413,
            )
        response = await call_next(request)
        for name, value in security_headers(request.url.path, production=production).items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def _publisher(broker: Broker) -> Callable[[list[tuple[str, dict[str, object]]]], None]:
    def publish(notifications: list[tuple[str, dict[str, object]]]) -> None:
        for channel, notification in notifications:
            try:
                broker.publish(channel, notification)
            except Exception:  # real-time is best effort; the data is already committed
                log.warning("could not publish a notification on %s", channel.split(":")[0])

    return publish
