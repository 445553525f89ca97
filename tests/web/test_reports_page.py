"""The Reports page, its drill-down and its CSV exports, over HTTP with conversations driven
through the real widget and console: what an admin sees, that the conversations behind a
number are the ones it counts, CSV headers and escaping, and that only admins get in."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from batondesk.reports.report import reporting_today
from batondesk.reports.tables import Table, csv_cell, to_csv
from batondesk.store.models import Account, Inbox, Team
from batondesk.web.report_charts import (
    Bar,
    bar_chart,
    format_change,
    format_seconds,
    format_value,
)
from tests.support.workspace import Workspace, days_around_today, login, say, start_chat

PAGE = "/console/admin/reports"
QUESTION = "my card still hasn't arrived"
REPLY = "On it, let me check your card."


@pytest.fixture
def conversations(app, client: TestClient, workspace: Workspace) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One conversation the bot answered and an agent closed without writing, one handed over
    on request, answered, resolved and rated 5; and one of another account."""
    answered, visitor = start_chat(client, workspace.a.inbox_public_id)
    assert say(client, answered, visitor, QUESTION)["reply"]["sources"]
    human, other = start_chat(client, workspace.a.inbox_public_id)
    say(client, human, other, QUESTION)
    assert say(client, human, other, "I want to talk to a real person please")["status"] == "queued"
    with TestClient(app) as agent:
        login(agent, workspace.a.users["agent"][1])
        assert agent.post(
            f"/api/v1/conversations/{human}/messages", json={"body": REPLY}
        ).is_success
        for conversation_id in (answered, human):
            assert agent.post(f"/api/v1/conversations/{conversation_id}/resolve").is_success
    assert client.post(
        f"/api/v1/widget/conversations/{human}/csat", json={"score": 5}, headers=other
    ).is_success
    foreign, stranger = start_chat(client, workspace.b.inbox_public_id)
    say(client, foreign, stranger, QUESTION)
    return {"answered": answered, "human": human, "foreign": foreign}


def _listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/console/conversations/(\d+)"', html)]


