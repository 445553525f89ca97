"""`baton nlu ...`: train, evaluate, predict with intent models, and manage the registry."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Train, evaluate and manage intent models.", no_args_is_help=True)
models_app = typer.Typer(
    help="Model registry: list, register, evaluate, promote, roll back.", no_args_is_help=True
)
app.add_typer(models_app, name="models")

ModelOption = Annotated[
    Path,
    typer.Option(
        "--model", help="Model directory, or a registry directory (its active version is used)"
    ),
]
DataOption = Annotated[Path, typer.Option("--data", help="CSV, JSON Lines or Rasa NLU YAML file")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON summary")]
RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--registry", help="Registry directory (default: the server's, or --account's, registry)"
    ),
]
AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        help="Slug of the account whose own models to manage (default: the server default "
        "model, which every account without its own uses)",
    ),
]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _load_data(path: Path) -> Any:
    from batondesk.nlu.dataset import DatasetError, load_dataset

    try:
        return load_dataset(path)
    except DatasetError as exc:
        _fail(str(exc))


def _load_oos_texts(path: Path) -> list[str]:
    """Out-of-scope examples: a .txt file (one per line) or any dataset file (labels ignored)."""
    if path.suffix.lower() == ".txt":
        if not path.is_file():
            _fail(f"{path}: no such file")
        return [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return list(_load_data(path).texts)


def _resolve_model(path: Path) -> Path:
    from batondesk.nlu.registry import ModelRegistry, RegistryError

    if (path / "metadata.json").is_file():
        return path
    if (path / "active.json").is_file():
        try:
            return ModelRegistry(path).active_path()
        except RegistryError as exc:
            _fail(str(exc))
    _fail(f"{path}: not a model directory (no metadata.json) nor a registry (no active.json)")
    raise AssertionError  # unreachable: _fail exits


def _load_model(path: Path) -> Any:
    from batondesk.nlu.artifact import ArtifactError
    from batondesk.nlu.classifier import IntentClassifier

    try:
        return IntentClassifier.load(_resolve_model(path))
    except ArtifactError as exc:
        _fail(str(exc))


@app.command()
def train(
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the model artifact to")],
    val: Annotated[
        Path | None,
        typer.Option(
            "--val",
            help="Validation file (may contain 'oos' examples) to tune the out-of-scope threshold",
        ),
    ] = None,
    oos: Annotated[
        Path | None,
        typer.Option(
            "--oos", help="Out-of-scope examples (.txt one per line, or any dataset file)"
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            help="fast (default, ~2 min on 10k examples) or "
            "accurate (fine-tunes the encoder first, ~4 min more on 10k examples)"
        ),
    ] = "fast",
    no_encoder: Annotated[bool, typer.Option("--no-encoder", help="TF-IDF only")] = False,
) -> None:
    """Train an intent model and save it as a versioned artifact directory."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from batondesk.nlu.classifier import PROFILES, IntentClassifier

    if profile not in PROFILES:
        _fail(f"unknown profile '{profile}'; choose one of {', '.join(sorted(PROFILES))}")
    dataset = _load_data(data)
    in_scope, oos_in_data = dataset.split_out_of_scope()
    oos_texts = oos_in_data + (_load_oos_texts(oos) if oos else [])
    validation = None
    if val:
        val_data = _load_data(val)
        validation = (val_data.texts, val_data.labels)
    model = IntentClassifier(profile=profile, use_encoder=False if no_encoder else "auto")
    started = time.perf_counter()
    with Progress(TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("loading", total=1.0)
        try:
            model.fit(
                in_scope.texts,
                in_scope.labels,
                val=validation,
                oos_texts=oos_texts or None,
                progress=lambda step, done: bar.update(task, description=step, completed=done),
            )
        except ValueError as exc:
            _fail(str(exc))
    seconds = time.perf_counter() - started
    model.save(
        out,
        {
            "dataset_hash": dataset.fingerprint(),
            "dataset_source": Path(dataset.source).name,
            "training_seconds": round(seconds, 1),
            "label_counts": dict(in_scope.label_counts),
            "oos_examples": len(oos_texts),
        },
    )
    encoder = model.encoder_status_
    typer.echo(
        f"trained {len(model.classes_)} classes on {len(in_scope)} examples in "
        f"{seconds:.1f} s (encoder: {encoder}); saved to {out}"
    )


def _print_report(report: dict[str, Any]) -> None:
    typer.echo(f"examples        {report['examples']}")
    typer.echo(f"accuracy        {report['accuracy']:.4f}")
    typer.echo(f"macro-F1        {report['macro_f1']:.4f}")
    for key in ("in_scope_accuracy", "oos_recall", "oos_precision", "oos_auroc"):
        if key in report:
            typer.echo(f"{key.replace('_', ' '):<16}{report[key]:.4f}")
    if "latency" in report:
        lat = report["latency"]
        typer.echo(
            f"latency         p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms (batch 1)"
        )
    typer.echo("\nper intent (worst F1 first):")
    worst = sorted(report["per_intent"].items(), key=lambda item: item[1]["f1"])
    for name, row in worst[:15]:
        typer.echo(
            f"  {name:<40} P {row['precision']:.2f}  R {row['recall']:.2f}  "
            f"F1 {row['f1']:.2f}  n {row['support']}"
        )
    if report["most_confused"]:
        typer.echo("\nmost confused (true -> predicted):")
        for pair in report["most_confused"]:
            typer.echo(f"  {pair['count']:>3}  {pair['true']} -> {pair['predicted']}")
    if "robustness" in report:
        rob = report["robustness"]
        typer.echo(f"\nrobustness: clean {rob['clean_accuracy']:.4f}")
        for kind, row in rob["variants"].items():
            typer.echo(f"  {kind:<10} {row['accuracy']:.4f}  (gap {row['gap_points']:+.2f} points)")


@app.command("eval")
def evaluate_command(
    model: ModelOption,
    data: DataOption,
    as_json: JsonFlag = False,
    with_robustness: Annotated[
        bool,
        typer.Option("--robustness/--no-robustness", help="Also report accuracy on perturbed text"),
    ] = True,
    latency_calls: Annotated[int, typer.Option(help="Single-message calls timed (0: skip)")] = 300,
) -> None:
    """Accuracy, macro-F1, out-of-scope metrics, per-intent report, confusions, latency."""
    from batondesk.nlu.evaluation import evaluate, robustness

    classifier = _load_model(model)
    dataset = _load_data(data)
    report = evaluate(classifier, dataset.texts, dataset.labels, latency_calls=latency_calls)
    if with_robustness:
        report["robustness"] = robustness(classifier, dataset.texts, dataset.labels)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print_report(report)


@app.command("robustness")
def robustness_command(model: ModelOption, data: DataOption, as_json: JsonFlag = False) -> None:
    """Clean vs perturbed accuracy: typos, casing, texting style/slang, regional phrasing."""
    from batondesk.nlu.evaluation import robustness

    report = robustness(_load_model(model), _load_data(data).texts, _load_data(data).labels)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"clean accuracy {report['clean_accuracy']:.4f} on {report['examples']} examples")
    for kind, row in report["variants"].items():
        typer.echo(f"  {kind:<10} {row['accuracy']:.4f}  (gap {row['gap_points']:+.2f} points)")


