"""Writing a dataset audit as JSON (for tools and `baton data clean --audit`) and as a
standalone HTML page (for a person). Both carry only redacted text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Rows per table in the HTML page; the JSON report lists more (dataset_audit.MAX_LISTED).
HTML_ROWS = 200


def write_json_report(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json_report(path: Path) -> dict[str, Any]:
    """An audit written by `write_json_report`; ValueError naming the file when it is not one."""
    from batondesk.training.dataset_audit import REPORT_FORMAT

    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a JSON audit report ({exc})") from None
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        raise ValueError(f"{path}: not a dataset audit report (format {REPORT_FORMAT})")
    return report


def render_html(report: dict[str, Any]) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    summary = report["summary"]
    cards = [
        ("conflicting texts", summary["conflicting_texts"]),
        ("likely mislabels", summary["likely_mislabels"]),
        ("exact duplicate copies", summary["exact_duplicate_rows"]),
        ("near-duplicate pairs across intents", summary["near_duplicate_pairs_across_intents"]),
        ("intent pairs too close", summary["confusable_intent_pairs"]),
        ("under-represented intents", summary["under_represented_intents"]),
        ("examples with personal data", summary["rows_with_personal_data"]),
        ("length outliers", summary["length_outliers"]),
        ("examples in another language", summary["other_language_rows"]),
    ]
    return environment.get_template("dataset_audit.html").render(
        report=report,
        s=summary,
        settings=report["settings"],
        file_name=Path(report["file"]).name or "dataset",
        cards=cards,
        limit=HTML_ROWS,
        max_count=max(report["intents"]["counts"].values()),
    )


def write_html_report(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
