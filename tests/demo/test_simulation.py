"""`baton demo simulate`: simulated history that the reports read like live history.

Runs on SQLite, and on PostgreSQL when BATON_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from batondesk.actions.handoff import run_queue_check
from batondesk.cli import demo as demo_cli
from batondesk.config import Settings, get_settings
from batondesk.demo.history import simulate_history
from batondesk.demo.seed import seed_demo
from batondesk.errors import Conflict
from batondesk.reports.report import KpiReport, build_kpi_report
from batondesk.store import Database, init_store
from batondesk.store.models import Contact, Conversation, Message
from tests.conftest import TEST_DATABASE_URL, _reset_postgres
from tests.support.databases import private_database

CONVERSATIONS = 800
DAYS = 90
# Midnight today: the simulated period ends there, and reports are computed as of then, so two
# runs on different days or databases compare like with like.
END = datetime.combine(datetime.now(UTC).date(), time(), UTC)
REASONS = {
    "explicit_request",
    "sensitive",
    "frustration",
    "repeated_failure",
    "low_confidence",
    "no_answer",
    "vip",
    "taken_over",
}


def _simulated_report(db: Database, seed: int = 7) -> tuple[int, KpiReport]:
    summary = seed_demo(db)
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Conversation))
    simulate_history(db, conversations=CONVERSATIONS, days=DAYS, seed=seed, end=END)
    with db.session() as session:
        after = session.scalar(select(func.count()).select_from(Conversation))
        last_day = (END - timedelta(days=1)).date()
        report = build_kpi_report(
            session, summary.account_id, last_day - timedelta(days=DAYS), last_day, as_of=END
        )
    return int(after or 0) - int(before or 0), report


def test_simulated_history_gives_plausible_kpis(db: Database) -> None:
    written, report = _simulated_report(db)
    kpis = report.current
    assert written == CONVERSATIONS
    assert kpis.conversations >= CONVERSATIONS  # and the demo's few earlier ones
    hand_over = kpis.hand_over
    assert 0.55 <= (hand_over.containment_rate or 0) <= 0.85
    assert {reason for reason, share in hand_over.by_reason.items() if share.count} >= REASONS
    assert 0.03 <= (kpis.clarification.rate or 0) <= 0.3
    assert 0.02 <= (kpis.reopen.rate or 0) <= 0.15
    assert kpis.automated_resolution.resolutions > 0
    assert kpis.automated_resolution.assisted > 0
    assert 0.3 <= (kpis.first_contact_resolution.rate or 0) <= 0.9
    assert kpis.csat.bot_only.ratings > 0 and kpis.csat.human.ratings > 0
    assert 0.2 <= (kpis.csat.response_rate or 0) <= 0.6
    assert 0.5 <= (kpis.csat.rate or 0) <= 0.9
    assert kpis.queue_wait.count > 0 and 60 <= (kpis.queue_wait.median or 0) <= 3600
    assert kpis.first_response.count > 0 and 60 <= (kpis.first_response.median or 0) <= 7200
    assert kpis.sla.first_response.met > 0 and kpis.sla.first_response.missed > 0
    assert kpis.ai_accuracy.reviewed > 0 and 0.7 <= (kpis.ai_accuracy.precision or 0) < 1
    # Reviewers judge most of the random sample; agents flag mostly wrong answers, so all
    # reviews together rate the bot lower than the unbiased sample does.
    answers = kpis.ai_accuracy.answers
    assert answers.sample.reviewed >= 0.6 * answers.sample.sampled > 0
    # About 92% of the simulated answers are right; the sample's 95% interval holds that.
    assert 0.75 <= (answers.sample.precision or 0) <= 1
    assert answers.sample.low is not None and answers.sample.high is not None
    assert answers.sample.low < 0.92 < answers.sample.high
    assert (answers.all_reviews.precision or 1) < (answers.sample.precision or 0)
    assert answers.wrong_flags > 0 and len(answers.wrong_by_reason) >= 3
    # Customers click "Did this answer your question?" under about 15% of the answers, mostly
    # "Yes" (most answers are right); a "Yes" confirms automated resolutions without a rating.
    said = answers.customer_feedback
    assert 0.1 <= said.answers / answers.answers <= 0.2
    assert said.not_helpful > 0 and 0.7 <= (said.helpful_share or 0) <= 0.95
    assert kpis.automated_resolution.confirmed > 0
    sentiment = kpis.sentiment
    assert sentiment.messages > CONVERSATIONS and -0.3 <= (sentiment.mean or 0) <= 0.1
    assert 0.1 <= (sentiment.negative_share or 0) <= 0.5
    assert sum(1 for day in sentiment.by_day.values() if day.messages) >= DAYS - 1
    costs = kpis.costs
    assert costs.human > 0 and costs.ai > 0 and costs.handling.count > 0
    assert 0 < (costs.savings_rate or 0) < 1 and costs.baseline and costs.baseline > costs.total


def test_simulated_history_spans_languages_channels_tiers_and_the_period(db: Database) -> None:
    summary = seed_demo(db)
    simulate_history(db, conversations=CONVERSATIONS, days=DAYS, seed=3, end=END)
    last_day = (END - timedelta(days=1)).date()
    first_day = last_day - timedelta(days=DAYS)
    with db.session() as session:
        groups = {
            dimension: {
                group.key
                for group in build_kpi_report(
                    session, summary.account_id, first_day, last_day, group_by=dimension, as_of=END
                ).groups
                if group.current.conversations
            }
            for dimension in ("language", "channel", "tier", "agent", "team")
        }
        opened = list(session.scalars(select(Conversation.created_at)))
    assert {"en", "es", "fr", "de", "pt", "it"} <= groups["language"]
    assert {"web_widget", "api"} <= groups["channel"]
    assert {"standard", "premium", "vip"} <= groups["tier"]
    assert len(groups["agent"] - {None}) >= 5 and len(groups["team"] - {None}) == 2
    assert min(opened) >= END - timedelta(days=DAYS) - timedelta(hours=3)
    assert max(opened) < END
    weekdays = [at for at in opened if at.weekday() < 5]
    assert len(weekdays) / 5 > 1.3 * (len(opened) - len(weekdays)) / 2  # quieter weekends


@pytest.fixture
def second_db(tmp_path: Path, database_url: str) -> Iterator[Database]:
    """Another, empty database of the same kind as `db`."""

    def make(url: str) -> Database:
        settings = Settings(
            environment="test",
            data_dir=tmp_path / "second",
            database_url=url,
            password_hashing="fast",
        )
        database = init_store(settings)
        if database.url.startswith("postgresql"):
            _reset_postgres(database)
        database.migrate()
        return database

    if not TEST_DATABASE_URL:
        database = make("")
        yield database
        database.dispose()
        return
    with private_database(TEST_DATABASE_URL, "baton_sim") as url:
        database = make(url)
        yield database
        database.dispose()


def test_same_seed_gives_the_same_figures(db: Database, second_db: Database) -> None:
    _, first = _simulated_report(db, seed=11)
    _, again = _simulated_report(second_db, seed=11)
    assert first.current.model_dump() == again.current.model_dump()


def test_simulated_bodies_and_personal_data_are_sealed(db: Database) -> None:
    seed_demo(db)
    simulate_history(db, conversations=200, days=30, seed=5, end=END)
    with db.session() as session:
        raw_bodies = [bytes(row[0]) for row in session.execute(text("SELECT body FROM messages"))]
        raw_contacts = list(
            session.execute(text("SELECT name, email, external_id, attributes FROM contacts"))
        )
        simulated = session.scalars(
            select(Message).where(Message.sender_type == "bot").order_by(Message.id.desc())
        ).first()
        assert simulated is not None and "help centre" in simulated.body  # opens with its key
        customer = session.scalars(select(Contact).order_by(Contact.id.desc())).first()
        assert customer is not None and customer.email.endswith("@customers.example")
    assert len(raw_bodies) > 600
    for body in raw_bodies:
        assert body[:1] == b"\x02", "every body is sealed (version 2, per-contact key)"
        for plain in (b"help centre", b"Can I talk", b"this is", b"question"):
            assert plain not in body
    for row in raw_contacts:
        for column in (c for c in row if c is not None):
            assert bytes(column)[:1] == b"\x02"
            assert b"customers.example" not in bytes(column)
            assert b"simulated" not in bytes(column)


def test_a_seed_is_simulated_once_and_another_seed_adds(db: Database) -> None:
    seed_demo(db)
    simulate_history(db, conversations=50, days=10, seed=1, end=END)
    with db.session() as session:
        count = session.scalar(select(func.count()).select_from(Conversation))
    with pytest.raises(Conflict, match="already simulated"):
        simulate_history(db, conversations=50, days=10, seed=1, end=END)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == count
    added = simulate_history(db, conversations=30, days=10, seed=2, end=END)
    assert added.conversations == 30 and added.events > 30 * 3
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == count + 30


def test_the_command_says_what_it_wrote_and_refuses_a_repeated_seed(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_ENVIRONMENT", "test")
    monkeypatch.setenv("BATON_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BATON_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATON_PASSWORD_HASHING", "fast")
    get_settings.cache_clear()
    seed_demo(db)
    command = ["simulate", "--conversations", "40", "--days", "10", "--seed", "4"]
    try:
        first = CliRunner().invoke(demo_cli.app, command)
        again = CliRunner().invoke(demo_cli.app, command)
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert re.search(
        r"wrote 40 conversations over 10 days \([\d,]+ messages, [\d,]+ events", first.stdout
    )
    assert re.search(r" in \d+\.\d s \([\d,]+ conversations/s\)", first.stdout)
    assert again.exit_code == 1
    assert "seed 4 was already simulated" in again.output


def test_open_simulated_conversations_carry_the_breaches_they_already_had(db: Database) -> None:
    """A server started on simulated history finds no target newly missed: the rows say
    which ones the queue check would already have reported."""
    seed_demo(db)
    with db.session() as session:
        before = session.scalar(select(func.max(Conversation.id))) or 0
    simulate_history(db, conversations=CONVERSATIONS, days=DAYS, seed=7, end=END)
    with db.session() as session:
        recorded = session.scalars(
            select(Conversation.sla_breaches).where(Conversation.id > before)
        ).all()
        report = run_queue_check(session, now=END)
    assert any("resolution" in (kinds or []) for kinds in recorded)
    assert not [c for c, _ in report.breached if c > before]
