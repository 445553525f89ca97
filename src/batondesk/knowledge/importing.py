"""Importing articles from a folder of Markdown files, a CSV export or HTML exports.

- Markdown: optional front matter (`key: value` and `key: [a, b]` lines between `---`);
  without it the title is the first `# ` heading and the slug the file name.
- CSV: a header row with `title` and `body` (required) and any of `slug`, `intents`, `tags`,
  `locale`, `status`; list cells are separated by `;` or `|` (or commas).
- HTML: the `<title>` (or first `<h1>`) is the title; headings, paragraphs, lists and tables
  become Markdown. Scripts and styles are dropped.

Each source is checked on its own: one bad file is reported, the others are still imported,
and an article whose slug already exists is updated (a new version), never duplicated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy.orm import Session

from batondesk.errors import BatonError
from batondesk.knowledge.articles import (
    ArticleDraft,
    check_article,
    do_create_article,
    do_update_article,
    find_article_by_slug,
    slugify,
)

SUFFIXES = (".md", ".markdown", ".csv", ".html", ".htm")
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source, problem)


class ImportFormatError(ValueError):
    pass


def read_sources(path: Path) -> tuple[list[tuple[str, ArticleDraft]], list[tuple[str, str]]]:
    """Drafts (with the source each came from) and problems, from a file or a folder."""
    files = (
        sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        if path.is_dir()
        else [path]
    )
    drafts: list[tuple[str, ArticleDraft]] = []
    problems: list[tuple[str, str]] = []
    for file in files:
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise ImportFormatError(f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
            text = file.read_text(encoding="utf-8-sig")
            suffix = file.suffix.lower()
            if suffix == ".csv":
                drafts.extend((f"{file.name}:{row}", d) for row, d in parse_csv(text))
            elif suffix in (".html", ".htm"):
                drafts.append((file.name, parse_html(text, file.stem)))
            elif suffix in (".md", ".markdown"):
                drafts.append((file.name, parse_markdown(text, file.stem)))
            else:
                raise ImportFormatError("unsupported file type (use .md, .csv or .html)")
        except (ImportFormatError, UnicodeDecodeError, OSError) as exc:
            problems.append((file.name, str(exc)))
    return drafts, problems


def do_import_articles(
    session: Session,
    account_id: int,
    sources: Iterable[tuple[str, ArticleDraft]],
    *,
    author_id: int | None = None,
) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    for source, draft in sources:
        try:
            draft = check_article(draft)
            if draft.slug in seen:
                raise ImportFormatError(f"slug {draft.slug!r} appears twice in this import")
            seen.add(draft.slug)
            existing = find_article_by_slug(session, account_id, draft.slug)
            if existing is None:
                do_create_article(
                    session, account_id, draft, author_id=author_id, change="imported"
                )
                report.created.append(draft.slug)
                continue
            before = existing.version
            do_update_article(
                session, existing, dict(draft.__dict__), author_id=author_id, change="imported"
            )
            (report.updated if existing.version != before else report.unchanged).append(draft.slug)
        except (BatonError, ImportFormatError) as exc:
            report.errors.append((source, getattr(exc, "message", str(exc))))
    return report


# --- Markdown -------------------------------------------------------------------------------


def parse_markdown(text: str, stem: str) -> ArticleDraft:
    meta: dict[str, str | list[str]] = {}
    body = text.strip()
    lines = body.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise ImportFormatError("front matter is not closed with '---'")
        for number, line in enumerate(lines[1:end], start=2):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise ImportFormatError(f"line {number}: expected 'key: value'")
            value = value.strip()
            if value.startswith("[") and value.endswith("]"):
                meta[key.strip()] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
            else:
                meta[key.strip()] = _unquote(value)
        body = "\n".join(lines[end + 1 :]).strip()
    title = _text(meta.get("title"))
    if not title:
        heading = re.search(r"^#\s+(.+)$", body, flags=re.MULTILINE)
        if heading is None:
            raise ImportFormatError("no title (add 'title:' front matter or a '# ' heading)")
        title = heading.group(1).strip()
        body = (body[: heading.start()] + body[heading.end() :]).strip()
    return ArticleDraft(
        slug=_text(meta.get("slug")) or slugify(stem),
        title=title,
        body=body,
        intents=_list(meta.get("intents")),
        tags=_list(meta.get("tags")),
        locale=_text(meta.get("locale")) or "en",
        status=_text(meta.get("status")) or "published",
    )


# --- CSV ------------------------------------------------------------------------------------


def parse_csv(text: str) -> list[tuple[int, ArticleDraft]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    missing = {"title", "body"} - columns
    if missing:
        raise ImportFormatError(f"missing column(s): {', '.join(sorted(missing))}")
    drafts = []
    for row_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        drafts.append(
            (
                row_number,
                ArticleDraft(
                    slug=row.get("slug") or slugify(row["title"]),
                    title=row["title"],
                    body=row["body"],
                    intents=_split_cell(row.get("intents", "")),
                    tags=_split_cell(row.get("tags", "")),
                    locale=row.get("locale") or "en",
                    status=row.get("status") or "published",
                ),
            )
        )
    return drafts


# --- HTML -----------------------------------------------------------------------------------


class _HtmlToMarkdown(HTMLParser):
    _BLOCKS = {"p", "div", "section", "article", "br", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self.first_h1 = ""
        self._skip = 0
        self._in_title = False
        self._in_h1 = False
        self._list: list[str] = []
        self._counter: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "nav", "footer", "header"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            if tag == "h1" and not self.first_h1:
                self._in_h1 = True
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in ("ul", "ol"):
            self._list.append(tag)
            self._counter.append(0)
        elif tag == "li":
            if self._list and self._list[-1] == "ol":
                self._counter[-1] += 1
                self.out.append(f"\n{self._counter[-1]}. ")
            else:
                self.out.append("\n- ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag == "tr":
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("| ")
        elif tag in self._BLOCKS:
            self.out.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav", "footer", "header"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_h1 = False
            self.out.append("\n\n")
        elif re.fullmatch(r"h[2-6]", tag):
            self.out.append("\n\n")
        elif tag in ("ul", "ol") and self._list:
            self._list.pop()
            self._counter.pop()
            self.out.append("\n\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "tr":
            self.out.append("|")
        elif tag in ("p", "div", "table"):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        if self._in_h1:
            self.first_h1 += data
        self.out.append(re.sub(r"\s+", " ", data))


def parse_html(text: str, stem: str) -> ArticleDraft:
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    markdown = "".join(parser.out)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n[ \t]+", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    title = parser.title.strip() or parser.first_h1.strip()
    if not title:
        raise ImportFormatError("no <title> or <h1> to use as the article title")
    if parser.first_h1.strip():
        markdown = re.sub(
            r"^#\s+" + re.escape(parser.first_h1.strip()) + r"\s*", "", markdown, count=1
        ).strip()
    lang = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z-]+)", text)
    return ArticleDraft(
        slug=slugify(stem), title=title, body=markdown, locale=lang.group(1) if lang else "en"
    )


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _text(value: str | list[str] | None) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: str | list[str] | None) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if v]
    return _split_cell(value or "")


def _split_cell(cell: str) -> list[str]:
    separator = ";" if ";" in cell else "|" if "|" in cell else ","
    return [part.strip() for part in cell.split(separator) if part.strip()]
