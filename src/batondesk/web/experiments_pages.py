"""The admin console's Experiments page: every experiment of the account with, once started,
each arm's primary metric and its 95% interval, the comparison with control, guardrails, the
sample-ratio check and the sample size each arm needs (docs/experiments.md). Reading it runs
the guardrail check, as the API's read does. Figures, ids and keys only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from batondesk.actions.experiments import (
    definition_of,
    do_stop_if_guardrail_breached,
    read_results,
)
from batondesk.api.deps import ServicesDep, SessionDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.experiments.results import METRICS, Comparison
from batondesk.store.models import Experiment, ExperimentStatus
from batondesk.web.pages import admin_or_refusal, render_page, staff_context

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

PATH = "/console/admin/experiments"
# Running experiments first, then drafts, then stopped; newest first within each.
_ORDER = {ExperimentStatus.running: 0, ExperimentStatus.draft: 1, ExperimentStatus.stopped: 2}


@router.get(PATH, response_class=HTMLResponse)
def experiments_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    rows = session.scalars(
        select(Experiment)
        .where(Experiment.account_id == checked.account_id)
        .order_by(Experiment.id.desc())
    ).all()
    shown = []
    for experiment in sorted(rows, key=lambda e: _ORDER[e.status]):
        definition = definition_of(experiment)
        results = None
        if experiment.status != ExperimentStatus.draft:
            results = read_results(session, experiment)
            do_stop_if_guardrail_breached(session, experiment, results)
        notes = sorted(
            {
                note
                for v in definition.variants
                for note in v.overrides.notes(llm_configured=services.writer is not None)
            }
        )
        shown.append(
            {
                "row": experiment,
                "definition": definition,
                "results": results,
                "notes": notes,
                "verdicts": {c.arm: _verdict(c) for c in results.primary} if results else {},
                "overrides": {
                    v.key: _overrides(v.overrides.model_dump(exclude_defaults=True))
                    for v in definition.variants
                },
            }
        )
    return render_page(
        request,
        "admin/experiments.html",
        {
            **staff_context(session, checked),
            "section": "experiments",
            "experiments": shown,
            "metric_labels": {name: rule.label for name, rule in METRICS.items()},
        },
    )


def _verdict(comparison: Comparison) -> str:
    """In words, the reading the statistics allow now."""
    if comparison.significant:
        direction = "better" if comparison.better else "worse"
        how = "at the planned size" if comparison.planned_size_reached else "early, sequential test"
        return f"Significantly {direction} ({how})"
    if comparison.planned_size_reached:
        return "No difference detected at the planned size"
    return "Not yet conclusive: keep running"


def _overrides(changes: dict[str, Any]) -> str:
    if not changes:
        return "the account's own settings"
    return ", ".join(f"{key} = {value}" for key, value in sorted(changes.items()))
