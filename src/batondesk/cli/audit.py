"""`baton audit verify`: detect edited or deleted audit entries."""

from __future__ import annotations

import typer

from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check every audit chain; exits 1 and lists the problems if any entry was edited or
    deleted."""
    from batondesk.privacy.audit import verify_audit_log
    from batondesk.store import init_store

    with init_store(get_settings()).session() as session:
        report = verify_audit_log(session)
    for problem in report.problems:
        typer.echo(f"TAMPERED {problem}")
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {report.entries} entries in {report.chains} chain(s)")
