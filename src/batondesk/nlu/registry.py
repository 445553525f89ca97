"""A model registry on the filesystem: versioned artifact directories and an `active` pointer.

Layout: `<root>/versions/<version>/` (one artifact each, never modified after registration)
and `<root>/active.json` naming the active version plus the history of promotions, so a
rollback returns to the previously active version. Pointer updates are written to a temporary
file then renamed, so a crash never leaves a half-written pointer.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from batondesk.nlu.artifact import ArtifactError, read_metadata


class RegistryError(ValueError):
    """An unknown version, an empty history, or a registry directory in a bad state."""


@dataclass(frozen=True)
class ModelVersion:
    version: str
    path: Path
    created_at: str
    active: bool
    metrics: dict[str, Any]
    dataset_hash: str | None


class ModelRegistry:
    """Register, list, promote and roll back intent model versions under `root`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"
        self.pointer = self.root / "active.json"

    def _state(self) -> dict[str, Any]:
        if not self.pointer.is_file():
            return {"active": None, "history": []}
        try:
            state: dict[str, Any] = json.loads(self.pointer.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{self.pointer}: invalid JSON ({exc.msg})") from None
        return state

    def _write_state(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.pointer.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(temporary, self.pointer)

    def register(self, artifact: str | Path, version: str | None = None) -> ModelVersion:
        """Copy an artifact directory into the registry as a new version (not yet active)."""
        source = Path(artifact)
        read_metadata(source)  # refuses anything that is not a model artifact
        name = version or datetime.now(UTC).strftime("v%Y%m%d-%H%M%S")
        target = self.versions_dir / name
        if target.exists():
            raise RegistryError(f"version '{name}' already exists")
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        staging = self.versions_dir / f".{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging)
        staging.rename(target)
        return self.get(name)

    def get(self, version: str) -> ModelVersion:
        path = self.versions_dir / version
        if not path.is_dir():
            raise RegistryError(f"unknown version '{version}'")
        meta = read_metadata(path)
        return ModelVersion(
            version=version,
            path=path,
            created_at=str(meta.get("created_at", "")),
            active=self._state().get("active") == version,
            metrics=dict(meta.get("metrics", {})),
            dataset_hash=meta.get("dataset_hash"),
        )

    def list(self) -> list[ModelVersion]:
        """All versions, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        versions = []
        for path in self.versions_dir.iterdir():
            if path.is_dir() and not path.name.startswith("."):
                try:
                    versions.append(self.get(path.name))
                except ArtifactError:
                    continue  # a damaged version is skipped, not fatal for the listing
        return sorted(versions, key=lambda v: (v.created_at, v.version))

    def active(self) -> ModelVersion | None:
        name = self._state().get("active")
        return self.get(name) if name else None

    def active_path(self) -> Path:
        current = self.active()
        if current is None:
            raise RegistryError(f"{self.root}: no active model; promote a version first")
        return current.path

    def promote(self, version: str) -> ModelVersion:
        """Make `version` active; the previously active one is remembered for rollback."""
        self.get(version)
        state = self._state()
        if state.get("active") == version:
            return self.get(version)
        if state.get("active"):
            state["history"].append(state["active"])
        state["active"] = version
        state["promoted_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self._write_state(state)
        return self.get(version)

    def rollback(self) -> ModelVersion:
        """Re-activate the version that was active before the current one."""
        state = self._state()
        while state["history"]:
            previous = state["history"].pop()
            if (self.versions_dir / previous).is_dir():
                state["active"] = previous
                state["promoted_at"] = datetime.now(UTC).isoformat(timespec="seconds")
                self._write_state(state)
                return self.get(previous)
        raise RegistryError("nothing to roll back to: no previously active version")
