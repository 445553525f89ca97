"""What the customer is told when a person takes over."""

from __future__ import annotations

from datetime import UTC, datetime

from batondesk.handoff.next_steps import QueueSituation, expected_wait, next_steps_text
from batondesk.handoff.office_hours import is_open
from batondesk.handoff.settings import OfficeHours

HOURS = OfficeHours(timezone="Europe/Madrid", days=[1, 2, 3, 4, 5], opens="09:00", closes="18:00")


def _situation(**changes: object) -> QueueSituation:
    values: dict[str, object] = {
        "position": 3,
        "expected_wait_minutes": 12,
        "agent_name": None,
        "open_now": True,
        "agents_available": 2,
        "office_hours": HOURS,
    }
    values.update(changes)
    return QueueSituation(**values)  # type: ignore[arg-type]


def test_queue_position_and_expected_wait() -> None:
    text = next_steps_text(_situation(), "en")
    assert "number 3 in the queue" in text and "about 12 minutes" in text
    assert "won't need to repeat yourself" in text


def test_a_named_person_has_joined() -> None:
    assert "Sam has joined" in next_steps_text(_situation(agent_name="Sam", position=0), "en")


def test_closed_offers_to_leave_a_message_with_the_hours() -> None:
    text = next_steps_text(_situation(open_now=False), "fr")
    # The days as French names them (CLDR), the hours in the account's time zone.
    assert "lun.–ven. 09:00–18:00 (Europe/Madrid)" in text
    assert "Laissez-nous un message" in text
    english = next_steps_text(_situation(open_now=False), "en")
    assert "Mon–Fri 09:00–18:00 (Europe/Madrid)" in english


def test_a_one_minute_wait_is_said_in_the_singular() -> None:
    one = next_steps_text(_situation(expected_wait_minutes=1), "en")
    assert "about 1 minute." in one
    assert "aproximadamente 1 minuto." in next_steps_text(_situation(expected_wait_minutes=1), "es")
    assert "unos 12 minutos" in next_steps_text(_situation(), "es")


def test_unknown_language_falls_back_to_english() -> None:
    assert "number 3 in the queue" in next_steps_text(_situation(), "nl")


def test_office_hours_in_the_account_time_zone() -> None:
    # Monday 07:30 UTC is 08:30 in Madrid (winter): still closed; 08:30 UTC is 09:30: open.
    assert not is_open(HOURS, datetime(2026, 1, 5, 7, 30, tzinfo=UTC))
    assert is_open(HOURS, datetime(2026, 1, 5, 8, 30, tzinfo=UTC))
    assert not is_open(HOURS, datetime(2026, 1, 10, 12, 0, tzinfo=UTC))  # Saturday
    assert is_open(None, datetime(2026, 1, 10, 3, 0, tzinfo=UTC))


def test_expected_wait_shares_the_queue_among_free_agents() -> None:
    assert expected_wait(position=4, agents_available=2, average_handle_minutes=8) == 16
    assert expected_wait(position=1, agents_available=0, average_handle_minutes=8) == 8
