"""Sentence embeddings for semantic retrieval, from the local MiniLM encoder.

Nothing leaves the host: the encoder runs in-process with ONNX Runtime. When the encoder is
not installed, retrieval falls back to lexical search alone (and says so in the logs).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger("batondesk.knowledge")

# Passages of a few dozen accounts' knowledge bases; ~1.5 KB each.
_CACHE_SIZE = 50_000


class TextEmbedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors, shape (len(texts), dimension), float32."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (mean-pooled last layer, normalised), with a cache
    keyed by text so re-indexing after one article changes is cheap.

    `cache_file` keeps passage embeddings across restarts (a first index of the demo's 446
    passages takes ~20 s on a busy 2-core machine; from the file, well under a second). Only
    vectors of knowledge-base passages are written there, never customer messages.
    """

    def __init__(self, directory: Path, threads: int = 1, cache_file: Path | None = None) -> None:
        from batondesk.nlu.encoder import OnnxEncoder

        self._encoder = OnnxEncoder(directory, threads=threads)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._cache_file = cache_file
        if cache_file is not None and cache_file.is_file():
            try:
                with np.load(cache_file) as stored:
                    for key, vector in zip(stored["keys"], stored["vectors"], strict=True):
                        self._cache[str(key)] = vector
            except (OSError, ValueError, KeyError):
                log.warning("ignoring an unreadable embedding cache at %s", cache_file)

    def embed(self, texts: Sequence[str], *, persist: bool = False) -> np.ndarray:
        """Vectors for `texts`; `persist` writes new ones to the cache file (passages only)."""
        from batondesk.nlu.encoder import LAYER_COUNT, layer_features

        keys = [
            hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest() for text in texts
        ]
        with self._lock:
            missing = sorted(
                {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items()
            )
        if missing:
            vectors = layer_features(
                self._encoder.pooled_layers([text for _key, text in missing]), [LAYER_COUNT]
            )
            with self._lock:
                for (key, _text), vector in zip(missing, vectors, strict=True):
                    self._cache[key] = vector
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
            if persist:
                self._save()
        with self._lock:
            return np.stack([self._cache[key] for key in keys]).astype(np.float32)

    def remember(self, text: str, vector: np.ndarray) -> None:
        """Keep `text`'s vector, computed elsewhere by this same encoder (the intent model's
        frozen MiniLM), so that reading the conversation again at its next turn does not
        encode the message a second time. Memory only: never written to the cache file."""
        key = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        with self._lock:
            self._cache[key] = np.asarray(vector, dtype=np.float32)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed`, and new vectors are written to the cache file."""
        return self.embed(texts, persist=True)

    def _save(self) -> None:
        if self._cache_file is None:
            return
        with self._lock:
            keys = np.asarray(list(self._cache), dtype="U40")
            vectors = np.stack(list(self._cache.values())) if len(keys) else np.zeros((0, 384))
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            unique = f"{os.getpid()}-{threading.get_ident()}"
            partial = self._cache_file.with_suffix(f".{unique}.partial.npz")
            np.savez(partial, keys=keys, vectors=vectors.astype(np.float32))
            partial.replace(self._cache_file)  # atomic: another process never reads half a file
        except OSError:
            log.warning("could not write the embedding cache to %s", self._cache_file)


def encoder_directory() -> Path:
    from batondesk.nlu.encoder import default_cache_dir

    return default_cache_dir() / "knowledge-encoder"


@lru_cache(maxsize=1)
def default_embedder() -> TextEmbedder | None:
    """The shared embedder, or None when the encoder cannot run here (lexical search only)."""
    from batondesk.nlu.encoder import encoder_available, export_encoder

    directory = encoder_directory()
    try:
        if not (directory / "encoder.onnx").is_file():
            if not encoder_available():
                log.warning("sentence encoder not installed: knowledge search is lexical only")
                return None
            export_encoder(directory)
        from batondesk.nlu.encoder import EXPORT_VERSION

        return MiniLMEmbedder(directory, cache_file=directory / f"passages-{EXPORT_VERSION}.npz")
    except Exception:  # a broken encoder must not take the bot down: lexical search still works
        log.exception("could not load the sentence encoder: knowledge search is lexical only")
        return None
