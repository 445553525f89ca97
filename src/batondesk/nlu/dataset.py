"""Labelled intent examples read from (and written to) CSV, JSON Lines or Rasa NLU YAML files.

Every loader reports a bad file with the file name and, where it can, the line number, so an
admin migrating from another tool can fix the file instead of guessing. Loaders also record
the line each example came from, so a dataset audit can point a reviewer at it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT_OF_SCOPE_LABEL = "oos"
TEXT_COLUMNS = ("text",)
LABEL_COLUMNS = ("label", "intent", "category")
# Fields (JSON Lines) or columns (CSV) that tag an example with a slice of the customers it
# stands for, for per-slice evaluation (training/slices.py). A JSON Lines record may also
# carry others in a "slices" object, e.g. {"slices": {"region": "north"}}.
SLICE_FIELDS = ("style", "language", "channel", "tier")


class DatasetError(ValueError):
    """A training or evaluation file that cannot be read; the message names file and line."""


@dataclass
class Dataset:
    """Parallel lists of texts and labels; `source` is the file they came from, if any,
    `lines` the 1-based line of each example in it (empty when not read from a file), and
    `tags` each example's slice tags, e.g. {"style": "sms"} (empty when the file has none)."""

    texts: list[str]
    labels: list[str]
    source: str = ""
    lines: list[int] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    _hash: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise DatasetError(f"{self.source or 'dataset'}: texts and labels differ in length")
        if self.lines and len(self.lines) != len(self.texts):
            raise DatasetError(f"{self.source or 'dataset'}: texts and line numbers differ")
        if self.tags and len(self.tags) != len(self.texts):
            raise DatasetError(f"{self.source or 'dataset'}: texts and slice tags differ")

    def tags_of(self, index: int) -> dict[str, str]:
        """The slice tags of example `index` (0-based); empty when the data carries none."""
        return self.tags[index] if self.tags else {}

    @property
    def slice_fields(self) -> list[str]:
        """The slice tag names any example carries, sorted."""
        return sorted({name for tags in self.tags for name in tags})

    def line_of(self, index: int) -> int | None:
        """The source line of example `index` (0-based), when known."""
        return self.lines[index] if self.lines else None

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
        lines = [self.lines[i] for i in keep] if self.lines else []
        tags = [self.tags[i] for i in keep] if self.tags else []
        return Dataset(
            [self.texts[i] for i in keep],
            [self.labels[i] for i in keep],
            self.source,
            lines,
            tags,
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
    slice_cols = {name: header.index(name) for name in SLICE_FIELDS if name in header}
    if text_col is None or label_col is None:
        raise DatasetError(
            f"{path}, line 1: header must name a 'text' column and one of "
            f"{', '.join(LABEL_COLUMNS)}; found {', '.join(header) or 'nothing'}"
        )
    texts: list[str] = []
    labels: list[str] = []
    line_numbers: list[int] = []
    tags: list[dict[str, str]] = []
    previous_end = reader.line_num
    for row in reader:
        # line_num is the last physical line read; a quoted text may span several.
        line = reader.line_num
        first_line, previous_end = previous_end + 1, line
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
        line_numbers.append(first_line)
        values = {name: row[col].strip() for name, col in slice_cols.items()}
        tags.append({name: value for name, value in values.items() if value})
    return Dataset(texts, labels, str(path), line_numbers, tags if slice_cols else [])


def _load_jsonl(path: Path) -> Dataset:
    texts: list[str] = []
    labels: list[str] = []
    lines: list[int] = []
    tags: list[dict[str, str]] = []
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
        lines.append(number)
        tags.append(_slice_tags(path, number, record))
    return Dataset(texts, labels, str(path), lines, tags if any(tags) else [])


def _slice_tags(path: Path, number: int, record: dict[str, Any]) -> dict[str, str]:
    extra = record.get("slices", {})
    if not isinstance(extra, dict):
        raise DatasetError(f"{path}, line {number}: 'slices' must be an object of names to values")
    tags: dict[str, str] = {}
    for name, value in [*((n, record.get(n)) for n in SLICE_FIELDS), *extra.items()]:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise DatasetError(f"{path}, line {number}: slice tag '{name}' must be a string")
        tags[str(name)] = value.strip()
    return tags


def _load_rasa_yaml(path: Path) -> Dataset:
    import yaml

    loader = yaml.SafeLoader(_read_text(path))
    try:
        # Composing first keeps each node's position, for the examples' line numbers.
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise DatasetError(
            f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    finally:
        loader.dispose()
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        raise DatasetError(f"{path}: a Rasa NLU file needs a top-level 'nlu:' list")
    first_lines = _example_first_lines(root)
    texts: list[str] = []
    labels: list[str] = []
    line_numbers: list[int] = []
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
        first_line, literal = first_lines.get(position - 1, (0, False))
        for offset, raw in enumerate(examples.splitlines()):
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("- "):
                raise DatasetError(
                    f"{path}: intent '{intent}': example '{line[:40]}' must start with '- '"
                )
            texts.append(_strip_rasa_entities(line[2:].strip()))
            labels.append(intent)
            line_numbers.append(first_line + offset if literal else first_line)
    return Dataset(texts, labels, str(path), line_numbers)


def _example_first_lines(root: Any) -> dict[int, tuple[int, bool]]:
    """Per position in the `nlu:` list, the 1-based line where its examples start and whether
    they are a literal block (`examples: |`), where each example is then one line further."""
    import yaml

    found: dict[int, tuple[int, bool]] = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    nlu = next((value for key, value in root.value if key.value == "nlu"), None)
    if not isinstance(nlu, yaml.SequenceNode):
        return found
    for position, item in enumerate(nlu.value):
        if not isinstance(item, yaml.MappingNode):
            continue
        for key, value in item.value:
            if key.value == "examples" and isinstance(value, yaml.ScalarNode):
                block = value.style in ("|", ">")
                # A block scalar's text starts on the line after its indicator; only a
                # literal one keeps one example per source line.
                found[position] = (value.start_mark.line + (2 if block else 1), value.style == "|")
    return found


def _strip_rasa_entities(example: str) -> str:
    """'[50 euros](amount)' -> '50 euros': annotations are not part of what customers type."""
    import re

    example = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", example)
    return re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", example)


def save_dataset(dataset: Dataset, path: str | Path) -> Path:
    """Write `dataset` in the format named by the extension, readable by `load_dataset`:
    CSV/TSV with columns text,intent; JSON Lines with "text" and "intent"; Rasa NLU YAML
    (version 3.1) with one block per intent, in order of first appearance."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".csv", ".tsv"):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t" if suffix == ".tsv" else ",")
            writer.writerow(["text", "intent"])
            writer.writerows(zip(dataset.texts, dataset.labels, strict=True))
    elif suffix in (".jsonl", ".json", ".ndjson"):
        path.write_text(
            "".join(
                json.dumps(
                    {"text": text, "intent": label, **_tag_fields(dataset.tags_of(index))},
                    ensure_ascii=False,
                )
                + "\n"
                for index, (text, label) in enumerate(
                    zip(dataset.texts, dataset.labels, strict=True)
                )
            ),
            encoding="utf-8",
        )
    elif suffix in (".yml", ".yaml"):
        import yaml

        by_intent: dict[str, list[str]] = {}
        for text, label in zip(dataset.texts, dataset.labels, strict=True):
            by_intent.setdefault(label, []).append(text)
        blocks = [
            {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
            for intent, texts in by_intent.items()
        ]
        path.write_text(
            yaml.dump(
                {"version": "3.1", "nlu": blocks},
                Dumper=_literal_dumper(),
                allow_unicode=True,
                sort_keys=False,
                width=10_000,
            ),
            encoding="utf-8",
        )
    else:
        raise DatasetError(f"{path}: unknown format '{suffix}'; use .csv, .jsonl or .yml")
    return path


def _tag_fields(tags: dict[str, str]) -> dict[str, Any]:
    """Slice tags as JSON Lines fields: the known ones at the top, others under "slices"."""
    fields: dict[str, Any] = {name: value for name, value in tags.items() if name in SLICE_FIELDS}
    others = {name: value for name, value in tags.items() if name not in SLICE_FIELDS}
    if others:
        fields["slices"] = others
    return fields


def _literal_dumper() -> Any:
    import yaml

    class LiteralDumper(yaml.SafeDumper):
        """Writes multi-line strings as `|` blocks, the way Rasa files list examples."""

    def represent_text(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    LiteralDumper.add_representer(str, represent_text)
    return LiteralDumper


def _check_example(path: Path, line: int, text: str, label: str) -> None:
    if not text:
        raise DatasetError(f"{path}, line {line}: empty text")
    if not label:
        raise DatasetError(f"{path}, line {line}: empty label")
