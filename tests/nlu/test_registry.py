from __future__ import annotations

from pathlib import Path

import pytest

from batondesk.nlu import IntentClassifier, ModelRegistry, RegistryError
from batondesk.nlu.artifact import ArtifactError


def test_register_promote_rollback(tfidf_model: IntentClassifier, tmp_path: Path) -> None:
    tfidf_model.save(tmp_path / "a", {"metrics": {"accuracy": 0.9}})
    registry = ModelRegistry(tmp_path / "registry")
    assert registry.list() == [] and registry.active() is None
    first = registry.register(tmp_path / "a", "v1")
    second = registry.register(tmp_path / "a", "v2")
    assert [v.version for v in registry.list()] == ["v1", "v2"]
    assert not first.active and first.metrics == {"accuracy": 0.9}
    registry.promote("v1")
    registry.promote(second.version)
    assert registry.active().version == "v2"  # type: ignore[union-attr]
    assert IntentClassifier.load(registry.active_path()).predict("refund please").intent == "refund"
    assert registry.rollback().version == "v1"
    assert registry.active().version == "v1"  # type: ignore[union-attr]
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback()


def test_registry_errors(tfidf_model: IntentClassifier, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "registry")
    with pytest.raises(RegistryError, match="unknown version"):
        registry.promote("v9")
    with pytest.raises(RegistryError, match="no active model"):
        registry.active_path()
    with pytest.raises(ArtifactError):
        registry.register(tmp_path)  # not a model directory
    tfidf_model.save(tmp_path / "a")
    registry.register(tmp_path / "a", "v1")
    with pytest.raises(RegistryError, match="already exists"):
        registry.register(tmp_path / "a", "v1")