def test_the_page_shows_both_periods_charts_and_breakdowns(
    admin: TestClient, conversations: dict[str, int]
) -> None:
    page = admin.get(PAGE, params={**days_around_today(), "group_by": "intent"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "compared with the previous period" in html
    kpi = re.search(r'data-kpi="conversations">.*?</li>', html, re.S)
    assert kpi and ">2</a>" in kpi.group(0) and 'behind this figure">0</a> · ' in kpi.group(0)
    assert "period=previous" in kpi.group(0)
    # Charts are inline SVG images with a title and a description stating every value.
    assert html.count('role="img"') == 4
    # Sentiment per day: one column per day of the period, every value said in words.
    assert '<title id="chart-sentiment-title">Customer sentiment per day</title>' in html
    today = date.today().isoformat()[5:]
    assert re.search(rf"{today}: [+-]\d\.\d\d \(3 messages, ", html)
    # The cost split in the default model's currency, and the form to set the model.
    assert "Cost (USD)" in html and 'data-endpoint="/api/v1/admin/settings/costs"' in html
    assert 'data-kpi="cost_per_conversation"' in html and 'data-kpi="savings_rate"' in html
    assert re.search(
        r'data-figure="sample">— right\s+\(0 of 0 judged; \d sampled of 2 answers', html
    )
    assert '<title id="chart-reasons-title">Hand-overs by reason</title>' in html
    assert "explicit_request: 50.0% (previous period —)" in html
    assert "Containment by intent" in html and "card_arrival" in html
    assert "facet=reason%3Aexplicit_request" in html
    # Figures only: never what the customer or the agent wrote.
    assert QUESTION not in html and REPLY not in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in html and "style=" not in html


def test_the_default_period_is_the_last_30_days(admin: TestClient) -> None:
    page = admin.get(PAGE)
    assert page.status_code == 200
    today = date.today()
    assert f'value="{today - timedelta(days=29)}"' in page.text
    assert f'value="{today}"' in page.text


def test_drill_down_lists_exactly_the_conversations_a_number_counts(
    admin: TestClient, conversations: dict[str, int]
) -> None:
    period = days_around_today()
    report = admin.get("/api/v1/admin/reports/kpis", params=period).json()["current"]
    counts = {
        "all": report["conversations"],
        "bot": report["hand_over"]["bot_conversations"],
        "contained": report["hand_over"]["contained"],
        "handed_over": report["hand_over"]["handed_over"],
        "reason:explicit_request": report["hand_over"]["by_reason"]["explicit_request"]["count"],
        "resolved": report["reopen"]["resolved"],
        "reopened": report["reopen"]["reopened"],
        "rated": report["csat"]["ratings"],
        "fcr_yes": report["first_contact_resolution"]["yes"],
    }
    for facet, expected in counts.items():
        page = admin.get(f"{PAGE}/conversations", params={**period, "facet": facet})
        assert page.status_code == 200, page.text
        assert len(_listed(page.text)) == expected, facet
    handed = admin.get(f"{PAGE}/conversations", params={**period, "facet": "handed_over"})
    assert _listed(handed.text) == [conversations["human"]]
    assert "1 conversation: handed to a person" in handed.text
    assert QUESTION not in handed.text and REPLY not in handed.text
    contained = admin.get(f"{PAGE}/conversations", params={**period, "facet": "contained"})
    assert _listed(contained.text) == [conversations["answered"]]
    # A group's link: the intent breakdown's card_arrival row.
    grouped = admin.get(
        f"{PAGE}/conversations",
        params={**period, "group_by": "intent", "group": "card_arrival", "facet": "all"},
    )
    assert sorted(_listed(grouped.text)) == sorted(
        [conversations["answered"], conversations["human"]]
    )
    assert "intent: card_arrival" in grouped.text
    previous = admin.get(f"{PAGE}/conversations", params={**period, "period": "previous"})
    assert _listed(previous.text) == []


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_exports_one_row_per_conversation_and_per_aggregate(
    app, admin: TestClient, conversations: dict[str, int], workspace: Workspace
) -> None:
    period = days_around_today()
    export = admin.get(f"{PAGE}/export/conversations.csv", params=period)
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"] == (
        f'attachment; filename="baton-conversations-{period["from"]}-to-{period["to"]}.csv"'
    )
    assert export.text.startswith("conversation_id,status,inbox_id,inbox,channel,")
    rows = {int(r["conversation_id"]): r for r in _csv(export)}
    assert set(rows) == {conversations["answered"], conversations["human"]}
    human = rows[conversations["human"]]
    assert human["hand_over_reason"] == "explicit_request" and human["handed_over"] == "true"
    assert human["status"] == "resolved" and human["csat_score"] == "5"
    assert human["agent"] == "Agent north" and human["intent"] == "card_arrival"
    answered = rows[conversations["answered"]]
    assert answered["contained"] == "true" and answered["automated_resolution"] == "pending"
    assert QUESTION not in export.text and REPLY not in export.text
    assert "@north.example" not in export.text  # no email of anyone

    drilled = admin.get(
        f"{PAGE}/export/conversations.csv", params={**period, "facet": "handed_over"}
    )
    assert [int(r["conversation_id"]) for r in _csv(drilled)] == [conversations["human"]]

    kpis = _csv(admin.get(f"{PAGE}/export/kpis.csv", params=period))
    assert {r["kpi"]: r["current"] for r in kpis}["conversations"] == "2"
    assert {r["kpi"]: r["current"] for r in kpis}["hand_over_rate"] == "0.5"
    reasons = _csv(admin.get(f"{PAGE}/export/reasons.csv", params=period))
    assert reasons == [
        {
            "reason": "explicit_request",
            "count": "1",
            "rate": "0.5",
            "previous_count": "0",
            "previous_rate": "",
        }
    ]
    groups = _csv(admin.get(f"{PAGE}/export/groups.csv", params={**period, "group_by": "agent"}))
    assert {(r["label"], r["conversations"]) for r in groups} == {("Agent north", "1"), ("", "1")}
    intents = admin.get(f"{PAGE}/export/intents.csv", params=period)
    assert intents.text.startswith("intent,reviewed,correct,precision,")
    sentiment = _csv(admin.get(f"{PAGE}/export/sentiment.csv", params=period))
    days = [r for r in sentiment if r["period"] == "current" and r["by"] == "day"]
    assert len(days) == 3 and sum(int(r["messages"]) for r in days) == 3
    assert [r["key"] for r in sentiment if r["by"] == "intent"] == ["card_arrival"]
    # One row per conversation also carries what it cost and how its customer felt.
    assert float(human["handling_seconds"]) > 0 and human["bot_messages"] == "1"
    assert float(answered["cost"]) > 0 and answered["mean_sentiment"] != ""
    assert admin.get(f"{PAGE}/export/secrets.csv", params=period).status_code == 422

    # A name a spreadsheet would run as a formula is written as text.
    with app.state.db.session() as session:
        session.execute(
            update(Inbox)
            .where(Inbox.public_id == workspace.a.inbox_public_id)
            .values(name='=HYPERLINK("http://evil.example","x")')
        )
    export = admin.get(f"{PAGE}/export/conversations.csv", params=period)
    assert {r["inbox"] for r in _csv(export)} == {'\'=HYPERLINK("http://evil.example","x")'}


def test_csv_cells_that_start_a_formula_are_escaped() -> None:
    table = Table(("a", "b"), [("=1+2", "+33 1"), ("-5", "@SUM(A1)"), ("\tx", "plain"), (-3, 0.25)])
    lines = to_csv(table).splitlines()
    assert lines == ["a,b", "'=1+2,'+33 1", "'-5,'@SUM(A1)", "'\tx,plain", "-3,0.25"]
    assert csv_cell(None) == "" and csv_cell(True) == "true"


@pytest.mark.parametrize(
    "path",
    [PAGE, f"{PAGE}/conversations", f"{PAGE}/export/conversations.csv", f"{PAGE}/export/kpis.csv"],
)
def test_only_admins_see_reports(app, client: TestClient, workspace: Workspace, path: str) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
        "/console/login?next="
    )
    for role in ("agent", "analyst"):
        with TestClient(app) as member:
            login(member, workspace.a.users[role][1])
            refused = member.get(path)
            assert refused.status_code == 403 and "Admins only" in refused.text
            assert "text/csv" not in refused.headers["content-type"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "the period is reversed"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "367 days"),
        ({"from": "yesterday", "to": "2026-01-02"}, "from: &#39;yesterday&#39; is not a date"),
        ({"from": "2026-01-01", "to": "2026-01-02", "group_by": "colour"}, "group_by"),
    ],
)
def test_a_bad_period_or_breakdown_is_explained(
    admin: TestClient, params: dict[str, str], words: str
) -> None:
    page = admin.get(PAGE, params=params)
    assert page.status_code == 422 and words in page.text
    assert admin.get(f"{PAGE}/export/kpis.csv", params=params).status_code == 422


