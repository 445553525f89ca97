"""Field mapping: how an item of a CRM's API becomes a customer record.

A mapping names, for each record field, the path of the value in the CRM's item: dot-separated
keys and list positions, e.g. ``{"external_id": "id", "name": "properties.full_name",
"email": "emails.0.address", "attributes.plan": "subscription.plan",
"preferences.language": "settings.lang", "orders": "recent_orders"}``. A path the item lacks
leaves the field out (unchanged); the record is then checked like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TARGET = re.compile(
    r"(external_id|name|email|phone|locale|tier|products|orders|preferences"
    r"|preferences\.(language|formality|verbosity|channel)|attributes\.[a-z][a-z0-9_]{0,63}"
    r"|consents\.[a-z_]{1,40})"
)
PATH = re.compile(r"[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+){0,9}")
MAX_FIELDS = 100
# What `value_at` returns for a path the item lacks (None is a value: null).
MISSING = object()


def check_mapping(mapping: Any) -> dict[str, str]:
    """The mapping if every target is a record field and every source a path; ValueError
    naming the first problem. `external_id` must be mapped."""
    if not isinstance(mapping, Mapping) or not mapping:
        raise ValueError("mapping must be an object of record field -> source path")
    if len(mapping) > MAX_FIELDS:
        raise ValueError(f"mapping may name at most {MAX_FIELDS} fields")
    for target, source in mapping.items():
        if not isinstance(target, str) or not TARGET.fullmatch(target):
            raise ValueError(
                f"mapping target {str(target)[:80]!r} is not a record field (external_id, name, "
                "email, phone, locale, tier, products, orders, preferences[.name], "
                "attributes.<key>, consents.<purpose>)"
            )
        if not isinstance(source, str) or not PATH.fullmatch(source):
            raise ValueError(f"mapping source for {target} must be a dot path such as a.b.0")
    if "external_id" not in mapping:
        raise ValueError("mapping must map external_id")
    return dict(mapping)


def value_at(item: Any, path: str) -> Any:
    """The value at a dot path, or `MISSING`."""
    current = item
    for step in path.split("."):
        if isinstance(current, Mapping) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return MISSING
    return current


def map_item(item: Any, mapping: Mapping[str, str]) -> dict[str, Any]:
    """The raw customer record for one CRM item (checked afterwards by `check_record`)."""
    record: dict[str, Any] = {}
    for target, source in mapping.items():
        value = value_at(item, source)
        if value is MISSING:
            continue
        if (
            target == "external_id"
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            value = str(value)  # CRMs number their records; Baton compares ids as text
        head, _, rest = target.partition(".")
        if rest:
            record.setdefault(head, {})[rest] = value
        else:
            record[target] = value
    return record
