"""The demo's training data ships with the package: BANKING77 train, its licence, a test sample."""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from batondesk.config import Settings
from batondesk.demo import training_data
from batondesk.demo.content import NOT_OFFERED_INTENT
from batondesk.demo.training_data import (
    banking77_test_sample,
    banking77_train,
    demo_intent_training,
    unanswerable_questions,
)

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
PACKAGE = ROOT / "src" / "batondesk"


def test_training_data_is_banking77_train_over_its_77_intents() -> None:
    dataset = banking77_train()
    intents = json.loads((training_data.BANKING77_DIR / "categories.json").read_text())
    assert len(dataset) == 10_003
    assert set(dataset.labels) == set(intents) and len(intents) == 77
    assert min(Counter(dataset.labels).values()) >= 35


def test_the_demo_also_learns_customer_phrasings_for_every_intent() -> None:
    """Some 100 messages per intent in customers' own ways of writing, none a BANKING77 message
    and none of the test sample (which would then measure what the model was taught)."""
    banking77 = banking77_train()
    demo = demo_intent_training()
    phrasings = [
        (text, label)
        for text, label in zip(
            demo.texts[len(banking77) :], demo.labels[len(banking77) :], strict=True
        )
        if label != NOT_OFFERED_INTENT
    ]
    assert demo.texts[: len(banking77)] == banking77.texts
    per_intent = Counter(label for _, label in phrasings)
    assert set(per_intent) == set(banking77.labels)
    assert min(per_intent.values()) >= 100
    seen = {t.lower() for t in banking77.texts} | {t.lower() for t in banking77_test_sample().texts}
    assert [text for text, _ in phrasings if text.lower() in seen] == []
    assert len({text.lower() for text, _ in phrasings}) == len(phrasings)


def test_the_demo_learns_what_the_bank_does_not_offer_as_one_more_intent() -> None:
    """Written questions about products the bank does not offer are the `not_offered` intent;
    the other unanswerable questions stay out of the model (the answer policy learns from
    them when not to answer)."""
    demo = demo_intent_training()
    not_offered = [
        t for t, label in zip(demo.texts, demo.labels, strict=True) if label == NOT_OFFERED_INTENT
    ]
    assert len(not_offered) == len(unanswerable_questions("not_offered")) >= 250
    others = {row["question"] for row in unanswerable_questions("no_article", "chitchat")}
    assert others and not others & set(demo.texts)


def test_test_sample_has_ten_messages_per_intent_none_of_them_for_training() -> None:
    sample = banking77_test_sample()
    assert len(sample) == 770
    assert set(Counter(sample.labels).values()) == {10}
    assert set(sample.labels) == set(banking77_train().labels)
    # BANKING77 itself repeats one test message in train; the sample adds no other overlap.
    train = {text.lower() for text in banking77_train().texts}
    assert sum(text.lower() in train for text in sample.texts) <= 1


def test_licence_and_attribution_ship_beside_the_data() -> None:
    folder = training_data.BANKING77_DIR
    assert "Attribution 4.0 International" in (folder / "LICENSE").read_text()
    notice = (folder / "README.md").read_text()
    for needed in ("CC BY 4.0", "Casanueva", "NLP4ConvAI", "PolyAI-LDN/task-specific-datasets"):
        assert needed in notice


def test_every_shipped_file_is_declared_as_package_data() -> None:
    """An installed (non-editable) package must carry the data: pyproject's package-data
    patterns cover every file of the data folder."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["batondesk"]
    declared = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    shipped = [p for p in training_data.BANKING77_DIR.iterdir() if p.is_file()]
    shipped += [p for p in training_data.CUSTOMER_PHRASINGS_FILE.parent.iterdir() if p.is_file()]
    assert {p.name for p in shipped} >= {"train.csv", "test_sample.csv", "LICENSE", "README.md"}
    assert training_data.CUSTOMER_PHRASINGS_FILE in shipped
    assert [p.name for p in shipped if p not in declared] == []


@pytest.fixture
def published_banking77(tmp_path: Path) -> Path:
    folder = Settings(environment="test", data_dir=tmp_path).datasets_dir / "banking77"
    if not (folder / "test.csv").is_file():
        pytest.skip(f"the full BANKING77 is not in {folder} (BATON_DATASETS_DIR)")
    return folder


def test_shipped_files_are_the_published_ones_and_the_sample_is_reproducible(
    published_banking77: Path,
) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from public_datasets import (  # type: ignore[import-not-found]
            UNCHANGED,
            draw_test_sample,
            read_rows,
            sample_csv,
        )
    finally:
        sys.path.remove(str(BENCHMARKS))
    shipped = training_data.BANKING77_DIR
    for name in UNCHANGED:
        assert (shipped / name).read_bytes() == (published_banking77 / name).read_bytes(), name
    sample = draw_test_sample(read_rows(published_banking77 / "test.csv"))
    assert (shipped / "test_sample.csv").read_bytes() == sample_csv(sample).encode("utf-8")