def test_names_are_escaped_in_tables_and_charts(
    app, admin: TestClient, conversations: dict[str, int], workspace: Workspace
) -> None:
    with app.state.db.session() as session:
        session.execute(
            update(Team)
            .where(Team.account_id == workspace.a.account_id)
            .values(name="<img src=x onerror=alert(1)>")
        )
    page = admin.get(PAGE, params={**days_around_today(), "group_by": "team"})
    assert page.status_code == 200
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text  # table row and chart label


def test_the_default_period_ends_today_in_the_accounts_time_zone(app, workspace: Workspace) -> None:
    with app.state.db.session() as session:
        account = session.get(Account, workspace.a.account_id)
        assert account is not None
        account.settings = {"escalation": {"office_hours": {"timezone": "Pacific/Kiritimati"}}}
    late_evening_utc = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # 2 January on Kiritimati
    with app.state.db.session() as session:
        assert reporting_today(session, workspace.a.account_id, late_evening_utc) == date(
            2026, 1, 2
        )
        assert reporting_today(session, workspace.b.account_id, late_evening_utc) == date(
            2026, 1, 1
        )


def test_figures_and_changes_read_as_people_say_them() -> None:
    assert format_value(0.4567, "rate") == "45.7%"
    assert format_value(None, "rate") == "—"
    assert format_value(1234, "count") == "1,234"
    assert [format_seconds(s) for s in (42, 200, 3900, 3 * 86400)] == [
        "42 s",
        "3 min 20 s",
        "1 h 5 min",
        "3.0 days",
    ]
    assert format_change(0.5, 0.45, "rate") == "+5.0 pts"
    assert format_change(90, 120, "seconds") == "-25%"
    assert format_change(3, 0, "count") == "new"
    assert format_change(None, 0.3, "rate") == "no comparison"
    chart = bar_chart("c", "Hand-overs", "Why.", [Bar("a<b", 0.25, None, "/x?a=1&b=2")], "rate")
    assert 'role="img"' in chart and 'aria-labelledby="c-title"' in chart
    assert "a&lt;b: 25.0% (previous period —)" in chart
    assert 'href="/x?a=1&amp;b=2"' in chart
