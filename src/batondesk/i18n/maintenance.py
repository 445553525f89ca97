"""Keeping the catalogues in step with the code (`baton i18n update`, `make catalogues`).

`extract` reads every text marked for translation where each domain's texts live: in Python
`wording.gettext("...")` / `.ngettext(...)`, in the chat page's template `_("...")`, in the
chat's scripts `t("...")`. `update` writes the template (`locales/<domain>.pot`), merges it
into each language's `.po` (new texts arrive empty, for a translator) and compiles the `.mo`
files the product reads. The compiled files are committed, so a fresh clone works without
this step; tests/i18n checks they match their `.po`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract as extract_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from batondesk.i18n.catalogues import DOMAINS, LOCALES_DIR
from batondesk.i18n.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Where each domain's texts are marked, relative to the batondesk package, and how to read
# each file.
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "widget": (
        ("web/templates/chat.html", "jinja2.ext:babel_extract"),
        ("web/static/widget/chat.js", "javascript"),
        ("web/static/widget/chat-settings.js", "javascript"),
        ("api/widget_config.py", "python"),
    ),
    "bot": (
        ("engine/response.py", "python"),
        ("engine/account_answers.py", "python"),
        ("engine/turn.py", "python"),
        ("handoff/next_steps.py", "python"),
        ("customers/recommendations/wording.py", "python"),
    ),
}
# `fixedText(tag, className, text)` in chat.js makes an element showing a fixed text.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "fixedText": (3,)}
HEADER = """\
# Baton's {domain} texts{language}.
# The English texts are the message ids. Update with `make catalogues` (baton i18n update).
# This file is distributed under the same license as Baton (Apache-2.0).
#"""
TRANSLATED = tuple(language for language in SUPPORTED_LANGUAGES if language != DEFAULT_LANGUAGE)


def extract(domain: str) -> Catalog:
    """Every text of `domain` as the code has it now."""
    catalog = _catalog(domain)
    for relative, method in SOURCES[domain]:
        with (PACKAGE_DIR / relative).open("rb") as source:
            for line, message, comments, context in extract_file(
                method, source, keywords=KEYWORDS, comment_tags=("Translators:",)
            ):
                catalog.add(
                    message, None, [(relative, line)], auto_comments=comments, context=context
                )
    return catalog


def _catalog(domain: str, language: str | None = None) -> Catalog:
    catalog = Catalog(
        locale=language,
        domain=domain,
        project="Baton",
        msgid_bugs_address="",
        fuzzy=False,
        header_comment=HEADER.format(domain=domain, language=f" in {language}" if language else ""),
    )
    return catalog


def po_path(language: str, domain: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes for a catalogue (fuzzy entries are left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _write_po(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # No line numbers: moving code must not rewrite every catalogue.
    write_po(buffer, catalog, width=96, include_lineno=False, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def update(languages: Iterable[str] = TRANSLATED) -> list[Path]:
    """Re-extract every domain, merge into each language's catalogue and compile; returns the
    files written."""
    written: list[Path] = []
    for domain in DOMAINS:
        template = extract(domain)
        template_path = LOCALES_DIR / f"{domain}.pot"
        _write_po(template_path, template)
        written.append(template_path)
        for language in languages:
            path = po_path(language, domain)
            if path.exists():
                catalog = read_catalog(path, language)
                catalog.update(template, update_header_comment=False)
            else:
                catalog = _catalog(domain, language)
                catalog.update(template)
            _write_po(path, catalog)
            mo = path.with_suffix(".mo")
            mo.write_bytes(compiled(catalog))
            written += [path, mo]
    return written