@app.command()
def predict(
    model: ModelOption,
    text: Annotated[str, typer.Argument(help="The message to classify")],
    as_json: JsonFlag = False,
) -> None:
    """Classify one message: intent (or out of scope), confidence and top intents."""
    prediction = _load_model(model).predict(text)
    if as_json:
        typer.echo(json.dumps(prediction.to_dict(), indent=2))
        return
    label = prediction.intent or "(out of scope)"
    typer.echo(
        f"{label}  confidence {prediction.confidence:.3f}  in-scope score "
        f"{prediction.oos_score:.3f}"
    )
    for name, probability in prediction.top:
        typer.echo(f"  {probability:.3f}  {name}")


def _registry(root: Path | None, account: str | None = None) -> Any:
    """An explicit registry directory, an account's registry, or the server default's."""
    from batondesk.config import get_settings
    from batondesk.engine.intent_models import IntentModels
    from batondesk.nlu.registry import ModelRegistry

    if root is not None:
        if account is not None:
            _fail("give --registry or --account, not both")
        return ModelRegistry(root)
    models = IntentModels(get_settings().models_dir)
    return models.registry(None if account is None else _account_id(account))


def _account_id(slug: str) -> int:
    from sqlalchemy import select

    from batondesk.config import get_settings
    from batondesk.store import init_store
    from batondesk.store.models import Account

    db = init_store(get_settings())
    try:
        with db.session() as session:
            account_id = session.scalars(select(Account.id).where(Account.slug == slug)).first()
    finally:
        db.dispose()
    if account_id is None:
        _fail(f"no account with slug {slug!r}")
    return int(account_id)


