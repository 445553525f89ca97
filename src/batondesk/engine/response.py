"""The words the customer sees, with the sources cited.

An answer to a verified customer whose account decides it opens with their own facts
(engine/account_answers.py: "your card ending 4242 was posted on 3 November ..."), then gives
the general rule, which is, in order of preference:
1. the account's template for the intent, filled from the customer's profile (the reply
   records which profile fields it used), when every variable it needs is known;
2. a generated phrasing of the retrieved passages (only with an LLM configured, and only if
   every claim in it is supported by those passages);
3. the article's own words: its opening, plus the whole section that best matches the
   question. Blocks (paragraphs, lists, tables) are kept whole, so a list of steps never loses
   its last step, and nothing is said twice. A customer whose profile asks for `brief`
   replies gets only the part that matches (or the opening), a few sentences; one who asks
   for `detailed` replies gets the whole article.
Clarifying questions list their choices in the text too, for channels without buttons.
Every fixed text (the citation line, clarifying questions, declines, small talk) comes from
the `bot` message catalogue in the customer's language (batondesk.i18n); the article's own
words stay as the account wrote them.
Nothing here touches the database or the network except through the writer it is given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from batondesk.engine.account_answers import AccountFact
from batondesk.i18n import Wording
from batondesk.i18n import wording as bot_wording
from batondesk.knowledge.chunking import split_sections
from batondesk.knowledge.retrieval import IndexedArticle
from batondesk.knowledge.templates import render_template

# An article this short is the answer, whole.
_WHOLE_ARTICLE_CHARS = 900
# Beyond its first block, the opening and the matching section are cut (between blocks) here.
_OPENING_CHARS = 450
_SECTION_CHARS = 800
# A brief reply: the best-matching part's first blocks up to here (the first block always).
_BRIEF_CHARS = 300
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


@dataclass(frozen=True)
class Reply:
    text: str
    sources: list[dict[str, object]] = field(default_factory=list)
    mode: str = "notice"  # template / generated / extractive / clarify / decline / smalltalk
    profile_fields: list[str] = field(default_factory=list)  # e.g. ["contact.card_last4"]
    details: dict[str, Any] = field(default_factory=dict)  # scores and outcomes, never text


class GeneratedText(Protocol):
    text: str | None
    outcome: str


class AnswerWriter(Protocol):
    """What the responder needs of an LLM (knowledge.llm.GroundedWriter fits)."""

    def answer(self, question: str, passages: list[str]) -> GeneratedText: ...


def source_of(article: IndexedArticle) -> dict[str, object]:
    return {"article_id": article.id, "slug": article.slug, "title": article.title}


def compose_answer(
    article: IndexedArticle,
    *,
    question: str = "",
    passages: Sequence[str] = (),
    best_heading: str = "",
    template: str | None = None,
    profile: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
    writer: AnswerWriter | None = None,
    wording: Wording | None = None,
    verbosity: str | None = None,
    account: AccountFact | None = None,
) -> Reply:
    """An answer from `article` that cites it. `passages` are retrieval's best passages of the
    article (best first, for an LLM); `best_heading` the section they come from. `wording`:
    the customer's language for the citation line (English when not given). `verbosity`:
    the customer's preference, `brief` or `detailed` (None: the usual length). `account`:
    the customer's own facts, stated first (their fields join the reply's `profile_fields`)."""
    reply = _general_answer(
        article,
        question=question,
        passages=passages,
        best_heading=best_heading,
        template=template,
        profile=profile,
        conversation=conversation,
        writer=writer,
        wording=wording,
        verbosity=verbosity,
    )
    if account is None:
        return reply
    return Reply(
        f"{account.text}\n\n{reply.text}",
        reply.sources,
        reply.mode,
        [*reply.profile_fields, *account.fields],
        {**reply.details, "account_fact": account.kind},
    )


def _general_answer(
    article: IndexedArticle,
    *,
    question: str,
    passages: Sequence[str],
    best_heading: str,
    template: str | None,
    profile: dict[str, Any] | None,
    conversation: dict[str, Any] | None,
    writer: AnswerWriter | None,
    wording: Wording | None,
    verbosity: str | None,
) -> Reply:
    source = source_of(article)
    cite = citation(article, wording or bot_wording(None))
    details: dict[str, Any] = {}
    if template:
        rendered = render_template(
            template,
            {
                "contact": profile or {},
                "conversation": conversation or {},
                "article": {"title": article.title},
            },
        )
        if rendered is not None:
            return Reply(rendered.text + cite, [source], "template", rendered.profile_fields)
        details["template"] = "skipped_unknown_variable"
    if writer is not None and question:
        generated = writer.answer(question, list(passages) or [extract_answer(article.body)])
        details["llm"] = generated.outcome
        # Paid for whether or not the phrasing is used; writers that do not count report 0.
        details["llm_tokens"] = int(getattr(generated, "tokens", 0) or 0)
        if generated.text:
            return Reply(generated.text + cite, [source], "generated", details=details)
    if verbosity in ("brief", "detailed"):
        details["verbosity"] = verbosity
    text = extract_answer(article.body, best_heading, verbosity)
    return Reply(text + cite, [source], "extractive", details=details)


def mention_earlier_question(reply: Reply, day: str, wording: Wording) -> Reply:
    """`reply`, opening with the customer's earlier question on the same thing (`day` as the
    customer's language writes it): back again, they are not answered as a stranger."""
    seen = wording.gettext("I can see you asked us about this on {day}.", day=day)
    return replace(reply, text=f"{seen} {reply.text}")


