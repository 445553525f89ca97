"""Privacy requests and the audit log (admins): export, erase, consents, retention, keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from batondesk.api.deps import Principal, SessionDep, require
from batondesk.api.errors import error_responses
from batondesk.api.routing import UnitOfWorkRoute
from batondesk.api.schemas import RowCount, RowId
from batondesk.privacy.audit_verify import verify_audit_log
from batondesk.privacy.consent import consents_of, do_set_consent
from batondesk.privacy.erasure import do_erase_contact
from batondesk.privacy.export import do_export_contact
from batondesk.privacy.retention import (
    do_apply_retention,
    do_set_retention_policy,
    retention_policy,
    retention_report,
)
from batondesk.privacy.rotation import do_rotate_keys
from batondesk.store.models import Account, AuditEntry

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1/admin/privacy", tags=["privacy"])

Privacy = Annotated[Principal, Depends(require("privacy"))]
ERRORS = error_responses(401, 403, 404, 422)


class ErasurePublic(BaseModel):
    contact_id: int
    conversations: int
    messages: int
    events_kept: int = Field(description="Events kept for KPIs; they hold no personal data")
    key_destroyed: bool


class ConsentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(description="training, analytics, external_llm, chat or marketing")
    granted: bool


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_days: int | None = Field(default=None, ge=1, le=36_500)
    contact_days: int | None = Field(default=None, ge=1, le=36_500)


class RetentionReportPublic(BaseModel):
    account_id: int
    applied: bool
    conversation_days: int | None
    contact_days: int | None
    conversations: int
    messages: int
    contacts: int
    oldest_conversation_at: str | None


class AuditEntryPublic(BaseModel):
    seq: int
    created_at: datetime
    actor_type: str
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: int | None
    details: dict[str, Any]
    hash: str


class AuditVerifyPublic(BaseModel):
    ok: bool
    chains: int
    entries: int
    problems: list[str]


class KeyRotationPublic(BaseModel):
    account_keys_rewrapped: int
    accounts_rotated: int
    data_keys_rewrapped: int


@router.get("/contacts/{contact_id}/export", response_model=dict[str, Any], responses=ERRORS)
def export_contact(contact_id: RowId, principal: Privacy, session: SessionDep) -> dict[str, Any]:
    """Everything about one contact as a JSON bundle (profile, conversations, messages,
    events, consents)."""
    return do_export_contact(session, principal.account_id, contact_id)


@router.post("/contacts/{contact_id}/erase", response_model=ErasurePublic, responses=ERRORS)
def erase_contact(contact_id: RowId, principal: Privacy, session: SessionDep) -> ErasurePublic:
    """Delete the contact's rows and destroy its data key: backups become unreadable for it."""
    return ErasurePublic(**do_erase_contact(session, principal.account_id, contact_id).as_dict())


@router.get("/contacts/{contact_id}/consents", response_model=dict[str, bool], responses=ERRORS)
def read_consents(contact_id: RowId, principal: Privacy, session: SessionDep) -> dict[str, bool]:
    return consents_of(session, principal.account_id, contact_id)


@router.put("/contacts/{contact_id}/consents", response_model=dict[str, bool], responses=ERRORS)
def set_consent(
    contact_id: RowId, body: ConsentUpdate, principal: Privacy, session: SessionDep
) -> dict[str, bool]:
    """Record the customer's answer for a purpose (training, analytics, external_llm, chat,
    marketing)."""
    return do_set_consent(session, principal.account_id, contact_id, body.purpose, body.granted)


@router.get("/retention", response_model=RetentionPolicy, responses=ERRORS)
def read_retention(principal: Privacy, session: SessionDep) -> RetentionPolicy:
    account = session.get(Account, principal.account_id)
    assert account is not None
    return RetentionPolicy(**retention_policy(account))


@router.put("/retention", response_model=RetentionPolicy, responses=ERRORS)
def update_retention(
    body: RetentionPolicy, principal: Privacy, session: SessionDep
) -> RetentionPolicy:
    return RetentionPolicy(
        **do_set_retention_policy(session, principal.account_id, body.model_dump())
    )


@router.get("/retention/report", response_model=RetentionReportPublic, responses=ERRORS)
def dry_run_retention(principal: Privacy, session: SessionDep) -> RetentionReportPublic:
    """What the retention policy would delete now (nothing is deleted)."""
    return RetentionReportPublic(**retention_report(session, principal.account_id).as_dict())


@router.post("/retention/apply", response_model=RetentionReportPublic, responses=ERRORS)
def apply_retention(principal: Privacy, session: SessionDep) -> RetentionReportPublic:
    return RetentionReportPublic(**do_apply_retention(session, principal.account_id).as_dict())


@router.get("/audit", response_model=list[AuditEntryPublic], responses=ERRORS)
def read_audit_log(
    principal: Privacy,
    session: SessionDep,
    action: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: RowCount = 0,
) -> list[AuditEntryPublic]:
    """This account's audit entries, newest first."""
    query = select(AuditEntry).where(AuditEntry.chain == principal.account_id)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
    return [
        AuditEntryPublic(
            seq=e.seq,
            created_at=e.created_at,
            actor_type=e.actor_type,
            actor_id=e.actor_id,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            details=e.details,
            hash=e.hash,
        )
        for e in rows
    ]


@router.get("/audit/verify", response_model=AuditVerifyPublic, responses=ERRORS)
def verify_audit(principal: Privacy, session: SessionDep) -> AuditVerifyPublic:
    """Check this account's audit chain for edited or deleted entries."""
    report = verify_audit_log(session, chain=principal.account_id)
    return AuditVerifyPublic(
        ok=report.ok, chains=report.chains, entries=report.entries, problems=report.problems
    )


@router.post("/keys/rotate", response_model=KeyRotationPublic, responses=ERRORS)
def rotate_keys(principal: Privacy, session: SessionDep) -> KeyRotationPublic:
    """A new account key for this account; its contacts' data keys are re-wrapped (no data is
    re-encrypted)."""
    return KeyRotationPublic(**do_rotate_keys(session, principal.account_id))
