"""The admin console's Reports page: the KPIs of a period beside the previous period's, bar
charts drawn on the server, drill-down to the conversations behind a number, and CSV exports.
Admins only, like every admin page. Figures, ids and labels only: no message text and no
customer's personal data (docs/metrics.md defines every figure)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from batondesk.api.deps import Principal, SessionDep, SettingsDep
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.errors import InvalidInput
from batondesk.reports.conversations import ConversationRow, cohort_rows, facet_label, in_facet
from batondesk.reports.definitions import DIMENSIONS
from batondesk.reports.loading import load_labels
from batondesk.reports.report import (
    GroupBy,
    KpiReport,
    ReportInputs,
    build_kpi_report,
    load_report_inputs,
    reporting_today,
)
from batondesk.reports.tables import (
    Table,
    conversations_table,
    groups_table,
    headline,
    headline_table,
    intents_table,
    reasons_table,
    sentiment_table,
    to_csv,
)
from batondesk.web.pages import admin_or_refusal, render_page, staff_context
from batondesk.web.report_charts import (
    Bar,
    Column,
    bar_chart,
    column_chart,
    format_change,
    format_value,
)

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

BASE = "/console/admin/reports"
DEFAULT_DAYS = 30
# The drill-down page lists at most this many; the CSV export has them all.
LIST_LIMIT = 500
GROUP_NAMES: dict[str, str] = {
    "inbox": "Inbox",
    "channel": "Channel",
    "team": "Team",
    "agent": "Agent",
    "intent": "Intent",
    "language": "Language",
    "reason": "Hand-over reason",
    "tier": "Customer tier",
    "arm": "Experiment arm",
}
# How a null group key travels in a link (a group with no value: no team, no intent, ...).
NO_VALUE = ""
EXPORTS = ("conversations", "kpis", "groups", "reasons", "intents", "sentiment")


class Query:
    """The page's parameters, checked: the period (default the last 30 days), the breakdown,
    and for a drill-down the group, the facet and which period."""

    def __init__(self, request: Request, today: date) -> None:
        params = request.query_params
        self.last_day = _day(params.get("to"), "to", today)
        self.first_day = _day(
            params.get("from"), "from", self.last_day - timedelta(days=DEFAULT_DAYS - 1)
        )
        group_by = params.get("group_by") or None
        if group_by is not None and group_by not in DIMENSIONS:
            raise InvalidInput(
                f"group_by: {group_by!r} is not one of {', '.join(DIMENSIONS)}",
                code="invalid_input",
            )
        self.group_by: GroupBy | None = group_by  # type: ignore[assignment]
        self.group: str | None = params.get("group")
        self.facet = params.get("facet") or "all"
        if facet_label(self.facet) is None:
            raise InvalidInput(f"facet: {self.facet!r} is not a known facet", code="invalid_input")
        self.previous = params.get("period") == "previous"

    def link(self, path: str = "", **extra: str | None) -> str:
        values: dict[str, str | None] = {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "group_by": self.group_by,
            **extra,
        }
        query = urlencode({k: v for k, v in values.items() if v is not None})
        return f"{BASE}{path}?{query}"


def _day(text: str | None, name: str, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{name}: {text!r} is not a date (YYYY-MM-DD)", code="invalid_input"
        ) from None


def _refused(request: Request, session: SessionDep, principal: Principal, problem: str) -> Response:
    return render_page(
        request,
        "admin/reports.html",
        {
            **staff_context(session, principal),
            "section": "reports",
            "problem": problem,
            "group_names": GROUP_NAMES,
            "form": dict(request.query_params),
        },
        status=422,
    )


def _read(
    request: Request, session: SessionDep, principal: Principal
) -> tuple[Query, ReportInputs] | Response:
    """The period and grouping asked for, and the conversations they cover (for the
    drill-down and the conversations' CSV); or the page naming what is wrong with the
    request."""
    try:
        query = Query(request, reporting_today(session, principal.account_id))
        inputs = load_report_inputs(
            session, principal.account_id, query.first_day, query.last_day, group_by=query.group_by
        )
    except InvalidInput as problem:
        return _refused(request, session, principal, str(problem))
    return query, inputs


def _read_report(
    request: Request, session: SessionDep, settings: SettingsDep, principal: Principal
) -> tuple[Query, KpiReport] | Response:
    """The period and grouping asked for, and their KPIs (added up from the stored day
    tallies); or the page naming what is wrong with the request."""
    try:
        query = Query(request, reporting_today(session, principal.account_id))
        report = build_kpi_report(
            session,
            principal.account_id,
            query.first_day,
            query.last_day,
            group_by=query.group_by,
            refresh_first=settings.reports_refresh == "on_read",
        )
    except InvalidInput as problem:
        return _refused(request, session, principal, str(problem))
    return query, report


@router.get(BASE, response_class=HTMLResponse)
def reports_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    read = _read_report(request, session, settings, checked)
    if isinstance(read, Response):
        return read
    query, report = read
    figures = [
        {
            "figure": f,
            "value": format_value(f.current, f.unit),
            "previous": format_value(f.previous, f.unit),
            "change": format_change(f.current, f.previous, f.unit),
            "href": query.link("/conversations", facet=f.facet) if f.facet else None,
            "previous_href": query.link("/conversations", facet=f.facet, period="previous")
            if f.facet
            else None,
        }
        for f in headline(report.current, report.previous)
    ]
    by_reason = report.current.hand_over.by_reason
    before = report.previous.hand_over.by_reason
    reasons = [
        Bar(
            reason,
            by_reason[reason].rate if reason in by_reason else 0.0,
            before[reason].rate if reason in before else None,
            query.link("/conversations", facet=f"reason:{reason}"),
        )
        for reason in sorted(by_reason.keys() | before.keys())
    ]
    charts = [
        (
            "Hand-overs by reason",
            bar_chart(
                "chart-reasons",
                "Hand-overs by reason",
                "Share of bot conversations handed to a person, by the reason of the first "
                "hand-over.",
                reasons,
                "rate",
            ),
        )
    ]
    charts += _sentiment_charts(report)
    groups = []
    if query.group_by is not None:
        name = GROUP_NAMES[query.group_by].lower()
        for group in report.groups:
            key = NO_VALUE if group.key is None else group.key
            groups.append(
                {
                    "label": group.label or f"(no {name})",
                    "current": group.current,
                    "previous": group.previous,
                    "link": lambda facet, key=key: query.link(
                        "/conversations", group=key, facet=facet
                    ),
                }
            )
        charts.append(
            (
                f"Containment by {name}",
                bar_chart(
                    "chart-groups",
                    f"Containment by {name}",
                    f"Share of bot conversations never handed to a person, per {name}.",
                    [
                        Bar(
                            g["label"],
                            g["current"].hand_over.containment_rate,
                            g["previous"].hand_over.containment_rate,
                            g["link"]("contained"),
                        )
                        for g in groups
                    ],
                    "rate",
                ),
            )
        )
    return render_page(
        request,
        "admin/reports.html",
        {
            **staff_context(session, checked),
            "section": "reports",
            "report": report,
            "query": query,
            "figures": figures,
            "charts": charts,
            "groups": groups,
            "group_names": GROUP_NAMES,
            "exports": {name: query.link(f"/export/{name}.csv") for name in EXPORTS},
            "format_value": format_value,
            "form": {
                "from": query.first_day.isoformat(),
                "to": query.last_day.isoformat(),
                "group_by": query.group_by or "",
            },
        },
    )


def _sentiment_charts(report: KpiReport) -> list[tuple[str, Any]]:
    """Customer sentiment per day of the period: mean polarity, and the share of negative
    messages (docs/metrics.md, "Sentiment trend")."""
    days = report.current.sentiment.by_day
    polarity = [
        Column(
            day[5:],
            share.mean,
            f"{share.messages} messages, {format_value(share.negative_share, 'rate')} negative",
        )
        for day, share in days.items()
    ]
    negative = [
        Column(day[5:], share.negative_share, f"{share.negative} of {share.messages} messages")
        for day, share in days.items()
    ]
    return [
        (
            "Customer sentiment per day",
            column_chart(
                "chart-sentiment",
                "Customer sentiment per day",
                "Mean polarity of the customer messages the bot read, from -1 (negative) to 1 "
                "(positive), by the day the conversation was opened.",
                polarity,
                "score",
                -1.0,
                1.0,
            ),
        ),
        (
            "Negative customer messages per day",
            column_chart(
                "chart-negative",
                "Negative customer messages per day",
                "Share of the customer messages the bot read with a polarity of -0.05 or less, "
                "by the day the conversation was opened.",
                negative,
                "rate",
                0.0,
                1.0,
            ),
        ),
    ]


def _drilled(inputs: ReportInputs, query: Query) -> list[ConversationRow]:
    period = inputs.period.previous() if query.previous else inputs.period
    rows = cohort_rows(
        inputs.histories,
        period,
        inputs.context,
        group_by=query.group_by if query.group is not None else None,
        group=None if query.group in (None, NO_VALUE) else query.group,
    )
    return [row for row in rows if in_facet(row, query.facet)]


def _names(session: SessionDep, account_id: int) -> dict[str, dict[str, str]]:
    return {d: load_labels(session, account_id, d) for d in ("inbox", "team", "agent")}


@router.get(f"{BASE}/conversations", response_class=HTMLResponse)
def drill_down(request: Request, session: SessionDep) -> Response:
    """The conversations behind one number of the Reports page."""
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    read = _read(request, session, checked)
    if isinstance(read, Response):
        return read
    query, inputs = read
    rows = _drilled(inputs, query)
    period = inputs.period.previous() if query.previous else inputs.period
    group_label = None
    if query.group_by is not None and query.group is not None:
        group_label = (
            inputs.labels.get(query.group, query.group)
            if query.group != NO_VALUE
            else f"(no {GROUP_NAMES[query.group_by].lower()})"
        )
    context: dict[str, Any] = {
        **staff_context(session, checked),
        "section": "reports",
        "rows": rows[:LIST_LIMIT],
        "total": len(rows),
        "limit": LIST_LIMIT,
        "facet_label": facet_label(query.facet),
        "period": period,
        "group_name": GROUP_NAMES[query.group_by] if query.group_by else None,
        "group_label": group_label,
        "names": _names(session, checked.account_id),
        "back": query.link(),
        "csv": query.link(
            "/export/conversations.csv",
            group=query.group,
            facet=query.facet,
            period="previous" if query.previous else None,
        ),
    }
    return render_page(request, "admin/report_conversations.html", context)


@router.get(f"{BASE}/export/{{table}}.csv")
def export_csv(
    table: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """One CSV: the conversations (one row each, optionally only a drill-down's), or one of the
    aggregate tables."""
    checked = admin_or_refusal(request, session)
    if isinstance(checked, Response):
        return checked
    if table not in EXPORTS:
        return _refused(request, session, checked, f"No such export: {table}.csv")
    if table == "conversations":
        read = _read(request, session, checked)
        if isinstance(read, Response):
            return read
        query, inputs = read
        content: Table = conversations_table(
            _drilled(inputs, query), _names(session, checked.account_id)
        )
    else:
        reported = _read_report(request, session, settings, checked)
        if isinstance(reported, Response):
            return reported
        query, report = reported
        content = {
            "kpis": headline_table,
            "groups": groups_table,
            "reasons": reasons_table,
            "intents": intents_table,
            "sentiment": sentiment_table,
        }[table](report)
    filename = f"baton-{table}-{query.first_day.isoformat()}-to-{query.last_day.isoformat()}.csv"
    return Response(
        to_csv(content),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
