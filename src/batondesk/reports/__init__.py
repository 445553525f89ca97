"""Reports: the KPIs of a period computed from the event log (rules in `kpis.py`, explained
in docs/metrics.md), with the previous period beside them and breakdowns by one dimension."""

from batondesk.reports.period import MAX_DAYS, ReportPeriod
from batondesk.reports.report import GroupBy, KpiReport, build_kpi_report

__all__ = ["MAX_DAYS", "GroupBy", "KpiReport", "ReportPeriod", "build_kpi_report"]
