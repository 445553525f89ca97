"""Reading the labelled files measurements run on (JSON Lines, one record per line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def json_lines(path: Path, error: type[ValueError]) -> Iterator[tuple[str, Any]]:
    """(`file:line`, record) for each non-blank line; raises `error` naming the line when one
    is not JSON."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{path.name}:{number}", json.loads(line)
        except json.JSONDecodeError as problem:
            raise error(f"{path.name}:{number}: not JSON ({problem.msg})") from None
