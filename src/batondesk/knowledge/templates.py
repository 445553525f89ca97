"""Response templates: the account's own wording for an intent, filled from what Baton knows.

Variables are `{{contact.<field>}}` (the customer's profile: name, first_name, and CRM
attributes such as card_last4, plan, city), `{{conversation.<field>}}` and
`{{article.title}}`. `{{contact.first_name|there}}` gives a default when the field is
unknown. A template whose variable is unknown and has no default is not used (the bot falls
back to the article), so a reply never shows a blank or a raw placeholder, and never has to ask
the customer for something the profile already holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from batondesk.errors import InvalidInput

VARIABLE = re.compile(r"\{\{\s*(contact|conversation|article)\.([a-z0-9_]+)\s*(?:\|([^}]*))?\}\}")
_ANY_BRACES = re.compile(r"\{\{.*?\}\}")
MAX_TEMPLATE_CHARS = 4000


@dataclass(frozen=True)
class RenderedTemplate:
    text: str
    profile_fields: list[str] = field(default_factory=list)  # e.g. ["contact.card_last4"]


def check_template(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("template body is empty", code="empty_template")
    if len(body) > MAX_TEMPLATE_CHARS:
        raise InvalidInput(
            f"template is longer than {MAX_TEMPLATE_CHARS} characters", code="template_too_long"
        )
    stray = [m.group(0) for m in _ANY_BRACES.finditer(body) if not VARIABLE.fullmatch(m.group(0))]
    if stray:
        raise InvalidInput(
            f"unknown variable {stray[0]}: use {{{{contact.field}}}}, {{{{conversation.field}}}} "
            "or {{article.title}}",
            code="invalid_template",
        )
    return body


def render_template(body: str, values: dict[str, dict[str, Any]]) -> RenderedTemplate | None:
    """The filled template, or None when a variable without default is unknown."""
    used: list[str] = []
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        scope, name, default = match.group(1), match.group(2), match.group(3)
        value = values.get(scope, {}).get(name)
        if value is None or str(value).strip() == "":
            if default is None:
                missing.append(f"{scope}.{name}")
                return ""
            return default.strip()
        if scope == "contact" and f"contact.{name}" not in used:
            used.append(f"contact.{name}")
        return str(value)

    text = VARIABLE.sub(fill, body)
    if missing:
        return None
    return RenderedTemplate(text, used)


def fill_for_agent(body: str, values: dict[str, dict[str, Any]]) -> tuple[str, list[str]]:
    """The template filled for an agent to review before sending: an unknown variable
    without default stays as written (the agent sees what to fill in) and is listed."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        scope, name, default = match.group(1), match.group(2), match.group(3)
        value = values.get(scope, {}).get(name)
        if value is not None and str(value).strip() != "":
            return str(value)
        if default is not None:
            return default.strip()
        missing.append(f"{scope}.{name}")
        return match.group(0)

    return VARIABLE.sub(fill, body), missing
