"""The data the Baton Bank demo's intent model learns from, shipped inside the package.

The demo bank's intents are BANKING77's, so its model is trained on BANKING77's training split
(unchanged) and checked on a fixed sample of its test split; data/banking77/README.md says where
they come from, under which licence, and how the sample was drawn. Benchmarks read the full
test split from BATON_DATASETS_DIR instead: the sample is only a quick check.

BANKING77's messages are short, clean English; customers also write with typos, in regional
English, at length or in other languages. `data/customer_phrasings.csv` (written for Baton, see
data/README.md) adds messages in those ways for every intent to the demo's training data.

`data/unanswerable_questions.jsonl` holds written questions no article answers: those about what
the bank does not offer are one more intent (`not_offered`) for the model, so that it declines
them by the article that says so; the others (no article, chit-chat) teach the answer policy
when not to answer (`baton answers fit`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batondesk.demo.content import NOT_OFFERED_INTENT
from batondesk.nlu import Dataset, load_dataset

BANKING77_DIR = Path(__file__).parent / "data" / "banking77"
TRAIN_FILE = BANKING77_DIR / "train.csv"
TEST_SAMPLE_FILE = BANKING77_DIR / "test_sample.csv"
CUSTOMER_PHRASINGS_FILE = Path(__file__).parent / "data" / "customer_phrasings.csv"
UNANSWERABLE_FILE = Path(__file__).parent / "data" / "unanswerable_questions.jsonl"
TRAIN_NAME = "BANKING77 train"
DEMO_TRAINING_NAME = "BANKING77 train + customer phrasings + not-offered questions"
TEST_SAMPLE_NAME = "BANKING77 test sample"
# Printed by `baton --version` and the README: the licence asks for attribution.
ATTRIBUTION = (
    "The demo's intent model is trained on BANKING77 (CC BY 4.0): Casanueva et al., "
    '"Efficient Intent Detection with Dual Sentence Encoders", NLP4ConvAI 2020; '
    "data from https://github.com/PolyAI-LDN/task-specific-datasets"
)


class DemoDataMissing(FileNotFoundError):
    """A file of the shipped demo data is not where the package keeps it."""


def banking77_train() -> Dataset:
    """BANKING77's training split: 10,003 messages over 77 intents."""
    return _load(TRAIN_FILE, TRAIN_NAME)


def demo_intent_training() -> Dataset:
    """What the demo's intent model learns from: BANKING77's training split, the customer
    phrasings written for Baton (101 or 102 per intent) and the written questions about what
    the bank does not offer (intent `not_offered`)."""
    banking77 = banking77_train()
    phrasings = _load(CUSTOMER_PHRASINGS_FILE, "customer phrasings")
    not_offered = [row["question"] for row in unanswerable_questions("not_offered")]
    return Dataset(
        banking77.texts + phrasings.texts + not_offered,
        banking77.labels + phrasings.labels + [NOT_OFFERED_INTENT] * len(not_offered),
        source=DEMO_TRAINING_NAME,
    )


def unanswerable_questions(*kinds: str) -> list[dict[str, Any]]:
    """The written questions no article answers (`article` null), of the given kinds
    ("not_offered", "no_article", "chitchat"; none given: all)."""
    _require(UNANSWERABLE_FILE)
    rows = [
        json.loads(line)
        for line in UNANSWERABLE_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [row for row in rows if not kinds or row["kind"] in kinds]


def banking77_test_sample() -> Dataset:
    """770 messages of BANKING77's test split, 10 per intent."""
    return _load(TEST_SAMPLE_FILE, TEST_SAMPLE_NAME)


def _load(path: Path, name: str) -> Dataset:
    _require(path)
    dataset = load_dataset(path)
    return Dataset(dataset.texts, dataset.labels, source=name)


def _require(path: Path) -> None:
    if not path.is_file():
        raise DemoDataMissing(
            f"{path} is missing. The demo's intent model is trained on this file, which ships "
            "with Baton (src/batondesk/demo/data/); restore it from the repository "
            "(git checkout -- src/batondesk/demo/data) or reinstall the package."
        )
