"""The message catalogues: every fixed text of the widget and of the bot, per language.

Two gettext domains, compiled by Babel from `locales/<language>/LC_MESSAGES/<domain>.po`:
- `widget`: what the chat shows around the conversation (buttons, banners, the AI disclosure,
  the privacy notice, the pre-chat form, the rating, errors), sent to the browser as a
  dictionary (`widget_texts`) and used by the chat page's template;
- `bot`: what the bot says in messages (clarifying questions, declines, small talk, the
  hand-over notices).
The English texts are the message ids themselves, so English needs no catalogue and a
missing translation falls back to English rather than to nothing. Texts carry named
`{placeholders}`, filled after translation, so a translation may reorder them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.support import NullTranslations, Translations

from batondesk.i18n.languages import DEFAULT_LANGUAGE, supported_language

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAINS = ("widget", "bot")


class Wording:
    """The fixed texts of one domain in one language."""

    def __init__(self, language: str, translations: NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str, **values: Any) -> str:
        """`message` (the English text) in this language, its `{placeholders}` filled."""
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The form for `count` (languages differ in how many forms they have)."""
        text = self._translations.ngettext(singular, plural, count)
        return text.format(**values) if values else text


@cache
def wording(language: str | None, domain: str = "bot") -> Wording:
    """The domain's texts in `language` (a supported language; anything else is English).
    Loaded once per process from the compiled catalogue."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown message domain {domain!r}")
    code = supported_language(language) or DEFAULT_LANGUAGE
    if code == DEFAULT_LANGUAGE:
        return Wording(code, NullTranslations())
    loaded = Translations.load(str(LOCALES_DIR), [code], domain)
    return Wording(code, loaded)


@cache
def widget_texts(language: str) -> dict[str, str]:
    """The chat's texts in `language`, English text -> translation, for the browser (the
    English texts are their own ids, so for English this is empty)."""
    code = supported_language(language) or DEFAULT_LANGUAGE
    if code == DEFAULT_LANGUAGE:
        return {}
    path = LOCALES_DIR / code / "LC_MESSAGES" / "widget.mo"
    with path.open("rb") as compiled:
        catalog = read_mo(compiled)
    return {
        message.id: message.string
        for message in catalog
        if message.id
        and isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.string
    }
