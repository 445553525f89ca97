"""Per-account settings (escalation, answering): one way to change them.

Each group is a Pydantic model stored as a partial dict of overrides in `Account.settings`, so
a new default reaches every account that did not override it. A change is validated whole
(types and ranges) before anything is stored: a bad value is refused with a message naming
it, and the account keeps working with what it had.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from batondesk.actions.accounts import account_settings_patch
from batondesk.actions.events import notify_channel
from batondesk.errors import InvalidInput
from batondesk.store.models import Account

Group = TypeVar("Group", bound=BaseModel)


def do_update_settings(
    session: Session,
    account: Account,
    key: str,
    model: type[Group],
    changes: dict[str, Any],
    *,
    announce_on: str | None = None,
) -> Group:
    """Merge `changes` into the account's overrides of the `key` group and return the result.
    With `announce_on`, a `{key}.settings_changed` notification goes to that channel once the
    change is committed, so open pages (the chat widget) pick it up without reloading."""
    if not isinstance(changes, dict):
        raise InvalidInput(f"{key} settings must be a JSON object", code="invalid_setting")
    overrides = {**account.settings.get(key, {}), **changes}
    try:
        settings = model.model_validate(overrides)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(f"invalid {key} settings: {problems}", code="invalid_setting") from None
    account_settings_patch(account, {key: settings.model_dump(mode="json", include=set(overrides))})
    session.flush()
    if announce_on is not None:
        notify_channel(session, announce_on, {"type": f"{key}.settings_changed"})
    return settings
