"""Labelled intent examples read from CSV, JSON Lines or Rasa NLU YAML files.

Every loader reports a bad file with the file name and, where it can, the line number, so an
admin migrating from another tool can fix the file instead of guessing.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

OUT_OF_SCOPE_LABEL = "oos"
TEXT_COLUMNS = ("text",)
LABEL_COLUMNS = ("label", "intent", "category")


class DatasetError(ValueError):
    """A training or evaluation file that cannot be read; the message names file and line."""


@dataclass
class Dataset:
    """Parallel lists of texts and labels; `source` is the file they came from, if any."""

    texts: list[str]
    labels: list[str]
    source: str = ""
    _hash: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise DatasetError(f"{self.source or 'dataset'}: texts and labels differ in length")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_counts(self) -> Counter[str]:
        return Counter(self.labels)

    def fingerprint(self) -> str:
        """SHA-256 over the (text, label) pairs in order: identifies the training data."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels, strict=True):
            digest.update(text.encode("utf-8") + b"\x1f" + label.encode("utf-8") + b"\x1e")
        return digest.hexdigest()

    def split_out_of_scope(self) -> tuple[Dataset, list[str]]:
        """In-scope examples and the texts labelled `oos` (CLINC150's convention)."""
        keep = [i for i, label in enumerate(self.labels) if label != OUT_OF_SCOPE_LABEL]
        oos = [
            t
            for t, label in zip(self.texts, self.labels, strict=True)
            if label == OUT_OF_SCOPE_LABEL
        ]
        return Dataset(
            [self.texts[i] for i in keep], [self.labels[i] for i in keep], self.source
        ), oos


def load_dataset(path: str | Path) -> Dataset:
    """Read a dataset, choosing the format from the extension (.csv, .jsonl/.json, .yml/.yaml).

    Raises DatasetError for a missing file, an unknown format, a missing column or key,
    an empty text or label, or a file with no examples.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        dataset = _load_csv(path, delimiter="\t" if suffix == ".tsv" else ",")
    elif suffix in (".jsonl", ".json", ".ndjson"):
        dataset = _load_jsonl(path)
    elif suffix in (".yml", ".yaml"):
        dataset = _load_rasa_yaml(path)
    else:
        raise DatasetError(
            f"{path}: unknown format '{suffix}'; use .csv (text,label), .jsonl "
            '({"text": ..., "intent": ...}) or Rasa NLU .yml'
        )
    if not dataset.texts:
        raise DatasetError(f"{path}: no examples found")
    return dataset


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _load_csv(path: Path, delimiter: str) -> Dataset:
    lines = _read_text(path).splitlines()
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DatasetError(f"{path}: empty file") from None
    text_col = next((header.index(c) for c in TEXT_COLUMNS if c in header), None)
    label_col = next((header.index(c) for c in LABEL_COLUMNS if c in header), None)
    if text_col is None or label_col is None:
        raise DatasetError(
            f"{path}, line 1: header must name a 'text' column and one of "
            f"{', '.join(LABEL_COLUMNS)}; found {', '.join(header) or 'nothing'}"
        )
    texts: list[str] = []
    labels: list[str] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DatasetError(
                f"{path}, line {line}: expected {len(header)} columns, found {len(row)} "
                "(quote texts that contain the delimiter)"
            )
        text, label = row[text_col].strip(), row[label_col].strip()
        _check_example(path, line, text, label)
        texts.append(text)
        labels.append(label)
    return Dataset(texts, labels, str(path))


def _load_jsonl(path: Path) -> Dataset:
    texts: list[str] = []
    labels: list[str] = []
    for number, raw in enumerate(_read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}, line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{path}, line {number}: expected an object with text and intent")
        label = next((record[k] for k in ("intent", "label", "category") if k in record), None)
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(label, str):
            raise DatasetError(
                f"{path}, line {number}: needs string fields 'text' and 'intent' (or 'label')"
            )
        _check_example(path, number, text.strip(), label.strip())
        texts.append(text.strip())
        labels.append(label.strip())
    return Dataset(texts, labels, str(path))


def _load_rasa_yaml(path: Path) -> Dataset:
    import yaml

    try:
        document = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise DatasetError(
            f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        raise DatasetError(f"{path}: a Rasa NLU file needs a top-level 'nlu:' list")
    texts: list[str] = []
    labels: list[str] = []
    for position, block in enumerate(document["nlu"], start=1):
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, regexes and lookups carry no intent examples
        intent = str(block["intent"]).strip()
        examples = block.get("examples")
        if not intent or not isinstance(examples, str):
            raise DatasetError(
                f"{path}: nlu entry {position} (intent '{intent}') needs 'examples: |' "
                "with one '- example' per line"
            )
        for raw in examples.splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("- "):
                raise DatasetError(
                    f"{path}: intent '{intent}': example '{line[:40]}' must start with '- '"
                )
            texts.append(_strip_rasa_entities(line[2:].strip()))
            labels.append(intent)
    return Dataset(texts, labels, str(path))


def _strip_rasa_entities(example: str) -> str:
    """'[50 euros](amount)' -> '50 euros': annotations are not part of what customers type."""
    import re

    example = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", example)
    return re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", example)


def _check_example(path: Path, line: int, text: str, label: str) -> None:
    if not text:
        raise DatasetError(f"{path}, line {line}: empty text")
    if not label:
        raise DatasetError(f"{path}, line {line}: empty label")
