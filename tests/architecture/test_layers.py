"""Layers point downward only: the import graph between the packages of batondesk, read from
the source (every import, including those inside functions and TYPE_CHECKING blocks)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "batondesk"

# What each package may import from batondesk, besides itself. Lower layers first.
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "errors": set(),
    # Languages and message catalogues: the wording of fixed texts, nothing else.
    "i18n": set(),
    # Files people attach: what is accepted and how it is cleaned (bytes in, bytes out).
    "attachments": {"config", "errors"},
    "nlu": {"config"},
    "store": {"config", "errors", "privacy"},
    "privacy": {"config", "errors", "store", "nlu"},
    "knowledge": {"config", "errors", "store", "nlu", "privacy"},
    "handoff": {"config", "errors", "store", "nlu", "privacy", "i18n"},
    # The turn states a verified customer's facts and may offer them a recommendation.
    "engine": {
        "config",
        "errors",
        "store",
        "nlu",
        "privacy",
        "knowledge",
        "handoff",
        "i18n",
        "customers",
    },
    # Metric definitions: instrumented from actions and api, never from the pure layers above.
    "observability": {"config", "errors", "store"},
    # KPIs read the store and the office hours; nothing that answers customers.
    "reports": {"errors", "store", "handoff"},
    # Experiments: variants override the turn's settings; results use the KPI rules.
    "experiments": {"errors", "store", "handoff", "engine", "reports"},
    # Customer data: attribute types, the record shape, files, profile values, and
    # recommendations with their reasons in the customer's language (no writes).
    "customers": {"errors", "store", "privacy", "i18n"},
    # Other systems: signatures, destination checks, webhook bodies, the CRM pull client.
    "integrations": {"config", "errors", "store", "privacy", "customers"},
}


def _imports(path: Path) -> set[str]:
    """The batondesk packages a module imports (first name after `batondesk.`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "batondesk" and len(parts) > 1:
                found.add(parts[1])
    return found


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        owner = relative.parts[0].removesuffix(".py")
        graph.setdefault(owner, set()).update(_imports(path) - {owner})
    return graph


GRAPH = _package_graph()


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_lower_layers_import_only_what_is_below_them(package: str) -> None:
    forbidden = GRAPH.get(package, set()) - ALLOWED[package]
    assert not forbidden, f"{package} imports {sorted(forbidden)}"


def test_no_import_cycles_among_engine_knowledge_and_handoff() -> None:
    core = {"engine", "knowledge", "handoff"}
    for package in core:
        for other in core - {package}:
            assert not (other in GRAPH[package] and package in GRAPH[other]), (package, other)
    assert not ({"actions", "engine", "demo"} & GRAPH["handoff"])
