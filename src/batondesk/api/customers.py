"""Customer data: the account's typed attributes (admins), importing customer records from
a file or a JSON body (admins), and a contact's profile (staff who read conversations)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from batondesk.actions.customer_data import (
    check_records,
    do_apply_records,
    do_define_attribute,
    do_import_customers,
)
from batondesk.api.deps import Principal, SessionDep, control_character_problem, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowId
from batondesk.errors import InvalidInput, TooLarge
from batondesk.privacy.audit import record_audit
from batondesk.store.access import get_contact, get_owned
from batondesk.store.models import AttributeDefinition, AttributeType, CustomerProfile

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_IMPORT_REQUEST_BYTES = MAX_FILE_BYTES + 256 * 1024
MAX_BODY_RECORDS = 500

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["customers"])

Admin = Annotated[Principal, Depends(require("admin"))]
Reader = Annotated[Principal, Depends(require("conversations:read"))]
ERRORS = error_responses(401, 403, 404, 422)


class AttributeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=64, description="lower_snake_case; used as {{contact.<key>}}")
    label: str = Field(default="", max_length=120)
    type: AttributeType
    options: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=100, description="The allowed values of an enum"
    )


class AttributePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    label: str
    type: AttributeType
    options: list[str]
    created_at: datetime


class CustomerRecordsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BODY_RECORDS,
        description="Customer records (docs/integrations.md#customer-records); fields left out "
        "stay as stored",
    )


class RecordsAppliedPublic(BaseModel):
    created: int
    updated: int


class CustomerProfilePublic(BaseModel):
    contact_id: int
    attributes: dict[str, Any]
    products: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    preferences: dict[str, Any]
    source: str | None
    updated_at: datetime | None


@router.get("/admin/customer-attributes", response_model=list[AttributePublic], responses=ERRORS)
def list_attributes(principal: Admin, session: SessionDep) -> list[AttributePublic]:
    rows = session.scalars(
        select(AttributeDefinition)
        .where(AttributeDefinition.account_id == principal.account_id)
        .order_by(AttributeDefinition.key)
    )
    return [AttributePublic.model_validate(row) for row in rows]


@router.post(
    "/admin/customer-attributes",
    response_model=AttributePublic,
    status_code=201,
    responses=error_responses(401, 403, 409, 422),
)
def define_attribute(
    body: AttributeCreate, principal: Admin, session: SessionDep
) -> AttributePublic:
    """Define a custom attribute: `string` (up to 500 characters), `number`, `boolean`,
    `date` (YYYY-MM-DD) or `enum` (one of `options`). Records must use defined attributes."""
    row = do_define_attribute(
        session,
        principal.account_id,
        key=body.key,
        label=body.label,
        type_name=body.type,
        options=body.options,
    )
    return AttributePublic.model_validate(row)


@router.delete("/admin/customer-attributes/{attribute_id}", status_code=204, responses=ERRORS)
def delete_attribute(attribute_id: RowId, principal: Admin, session: SessionDep) -> Response:
    """Stop accepting the attribute in records. Values already stored stay with the contacts."""
    row = get_owned(session, AttributeDefinition, principal.account_id, attribute_id)
    session.delete(row)
    record_audit(
        session,
        "customers.attribute_deleted",
        account_id=principal.account_id,
        target_type="attribute_definition",
        target_id=attribute_id,
    )
    return Response(status_code=204)


@router.post(
    "/customers/import",
    response_model=RecordsAppliedPublic,
    responses=error_responses(401, 403, 409, 413, 422),
)
async def import_customers(
    file: UploadFile, principal: Admin, session: SessionDep
) -> RecordsAppliedPublic:
    """Upload a .csv, .json or .jsonl file of customer records (up to 20 MB,
    docs/integrations.md#importing-a-file). Every record is checked first: one bad record
    and nothing is stored, and the error names each bad line."""
    data = await file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge("the file is larger than 20 MB", code="too_large")
    problem = control_character_problem(data.decode("utf-8", errors="replace"))
    if problem:
        raise InvalidInput(f"file: {problem}", code="control_character")
    applied = do_import_customers(session, principal.account_id, data, file.filename or "")
    return RecordsAppliedPublic(created=applied.created, updated=applied.updated)


@router.post(
    "/customers/records",
    response_model=RecordsAppliedPublic,
    responses=error_responses(401, 403, 409, 422),
)
def upsert_customers(
    body: CustomerRecordsCreate, principal: Admin, session: SessionDep
) -> RecordsAppliedPublic:
    """Create or update contacts by `external_id` from customer records: all are checked
    before any is stored."""
    records = check_records(
        session, principal.account_id, [(f"records.{i}", r) for i, r in enumerate(body.records)]
    )
    applied = do_apply_records(session, principal.account_id, records, source="api")
    return RecordsAppliedPublic(created=applied.created, updated=applied.updated)


@router.get(
    "/contacts/{contact_id}/profile", response_model=CustomerProfilePublic, responses=ERRORS
)
def read_profile(
    contact_id: RowId, principal: Reader, session: SessionDep
) -> CustomerProfilePublic:
    """What the account knows about the contact: attributes, products, orders, preferences
    (the read is recorded in the audit log)."""
    contact = get_contact(session, principal.account_id, contact_id)
    profile = session.scalars(
        select(CustomerProfile).where(
            CustomerProfile.account_id == principal.account_id,
            CustomerProfile.contact_id == contact.id,
        )
    ).first()
    return CustomerProfilePublic(
        contact_id=contact.id,
        attributes=contact.attributes or {},
        products=(profile.products or []) if profile else [],
        orders=(profile.orders or []) if profile else [],
        preferences=(profile.preferences or {}) if profile else {},
        source=profile.source if profile else None,
        updated_at=profile.updated_at if profile else None,
    )
