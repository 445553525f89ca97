"""Settings: the only place that reads environment variables.

Every setting is read from a `BATON_`-prefixed variable (or the unprefixed `DATABASE_URL` /
`REDIS_URL` that hosting platforms conventionally provide) or from a `.env` file.
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where the embedded defaults keep their files (SQLite database, dev keys, models).
DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BATON_", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Literal["dev", "test", "production"] = "dev"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("BATON_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty means SQLite in data_dir.",
    )
    redis_url: str = Field(
        default="",
        validation_alias=AliasChoices("BATON_REDIS_URL", "REDIS_URL"),
        description="Redis for real-time fan-out across workers; empty means in-process.",
    )
    # 32-byte keys, base64. In dev they are generated once into data_dir; in production they
    # must be given explicitly, because a lost key means unreadable data.
    master_key: str = ""
    master_key_file: Path | None = None  # read when BATON_MASTER_KEY is empty
    # Comma-separated earlier master keys, kept only while `baton keys rotate` re-wraps the
    # account keys under a new BATON_MASTER_KEY (docs/privacy.md).
    previous_master_keys: str = ""
    blind_index_key: str = ""
    # Where wrapped account and contact keys live: a database apart from the main one, so a
    # backup of the main database holds no keys and erasure reaches it. Empty: a SQLite file
    # in data_dir/keys/.
    keystore_url: str = ""
    # Public widget endpoints: requests per minute per client address (0 disables).
    widget_rate_limit_per_minute: int = 120
    # How often each API worker applies the accounts' retention policies (0 disables; the
    # `baton privacy retention --apply` command does the same from cron).
    retention_interval_hours: float = 24.0
    session_secret: str = ""
    # The interactive API docs (/docs, /redoc) and /openapi.json. Unset: on in dev and test,
    # off in production, where they would describe every route to anyone.
    api_docs: bool | None = None
    max_message_chars: int = 5000
    widget_token_ttl_seconds: int = 7 * 24 * 3600
    session_ttl_seconds: int = 12 * 3600
    nlu_model_dir: Path | None = None
    # Public datasets (BANKING77, CLINC150) used to train the demo model and run benchmarks.
    datasets_dir: Path = Path("../shared/data")
    # "fast" only for test suites; see privacy/passwords.py.
    password_hashing: Literal["strong", "fast"] = "strong"
    host: str = "127.0.0.1"
    port: int = 8000
    # Optional language model behind any OpenAI-compatible chat endpoint (e.g. Ollama at
    # http://127.0.0.1:11434/v1, vLLM, or a hosted API). Off while base URL or model is empty;
    # only redacted text is sent, and generated answers must be grounded in the knowledge base.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_seconds: float = 20.0

    @model_validator(mode="after")
    def _fill_dev_secrets(self) -> Settings:
        secret_fields = ("master_key", "blind_index_key", "session_secret")
        if not self.master_key and self.master_key_file is not None:
            # A file mounted from a secret store keeps the key out of the environment.
            self.master_key = self.master_key_file.read_text().strip()
        if self.environment == "production":
            # A profile name, not a secret.
            if self.password_hashing != "strong":  # nosec B105
                raise ValueError("production requires BATON_PASSWORD_HASHING=strong")
            missing = [name for name in secret_fields if not getattr(self, name)]
            if missing:
                raise ValueError(
                    "production needs explicit secrets: set "
                    + ", ".join(f"BATON_{name.upper()}" for name in missing)
                )
        else:
            for name in secret_fields:
                if not getattr(self, name):
                    setattr(self, name, _dev_secret(self.data_dir, name))
        for name in ("master_key", "blind_index_key"):
            if len(base64.b64decode(getattr(self, name))) != 32:
                raise ValueError(f"BATON_{name.upper()} must be 32 bytes, base64-encoded")
        return self

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.data_dir / 'baton.db').resolve()}"

    @property
    def keystore_sqlalchemy_url(self) -> str:
        if self.keystore_url:
            return self.keystore_url
        return f"sqlite:///{(self.data_dir / 'keys' / 'keys.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.nlu_model_dir or self.data_dir / "models"


def _dev_secret(data_dir: Path, name: str) -> str:
    """Return a development secret, generated once and kept in data_dir so restarts can read
    what was encrypted before."""
    path = data_dir / "keys" / f"{name}.b64"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.b64encode(secrets.token_bytes(32)).decode()
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
