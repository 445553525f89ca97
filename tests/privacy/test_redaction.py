"""The one redaction function: what it removes, what it keeps, and the log safety net."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from batondesk.privacy.redaction import install_log_redaction, redact_text, redact_value

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


def test_redacts_personal_data_and_keeps_what_agents_need() -> None:
    text = (
        "Card 4539 1488 0343 6467, mail anna dot berg at gmail dot com, tel 030/1234567, "
        "CPF 111.444.777-35, order 2024-11-03-7781, amount 1,234.56"
    )
    assert redact_text(text) == (
        "Card [CARD], mail [EMAIL], tel [PHONE], CPF [NATIONAL_ID], order 2024-11-03-7781, "
        "amount 1,234.56"
    )
    assert redact_value({"a": ["x@y.io", 3], "b": {"c": "+44 20 7946 0958"}}) == {
        "a": ["[EMAIL]", 3],
        "b": {"c": "[PHONE]"},
    }


def test_every_log_record_is_redacted(caplog) -> None:  # type: ignore[no-untyped-def]
    install_log_redaction()
    caplog.set_level(logging.INFO)
    log = logging.getLogger("anything.at.all")
    log.info("customer %s wrote from %s", "bob@example.com", "+33 6 12 34 56 78")
    log.info("stream opened: %s", "/api/v1/widget/conversations/3/stream?token=eyJh.secret")
    log.info("took %d ms for %r", 12, "card 4111 1111 1111 1111")
    try:
        raise RuntimeError("card 4111 1111 1111 1111 failed")
    except RuntimeError:
        log.exception("payment failed")
    assert "bob@example.com" not in caplog.text and "[EMAIL]" in caplog.text
    assert "+33 6 12 34 56 78" not in caplog.text
    assert "eyJh.secret" not in caplog.text and "?token=[REDACTED]" in caplog.text
    # Arguments keep their types, so the format still applies as written.
    assert "took 12 ms for 'card [CARD]'" in caplog.text
    # An exception's frames and type are logged; its text never is.
    assert "4111 1111 1111 1111" not in caplog.text
    assert "RuntimeError: (message withheld" in caplog.text and "test_redaction.py" in caplog.text


def test_recall_on_the_labelled_set_meets_the_bar() -> None:
    """A regression guard over the benchmark's labelled set (figures: docs/privacy.md)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from redaction import DATA, evaluate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCHMARKS))
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    assert len(rows) >= 300
    result = evaluate(rows)["per_type"]
    for kind in ("email", "phone", "card"):
        assert result[kind]["recall"] >= 0.95, (kind, result[kind])
        assert result[kind]["precision"] >= 0.9, (kind, result[kind])
