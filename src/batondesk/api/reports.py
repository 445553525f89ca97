"""Reports: the account's KPIs as JSON. docs/metrics.md defines every figure."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from batondesk.api.deps import Principal, SessionDep, SettingsDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.reports import MAX_DAYS, GroupBy, KpiReport, build_kpi_report

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1/admin/reports", tags=["reports"])

Admin = Annotated[Principal, Depends(require("admin"))]
ERRORS = error_responses(401, 403, 422)


@router.get("/kpis", response_model=KpiReport, responses=ERRORS)
def read_kpis(
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
    first_day: Annotated[
        date,
        Query(
            alias="from",
            description="First day of the period (YYYY-MM-DD), a local day in the account's "
            "reporting time zone: its office hours', UTC without them.",
        ),
    ],
    last_day: Annotated[
        date, Query(alias="to", description=f"Last day, included; at most {MAX_DAYS} days.")
    ],
    group_by: Annotated[
        GroupBy | None,
        Query(description="Also compute every KPI per value of this dimension."),
    ] = None,
) -> KpiReport:
    """Every KPI of the period, and of the same number of days before it (`previous`):
    response and resolution times (mean, median, p90), reopen rate, first-contact and
    automated resolution, containment and hand-over by reason, clarification rate, queue
    wait, share of SLA met, CSAT and intent precision. A reversed period (`period_reversed`),
    one longer than 366 days (`period_too_long`) or a date outside 1970-2999
    (`date_out_of_range`) is refused with 422."""
    return build_kpi_report(
        session,
        principal.account_id,
        first_day,
        last_day,
        group_by=group_by,
        refresh_first=settings.reports_refresh == "on_read",
    )
