"""`baton data clean`: apply an audit's findings to a dataset and log every change.

What changes, in this order of precedence for one example:
1. exact duplicates (same normalised text, same intent): the first copy stays, the others go;
2. conflicting labels (same normalised text, different intents): every copy goes, since the
   file itself cannot say which intent is right (a reviewer can add the text back);
3. likely mislabels (cleanlab on out-of-fold predictions), by `mislabels`:
   - "drop" (default, as cleanlab's own CleanLearning does): drop every flagged example;
   - "relabel": take the held-out model's intent when its probability is at least
     `relabel_min_probability`, otherwise drop the example. It keeps more data, but a correct
     label among the flagged ones becomes the model's guess, often a confusable intent; on
     BANKING77 with planted noise it recovered less test accuracy than dropping
     (docs/benchmarks.md);
   - "keep": change nothing (the audit still lists them);
4. personal data, by `personal_data`: "redact" (default) replaces it with placeholders such as
   [EMAIL] (the product's own rule: no personal data in training sets), "drop" removes the
   example, "keep" leaves it.

The change log holds redacted text only.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from batondesk.nlu.dataset import Dataset
from batondesk.privacy.redaction import find_sensitive_spans, redact_text

MISLABEL_ACTIONS = ("drop", "relabel", "keep")
DEFAULT_MISLABEL_ACTION = "drop"
PERSONAL_DATA_ACTIONS = ("redact", "drop", "keep")
# Below this held-out probability the suggested intent is no better a guess than the given one.
DEFAULT_RELABEL_MIN_PROBABILITY = 0.5


class CleaningError(ValueError):
    """The audit does not belong to the dataset, or an option is unknown."""


@dataclass(frozen=True)
class Change:
    """One change to one example (`row` 1-based in file order, `line` in the source file)."""

    row: int
    line: int | None
    action: str  # "dropped", "relabelled", "redacted"
    reason: str  # "exact_duplicate", "conflicting_labels", "likely_mislabel", "personal_data"
    intent_before: str
    intent_after: str
    detail: str
    text: str  # redacted


@dataclass(frozen=True)
class CleaningResult:
    dataset: Dataset
    changes: list[Change]

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for change in self.changes:
            key = f"{change.action} ({change.reason})"
            counted[key] = counted.get(key, 0) + 1
        return counted


def clean_dataset(
    dataset: Dataset,
    audit: dict[str, Any],
    *,
    mislabels: str = DEFAULT_MISLABEL_ACTION,
    relabel_min_probability: float = DEFAULT_RELABEL_MIN_PROBABILITY,
    personal_data: str = "redact",
) -> CleaningResult:
    """The cleaned dataset and its change log. `audit` is `audit_dataset`'s report for this very
    dataset (checked by fingerprint), fresh or read back from its JSON file."""
    if mislabels not in MISLABEL_ACTIONS:
        raise CleaningError(f"unknown mislabel action '{mislabels}'; use {MISLABEL_ACTIONS}")
    if personal_data not in PERSONAL_DATA_ACTIONS:
        raise CleaningError(
            f"unknown personal-data action '{personal_data}'; use {PERSONAL_DATA_ACTIONS}"
        )
    if audit.get("fingerprint") != dataset.fingerprint():
        raise CleaningError(
            f"the audit was made for other data than {dataset.source or 'this dataset'} "
            "(fingerprints differ): audit the file again"
        )
    texts, labels = list(dataset.texts), list(dataset.labels)
    changes: list[Change] = []
    dropped: set[int] = set()

    def record(index: int, action: str, reason: str, after: str, detail: str) -> None:
        changes.append(
            Change(
                row=index + 1,
                line=dataset.line_of(index),
                action=action,
                reason=reason,
                intent_before=dataset.labels[index],
                intent_after=after,
                detail=detail,
                text=redact_text(dataset.texts[index]),
            )
        )

    for group in audit["exact_duplicates"]:
        first, *others = [ref["row"] - 1 for ref in group["rows"]]
        for index in others:
            dropped.add(index)
            record(index, "dropped", "exact_duplicate", "", f"same text as row {first + 1}")
    for group in audit["conflicting_labels"]:
        rows = [ref["row"] - 1 for ref in group["rows"]]
        intents = ", ".join(sorted({labels[i] for i in rows}))
        copies = ", ".join(str(i + 1) for i in rows)
        for index in rows:
            dropped.add(index)
            record(
                index,
                "dropped",
                "conflicting_labels",
                "",
                f"same text labelled {intents} (rows {copies})",
            )
    if mislabels != "keep":
        for issue in audit["likely_mislabels"]:
            index = issue["row"] - 1
            if index in dropped:
                continue
            evidence = (
                f"held-out model: {issue['suggested_intent']} at "
                f"{issue['suggested_probability']:.2f}, "
                f"given intent at {issue['label_quality']:.2f}"
            )
            if mislabels == "relabel" and issue["suggested_probability"] >= relabel_min_probability:
                labels[index] = issue["suggested_intent"]
                record(index, "relabelled", "likely_mislabel", labels[index], evidence)
            else:
                dropped.add(index)
                record(index, "dropped", "likely_mislabel", "", evidence)
    if personal_data != "keep":
        for index, text in enumerate(texts):
            if index in dropped:
                continue
            spans = find_sensitive_spans(text)
            if not spans:
                continue
            kinds = ", ".join(sorted({span.type for span in spans}))
            if personal_data == "redact":
                texts[index] = redact_text(text)
                record(index, "redacted", "personal_data", labels[index], kinds)
            else:
                dropped.add(index)
                record(index, "dropped", "personal_data", "", kinds)

    kept = [i for i in range(len(texts)) if i not in dropped]
    cleaned = Dataset(
        [texts[i] for i in kept],
        [labels[i] for i in kept],
        dataset.source,
        [dataset.lines[i] for i in kept] if dataset.lines else [],
    )
    changes.sort(key=lambda change: change.row)
    return CleaningResult(cleaned, changes)


def write_change_log(changes: list[Change], path: Path) -> Path:
    """CSV (one change per row, for a spreadsheet) when `path` ends in .csv, else JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [asdict(change) for change in changes]
    if path.suffix.lower() == ".csv":
        fields = list(Change.__dataclass_fields__)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
