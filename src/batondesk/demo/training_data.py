"""The data the Baton Bank demo's intent model learns from, shipped inside the package.

The demo bank's intents are BANKING77's, so its model is trained on BANKING77's training split
(unchanged) and checked on a fixed sample of its test split; data/banking77/README.md says where
they come from, under which licence, and how the sample was drawn. Benchmarks read the full
test split from BATON_DATASETS_DIR instead: the sample is only a quick check.

BANKING77's messages are short, clean English; customers also write with typos, in regional
English, at length or in other languages. `data/customer_phrasings.csv` (written for Baton, see
data/README.md) adds messages in those ways for every intent to the demo's training data.
"""

from __future__ import annotations

from pathlib import Path

from batondesk.nlu import Dataset, load_dataset

BANKING77_DIR = Path(__file__).parent / "data" / "banking77"
TRAIN_FILE = BANKING77_DIR / "train.csv"
TEST_SAMPLE_FILE = BANKING77_DIR / "test_sample.csv"
CUSTOMER_PHRASINGS_FILE = Path(__file__).parent / "data" / "customer_phrasings.csv"
TRAIN_NAME = "BANKING77 train"
DEMO_TRAINING_NAME = "BANKING77 train + customer phrasings"
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
    """What the demo's intent model learns from: BANKING77's training split and the customer
    phrasings written for Baton (101 or 102 per intent)."""
    banking77 = banking77_train()
    phrasings = _load(CUSTOMER_PHRASINGS_FILE, "customer phrasings")
    return Dataset(
        banking77.texts + phrasings.texts,
        banking77.labels + phrasings.labels,
        source=DEMO_TRAINING_NAME,
    )


def banking77_test_sample() -> Dataset:
    """770 messages of BANKING77's test split, 10 per intent."""
    return _load(TEST_SAMPLE_FILE, TEST_SAMPLE_NAME)


def _load(path: Path, name: str) -> Dataset:
    if not path.is_file():
        raise DemoDataMissing(
            f"{path} is missing. The demo's intent model is trained on this file, which ships "
            "with Baton (src/batondesk/demo/data/banking77/); restore it from the repository "
            "(git checkout -- src/batondesk/demo/data) or reinstall the package."
        )
    dataset = load_dataset(path)
    return Dataset(dataset.texts, dataset.labels, source=name)
