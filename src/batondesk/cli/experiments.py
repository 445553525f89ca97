"""`baton experiments`: A/B experiments of the bot from the command line (docs/experiments.md).
The same actions as the admin API; every command names the account by its slug."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from batondesk.cli.common import AccountOption, account_session
from batondesk.config import get_settings

app = typer.Typer(no_args_is_help=True)

KeyArgument = Annotated[str, typer.Argument(help="The experiment's key")]


@app.command("list")
def list_command(account: AccountOption) -> None:
    """Every experiment of the account, newest first: key, status, arms and weights."""
    from batondesk.actions.experiments import definition_of
    from batondesk.store.models import Experiment

    with account_session(account) as (session, account_id):
        rows = session.scalars(
            select(Experiment)
            .where(Experiment.account_id == account_id)
            .order_by(Experiment.id.desc())
        ).all()
        if not rows:
            typer.echo("no experiments")
        for row in rows:
            arms = ", ".join(
                f"{v.key}{' (control)' if v.control else ''} x{v.weight:g}"
                for v in definition_of(row).variants
            )
            typer.echo(f"{row.key:<24} {row.status:<8} {row.name}  [{arms}]")


@app.command("create")
def create_command(
    account: AccountOption,
    file: Annotated[Path, typer.Argument(help="JSON: the body of POST /admin/experiments")],
) -> None:
    """Create a draft from a JSON file (key, name, hypothesis, variants, eligibility,
    primary_metric, guardrails, minimum_detectable_effect, baseline_rate)."""
    from pydantic import ValidationError

    from batondesk.actions.experiments import check_definition, do_create_experiment
    from batondesk.api.experiments import ExperimentCreate
    from batondesk.errors import InvalidInput
    from batondesk.experiments.definition import validation_problems

    try:
        body: Any = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        typer.echo(f"error: cannot read {file}: {error}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(body, dict):
        typer.echo(f"error: {file} must hold one JSON object", err=True)
        raise typer.Exit(2)
    with account_session(account) as (session, account_id):
        try:
            spec = ExperimentCreate.model_validate(body)
        except ValidationError as error:
            raise InvalidInput(f"invalid experiment: {validation_problems(error)}") from None
        experiment = do_create_experiment(
            session,
            account_id,
            key=spec.key,
            name=spec.name,
            hypothesis=spec.hypothesis,
            definition=check_definition(spec.model_dump(exclude={"key", "name", "hypothesis"})),
        )
        typer.echo(f"experiment {experiment.key!r} created as a draft")


@app.command("start")
def start_command(account: AccountOption, key: KeyArgument) -> None:
    """Start assigning eligible customers (variants and weights are then locked)."""
    from batondesk.actions.experiments import do_start_experiment, get_experiment

    with account_session(account) as (session, account_id):
        do_start_experiment(session, get_experiment(session, account_id, key))
        typer.echo(f"experiment {key!r} running")


@app.command("stop")
def stop_command(
    account: AccountOption,
    key: KeyArgument,
    reason: Annotated[str, typer.Option(help="Why, for the record")],
) -> None:
    """Stop for good; customers get the account's own behaviour from their next message."""
    from batondesk.actions.experiments import do_stop_experiment, get_experiment

    if not reason.strip() or len(reason) > 300:
        raise typer.BadParameter("give a reason of 1 to 300 characters", param_hint="--reason")
    with account_session(account) as (session, account_id):
        do_stop_experiment(
            session, get_experiment(session, account_id, key), reason, actor_type="system"
        )
        typer.echo(f"experiment {key!r} stopped")


@app.command("results")
def results_command(
    account: AccountOption,
    key: KeyArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full results as JSON")] = False,
) -> None:
    """Per-arm figures with 95% intervals, each variant against control, guardrails, the
    sample-ratio check and the sample size needed. Stops a running experiment whose
    guardrail is breached, as the admin page does."""
    from batondesk.actions.experiments import (
        do_stop_if_guardrail_breached,
        get_experiment,
        read_results,
    )

    with account_session(account) as (session, account_id):
        experiment = get_experiment(session, account_id, key)
        results = read_results(session, experiment)
        stopped = do_stop_if_guardrail_breached(session, experiment, results)
        if as_json:
            typer.echo(results.model_dump_json(indent=2))
            return
        metric = results.primary_metric
        typer.echo(f"{experiment.name} ({experiment.status}); primary metric: {metric}")
        for arm in results.arms:
            figure = arm.metrics[metric]
            rate = "-" if figure.rate is None else f"{figure.rate:.1%}"
            typer.echo(
                f"  {arm.key:<16} {arm.conversations:>7} conversations  {rate:>7} "
                f"[{figure.ci_low:.1%}, {figure.ci_high:.1%}]  "
                f"needs {results.sample_size.per_arm[arm.key]}"
            )
        for comparison in results.primary:
            typer.echo(
                f"  {comparison.arm} vs control: {_signed(comparison.difference)}, "
                f"p = {_p(comparison.p_value)}, always-valid p = "
                f"{_p(comparison.always_valid_p_value)}"
                f"{', significant' if comparison.significant else ''}"
            )
        for guard in results.guardrails:
            state = "BREACHED" if guard.breached else "ok"
            typer.echo(f"  guardrail {guard.metric} ({guard.arm}): {state}")
        srm = results.sample_ratio
        typer.echo(
            f"  sample ratio: {'MISMATCH' if srm.mismatch else 'ok'} (p = {_p(srm.p_value)})"
        )
        if stopped:
            typer.echo(f"stopped: {experiment.stop_reason}")


@app.command("check")
def check_command() -> None:
    """Stop every running experiment whose guardrail is breached (the API server already
    does this beside its queue check; use this from cron when it does not run)."""
    from batondesk.actions.experiments import run_experiment_check
    from batondesk.store import init_store

    db = init_store(get_settings())
    try:
        with db.session() as session:
            stopped = run_experiment_check(session)
        typer.echo(f"stopped: {', '.join(stopped) if stopped else 'none'}")
    finally:
        db.dispose()


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} points"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
