"""CRM connectors: configuring them, pulling customer records page by page (each page and the
cursor after it stored in one unit of work, so a failed sync resumes where it stopped and never
stores a page twice), and the signed change notifications a CRM pushes."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.customer_data import (
    attribute_specs,
    check_records,
    do_apply_records,
)
from batondesk.customers.mapping import map_item
from batondesk.customers.records import RecordError, check_record
from batondesk.errors import BatonError, Conflict, InvalidInput, NotAuthenticated, NotFound
from batondesk.integrations.destinations import DestinationError, check_destination
from batondesk.integrations.rest_pull import PullError, RestPullClient, RestPullConfig
from batondesk.integrations.signing import SignatureError, new_signing_secret, verify_signature
from batondesk.privacy.audit import record_audit
from batondesk.store.access import get_owned
from batondesk.store.base import utcnow
from batondesk.store.database import Database
from batondesk.store.models import CrmConnector

log = logging.getLogger("batondesk.crm")

# A sync that has not finished after this long is taken to have died (its worker stopped).
STALE_SYNC = timedelta(minutes=15)
MAX_WEBHOOK_RECORDS = 1000


def check_config(config: Any, *, allow_private: bool) -> RestPullConfig:
    """The connector settings, validated whole; InvalidInput naming the first problem."""
    try:
        checked = RestPullConfig.model_validate(config)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        message = str(first.get("ctx", {}).get("error", first["msg"]))
        raise InvalidInput(f"config.{where}: {message}", code="invalid_connector_config") from None
    try:
        check_destination(checked.base_url, allow_private=allow_private)
        if checked.auth.token_url:
            check_destination(checked.auth.token_url, allow_private=allow_private)
    except DestinationError as exc:
        raise InvalidInput(f"config.base_url: {exc}", code=exc.code) from None
    return checked


def do_create_connector(
    session: Session,
    account_id: int,
    *,
    name: str,
    config: dict[str, Any],
    credential: str | None,
    allow_private: bool,
) -> CrmConnector:
    """A connector with a fresh webhook signing secret (read it from `webhook_secret`)."""
    name = name.strip()
    if not 0 < len(name) <= 120:
        raise InvalidInput("name must have 1 to 120 characters", code="invalid_name")
    taken = session.scalars(
        select(CrmConnector.id).where(
            CrmConnector.account_id == account_id, CrmConnector.name == name
        )
    ).first()
    if taken is not None:
        raise Conflict(f"a connector named {name} exists", code="connector_exists")
    checked = check_config(config, allow_private=allow_private)
    connector = CrmConnector(
        account_id=account_id,
        name=name,
        public_id=secrets.token_urlsafe(12),
        config=checked.model_dump(mode="json"),
        credential=credential or None,
        webhook_secret=new_signing_secret(),
    )
    session.add(connector)
    session.flush()
    record_audit(
        session,
        "crm.connector_created",
        account_id=account_id,
        target_type="crm_connector",
        target_id=connector.id,
    )
    return connector


def do_update_connector(
    session: Session,
    account_id: int,
    connector_id: int,
    changes: dict[str, Any],
    *,
    allow_private: bool,
) -> CrmConnector:
    """Change `config` (whole), `credential`, `enabled`; `reset_cursor: true` makes the next
    sync read everything again."""
    connector = get_owned(session, CrmConnector, account_id, connector_id)
    if "config" in changes:
        connector.config = check_config(changes["config"], allow_private=allow_private).model_dump(
            mode="json"
        )
    if "credential" in changes:
        connector.credential = changes["credential"] or None
    if "enabled" in changes:
        connector.enabled = bool(changes["enabled"])
    if changes.get("reset_cursor"):
        connector.cursor = None
    session.flush()
    record_audit(
        session,
        "crm.connector_changed",
        account_id=account_id,
        target_type="crm_connector",
        target_id=connector.id,
        details={"fields": sorted(changes)},
    )
    return connector


@dataclass(frozen=True)
class SyncReport:
    connector_id: int
    status: str  # ok / failed
    pages: int
    records: int
    created: int
    updated: int
    skipped: int
    retries: int
    cursor: str | None
    error: str | None = None


def run_crm_sync(
    db: Database,
    account_id: int,
    connector_id: int,
    *,
    allow_private: bool,
    sleep: Callable[[float], None] | None = None,
    on_page: Callable[[int], None] | None = None,
    job_id: str | None = None,
) -> SyncReport:
    """Pull what changed since the connector's cursor. Each page is stored with the cursor
    after it in one unit of work. A record that fails its checks is skipped and counted (the
    first problem is kept in `last_error`), so one bad CRM record cannot stall the sync.
    `on_page(records)` reports progress. `job_id` names the queued job running the sync: the
    same job, delivered again after its worker died, resumes a sync it had started."""
    with db.session() as session:
        connector = get_owned(session, CrmConnector, account_id, connector_id)
        if not connector.enabled:
            raise Conflict("the connector is disabled", code="connector_disabled")
        held_by_other = job_id is None or connector.sync_job_id != job_id
        if (
            connector.status == "running"
            and held_by_other
            and utcnow() - connector.updated_at < STALE_SYNC
        ):
            raise Conflict("a sync of this connector is running", code="sync_running")
        config = RestPullConfig.model_validate(connector.config)
        credential = connector.credential
        cursor = connector.cursor
        connector.status = "running"
        connector.sync_job_id = job_id
        connector.last_error = None
    totals = {"pages": 0, "records": 0, "created": 0, "updated": 0, "skipped": 0}
    first_problem: str | None = None
    client = RestPullClient(config, credential, allow_private)
    if sleep is not None:
        client.sleep = sleep
    error = None
    try:
        with client:
            for _ in range(config.max_pages_per_sync):
                page = client.fetch_page(cursor)
                with db.session() as session:
                    problem = _store_page(session, account_id, config, page.items, totals)
                    first_problem = first_problem or problem
                    connector = get_owned(session, CrmConnector, account_id, connector_id)
                    if page.next_cursor is not None:
                        connector.cursor = page.next_cursor
                    connector.status = "running"  # also keeps the sync's lease fresh
                totals["pages"] += 1
                if on_page is not None:
                    on_page(len(page.items))
                if not page.items or page.next_cursor in (None, cursor):
                    break
                cursor = page.next_cursor
    except (PullError, BatonError) as exc:
        error = str(exc)[:300]
    with db.session() as session:
        connector = get_owned(session, CrmConnector, account_id, connector_id)
        connector.status = "failed" if error else "ok"
        connector.last_sync_at = utcnow()
        connector.last_error = error or first_problem
        connector.last_sync_records = totals["records"]
        cursor = connector.cursor
    if error:
        log.warning("CRM sync of connector %s stopped: %s", connector_id, error)
    return SyncReport(
        connector_id,
        "failed" if error else "ok",
        retries=client.retries,
        cursor=cursor,
        error=error,
        **totals,
    )


def _store_page(
    session: Session,
    account_id: int,
    config: RestPullConfig,
    items: list[Any],
    totals: dict[str, int],
) -> str | None:
    specs = attribute_specs(session, account_id)
    first_problem = None
    for position, item in enumerate(items, start=1):
        try:
            record = check_record(map_item(item, config.mapping), specs)
            applied = do_apply_records(session, account_id, [record], source="crm")
        except (RecordError, Conflict) as exc:
            totals["skipped"] += 1
            # The record's position and the problem: never the CRM's values.
            first_problem = first_problem or f"item {position} of a page skipped: {exc}"[:300]
            continue
        totals["records"] += 1
        totals["created"] += applied.created
        totals["updated"] += applied.updated
    return first_problem


def connector_by_public_id(session: Session, public_id: str) -> CrmConnector:
    connector = session.scalars(
        select(CrmConnector).where(CrmConnector.public_id == public_id)
    ).first()
    if connector is None or not connector.enabled:
        raise NotFound(f"connector {public_id[:40]} not found")
    return connector


def do_receive_crm_webhook(
    session: Session, public_id: str, signature_header: str | None, body: bytes
) -> tuple[CrmConnector, int, int]:
    """A change pushed by the CRM: `{"contacts": [record, ...]}` (customer records,
    customers/records.py), signed like Baton's own webhooks with the connector's webhook
    secret, checked whole before anything is stored. A bad signature changes nothing. Returns
    the connector and how many contacts were created and updated."""
    connector = connector_by_public_id(session, public_id)
    try:
        verify_signature(str(connector.webhook_secret), signature_header, body)
    except SignatureError as exc:
        raise NotAuthenticated(str(exc), code=exc.code) from None
    try:
        document = json.loads(body)
    except ValueError:
        raise InvalidInput("the body is not JSON", code="malformed_json") from None
    items = document.get("contacts") if isinstance(document, dict) else None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_WEBHOOK_RECORDS:
        raise InvalidInput(
            f'the body must be {{"contacts": [...]}} with 1 to {MAX_WEBHOOK_RECORDS} records',
            code="invalid_records",
        )
    raw = [(f"contacts.{i}", item) for i, item in enumerate(items)]
    records = check_records(session, connector.account_id, raw)
    applied = do_apply_records(session, connector.account_id, records, source="crm")
    return connector, applied.created, applied.updated
