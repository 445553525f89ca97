"""`baton privacy ...` (requests about a contact, retention, consents) and `baton keys ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)
keys_app = typer.Typer(no_args_is_help=True)

AccountOption = Annotated[int, typer.Option("--account", help="Account id")]


def _db():  # type: ignore[no-untyped-def]
    from batondesk.store import init_store

    return init_store(get_settings())


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _system_actor(session) -> None:  # type: ignore[no-untyped-def]
    from batondesk.privacy.audit import Actor, set_actor

    set_actor(session, Actor(None, "cli", None, "baton privacy"))


@app.command("export")
def export(
    contact_id: Annotated[int, typer.Argument(help="Contact id")],
    account: AccountOption,
    out: Annotated[Path | None, typer.Option(help="Write the JSON bundle to this file")] = None,
) -> None:
    """Export everything about a contact as a JSON bundle."""
    from batondesk.errors import BatonError
    from batondesk.privacy.export import do_export_contact

    try:
        with _db().session() as session:
            bundle = do_export_contact(session, account, contact_id)
    except BatonError as exc:
        _fail(exc.message)
    document = json.dumps(bundle, indent=2, ensure_ascii=False)
    if out:
        out.write_text(document)
        out.chmod(0o600)
        typer.echo(f"exported contact {contact_id} to {out}")
    else:
        typer.echo(document)


@app.command("erase")
def erase(
    contact_id: Annotated[int, typer.Argument(help="Contact id")],
    account: AccountOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase a contact: delete its rows and destroy its data key (backups become unreadable)."""
    from batondesk.errors import BatonError
    from batondesk.privacy.erasure import do_erase_contact
    from batondesk.realtime import make_broker, publish_after_commit

    if not yes:
        typer.confirm(f"Erase contact {contact_id} of account {account} for good?", abort=True)
    settings = get_settings()
    db = _db()
    # Through Redis, the running API workers hear of the erasure and forget the key at once.
    broker = make_broker(settings.redis_url, settings.redis_namespace)
    db.publisher = publish_after_commit(broker)
    try:
        with db.session() as session:
            _system_actor(session)
            report = do_erase_contact(session, account, contact_id)
    except BatonError as exc:
        _fail(exc.message)
    finally:
        broker.close()
        db.dispose()
    typer.echo(json.dumps(report.as_dict()))


@app.command("retention")
def retention(
    account: Annotated[
        int | None,
        typer.Option("--account", help="One account (default: every account with a policy)"),
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Delete; without it, only report")] = False,
    conversation_days: Annotated[int | None, typer.Option(help="Set the policy first")] = None,
    contact_days: Annotated[int | None, typer.Option(help="Set the policy first")] = None,
) -> None:
    """Report (dry run) or apply the retention policy. Schedule `--apply` daily (cron)."""
    from batondesk.errors import BatonError
    from batondesk.privacy.retention import (
        accounts_with_policy,
        do_set_retention_policy,
        retention_report,
    )

    try:
        with _db().session() as session:
            _system_actor(session)
            if conversation_days is not None or contact_days is not None:
                if account is None:
                    _fail("--account is needed to set a policy")
                do_set_retention_policy(
                    session,
                    account,
                    {"conversation_days": conversation_days, "contact_days": contact_days},
                )
            targets = [account] if account is not None else accounts_with_policy(session)
            for target in targets:
                report = retention_report(session, target, apply=apply)
                typer.echo(json.dumps(report.as_dict()))
    except BatonError as exc:
        _fail(exc.message)


@app.command("consent")
def consent(
    contact_id: Annotated[int, typer.Argument(help="Contact id")],
    account: AccountOption,
    purpose: Annotated[
        str | None, typer.Option(help="training, analytics, external_llm, chat or marketing")
    ] = None,
    grant: Annotated[bool | None, typer.Option("--grant/--revoke", help="Set the answer")] = None,
) -> None:
    """Show a contact's consents, or set one (`--purpose training --grant`)."""
    from batondesk.errors import BatonError
    from batondesk.privacy.consent import consents_of, do_set_consent

    try:
        with _db().session() as session:
            _system_actor(session)
            if purpose is not None and grant is not None:
                answers = do_set_consent(session, account, contact_id, purpose, grant, source="cli")
            else:
                answers = consents_of(session, account, contact_id)
    except BatonError as exc:
        _fail(exc.message)
    typer.echo(json.dumps(answers))


@app.command("purge-erased")
def purge_erased() -> None:
    """After restoring a backup: delete the contacts erased since it was taken."""
    from batondesk.privacy.erasure import purge_erased as purge

    with _db().session() as session:
        _system_actor(session)
        count = purge(session)
    typer.echo(f"{count} erased contact(s) purged from the restored data")


@keys_app.command("rotate")
def rotate(
    account: Annotated[
        int | None, typer.Option("--account", help="One account (default: all)")
    ] = None,
) -> None:
    """Re-wrap account keys under the current master key and give each account a new key.

    To replace the master key: set BATON_MASTER_KEY to the new key and
    BATON_PREVIOUS_MASTER_KEYS to the old one, run this, then drop the old key.
    """
    from batondesk.privacy.rotation import do_rotate_keys

    with _db().session() as session:
        _system_actor(session)
        report = do_rotate_keys(session, account)
    typer.echo(json.dumps(report))


@keys_app.command("reseal")
def reseal() -> None:
    """Seal values stored before per-contact keys existed with their contact's data key."""
    from batondesk.privacy.rotation import do_reseal_legacy

    with _db().session() as session:
        _system_actor(session)
        count = do_reseal_legacy(session)
    typer.echo(f"{count} value(s) re-sealed with their contact's key")


@keys_app.command("identity-secret")
def identity_secret(
    inbox: Annotated[str, typer.Argument(help="The inbox's public id (in the widget snippet)")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Replace it; the old one stops working")
    ] = False,
) -> None:
    """Print the secret the embedding website signs identity tokens with (audited). It is
    sealed in the database, so this is the way to read it."""
    from batondesk.actions.inboxes import do_reveal_identity_secret, do_rotate_identity_secret
    from batondesk.errors import BatonError

    try:
        with _db().session() as session:
            _system_actor(session)
            action = do_rotate_identity_secret if rotate else do_reveal_identity_secret
            secret = action(session, inbox)
    except BatonError as exc:
        _fail(exc.message)
    typer.echo(secret)
