"""The message catalogues: every language has every text the code uses, with the same
placeholders, and what the product reads (.mo) is what the translators wrote (.po)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo

from batondesk.i18n import SUPPORTED_LANGUAGES, language_names, widget_texts, wording
from batondesk.i18n.catalogues import DOMAINS, LOCALES_DIR
from batondesk.i18n.maintenance import TRANSLATED, extract, po_path, read_catalog

PLACEHOLDER = re.compile(r"\{(\w*)\}")
CHAT_TEMPLATE = Path(__file__).resolve().parents[2] / "src/batondesk/web/templates/chat.html"
CATALOGUES = [(domain, language) for domain in DOMAINS for language in TRANSLATED]


def _template(domain: str) -> Catalog:
    return read_catalog(LOCALES_DIR / f"{domain}.pot")


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _key(value: object) -> object:
    """Plural ids and forms come back as lists from .mo files, as tuples from .po files."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_supported_language_but_english_has_catalogues() -> None:
    assert SUPPORTED_LANGUAGES[0] == "en"
    assert set(TRANSLATED) == {"es", "fr", "de", "pt", "it"}
    for domain, language in CATALOGUES:
        assert po_path(language, domain).exists(), (domain, language)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_lists_exactly_the_texts_the_code_uses(domain: str) -> None:
    """A text added to the code but not to the catalogues would stay English everywhere:
    `make catalogues` brings them in step."""
    in_code = _ids(extract(domain))
    assert in_code == _ids(_template(domain)), "run `make catalogues`"


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_every_catalogue_translates_every_text(domain: str, language: str) -> None:
    catalog = read_catalog(po_path(language, domain), language)
    wanted = _ids(_template(domain))
    assert _ids(catalog) == wanted
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{language}/{domain}: {message.id!r} is marked fuzzy"
        forms = _forms(message)
        assert all(form.strip() for form in forms), f"{language}/{domain}: {message.id!r}"
        expected_forms = catalog.num_plurals if message.pluralizable else 1
        assert len(forms) == expected_forms, (language, message.id)


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_translations_keep_every_placeholder(domain: str, language: str) -> None:
    """`{title}`, `{position}`...: a translation that drops, renames or adds one would show a
    customer a raw brace or fail to format."""
    catalog = read_catalog(po_path(language, domain), language)
    for message in catalog:
        if not message.id:
            continue
        originals = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_placeholders(text) for text in originals))
        for form in _forms(message):
            assert _placeholders(form) == wanted, (language, message.id, form)


@pytest.mark.parametrize(("domain", "language"), CATALOGUES)
def test_the_compiled_catalogues_match_their_sources(domain: str, language: str) -> None:
    """The product reads the committed .mo files; they must say what the .po files say."""
    source = read_catalog(po_path(language, domain), language)
    with po_path(language, domain).with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)
    written = {_key(m.id): _key(m.string) for m in source if m.id and not m.fuzzy}
    read = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert read == written, "run `make catalogues` to compile the .po files"


def test_every_text_the_chat_page_marks_for_switching_is_in_the_catalogue() -> None:
    """The chat switches language by looking up each element's English text (data-i18n*):
    one missing from the catalogue would stay English after a switch."""
    marked = set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', CHAT_TEMPLATE.read_text()))
    assert marked, "the chat page marks no text"
    missing = marked - _ids(_template("widget"))
    assert not missing, missing
    for language in TRANSLATED:
        texts = widget_texts(language)
        assert all(texts.get(text) for text in marked), language


def test_lookups_fall_back_to_english_for_other_languages() -> None:
    assert wording("nl").gettext("Something else") == "Something else"
    assert wording("es-MX").gettext("Something else") == "Otra cosa"
    assert widget_texts("ja") == {}


def test_the_language_menu_names_each_language_in_itself() -> None:
    assert language_names() == {
        "en": "English",
        "es": "Español",
        "fr": "Français",
        "de": "Deutsch",
        "pt": "Português",
        "it": "Italiano",
    }
