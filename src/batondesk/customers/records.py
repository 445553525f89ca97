"""The customer record: what every source of customer data sends about one contact (a row of
an imported file, an item of a CRM's API, a CRM webhook), checked whole before anything is
stored. A field left out is left unchanged; `null` clears it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from batondesk.customers.attributes import AttributeSpec, coerce_value
from batondesk.store.privacy import CONSENT_PURPOSES

# Consents a customer gives the business, which its CRM may hold (not `chat`: the chat widget
# asks for that one itself).
CRM_CONSENTS = frozenset(CONSENT_PURPOSES - {"chat"})

MAX_PRODUCTS = 200
MAX_ORDERS = 500

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Language = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Product(_Record):
    """A product or account the customer holds."""

    name: ShortText
    id: Annotated[str, StringConstraints(max_length=120)] | None = None
    status: Code | None = None
    since: dt.date | None = None


# Kinds of order the bot answers from (engine/account_answers.py); others are kept and shown.
ORDER_KINDS = (
    "order",  # something bought and delivered
    "card",  # a payment card sent to the customer
    "card_payment",
    "transfer",  # money sent out
    "top_up",  # money added to the account
    "cash_withdrawal",
    "direct_debit",
    "refund",
    "fee",  # a charge by the account itself (`charged_for` says on what)
)


class Order(_Record):
    """An order or transaction. `total` is signed for transactions: negative is money out."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    date: dt.date | None = None
    status: Code | None = None
    total: float | None = Field(default=None, allow_inf_nan=False)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    items: list[ShortText] = Field(default_factory=list, max_length=50)
    kind: Code | None = Field(default=None, description="one of ORDER_KINDS, or the CRM's own")
    description: ShortText | None = Field(default=None, description="merchant, payee or item")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        default=None, description="why it was declined, failed, reverted or charged"
    )
    expected_by: dt.date | None = Field(default=None, description="when it should arrive")
    card_last4: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None = None
    charged_for: Code | None = Field(default=None, description="a fee's kind of transaction")
    channel: Code | None = Field(
        default=None, description="how a card was used: online, in_store, contactless, atm"
    )


class Preferences(_Record):
    """How the customer likes to be answered."""

    language: Language | None = None
    formality: Literal["formal", "informal"] | None = None
    verbosity: Literal["brief", "detailed"] | None = None
    channel: Literal["chat", "email", "phone", "sms"] | None = None


class CustomerRecord(_Record):
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    name: ShortText | None = None
    email: (
        Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    locale: Language | None = None
    tier: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,20}$")] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    products: list[Product] | None = Field(default=None, max_length=MAX_PRODUCTS)
    orders: list[Order] | None = Field(default=None, max_length=MAX_ORDERS)
    preferences: Preferences | None = None
    # Purpose -> the customer's answer (privacy/consent.py), e.g. {"marketing": true}; a CSV
    # cell may say true / false, yes / no, 1 / 0.
    consents: dict[str, bool] = Field(default_factory=dict)

    def given(self, field: str) -> bool:
        """Whether the source sent this field (left out: keep what is stored)."""
        return field in self.model_fields_set


class RecordError(ValueError):
    """A record that cannot be stored; the message names the field and the problem."""


def check_record(raw: Any, specs: Mapping[str, AttributeSpec]) -> CustomerRecord:
    """The record, with attribute values converted to their defined types."""
    if not isinstance(raw, Mapping):
        raise RecordError("a customer record must be a JSON object")
    try:
        record = CustomerRecord.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise RecordError(f"{where}: {first['msg']}") from None
    for purpose in record.consents:
        if purpose not in CRM_CONSENTS:
            allowed = ", ".join(sorted(CRM_CONSENTS))
            raise RecordError(f"consents.{purpose}: not a consent purpose (one of {allowed})")
    converted: dict[str, Any] = {}
    for key, value in record.attributes.items():
        spec = specs.get(key)
        if spec is None:
            raise RecordError(f"attributes.{key}: no such attribute is defined in this account")
        try:
            converted[key] = coerce_value(spec, value)
        except ValueError as exc:
            raise RecordError(f"attributes.{key}: {exc}") from None
    record.attributes = converted
    return record
