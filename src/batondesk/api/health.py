"""Liveness and readiness, for load balancers and orchestrators (docs/deploy.md)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from batondesk import __version__
from batondesk.api.deps import DatabaseDep
from batondesk.api.routing import UnitOfWorkRoute

log = logging.getLogger("batondesk.health")

router = APIRouter(route_class=UnitOfWorkRoute, tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ready", "waiting"]
    # What the process still waits for: "models" (the default intent model is loading),
    # "migrations" (run `baton migrate`), "database" (it cannot be reached).
    waiting_for: list[Literal["models", "migrations", "database"]]


@router.get("/health", response_model=Health)
def health() -> Health:
    """The process is up and answers (liveness); says nothing of its database or models."""
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready yet: send no traffic"}},
)
def ready(request: Request, response: Response, db: DatabaseDep) -> Readiness:
    """Whether to send this process customers (readiness): its models are loaded and the
    database is reachable with its schema at the newest migration. 503 until then."""
    waiting: list[Literal["models", "migrations", "database"]] = []
    if not request.app.state.models_ready.is_set():
        waiting.append("models")
    try:
        if not db.schema_is_current():
            waiting.append("migrations")
    except Exception as error:  # any driver error: the database is not there for us
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        waiting.append("database")
    if waiting:
        response.status_code = 503
    return Readiness(status="waiting" if waiting else "ready", waiting_for=waiting)
