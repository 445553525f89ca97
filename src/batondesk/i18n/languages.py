"""Which language a customer is spoken to in.

The sources, strongest first (`choose_language`):
1. `choice`: the customer picked it in the widget's language menu (kept as the contact's
   preference), or the account's records say it (CRM `preferences.language`);
2. `identity`: the `locale` claim of the identity token the embedding website signed;
3. `browser`: the browser's languages (Accept-Language, `navigator.language`);
4. `detected`: the language of the customer's own messages, but only a message long enough
   for the detector to be sure (`follow_detection`), so "ok", "no" or "hola" never change
   the language a conversation is held in.
A source naming a language Baton has no catalogue for is passed over (a Japanese browser says
nothing about which of our languages suits); with no source at all, English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

from babel import Locale, UnknownLocaleError

DEFAULT_LANGUAGE = "en"
# Every fixed text the widget and the bot say exists in these (tests/i18n checks each
# catalogue is complete). Adding one: list it here, `make catalogues`, translate its .po files.
LanguageCode = Literal["en", "es", "fr", "de", "pt", "it"]
SUPPORTED_LANGUAGES: tuple[str, ...] = get_args(LanguageCode)

LanguageSource = Literal["choice", "identity", "browser", "detected", "default"]
# Sources that a message's detected language never overrides: the customer, or someone who
# knows them, said which language they want.
_DECLARED: frozenset[str] = frozenset({"choice", "identity", "browser"})

# A BCP 47 tag as browsers and CRMs write it ("es", "es-ES", "pt_BR", "zh-Hant-TW").
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$")
_MAX_ACCEPT_LANGUAGE_ENTRIES = 20


@dataclass(frozen=True)
class ConversationLanguage:
    """The language the conversation's fixed texts are in, and why."""

    language: str = DEFAULT_LANGUAGE
    source: LanguageSource = "default"

    @property
    def declared(self) -> bool:
        """Said by the customer or for them, rather than guessed from their messages."""
        return self.source in _DECLARED


def supported_language(tag: str | None) -> str | None:
    """The supported language `tag` names ("es-ES" -> "es"), or None (malformed, unknown or
    a language without catalogues)."""
    if not tag or not LANGUAGE_TAG.match(tag.strip()):
        return None
    language = re.split(r"[-_]", tag.strip())[0].lower()
    return language if language in SUPPORTED_LANGUAGES else None


def choose_language(
    *,
    choice: str | None = None,
    identity: str | None = None,
    browser: str | None = None,
) -> ConversationLanguage:
    """The strongest source that names a supported language; English otherwise."""
    sources: tuple[tuple[LanguageSource, str | None], ...] = (
        ("choice", choice),
        ("identity", identity),
        ("browser", browser),
    )
    for source, tag in sources:
        language = supported_language(tag)
        if language is not None:
            return ConversationLanguage(language, source)
    return ConversationLanguage()


def follow_detection(
    current: ConversationLanguage, detected: str, settled: bool
) -> ConversationLanguage:
    """The conversation's language after a message detected as `detected`. `settled`: the
    detector was sure enough for it to count (nlu.language.settles_language). Only a
    conversation whose language nobody declared follows its messages."""
    if current.declared or not settled:
        return current
    language = supported_language(detected)
    if language is None or language == current.language and current.source == "detected":
        return current
    return ConversationLanguage(language, "detected")


def negotiate_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most, from an Accept-Language header
    ("es-ES,es;q=0.9,en;q=0.8"); None when it names none of ours."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header.split(",")[:_MAX_ACCEPT_LANGUAGE_ENTRIES]):
        tag, _, parameters = entry.strip().partition(";")
        quality = 1.0
        match = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", parameters)
        if parameters and match is None:
            continue
        if match is not None:
            quality = float(match.group(1))
        if quality > 0:
            ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        language = supported_language(tag)
        if language is not None:
            return language
    return None


@cache
def language_names() -> dict[str, str]:
    """Each supported language's name in that language ("Español"), from CLDR via Babel:
    what a language menu shows, so each customer can find their own."""
    names: dict[str, str] = {}
    for code in SUPPORTED_LANGUAGES:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except UnknownLocaleError:
            name = code
        names[code] = name[:1].upper() + name[1:]
    return names
