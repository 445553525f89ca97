"""The language a conversation is held in (batondesk.i18n.languages has the rule): set when
the chat starts, changed by the customer's pick in the language menu, and by their own
messages while nobody declared one."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.i18n import ConversationLanguage, LanguageSource, choose_language
from batondesk.store.models import Contact, Conversation, CustomerProfile


def stored_preference(session: Session, contact: Contact) -> str | None:
    """The language the customer picked in the chat before, else the one the account's
    records give (CRM `preferences.language`)."""
    if contact.preferred_language:
        return contact.preferred_language
    profile = session.scalars(
        select(CustomerProfile).where(
            CustomerProfile.account_id == contact.account_id,
            CustomerProfile.contact_id == contact.id,
        )
    ).first()
    preferences: dict[str, Any] = (profile.preferences or {}) if profile is not None else {}
    language = preferences.get("language")
    return language if isinstance(language, str) else None


def do_set_starting_language(
    session: Session,
    conversation: Conversation,
    contact: Contact,
    *,
    choice: str | None,
    identity: str | None,
    browser: str | None,
) -> ConversationLanguage:
    """A new conversation's language, from the strongest hint there is. A `choice` made in
    the chat before it started is also kept as the contact's preference."""
    if choice:
        contact.preferred_language = choice
    language = choose_language(
        choice=choice or stored_preference(session, contact), identity=identity, browser=browser
    )
    # Stored even when nothing is known ("default"), so the customer's messages may settle it.
    _store(conversation, language)
    session.flush()
    return language


def conversation_language(session: Session, conversation: Conversation) -> ConversationLanguage:
    """The conversation's language as stored; for a conversation older than the column, the
    contact's choice or browser language, as it was read before."""
    if conversation.language and conversation.language_source:
        source = cast(LanguageSource, conversation.language_source or "browser")
        return ConversationLanguage(conversation.language, source)
    contact = session.get(Contact, conversation.contact_id)
    if contact is None:
        return ConversationLanguage()
    return choose_language(choice=stored_preference(session, contact), browser=contact.locale)


def do_choose_language(
    session: Session, conversation: Conversation, language: str
) -> ConversationLanguage:
    """The customer picked `language` (a supported one) in the chat's menu: the chat and the
    bot speak it from now on, here and in the contact's later conversations."""
    contact = session.get(Contact, conversation.contact_id)
    assert contact is not None
    contact.preferred_language = language
    chosen = ConversationLanguage(language, "choice")
    _store(conversation, chosen)
    session.flush()
    return chosen


def do_follow_turn_language(conversation: Conversation, language: ConversationLanguage) -> None:
    """Keep what the bot's turn decided (a message may settle an undeclared language)."""
    if (conversation.language, conversation.language_source) != (
        language.language,
        language.source,
    ):
        _store(conversation, language)


def _store(conversation: Conversation, language: ConversationLanguage) -> None:
    conversation.language = language.language
    conversation.language_source = language.source
