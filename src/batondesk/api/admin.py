"""Account administration: API keys and settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from batondesk.actions.accounts import account_settings_patch, do_create_api_key
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, RowId
from batondesk.engine import DecisionPolicy
from batondesk.errors import InvalidInput
from batondesk.store.access import get_owned
from batondesk.store.base import utcnow
from batondesk.store.models import Account, ApiKey

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

Admin = Annotated[Principal, Depends(require("admin"))]
ERRORS = error_responses(401, 403, 404, 422)


def _key_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        role=key.role,
        scopes=list(key.scopes),
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


@router.get("/api-keys", response_model=list[ApiKeyPublic], responses=ERRORS)
def list_api_keys(principal: Admin, session: SessionDep) -> list[ApiKeyPublic]:
    rows = session.scalars(
        select(ApiKey).where(ApiKey.account_id == principal.account_id).order_by(ApiKey.id)
    )
    return [_key_public(k) for k in rows]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, responses=ERRORS)
def create_api_key(body: ApiKeyCreate, principal: Admin, session: SessionDep) -> ApiKeyCreated:
    """The key is in this response only; Baton stores a hash."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    key, secret = do_create_api_key(session, account, body.name, body.role, body.scopes)
    return ApiKeyCreated(**_key_public(key).model_dump(), key=secret)


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyPublic, responses=ERRORS)
def revoke_api_key(key_id: RowId, principal: Admin, session: SessionDep) -> ApiKeyPublic:
    key = get_owned(session, ApiKey, principal.account_id, key_id)
    key.revoked_at = key.revoked_at or utcnow()
    return _key_public(key)


@router.get("/settings/decision", response_model=dict[str, Any], responses=ERRORS)
def read_decision_settings(principal: Admin, session: SessionDep) -> dict[str, Any]:
    account = session.get(Account, principal.account_id)
    assert account is not None
    defaults = DecisionPolicy().__dict__
    return {**defaults, **account.settings.get("decision", {})}


@router.put("/settings/decision", response_model=dict[str, Any], responses=ERRORS)
def update_decision_settings(
    body: dict[str, float | int], principal: Admin, session: SessionDep
) -> dict[str, Any]:
    """Tune the answer / clarify / escalate thresholds of this account."""
    unknown = sorted(set(body) - set(DecisionPolicy.__dataclass_fields__))
    if unknown:
        raise InvalidInput(f"unknown settings: {', '.join(unknown)}", code="unknown_setting")
    for name, value in body.items():
        if name.endswith("threshold") and not 0 <= value <= 1:
            raise InvalidInput(f"{name} must be between 0 and 1", code="out_of_range")
    account = session.get(Account, principal.account_id)
    assert account is not None
    account_settings_patch(account, {"decision": {**account.settings.get("decision", {}), **body}})
    return {**DecisionPolicy().__dict__, **account.settings["decision"]}
