"""Typed custom attributes: an account defines each key once (string, number, boolean, date
or enum), and every value any source sends is checked and converted against its definition."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from batondesk.errors import InvalidInput
from batondesk.store.customer_data import AttributeType

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Keys the profile itself fills in templates: an attribute of the same name would shadow them.
RESERVED_KEYS = frozenset(
    {"name", "first_name", "email", "phone", "locale", "tier", "external_id"}
    | {"products", "last_order_id", "last_order_status", "last_order_date", "last_order_total"}
    | {"preferred_language", "formality", "verbosity", "preferred_channel"}
)
MAX_STRING_CHARS = 500
MAX_OPTIONS = 100
MAX_OPTION_CHARS = 80
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


@dataclass(frozen=True)
class AttributeSpec:
    """A definition, as plain data (what a record is checked against)."""

    key: str
    type: AttributeType
    options: tuple[str, ...] = ()


def check_definition(
    key: str, type_name: str, options: list[Any] | None
) -> tuple[str, AttributeType, list[str]]:
    """The definition's key, type and options if valid; InvalidInput naming the problem."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(
            "key must be 1-64 characters: lower-case letters, digits and _, starting with a letter",
            code="invalid_attribute_key",
        )
    if key in RESERVED_KEYS:
        raise InvalidInput(f"key {key} is reserved for the profile itself", code="reserved_key")
    try:
        kind = AttributeType(type_name)
    except ValueError:
        allowed = ", ".join(t.value for t in AttributeType)
        raise InvalidInput(
            f"type must be one of {allowed}", code="invalid_attribute_type"
        ) from None
    values = list(options or [])
    if kind is AttributeType.enum:
        if not values or len(values) > MAX_OPTIONS:
            raise InvalidInput(
                f"an enum attribute needs 1 to {MAX_OPTIONS} options", code="invalid_options"
            )
        if not all(isinstance(v, str) and 0 < len(v) <= MAX_OPTION_CHARS for v in values):
            raise InvalidInput(
                f"enum options must be strings of 1-{MAX_OPTION_CHARS} characters",
                code="invalid_options",
            )
        if len(set(values)) != len(values):
            raise InvalidInput("enum options must differ", code="invalid_options")
    elif values:
        raise InvalidInput("only enum attributes take options", code="invalid_options")
    return key, kind, values


def coerce_value(spec: AttributeSpec, value: Any) -> Any:
    """`value` as the attribute's type (text from a CSV cell is converted); None clears it.
    Raises ValueError with a message naming what was expected."""
    if value is None or value == "":
        return None
    kind = spec.type
    if kind is AttributeType.string:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("expected text")
        text = str(value)
        if len(text) > MAX_STRING_CHARS:
            raise ValueError(f"text longer than {MAX_STRING_CHARS} characters")
        return text
    if kind is AttributeType.number:
        return _number(value)
    if kind is AttributeType.boolean:
        return _boolean(value)
    if kind is AttributeType.date:
        if not isinstance(value, str):
            raise ValueError("expected a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            raise ValueError("expected a date written YYYY-MM-DD") from None
    if not isinstance(value, str) or value not in spec.options:
        raise ValueError("expected one of " + ", ".join(spec.options))
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if any(c in value for c in ".eE") else int(value.strip())
        except ValueError:
            raise ValueError("expected a number") from None
    if not isinstance(value, int | float) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        raise ValueError("expected a finite number")
    if isinstance(value, int) and abs(value) > 2**53:
        raise ValueError("number too large")
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expected true or false")