def extract_answer(markdown: str, best_heading: str = "", verbosity: str | None = None) -> str:
    """The article's opening plus the section headed `best_heading`, in whole blocks; for a
    `brief` reply only the first blocks of that section (or of the opening), for a `detailed`
    one the whole article."""
    body = _LINK.sub(r"\1", markdown.strip())
    sections = split_sections(body)
    if verbosity == "brief":
        return _brief(sections, best_heading)
    if verbosity == "detailed" or len(body) <= _WHOLE_ARTICLE_CHARS:
        return "\n\n".join(_section_text(h, text) for h, text in sections)
    chosen: list[str] = []
    opening = next((text for heading, text in sections if not heading), "")
    if opening:
        chosen.extend(_blocks_within(_blocks(opening), _OPENING_CHARS))
    for heading, text in sections:
        if heading and heading == best_heading:
            blocks = [b for b in _blocks(text) if b not in chosen]
            if blocks:
                chosen.append(f"**{heading}**")
                chosen.extend(_blocks_within(blocks, _SECTION_CHARS))
            break
    if not chosen:  # no opening and no matching section: the first section stands in
        heading, text = sections[0]
        chosen = [f"**{heading}**", *_blocks_within(_blocks(text), _SECTION_CHARS)]
    return "\n\n".join(chosen)


def _brief(sections: list[tuple[str, str]], best_heading: str) -> str:
    """The part that answers the question, cut short: the matching section's first blocks,
    else the opening's, else the first section's."""
    matching = next((s for s in sections if best_heading and s[0] == best_heading), None)
    opening = next((s for s in sections if not s[0]), None)
    heading, text = matching or opening or sections[0]
    blocks = _blocks_within(_blocks(text), _BRIEF_CHARS)
    return "\n\n".join([f"**{heading}**", *blocks] if heading else blocks)


def _section_text(heading: str, text: str) -> str:
    return f"**{heading}**\n\n{text}" if heading else text


def _blocks(markdown: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", markdown) if block.strip()]


def _blocks_within(blocks: list[str], limit: int) -> list[str]:
    """The first block always; then whole blocks while they fit in `limit` characters."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        if kept and used + len(block) > limit:
            break
        kept.append(block)
        used += len(block)
    return kept


def clarifying_question(titles: Sequence[str], wording: Wording) -> str:
    """Asks which of the offered articles the customer means, numbered for typed replies."""
    if len(titles) == 1:
        return wording.gettext(
            "Do you mean “{title}”? You can also tell me more in your own words.", title=titles[0]
        )
    numbered = "\n".join(f"{number}. {title}" for number, title in enumerate(titles, 1))
    return wording.gettext(
        "I want to be sure I help with the right thing. Which of these is it?\n\n"
        "{choices}\n\nOr tell me more in your own words.",
        choices=numbered,
    )


def something_else(wording: Wording) -> str:
    """The label of the quick reply that says none of the offered articles is it."""
    return wording.gettext("Something else")


def ask_for_detail(wording: Wording) -> str:
    return wording.gettext(
        "Sorry, I'm not sure I understood. Could you tell me a little more about what you "
        "need? You can also ask to talk to a person at any time."
    )


def ask_again_after_none(wording: Wording) -> str:
    return wording.gettext(
        "No problem. Could you describe what you need in a sentence or two? You can also ask "
        "to talk to a person at any time."
    )


def decline_text(scope: str, wording: Wording) -> str:
    """An honest "not here" for a question outside what the desk handles."""
    return wording.gettext(
        "Sorry, that's not something I can help with here. I can help with {scope}. If you'd "
        "like a person to look at it, just say so.",
        scope=scope,
    )


def decline_with_article(article: IndexedArticle, passage: str, wording: Wording) -> Reply:
    """The account's own words on what it does not offer (e.g. "We don't offer mortgages")."""
    offer = wording.gettext(
        "If there's anything else I can help with, just ask, or ask to talk to a person."
    )
    text = f"{passage.strip()}\n\n{offer}{citation(article, wording)}"
    return Reply(text, [source_of(article)], "decline")


def smalltalk_reply(kind: str, wording: Wording) -> str:
    """The friendly word back to a greeting, thanks or goodbye (engine/smalltalk.py)."""
    if kind == "greeting":
        return wording.gettext("Hello! How can I help you today?")
    if kind == "thanks":
        return wording.gettext("You're welcome! Is there anything else I can help with?")
    return wording.gettext("Thanks for getting in touch. Have a good day!")


def citation(article: IndexedArticle, wording: Wording) -> str:
    """The line that ends every reply drawn from an article, naming it."""
    return "\n\n" + wording.gettext("Source: {title}", title=article.title)
