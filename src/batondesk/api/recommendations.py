"""A contact's recommendations (staff who read conversations) and the account's
recommendation settings (admins)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from batondesk.actions.recommendations import contact_recommendations
from batondesk.actions.settings import do_update_settings
from batondesk.api.deps import Principal, ServicesDep, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.customers.recommendations.settings import SETTINGS_KEY, RecommendationSettings
from batondesk.store.models import Account

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["customers"])

Reader = Annotated[Principal, Depends(require("conversations:read"))]
Admin = Annotated[Principal, Depends(require("admin"))]


class OfferPublic(BaseModel):
    offer: str = Field(description="The offer's id in the catalogue, e.g. premium")
    name: str
    kind: str = Field(description="plan, currency_account, card, vault or account")
    source: Literal["rule", "similar_customers"] = Field(
        description="rule: the customer's own figures back it; similar_customers: customers "
        "who hold what they hold tend to have it"
    )
    rule: str | None = Field(description="The rule whose reason this is, if one fired")
    reason: str = Field(description="Why, as a person reads it")
    where: str = Field(description="Where the customer gets it")
    figures: dict[str, Any] = Field(description="The customer's own figures behind the reason")
    similar_to: list[str] = Field(description="Held offers that point at it (similar_customers)")
    score: float = Field(description="Collaborative filtering's score (0 without a model)")


class RecommendationsPublic(BaseModel):
    status: Literal["shown", "off", "no_consent", "nothing_to_offer"] = Field(
        description="shown; off (the account has recommendations off); no_consent (the "
        "customer has not agreed to marketing: nothing is recommended to them anywhere); "
        "nothing_to_offer"
    )
    offers: list[OfferPublic] = Field(description="Best first; empty unless shown")


@router.get(
    "/contacts/{contact_id}/recommendations",
    response_model=RecommendationsPublic,
    responses=error_responses(401, 403, 404),
)
def read_recommendations(
    contact_id: RowId, principal: Reader, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    """The next-best offers for the customer with the reason for each, only when the account
    has recommendations on and the customer agreed to marketing."""
    found = contact_recommendations(
        session, principal.account_id, contact_id, services.recommenders
    )
    return found.public()


@router.get(
    "/admin/settings/recommendations",
    response_model=RecommendationSettings,
    responses=error_responses(401, 403),
)
def read_recommendation_settings(principal: Admin, session: SessionDep) -> RecommendationSettings:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return RecommendationSettings.for_account(account.settings)


@router.put(
    "/admin/settings/recommendations",
    response_model=RecommendationSettings,
    responses=error_responses(401, 403, 422),
)
def update_recommendation_settings(
    body: dict[str, Any], principal: Admin, session: SessionDep
) -> RecommendationSettings:
    """Change any of: `enabled` (agents see recommendations; off by default), `offer_in_chat`
    (the bot offers one after a question it resolved, once per conversation), `shown` (how
    many agents see, 1-5). Recommendations reach only customers who agreed to marketing."""
    account = session.get(Account, principal.account_id)
    assert account is not None
    return do_update_settings(session, account, SETTINGS_KEY, RecommendationSettings, body)
