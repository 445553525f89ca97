"""Where the benchmarks read the public datasets, and how the demo's copy of BANKING77 is made.

The full datasets are not part of the repository. They are read from the folder named by
BATON_DATASETS_DIR (default ../shared/data, relative to the current directory), laid out as

    <dir>/banking77/train.csv, <dir>/banking77/test.csv   (columns text,category)
    <dir>/clinc150/data_full.json

Only the demo's training data (BANKING77 train) and a fixed sample of BANKING77 test ship with
Baton, in src/batondesk/demo/data/banking77/; `python benchmarks/public_datasets.py ship`
writes them again from the full dataset.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "src" / "batondesk" / "demo" / "data" / "banking77"
LAYOUT = "<dir>/banking77/{train,test}.csv and <dir>/clinc150/data_full.json"
BANKING77_TRAIN = "banking77/train.csv"
BANKING77_TEST = "banking77/test.csv"
CLINC150 = "clinc150/data_full.json"
# The shipped test sample: 10 messages per intent (770), drawn once with this seed.
SAMPLE_PER_INTENT = 10
SAMPLE_SEED = 0
# Copied unchanged next to the training split.
UNCHANGED = ("train.csv", "LICENSE", "categories.json")


def datasets_dir() -> Path:
    from batondesk.config import get_settings

    return get_settings().datasets_dir


def dataset_file(relative: str) -> Path:
    """The file `relative` (e.g. "banking77/test.csv") of the datasets folder; exits with a
    message naming BATON_DATASETS_DIR and the expected layout when it is not there."""
    folder = datasets_dir()
    path = folder / relative
    if not path.is_file():
        sys.exit(
            f"{path} not found. The benchmarks read the public datasets from BATON_DATASETS_DIR "
            f"(now {folder.resolve()}), laid out as {LAYOUT}; set it to the folder that holds "
            "them. (The demo does not need it: its training data ships with Baton.)"
        )
    return path


def read_banking77(split: str) -> tuple[list[str], list[str]]:
    rows = read_rows(dataset_file(f"banking77/{split}.csv"))
    return [text for text, _ in rows], [label for _, label in rows]


def read_rows(path: Path) -> list[tuple[str, str]]:
    """(text, category) rows of a BANKING77 CSV file, in file order."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def draw_test_sample(
    rows: list[tuple[str, str]], per_intent: int = SAMPLE_PER_INTENT, seed: int = SAMPLE_SEED
) -> list[tuple[str, str]]:
    """`per_intent` rows of each intent, chosen by one random.Random(seed) going through the
    intents in alphabetical order; returned in their order in the full test file."""
    positions: dict[str, list[int]] = defaultdict(list)
    for position, (_, label) in enumerate(rows):
        positions[label].append(position)
    rng = random.Random(seed)
    chosen = [p for label in sorted(positions) for p in rng.sample(positions[label], per_intent)]
    return [rows[p] for p in sorted(chosen)]


def sample_csv(rows: list[tuple[str, str]]) -> str:
    """The CSV text of the shipped sample: same header, quoting and CRLF line ends as
    BANKING77's own files."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["text", "category"])
    writer.writerows(rows)
    return buffer.getvalue()


def ship() -> None:
    """Write src/batondesk/demo/data/banking77/ from the full BANKING77 in BATON_DATASETS_DIR."""
    source = dataset_file(BANKING77_TRAIN).parent
    dataset_file(BANKING77_TEST)
    SHIPPED.mkdir(parents=True, exist_ok=True)
    for name in UNCHANGED:
        shutil.copyfile(source / name, SHIPPED / name)
    sample = draw_test_sample(read_rows(source / "test.csv"))
    (SHIPPED / "test_sample.csv").write_bytes(sample_csv(sample).encode("utf-8"))
    print(f"wrote {SHIPPED.relative_to(ROOT)}: {', '.join(UNCHANGED)}, test_sample.csv")


if __name__ == "__main__":
    if sys.argv[1:] != ["ship"]:
        sys.exit(__doc__)
    ship()
