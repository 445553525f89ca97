"""The KPIs of a fixed, hand-built event log (golden_log.py) are exactly the figures computed by
hand in golden_kpis.json (the working is in golden_kpis.md), on SQLite and on PostgreSQL. A
change to any rule of docs/metrics.md fails here until the golden file is recomputed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from batondesk.reports import build_kpi_report
from batondesk.reports.conversations import cohort_rows
from batondesk.reports.report import load_report_inputs
from batondesk.store import Database
from tests.reports.golden_log import AGENTS, AS_OF, GoldenAccount, build_golden_account

GOLDEN = Path(__file__).with_name("golden_kpis.json")
CURRENT_WEEK = (date(2026, 1, 12), date(2026, 1, 18))


@pytest.fixture
def golden(db: Database) -> GoldenAccount:
    return build_golden_account(db)


def _report(db: Database, golden: GoldenAccount, group_by: Any = None) -> dict[str, Any]:
    with db.session() as session:
        report = build_kpi_report(
            session, golden.account_id, *CURRENT_WEEK, group_by=group_by, as_of=AS_OF
        )
    return report.model_dump(mode="json")


def test_the_golden_log_gives_the_hand_computed_kpis(db: Database, golden: GoldenAccount) -> None:
    actual = _report(db, golden)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # KPI by KPI first, so a failure names the figure that changed.
    for period in ("current", "previous"):
        for kpi, figures in expected[period].items():
            assert actual[period][kpi] == figures, f"{period}.{kpi}"
    assert actual == expected


def test_breakdown_by_intent_uses_the_agents_correction(
    db: Database, golden: GoldenAccount
) -> None:
    groups = {g["key"]: g for g in _report(db, golden, "intent")["groups"]}
    # C5's first message was corrected to card_delivery_estimate; C10 was out of scope and
    # C14 never reached the bot: no intent. C7 opened after both periods: no group of its own.
    assert list(groups) == [
        "card_arrival",
        "card_delivery_estimate",
        "exchange_rate",
        "lost_or_stolen_card",
        None,
    ]
    opened = {
        key: (g["current"]["conversations"], g["previous"]["conversations"])
        for key, g in groups.items()
    }
    assert opened == {
        "card_arrival": (5, 1),  # C1 C2 C6 C11 C13; P1
        "card_delivery_estimate": (1, 0),  # C5
        "exchange_rate": (4, 1),  # C3 C8 C9 C12; P3
        "lost_or_stolen_card": (1, 1),  # C4; P2
        None: (2, 0),  # C10 C14
    }
    # P3, opened last week, was reopened this week: its second response cycle (15 h 05 min)
    # counts this week, beside C9's 30 minutes.
    exchange = groups["exchange_rate"]["current"]["first_response"]
    assert (exchange["count"], exchange["median"]) == (2, (1800 + 54300) / 2)


def test_breakdown_by_agent_names_the_agents(db: Database, golden: GoldenAccount) -> None:
    groups = _report(db, golden, "agent")["groups"]
    by_label = {g["label"]: g["current"]["conversations"] for g in groups}
    # Current assignees: Ana C5 C9 C14 (and P3, last week's); Ben C4 C13 (and P2).
    assert by_label == {AGENTS["ana"]: 3, AGENTS["ben"]: 2, None: 8}
    keys = {g["label"]: g["key"] for g in groups}
    assert keys[AGENTS["ana"]] == str(golden.agent_ids["ana"])


def test_breakdown_by_hand_over_reason_and_tier(db: Database, golden: GoldenAccount) -> None:
    reasons = {
        g["key"]: g["current"]["hand_over"]["handed_over"]
        for g in _report(db, golden, "reason")["groups"]
    }
    assert reasons == {
        "explicit_request": 1,  # C5 (C14 too, but the bot never read it: not a bot conversation)
        "frustration": 1,
        "low_confidence": 1,
        "sensitive": 1,
        "taken_over": 1,
        "vip": 1,
        None: 0,
    }
    tiers = {
        g["key"]: g["current"]["csat"]["ratings"] for g in _report(db, golden, "tier")["groups"]
    }
    assert tiers == {"standard": 4, "vip": 1}  # C4 is the only rated VIP conversation


def test_each_conversation_row_carries_its_cost_and_sentiment(
    db: Database, golden: GoldenAccount
) -> None:
    with db.session() as session:
        inputs = load_report_inputs(session, golden.account_id, *CURRENT_WEEK, as_of=AS_OF)
    rows = {
        r.conversation_id: r for r in cohort_rows(inputs.histories, inputs.period, inputs.context)
    }
    c5 = rows[golden.conversation_ids[5]]
    # golden_kpis.md, "Cost": 864 s of handling at 0.01 a second, a bot message, the fixed 0.10.
    assert (c5.handling_seconds, c5.bot_messages, c5.llm_tokens) == (864.0, 1, 0)
    assert (c5.cost, c5.mean_sentiment) == (8.75, -0.025)
    c11 = rows[golden.conversation_ids[11]]
    assert (c11.llm_tokens, c11.cost) == (1200, round(0.6 + 0.6 + 0.02 + 0.1, 4))
    # The rows add up to the report's total (26.83), so the CSV and the headline agree.
    assert round(sum(r.cost for r in rows.values()), 4) == 26.83
    assert rows[golden.conversation_ids[10]].mean_sentiment is None  # recorded without a score
