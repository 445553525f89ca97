"""Reading customer files: CSV (one contact per row) and JSON (an array of records, an object
with a `contacts` array, or JSON Lines), into raw records for `records.check_record`.

CSV columns: `external_id` (required), `name`, `email`, `phone`, `locale`, `tier`;
`preferences.language` / `.formality` / `.verbosity` / `.channel`; `consents.marketing` (and
the other purposes, true or false); `products` and `orders` as
JSON arrays in a cell; any other column is a custom attribute (`plan` or `attributes.plan`).
An empty cell leaves the stored value unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

MAX_RECORDS = 100_000
_PLAIN_FIELDS = ("external_id", "name", "email", "phone", "locale", "tier")
_JSON_CELLS = ("products", "orders")


class CustomerFileError(ValueError):
    """The file cannot be read; the message names the line and the problem."""


def read_customer_file(data: bytes, filename: str) -> list[tuple[int, Any]]:
    """(line or item number, raw record) for each contact in the file, by its extension
    (.csv, .json, .jsonl)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CustomerFileError("the file is not UTF-8 text") from None
    name = filename.lower()
    if name.endswith(".csv"):
        rows = list(_csv_records(text))
    elif name.endswith(".jsonl"):
        rows = list(_json_lines(text))
    elif name.endswith(".json"):
        rows = _json_records(text)
    else:
        raise CustomerFileError("the file must be .csv, .json or .jsonl")
    if not rows:
        raise CustomerFileError("the file holds no contacts")
    if len(rows) > MAX_RECORDS:
        raise CustomerFileError(f"the file holds more than {MAX_RECORDS} contacts; split it")
    return rows


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "external_id" not in reader.fieldnames:
        raise CustomerFileError("line 1: the CSV header must name an external_id column")
    for row in reader:
        line = reader.line_num
        if None in row:
            raise CustomerFileError(f"line {line}: more cells than header columns")
        record: dict[str, Any] = {}
        for column, cell in row.items():
            value = (cell or "").strip()
            if not value:
                continue
            if column in _PLAIN_FIELDS:
                record[column] = value
            elif column in _JSON_CELLS:
                try:
                    record[column] = json.loads(value)
                except ValueError:
                    raise CustomerFileError(f"line {line}: {column} must be a JSON array") from None
            elif column.startswith("preferences."):
                record.setdefault("preferences", {})[column.split(".", 1)[1]] = value
            elif column.startswith("consents."):
                record.setdefault("consents", {})[column.split(".", 1)[1]] = value
            else:
                key = column.removeprefix("attributes.")
                record.setdefault("attributes", {})[key] = value
        yield line, record


def _json_records(text: str) -> list[tuple[int, Any]]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CustomerFileError(f"the file is not valid JSON ({exc})") from None
    if isinstance(document, dict) and isinstance(document.get("contacts"), list):
        document = document["contacts"]
    if not isinstance(document, list):
        raise CustomerFileError('the JSON must be an array of contacts or {"contacts": [...]}')
    return [(index, item) for index, item in enumerate(document, start=1)]


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            yield line, json.loads(content)
        except ValueError:
            raise CustomerFileError(f"line {line}: not valid JSON") from None
