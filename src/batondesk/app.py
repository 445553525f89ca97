"""HTTP app factory: routers, middleware, error handlers and the shared state they use."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio.to_thread
from fastapi import Depends, FastAPI

from batondesk import __version__
from batondesk.actions.customer_turn import TURN_OUTCOMES
from batondesk.actions.typing_indicators import TypingThrottle
from batondesk.api import (
    admin,
    answer_reviews,
    attachments,
    auth,
    canned_responses,
    console,
    content_gaps,
    conversation_lists,
    crm,
    customer_history,
    customers,
    experiments,
    handoff,
    health,
    knowledge,
    model_candidates,
    monitoring,
    privacy,
    recommendations,
    reports,
    review_queue,
    typing_indicators,
    webhooks,
    widget,
    workflow,
)
from batondesk.api.deps import refuse_control_characters
from batondesk.api.errors import document_common_errors, install_error_handlers
from batondesk.api.http_security import (
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    WidgetRateLimitMiddleware,
)
from batondesk.api.login_workers import LoginWorkers
from batondesk.api.monitoring import RequestMetricsMiddleware
from batondesk.api.rate_limits import make_rate_limiter
from batondesk.config import Settings, get_settings
from batondesk.engine.services import TurnServices
from batondesk.jobs import JobQueue
from batondesk.nlu.language import warm_up as warm_up_language_detection
from batondesk.observability.metrics import OperationalMetrics
from batondesk.realtime import Broker, make_broker, publish_after_commit
from batondesk.realtime.invalidation import InvalidationListener
from batondesk.store import init_store
from batondesk.web import install_web

log = logging.getLogger("batondesk")

# Requests larger than this are refused while they stream in (a message is at most a few KB);
# the knowledge-base import takes files up to 5 MB and file uploads up to 25 MB, with their
# own limits.
MAX_REQUEST_BYTES = 256 * 1024
# Without a job queue, the jobs run in this many threads of each API process: a long job
# (a CRM sync) leaves one for the short periodic ones.
IN_PROCESS_JOB_THREADS = 2
BODY_LIMITS_BY_PATH = {
    "/api/v1/knowledge/import": knowledge.MAX_IMPORT_REQUEST_BYTES,
    "/api/v1/customers/import": customers.MAX_IMPORT_REQUEST_BYTES,
}
# File uploads to a conversation: up to the largest attachment any account may accept (each
# account's own limit is checked when the file is read).
BODY_LIMITS_BY_PATTERN = {
    pattern: attachments.MAX_UPLOAD_REQUEST_BYTES for pattern in attachments.UPLOAD_PATHS
}


def create_app(
    settings: Settings | None = None,
    *,
    services: TurnServices | None = None,
    broker: Broker | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    db = init_store(settings)

    # A server runs the lifespan once, but a test client runs it once per `with` block and
    # several may be open on one app: this process's threads (jobs, model loading) start with
    # the first and stop with the last, never once per block (each would leak its threads).
    open_lifespans = _OpenCount()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if open_lifespans.enter():
            anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
            # The language identifier loads its models once per process: now, not in a turn.
            await asyncio.to_thread(warm_up_language_detection)
            # The default intent model loads beside the first requests; /ready waits for it.
            threading.Thread(
                target=_load_models, args=(app,), name="baton-model-loading", daemon=True
            ).start()
            if jobs.in_process:
                jobs.start(threads=IN_PROCESS_JOB_THREADS)
        # Every worker hears which caches another worker's changes made stale.
        listener = InvalidationListener(
            app.state.broker, app.state.services.models, db.keys.keystore
        )
        listening = asyncio.create_task(listener.run(), name="baton-invalidations")
        yield
        listening.cancel()
        with suppress(asyncio.CancelledError):
            await listening
        if not open_lifespans.leave():
            return
        jobs.stop()
        if app.state.rate_limiter is not None:
            await app.state.rate_limiter.close()
        app.state.broker.close()
        app.state.login_workers.close()
        db.dispose()

    docs = settings.api_docs_enabled
    app = FastAPI(
        title="Baton",
        version=__version__,
        description="Self-hosted customer support: AI answers, humans take the baton.",
        lifespan=lifespan,
        # The reference page is Baton's own (web/api_docs.py): FastAPI's loads Swagger UI and
        # ReDoc from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        # Every route refuses NUL and other control characters in any text it is sent.
        dependencies=[Depends(refuse_control_characters)],
    )
    app.state.settings = settings
    app.state.login_workers = LoginWorkers()
    app.state.db = db
    app.state.broker = broker or make_broker(settings.redis_url, settings.redis_namespace)
    app.state.typing_throttle = TypingThrottle()
    # Intent models, article indexes, the answer policy and the LLM writer of this process.
    app.state.services = services or TurnServices.from_settings(settings)
    db.publisher = publish_after_commit(app.state.broker)
    # Without a job queue URL, this process also runs the jobs (the demo); with one, it only
    # enqueues them and `baton worker` processes run them.
    jobs = app.state.jobs = JobQueue(settings, db, app.state.services.models)
    app.state.models_ready = threading.Event()
    app.state.metrics = OperationalMetrics(
        db, multiprocess_dir=settings.prometheus_multiproc_dir, turn_outcomes=TURN_OUTCOMES
    )

    install_error_handlers(app)
    for router in (
        health.router,
        widget.router,
        attachments.router,
        auth.router,
        console.router,
        conversation_lists.router,
        customer_history.router,
        workflow.router,
        canned_responses.router,
        admin.router,
        privacy.router,
        handoff.router,
        knowledge.router,
        reports.router,
        answer_reviews.router,
        review_queue.router,
        content_gaps.router,
        model_candidates.router,
        experiments.router,
        typing_indicators.router,
        webhooks.router,
        customers.router,
        recommendations.router,
        crm.router,
    ):
        app.include_router(router)
    if settings.metrics_token:
        # Not served at all without a token: the figures reveal the service's traffic.
        app.include_router(monitoring.router)
    install_web(app, api_docs_enabled=docs)  # console, admin pages, chat widget, /docs, /static

    # Added innermost first: security headers wrap everything, including the refusals below.
    app.add_middleware(
        BodyLimitMiddleware,
        limit=MAX_REQUEST_BYTES,
        limits_by_path=BODY_LIMITS_BY_PATH,
        limits_by_pattern=BODY_LIMITS_BY_PATTERN,
    )
    app.state.rate_limiter = None
    if settings.widget_rate_limit_per_minute > 0:
        limiter = app.state.rate_limiter = make_rate_limiter(
            settings.widget_rate_limit_per_minute,
            settings.redis_url,
            namespace=settings.redis_namespace,
            name="widget",
            keyring=db.keys.keyring,
        )
        app.add_middleware(WidgetRateLimitMiddleware, limiter=limiter)
    app.add_middleware(SecurityHeadersMiddleware, production=settings.environment == "production")
    # Outermost, so refusals by the middleware above are counted and timed too.
    app.add_middleware(RequestMetricsMiddleware, metrics=app.state.metrics)

    document_common_errors(app)

    return app


class _OpenCount:
    """How many lifespans of one app are open; `enter` says whether this is the first,
    `leave` whether it was the last."""

    def __init__(self) -> None:
        self._open = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            self._open += 1
            return self._open == 1

    def leave(self) -> bool:
        with self._lock:
            self._open -= 1
            return self._open == 0


def _load_models(app: FastAPI) -> None:
    try:
        app.state.services.models.default()
    except Exception:  # the process serves on (rules and articles), but never reports ready
        log.exception("the default intent model could not be loaded")
        return
    app.state.models_ready.set()
