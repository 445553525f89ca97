"""Intent models per account, with the server's default model as the fallback.

Each account trains, promotes and rolls back its own models in its own registry
(`<models_dir>/accounts/<account id>/`); an account that has none uses the server's default
registry (`<models_dir>/`), which only the operator changes (`baton nlu models promote`
without `--account`). Every turn asks which model is active, so a promotion reaches every
API worker at its next message: the active pointer is a small file, read again only when it
changes. A promotion is also announced to every worker (realtime/invalidation.py), which then
reads the pointer again at once and loads the new model before the account's next message.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from batondesk.engine.understanding import IntentPredictor
from batondesk.nlu.registry import ModelRegistry

log = logging.getLogger("batondesk.engine")

# Loaded models kept in memory (a BANKING77-sized model takes ~60 MB).
_LOADED_MODELS = 8

Loader = Callable[[Path], IntentPredictor]


def _load_classifier(path: Path) -> IntentPredictor:
    from batondesk.nlu import IntentClassifier

    return IntentClassifier.load(path)


class IntentModels:
    """Which intent model serves an account, loaded once per version and process."""

    def __init__(
        self,
        models_dir: Path | None,
        *,
        fallback: IntentPredictor | None = None,
        loader: Loader = _load_classifier,
    ) -> None:
        """`fallback` serves accounts when no registry has an active model (tests, or an
        installation that has not trained one yet: then the bot searches articles only).
        Without `models_dir` there are no registries: every account gets `fallback`."""
        self.models_dir = None if models_dir is None else Path(models_dir)
        self.fallback = fallback
        self._loader = loader
        self._loaded: OrderedDict[Path, IntentPredictor] = OrderedDict()
        self._pointers: dict[Path, tuple[int, Path | None]] = {}
        self._lock = threading.Lock()

    def registry(self, account_id: int | None) -> ModelRegistry:
        """The account's own registry; None: the server's default registry."""
        if self.models_dir is None:
            raise RuntimeError("this model catalogue has no registries")
        if account_id is None:
            return ModelRegistry(self.models_dir)
        return ModelRegistry(self.models_dir / "accounts" / str(int(account_id)))

    def for_account(self, account_id: int) -> IntentPredictor | None:
        """The account's active model, else the server default, else the fallback."""
        path = self._active_path(self._registry_or_none(account_id))
        return self._load(path) if path is not None else self.default()

    def default(self) -> IntentPredictor | None:
        """The server default's active model, else the fallback."""
        path = self._active_path(self._registry_or_none(None))
        return self._load(path) if path is not None else self.fallback

    def version(self, account_id: int, version: str) -> IntentPredictor:
        """One version of the account's registry, active or not (a candidate in shadow),
        loaded once per process like the active ones. Raises RegistryError when unknown."""
        return self._load(self.registry(account_id).get(version).path)

    def answering_path(self, account_id: int) -> Path | None:
        """The artifact of the model answering the account: its own active version, else the
        server default's; None when neither registry has one."""
        return self._active_path(self._registry_or_none(account_id)) or self._active_path(
            self._registry_or_none(None)
        )

    def _registry_or_none(self, account_id: int | None) -> ModelRegistry | None:
        return None if self.models_dir is None else self.registry(account_id)

    def source(self, account_id: int) -> str:
        """Where the account's model comes from: "account", "default" or "none"."""
        if self._active_path(self._registry_or_none(account_id)) is not None:
            return "account"
        if self._active_path(self._registry_or_none(None)) is not None:
            return "default"
        return "none" if self.fallback is None else "built-in"

    def reload(self, account_id: int | None) -> None:
        """Read the active pointer of the account's registry (None: the server default's) again
        even if its modification time looks unchanged (a network file system may show a stale
        one for a while), and load the model it names now rather than at the next message."""
        if self.models_dir is None:
            return
        with self._lock:
            self._pointers.pop(self.registry(account_id).pointer, None)
        if account_id is None:
            self.default()
        else:
            self.for_account(account_id)

    def forget_pointers(self) -> None:
        """Read every active pointer again at its next use (announcements may have been
        missed while this worker could not hear them)."""
        with self._lock:
            self._pointers.clear()

    def _active_path(self, registry: ModelRegistry | None) -> Path | None:
        if registry is None:
            return None
        try:
            stamp = registry.pointer.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        with self._lock:
            cached = self._pointers.get(registry.pointer)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        active = registry.active()
        path = active.path if active is not None else None
        with self._lock:
            self._pointers[registry.pointer] = (stamp, path)
        return path

    def _load(self, path: Path) -> IntentPredictor:
        with self._lock:
            model = self._loaded.get(path)
            if model is not None:
                self._loaded.move_to_end(path)
                return model
        model = self._loader(path)
        log.info("intent model %s loaded", path.name)
        with self._lock:
            self._loaded[path] = model
            while len(self._loaded) > _LOADED_MODELS:
                self._loaded.popitem(last=False)
        return model
