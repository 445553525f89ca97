"""Settings: the only place that reads environment variables.

Every setting is read from a `BATON_`-prefixed variable (or the unprefixed `DATABASE_URL` /
`REDIS_URL` that hosting platforms conventionally provide) or from a `.env` file.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from zxcvbn import zxcvbn

# Where the embedded defaults keep their files (SQLite database, dev keys, models).
DEFAULT_DATA_DIR = Path("var")
SECRET_FIELDS = ("master_key", "blind_index_key", "session_secret")
# Secrets that switch a feature on when set: in production they must be as strong as the others.
OPTIONAL_SECRET_FIELDS = ("metrics_token",)
MIN_SECRET_BYTES = 32
# zxcvbn's estimate of guesses, per character: random base64 or hex scores about 0.95 and more;
# passphrases, repeats, sequences and keyboard walks score far less.
_MIN_GUESSES_LOG10_PER_CHAR = 0.8
_ZXCVBN_MAX_CHARS = 72
_HOW_TO_GENERATE = (
    'generate one with: python -c "import base64, secrets; '
    'print(base64.b64encode(secrets.token_bytes(32)).decode())"'
)


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
        description=(
            "Redis shared by every API worker: real-time fan-out, rate limits and cache "
            "invalidation (docs/architecture.md); empty means in-process."
        ),
    )
    # The job queue (jobs/): a Redis URL, and then the periodic and background work runs only
    # in `baton worker` processes. Empty (the demo): each API process runs it itself, in
    # threads beside the requests. A setting of its own, so that Redis for real-time fan-out
    # never silently moves the SLA checks to a worker process nobody started.
    job_queue_url: str = ""
    # The prefix of the queue's keys in Redis: installations sharing one Redis each use
    # their own.
    job_queue_name: str = Field(default="baton-jobs", pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    # A job worker silent this long is taken to have died: its unfinished jobs go to another.
    job_worker_heartbeat_timeout_seconds: float = Field(default=60.0, gt=0)
    # How often the queue check runs (SLA breaches, aging, assigning queued conversations to
    # agents who became free, waking snoozed conversations, experiments' guardrails).
    queue_check_interval_seconds: float = Field(default=15.0, gt=0)
    # How long `baton serve` and `baton worker` wait, once told to stop, for requests, open
    # event streams and running jobs to finish.
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    # How long `baton serve` keeps an idle keep-alive connection open. Longer than the idle
    # timeout of whatever reuses connections in front of it (load balancers: 60 s; HTTP
    # clients: httpx 5 s), so the server never closes a connection just as a request is sent
    # on it: at uvicorn's 5 s, 9 of 31,521 requests of bench-load's soak were reset.
    keep_alive_seconds: int = Field(default=75, ge=1, le=3600)
    # Threads per API process that run the synchronous endpoints (AnyIO's limiter; its default
    # is 40). Requests beyond it wait on the event loop, holding no thread.
    request_threads: int = Field(default=40, ge=1, le=1000)
    # Prefix of every Redis key and channel, so installations sharing one Redis (staging and
    # production, parallel test runs) never read each other's counters or notifications.
    redis_namespace: str = Field(default="baton", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
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
    # How often the accounts' retention policies are applied, as a job (0 disables; the
    # `baton privacy retention --apply` command does the same from cron).
    retention_interval_hours: float = 24.0
    session_secret: str = ""
    # The interactive API reference (/docs) and /openapi.json. Unset: on in dev and test,
    # off in production, where they would describe every route to anyone.
    api_docs: bool | None = None
    max_message_chars: int = 5000
    widget_token_ttl_seconds: int = 7 * 24 * 3600
    session_ttl_seconds: int = 12 * 3600
    nlu_model_dir: Path | None = None
    # Full public datasets (BANKING77, CLINC150) for the benchmarks; the demo model's training
    # data ships with the package (batondesk/demo/data/).
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
    # Outgoing email (the chat's follow-up to a customer who left before an agent replied).
    # Off while the host is empty: then nothing is ever sent and no connection is made.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # "starttls" upgrades a plain connection (port 587), "tls" starts encrypted (port 465),
    # "none" only for a relay on the same host or network.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_timeout_seconds: float = 10.0
    # Reports add up stored tallies of each day (reports/rollups.py). "on_read": a report
    # first reads the event log since the last one, so its figures are exact as of the
    # request; "background": a report reads what the report refresh job (every minute, jobs/)
    # last stored, so a large account's report never waits for counting, and says up to
    # which moment it is current (docs/metrics.md).
    reports_refresh: Literal["on_read", "background"] = "on_read"
    # The bearer token a Prometheus scraper sends to read /metrics. Empty: /metrics is not
    # served at all, because the figures reveal the service's traffic (docs/operations.md).
    metrics_token: str = ""
    # prometheus-client's multiprocess mode, for several API workers (`baton serve --workers
    # N`): each worker writes its figures to files here and a scrape of any worker adds them
    # up. The library reads this variable itself when it is imported, so it must be in the
    # process environment, not only in .env (create_app refuses the mismatch).
    prometheus_multiproc_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR")
    )

    # Webhooks and CRM connectors send requests to admin-given URLs. Off: only to public
    # addresses, never loopback, private networks or link-local (cloud metadata) ones, so an
    # admin's URL cannot reach inside the server's network (docs/integrations.md). On: also
    # private ones (a CRM on the same network, tests).
    allow_private_destinations: bool = False
    # Outbound webhooks (docs/integrations.md): how long a receiver has to answer, how many
    # attempts a delivery gets (backoff doubles from the base), and how often a job sends what
    # is due (0: never on its own; run `baton webhooks deliver --every 2`).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0, le=3600)
    webhook_delivery_interval_seconds: float = Field(default=2.0, ge=0)

    @model_validator(mode="after")
    def _fill_dev_secrets(self) -> Settings:
        if not self.master_key and self.master_key_file is not None:
            # A file mounted from a secret store keeps the key out of the environment.
            self.master_key = self.master_key_file.read_text().strip()
        self.metrics_token = self.metrics_token.strip()
        if self.smtp_host and "@" not in self.smtp_from:
            raise ValueError("BATON_SMTP_HOST needs BATON_SMTP_FROM, the sender's address")
        if self.environment == "production":
            # A profile name, not a secret.
            if self.password_hashing != "strong":  # nosec B105
                raise ValueError("production requires BATON_PASSWORD_HASHING=strong")
            missing = [name for name in SECRET_FIELDS if not getattr(self, name)]
            if missing:
                raise ValueError(
                    "production needs explicit secrets: set "
                    + ", ".join(f"BATON_{name.upper()}" for name in missing)
                )
            _refuse_weak_secrets(self)
        else:
            for name in SECRET_FIELDS:
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


def weakness_of_secret(value: str) -> str | None:
    """Why `value` is not a strong secret (None if it is): it must be at least
    `MIN_SECRET_BYTES` random bytes, base64 (standard or URL-safe) or hex encoded, and not a
    passphrase, a repeated or a dictionary-like value."""
    text = value.strip()
    raw = _decode_secret(text)
    if raw is None:
        return "is not base64 or hex"
    if len(raw) < MIN_SECRET_BYTES:
        return f"decodes to {len(raw)} bytes; at least {MIN_SECRET_BYTES} random bytes are needed"
    if all(32 <= byte < 127 for byte in raw):
        return "encodes printable text, not random bytes"
    sample = text[:_ZXCVBN_MAX_CHARS]
    if zxcvbn(sample)["guesses_log10"] < _MIN_GUESSES_LOG10_PER_CHAR * len(sample):
        return "looks like a repeated, patterned or dictionary-like value"
    return None


def _decode_secret(text: str) -> bytes | None:
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
        return bytes.fromhex(text)
    standard = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _refuse_weak_secrets(settings: Settings) -> None:
    problems = []
    names = [*SECRET_FIELDS, *(name for name in OPTIONAL_SECRET_FIELDS if getattr(settings, name))]
    for name in names:
        weakness = weakness_of_secret(getattr(settings, name))
        if weakness:
            problems.append(f"BATON_{name.upper()} {weakness}")
    values = [getattr(settings, name).strip() for name in names]
    if len(set(values)) < len(values):
        variables = [f"BATON_{name.upper()}" for name in names]
        problems.append(", ".join(variables[:-1]) + f" and {variables[-1]} must all differ")
    if problems:
        raise ValueError(
            "production refuses weak secrets: " + "; ".join(problems) + f" ({_HOW_TO_GENERATE})"
        )


def _dev_secret(data_dir: Path, name: str) -> str:
    """Return a development secret, generated once and kept in data_dir so restarts can read
    what was encrypted before. The directories are 0700 and the file 0600 from the start."""
    path = data_dir / "keys" / f"{name}.b64"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    value = base64.b64encode(secrets.token_bytes(32)).decode()
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(value)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
