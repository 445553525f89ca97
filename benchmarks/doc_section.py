"""What every benchmark report shares: target status wording, percentages, and replacing its
own marked section of docs/benchmarks.md without touching the rest of the page."""

from __future__ import annotations

from pathlib import Path


def status(value: float, target: float, higher_is_better: bool = True, unit: str = "") -> str:
    """ "met", or how far the value misses the target (in points for rates, else in `unit`)."""
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    gap = (target - value) if higher_is_better else (value - target)
    if target <= 1.0:
        return f"short by {gap * 100:.2f} points"
    return f"{'short' if higher_is_better else 'over'} by {gap:.1f}{unit}"


def pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def write_section(doc: Path, start: str, end: str, lines: list[str]) -> None:
    """Put `lines` between the `start` and `end` markers of `doc`, replacing what was there, or
    append them (with the markers) when the page has no such section yet."""
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "# Benchmarks\n"
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
    print(f"wrote {doc}")


def read_notes(path: Path) -> list[str]:
    """The "- " bullets of a hand-written notes file (analysis that survives regeneration)."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line[2:] for line in lines if line.startswith("- ")]
