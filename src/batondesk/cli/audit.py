"""`baton audit verify`: detect edited, deleted or re-chained audit entries;
`baton audit checkpoint`: pin every chain's newest entry in the key store now."""

from __future__ import annotations

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check every audit chain against the audit key and the key store's anchors and
    checkpoints; exits 1 and lists the problems if any entry was edited, deleted or
    re-chained."""
    from batondesk.privacy.audit_verify import verify_audit_log
    from batondesk.store import init_store

    with init_store(get_settings()).session() as session:
        report = verify_audit_log(session)
    for problem in report.problems:
        typer.echo(f"TAMPERED {problem}")
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {report.entries} entries in {report.chains} chain(s)")


@app.command("checkpoint")
def checkpoint() -> None:
    """Record the newest entry of every chain as an authenticated checkpoint in the key store
    (run before taking a backup; the server also does it every 100 entries or hour)."""
    from batondesk.privacy.audit_verify import checkpoint_now
    from batondesk.store import init_store

    with init_store(get_settings()).session() as session:
        count = checkpoint_now(session)
    typer.echo(f"checkpointed {count} chain(s)")
