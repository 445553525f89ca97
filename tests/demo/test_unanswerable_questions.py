"""Questions the demo bot must not answer from an article, shipped for fitting the answer policy.

`data/unanswerable_questions.jsonl` is a written question set (`baton answers fit --questions`)
of messages no article answers: products the bank does not offer, support questions the
knowledge base does not cover, and chitchat. See data/README.md.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from batondesk.demo import training_data
from batondesk.demo.training_data import banking77_train

QUESTIONS_FILE = training_data.CUSTOMER_PHRASINGS_FILE.parent / "unanswerable_questions.jsonl"
KINDS = {"not_offered", "no_article", "chitchat"}
STYLES = {"plain", "typo", "regional", "short", "rambling", "slang", "non_english"}


def _rows(path: Path = QUESTIONS_FILE) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_every_row_is_an_unanswerable_question_with_a_kind_and_a_style() -> None:
    rows = _rows()
    assert len(rows) >= 850
    for row in rows:
        assert set(row) == {"question", "article", "kind", "style"}, row
        assert isinstance(row["question"], str) and row["question"].strip() == row["question"]
        assert row["question"], row
        assert row["article"] is None, row
        assert row["kind"] in KINDS, row
        assert row["style"] in STYLES, row


def test_every_kind_has_every_style_and_about_a_third_in_other_languages() -> None:
    rows = _rows()
    for kind in KINDS:
        styles = Counter(row["style"] for row in rows if row["kind"] == kind)
        assert set(styles) == STYLES, kind
        assert 0.25 <= styles["non_english"] / sum(styles.values()) <= 0.45, kind


def test_no_question_repeats_another_a_customer_phrasing_or_a_banking77_message() -> None:
    questions = [str(row["question"]).lower() for row in _rows()]
    assert len(set(questions)) == len(questions)
    with training_data.CUSTOMER_PHRASINGS_FILE.open(encoding="utf-8", newline="") as f:
        seen = {row["text"].strip().lower() for row in csv.DictReader(f)}
    seen |= {text.strip().lower() for text in banking77_train().texts}
    assert [q for q in questions if q in seen] == []
