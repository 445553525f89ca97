"""Account administration: API keys and settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from batondesk.actions.accounts import do_create_api_key
from batondesk.actions.settings import do_update_settings
from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, RowId
from batondesk.api.widget_settings import SETTINGS_KEY as WIDGET_KEY
from batondesk.api.widget_settings import WidgetSettings
from batondesk.attachments.settings import SETTINGS_KEY as ATTACHMENTS_KEY
from batondesk.attachments.settings import AttachmentSettings
from batondesk.engine.settings import SETTINGS_KEY, AnsweringSettings
from batondesk.reports.settings import COSTS_KEY, REVIEWS_KEY, CostSettings, ReviewSettings
from batondesk.store.access import get_owned
from batondesk.store.base import utcnow
from batondesk.store.models import Account, ApiKey

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1/admin", tags=["admin"])

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


@router.get("/settings/answering", response_model=AnsweringSettings, responses=ERRORS)
def read_answering_settings(principal: Admin, session: SessionDep) -> AnsweringSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return AnsweringSettings.for_account(account.settings)


@router.put("/settings/answering", response_model=AnsweringSettings, responses=ERRORS)
def update_answering_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> AnsweringSettings:
    """Change how the bot answers (partial update): `max_wrong_rate`, the largest share of its
    answers that may be wrong (lower: fewer, safer answers and more clarifying questions);
    `max_choices` and `choice_floor` for the quick replies it offers; `scope`, how it
    describes what it can help with."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, SETTINGS_KEY, AnsweringSettings, body)


@router.get("/settings/costs", response_model=CostSettings, responses=ERRORS)
def read_cost_settings(principal: Admin, session: SessionDep) -> CostSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return CostSettings.for_account(account.settings)


@router.put("/settings/costs", response_model=CostSettings, responses=ERRORS)
def update_cost_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> CostSettings:
    """Change the cost model the reports use (partial update): `currency` (ISO 4217),
    `agent_cost_per_hour`, `ai_cost_per_bot_message`, `ai_cost_per_1k_tokens`,
    `fixed_cost_per_conversation`. Amounts are in the currency, never negative. It applies to
    every report, past periods too."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, COSTS_KEY, CostSettings, body)


@router.get("/settings/answer-reviews", response_model=ReviewSettings, responses=ERRORS)
def read_review_settings(principal: Admin, session: SessionDep) -> ReviewSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return ReviewSettings.for_account(account.settings)


@router.put("/settings/answer-reviews", response_model=ReviewSettings, responses=ERRORS)
def update_review_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> ReviewSettings:
    """Change `sample_share`, the share of the bot's answers drawn into the random review
    sample (more than 0, at most 1). Answers already reviewed keep their verdicts; which
    answers are in the sample changes with the share."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, REVIEWS_KEY, ReviewSettings, body)


@router.get("/settings/attachments", response_model=AttachmentSettings, responses=ERRORS)
def read_attachment_settings(principal: Admin, session: SessionDep) -> AttachmentSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return AttachmentSettings.for_account(account.settings)


@router.put("/settings/attachments", response_model=AttachmentSettings, responses=ERRORS)
def update_attachment_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> AttachmentSettings:
    """Change `max_bytes`, the largest file customers and agents may attach (10 MB by
    default, at most 25 MB; a bad value is refused with 422 `invalid_setting`)."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, ATTACHMENTS_KEY, AttachmentSettings, body)


@router.get("/settings/widget", response_model=WidgetSettings, responses=ERRORS)
def read_widget_settings(principal: Admin, session: SessionDep) -> WidgetSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return WidgetSettings.for_account(account.settings)


@router.put("/settings/widget", response_model=WidgetSettings, responses=ERRORS)
def update_widget_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> WidgetSettings:
    """Change the chat widget (partial update; a bad value is refused with 422
    `invalid_setting` naming it, and nothing changes): `brand_color` (hex, e.g. `#1d4ed8`),
    `greeting` (at most 500 characters), `position` (`right` or `left`), `closed_message`
    (shown outside office hours), `suggested_topics` (up to 6 questions offered as buttons),
    `privacy_policy_url` (an http(s) address), `consent_required`, `prechat_form` (`off`,
    `optional`, `required`), `email_follow_up` and `follow_up_after_minutes`, and
    `allowed_origins`: the websites (`https://shop.example.com`, `https://*.example.com`)
    that may show the chat widget (empty: any website; applies to the next page load).
    Open chats pick the change up at once."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(
        session, account, WIDGET_KEY, WidgetSettings, body, announce_on=f"widget:{account.id}"
    )
