"""`baton demo` prepares the intent model from the data Baton ships, and says which model it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from batondesk import __version__
from batondesk.cli import app
from batondesk.cli.demo import demo
from batondesk.config import get_settings
from batondesk.demo import training_data
from batondesk.nlu import IntentClassifier, ModelRegistry
from batondesk.training.default_model import active_default_model

runner = CliRunner()
# `baton demo` alone: the full command line mounts its subcommands only in main().
demo_app = typer.Typer()
demo_app.command()(demo)


@pytest.fixture
def cli_env(settings, db, monkeypatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`baton` reads its settings from the environment: the test's database and data folder,
    and a datasets folder that does not exist, as on any machine but ours."""
    monkeypatch.setenv("BATON_ENVIRONMENT", "test")
    monkeypatch.setenv("BATON_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BATON_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BATON_PASSWORD_HASHING", "fast")
    monkeypatch.setenv("BATON_DATASETS_DIR", str(tmp_path / "no-datasets-here"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _register_active(
    classifier: IntentClassifier, models_dir: Path, scratch: Path, metadata: dict[str, object]
) -> str:
    classifier.save(scratch / "artifact", metadata)
    registry = ModelRegistry(models_dir)
    version = registry.register(scratch / "artifact", "v1").version
    registry.promote(version)
    return version


def test_demo_names_the_active_model_and_how_it_was_trained(
    cli_env, settings, tiny_classifier, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _register_active(
        tiny_classifier,
        settings.models_dir,
        tmp_path,
        {"trained_by": "baton demo", "dataset_source": "BANKING77 train", "training_seconds": 97.4},
    )
    result = runner.invoke(demo_app, ["--no-serve", "--no-history"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("intent model:"))
    assert line == (
        "intent model: v1 (already active), profile fast, trained on BANKING77 train "
        f"({tiny_classifier.training_size_} examples) in 97 s"
    )


def test_a_model_trained_on_knowledge_base_titles_is_not_kept(
    settings, tiny_classifier, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Earlier versions trained on the knowledge base's titles when the datasets folder was
    missing; such a model is retrained on BANKING77, not reused."""
    _register_active(
        tiny_classifier,
        settings.models_dir,
        tmp_path,
        {"trained_by": "baton demo", "dataset_source": "knowledge base"},
    )
    assert active_default_model(settings) is None


def test_a_model_an_admin_trained_is_kept(settings, tiny_classifier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _register_active(tiny_classifier, settings.models_dir, tmp_path, {"dataset_source": "x.csv"})
    model = active_default_model(settings)
    assert model is not None
    assert model.describe() == (
        f"v1 (already active), profile fast, trained on x.csv ({tiny_classifier.training_size_} "
        "examples)"
    )


def test_missing_shipped_data_stops_the_demo_with_a_clear_error(
    cli_env, settings, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "gone" / "train.csv"
    monkeypatch.setattr(training_data, "TRAIN_FILE", missing)
    result = runner.invoke(demo_app, ["--no-serve", "--no-history"])
    assert result.exit_code == 1
    assert f"{missing} is missing" in result.stderr
    assert "git checkout -- src/batondesk/demo/data" in result.stderr
    # No weaker model was trained in its place.
    assert ModelRegistry(settings.models_dir).list() == []


def test_version_names_the_training_data_its_licence_and_citation() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    version_line, about = result.stdout.strip().splitlines()
    assert version_line == f"baton {__version__}"
    for credit in ("BANKING77", "CC BY 4.0", "Casanueva et al.", "Dual Sentence Encoders"):
        assert credit in about
