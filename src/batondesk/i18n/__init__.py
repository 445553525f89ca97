"""The customer's language: which languages Baton speaks, how the customer's is chosen, and
the message catalogues (gettext, compiled by Babel) that hold every fixed text in each.

The lowest layer beside `config`: it knows no database, no HTTP and no model.
"""

from batondesk.i18n.catalogues import Wording, widget_texts, wording
from batondesk.i18n.languages import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    ConversationLanguage,
    LanguageCode,
    LanguageSource,
    choose_language,
    follow_detection,
    language_names,
    negotiate_accept_language,
    supported_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "SUPPORTED_LANGUAGES",
    "ConversationLanguage",
    "LanguageCode",
    "LanguageSource",
    "Wording",
    "choose_language",
    "follow_detection",
    "language_names",
    "negotiate_accept_language",
    "supported_language",
    "widget_texts",
    "wording",
]
