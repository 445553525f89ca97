"""The Dockerfile, compose file and Kubernetes manifests run the process model the code
defines and the multi-process test runs (test_process_model.py): `baton migrate` once,
`baton serve` for the API and `baton worker` for jobs, each with options the command accepts
and settings Baton reads. Docker cannot run here; these files are read and checked."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from batondesk import cli
from batondesk.app import create_app
from batondesk.config import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
# What each kind of process runs; test_process_model.py starts the same commands.
PROCESS_KINDS = {"migrate", "serve", "worker"}
# The images Baton itself is built into; the others (PostgreSQL, Redis, Ollama) are not Baton.
BATON_IMAGE = "baton:latest"


def _setting_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(f"BATON_{name.upper()}")
        choices = getattr(field.validation_alias, "choices", [])
        names.update(str(choice) for choice in choices)
    return names


SETTINGS = _setting_names()


def _check_command(argv: list[str]) -> str:
    """The process kind `argv` runs, after the command itself has accepted its options."""
    assert argv[0] == "baton", argv
    command = typer.main.get_command(cli.app)
    kind = argv[1]
    assert kind in PROCESS_KINDS, f"{argv}: not a process of the model"
    subcommand = command.commands[kind]  # type: ignore[attr-defined]
    subcommand.make_context(f"baton {kind}", list(argv[2:]))  # raises on an unknown option
    return kind


def _check_settings(names: set[str]) -> None:
    unknown = {name for name in names if name.startswith(("BATON_", "PROMETHEUS_"))} - SETTINGS
    assert not unknown, f"settings Baton does not read: {sorted(unknown)}"


def _compose() -> dict[str, Any]:
    text = (REPOSITORY / "compose.yaml").read_text()
    # Compose's interpolation, as `docker compose config` renders it with nothing exported.
    text = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)
    text = re.sub(r"\$\{\w+:\?[^}]*\}", "set-by-the-operator", text)
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def _k8s() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted((REPOSITORY / "deploy" / "k8s").glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def test_compose_runs_the_process_model() -> None:
    services = _compose()["services"]
    baton = {name: s for name, s in services.items() if s.get("image") == BATON_IMAGE}
    kinds = {name: _check_command(s["command"]) for name, s in baton.items()}
    assert sorted(kinds.values()) == sorted(PROCESS_KINDS)
    for service in baton.values():
        environment = service["environment"]
        _check_settings(set(environment))
        # PostgreSQL for state and Redis for fan-out and jobs, in every process alike.
        assert environment["BATON_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["BATON_REDIS_URL"].startswith("redis://redis:")
        assert environment["BATON_JOB_QUEUE_URL"].startswith("redis://redis:")
        assert environment["BATON_ENVIRONMENT"] == "production"
    api = next(s for n, s in baton.items() if kinds[n] == "serve")
    assert api["healthcheck"]["test"][-1].count("/ready")
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {"postgres", "redis", "ollama"} <= set(services)
    assert services["ollama"]["profiles"] == ["ollama"]


def test_kubernetes_manifests_run_the_process_model(tmp_path: Path) -> None:
    documents = _k8s()
    config = next(d for d in documents if d["kind"] == "ConfigMap")
    _check_settings(set(config["data"]))
    assert config["data"]["BATON_JOB_QUEUE_URL"].startswith("redis://")
    shutdown = float(config["data"]["BATON_SHUTDOWN_TIMEOUT_SECONDS"])
    kinds = set()
    paths = create_app(Settings(environment="test", data_dir=tmp_path)).openapi()["paths"]
    for document in documents:
        if document["kind"] not in ("Deployment", "Job"):
            continue
        pod = document["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        kind = _check_command(container["command"])
        kinds.add(kind)
        sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
        assert sources == {config["metadata"]["name"], "baton-secrets"}
        _check_settings({variable["name"] for variable in container.get("env", [])})
        if document["kind"] == "Deployment":
            assert pod["terminationGracePeriodSeconds"] > shutdown
        if kind == "serve":
            port = int(container["command"][container["command"].index("--port") + 1])
            assert container["ports"][0]["containerPort"] == port
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
            assert container["livenessProbe"]["httpGet"]["path"] == "/health"
            assert {"/ready", "/health"} <= set(paths)
    assert kinds == PROCESS_KINDS


def test_the_image_is_slim_non_root_with_cpu_torch_and_models_baked_in() -> None:
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    lines = [line.strip() for line in dockerfile.replace("\\\n", " ").splitlines()]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert all("python:3.11-slim" in line for line in froms)
    runs = [line for line in lines if line.startswith("RUN ")]
    torch = next(i for i, line in enumerate(runs) if "pip install torch==" in line)
    project = next(i for i, line in enumerate(runs) if re.search(r"pip install \.$", line))
    assert torch < project, "torch (CPU build) must be installed before the project"
    pinned = re.search(r'"torch==([^"]+)"', (REPOSITORY / "pyproject.toml").read_text())
    assert pinned and f"torch=={pinned.group(1)}" in runs[torch]
    makefile = (REPOSITORY / "Makefile").read_text()
    assert f"pip install --quiet torch=={pinned.group(1)}" in makefile
    assert any("baton nlu prepare" in line for line in runs), "models baked in at build time"
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1] != "USER root"
    (cmd,) = [line for line in lines if line.startswith("CMD ")]
    assert _check_command(yaml.safe_load(cmd.removeprefix("CMD "))) == "serve"
    environment = set(re.findall(r"\b(BATON_\w+)=", dockerfile))
    _check_settings(environment)


# (`baton migrate`: the multi-process test's database is migrated by its fixture.)
@pytest.mark.parametrize("kind", ["serve", "worker"])
def test_the_multi_process_test_starts_the_same_commands(kind: str) -> None:
    source = (REPOSITORY / "tests" / "deploy" / "test_process_model.py").read_text()
    source += (REPOSITORY / "tests" / "support" / "processes.py").read_text()
    assert re.search(rf'\[\s*"{kind}"', source), shlex.quote(kind)