def _change_installation_model(account: str | None, change: Any) -> Any:
    """Apply `change(session, models, broker, account_id)` (a promotion or a rollback of the
    installation's default registry, or of --account's) in one unit of work: it is recorded
    in the audit log and announced to the running API workers (through Redis, when
    configured), so each loads the new model now."""
    from batondesk.actions.review_rescoring import do_rescore_pending
    from batondesk.config import get_settings
    from batondesk.engine.intent_models import IntentModels
    from batondesk.errors import BatonError
    from batondesk.nlu.registry import RegistryError
    from batondesk.realtime import make_broker
    from batondesk.store import init_store

    settings = get_settings()
    account_id = None if account is None else _account_id(account)
    db = init_store(settings)
    broker = make_broker(settings.redis_url, settings.redis_namespace)
    models = IntentModels(settings.models_dir)
    try:
        with db.session() as session:
            entry = change(session, models, broker, account_id)
        if account_id is not None:
            # The account's review queue follows the model in use (what the console's
            # promotion does in a job; here the operator waits for it).
            with db.session() as session:
                read = do_rescore_pending(session, models, account_id)
            typer.echo(f"review queue: {read} pending items read again by {entry.version}")
        return entry
    except (RegistryError, BatonError) as exc:
        _fail(str(exc))
    finally:
        broker.close()
        db.dispose()


@models_app.command("list")
def models_list(registry: RegistryOption = None, account: AccountOption = None) -> None:
    """List versions, oldest first; the active one is marked with '*'."""
    versions = _registry(registry, account).list()
    if not versions:
        typer.echo("no versions registered")
    for version in versions:
        accuracy = version.metrics.get("accuracy")
        shown = f"accuracy {accuracy:.4f}" if isinstance(accuracy, int | float) else ""
        typer.echo(
            f"{'*' if version.active else ' '} {version.version:<24} {version.created_at}  {shown}"
        )


@models_app.command("register")
def models_register(
    artifact: Annotated[Path, typer.Argument(help="Trained model directory")],
    registry: RegistryOption = None,
    account: AccountOption = None,
    version: Annotated[str | None, typer.Option(help="Version name (default: timestamp)")] = None,
    promote: Annotated[bool, typer.Option(help="Make it active at once")] = False,
) -> None:
    """Copy a trained model into the registry as a new version."""
    from batondesk.nlu.artifact import ArtifactError
    from batondesk.nlu.registry import RegistryError

    try:
        target = _registry(registry, account)
        entry = target.register(artifact, version)
        if promote and registry is not None:
            entry = target.promote(entry.version)
    except (ArtifactError, RegistryError) as exc:
        _fail(str(exc))
    if promote and registry is None:
        entry = _promote(entry.version, account)
    typer.echo(f"registered {entry.version}{' (active)' if entry.active else ''}")


@models_app.command("evaluate")
def models_evaluate(
    version: Annotated[str, typer.Argument(help="Version to evaluate")],
    data: DataOption,
    registry: RegistryOption = None,
    account: AccountOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Evaluate one registered version on a labelled file (e.g. before promoting it)."""
    from batondesk.nlu.registry import RegistryError

    try:
        path = _registry(registry, account).get(version).path
    except RegistryError as exc:
        _fail(str(exc))
    evaluate_command(path, data, as_json=as_json, with_robustness=False, latency_calls=100)


@models_app.command("promote")
def models_promote(
    version: Annotated[str, typer.Argument(help="Version to activate")],
    registry: RegistryOption = None,
    account: AccountOption = None,
) -> None:
    """Make a version the active model (of the server default, or of --account); recorded in
    the audit log. A candidate the regression gate refused is not promoted."""
    from batondesk.nlu.registry import RegistryError

    if registry is not None:
        try:
            entry = _registry(registry, account).promote(version)
        except RegistryError as exc:
            _fail(str(exc))
    else:
        entry = _promote(version, account)
    typer.echo(f"active: {entry.version}")


def _promote(version: str, account: str | None) -> Any:
    from batondesk.actions.intent_models import do_promote_model

    return _change_installation_model(
        account,
        lambda session, models, broker, account_id: do_promote_model(
            session, models, broker, account_id, version
        ),
    )


@models_app.command("rollback")
def models_rollback(registry: RegistryOption = None, account: AccountOption = None) -> None:
    """Re-activate the previously active version; recorded in the audit log."""
    from batondesk.actions.intent_models import do_roll_back_model
    from batondesk.nlu.registry import RegistryError

    if registry is not None:
        try:
            entry = _registry(registry, account).rollback()
        except RegistryError as exc:
            _fail(str(exc))
    else:
        entry = _change_installation_model(account, do_roll_back_model)
    typer.echo(f"active: {entry.version}")


@app.command("prepare")
def prepare_command() -> None:
    """Make sure a default intent model is active in BATON_NLU_MODEL_DIR: train the demo's
    (~4 minutes) unless one is. The container image runs this at build time, so that no
    worker trains or downloads anything when it starts."""
    from batondesk.cli.demo import prepare_intent_model
    from batondesk.config import get_settings

    typer.echo(f"intent model: {prepare_intent_model(get_settings()).describe()}")


def _mount_learning_commands() -> None:
    from batondesk.cli.nlu_learning import retrain, slices

    app.command("retrain")(retrain)
    app.command("slices")(slices)


_mount_learning_commands()
