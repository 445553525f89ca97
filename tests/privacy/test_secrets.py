"""Production refuses weak secrets (a visitor-token secret like "x" was brute-forced from one
token and used to forge another contact's token); dev generates strong ones."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from batondesk.config import Settings, weakness_of_secret


def _random_b64(size: int = 32) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode()


def _production(tmp_path: Path, **secrets_: str) -> Settings:
    values = {
        "master_key": _random_b64(),
        "blind_index_key": _random_b64(),
        "session_secret": _random_b64(),
        **secrets_,
    }
    return Settings(environment="production", data_dir=tmp_path, **values)


WEAK = {
    "one character": "x",
    "a word": "changeme",
    "repeated hex": "aa" * 32,
    "hex sequence": "0123456789abcdef" * 4,
    "passphrase": "CorrectHorseBatteryStapleCorrectHorseBattery",
    "encoded passphrase": base64.b64encode(b"correct horse battery staple, really!!").decode(),
    "16 random bytes": _random_b64(16),
}


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_production_refuses_a_weak_session_secret_naming_the_variable(
    tmp_path: Path, kind: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _production(tmp_path, session_secret=WEAK[kind])
    message = str(refused.value)
    assert "BATON_SESSION_SECRET" in message and "BATON_MASTER_KEY" not in message


def test_production_refuses_reused_secrets(tmp_path: Path) -> None:
    key = _random_b64()
    with pytest.raises(ValidationError, match="must all differ"):
        _production(tmp_path, master_key=key, blind_index_key=key)


@pytest.mark.parametrize(
    "encode",
    [
        lambda raw: base64.b64encode(raw).decode(),
        lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("="),
        lambda raw: raw.hex(),
    ],
    ids=["base64", "base64url", "hex"],
)
def test_production_accepts_random_secrets_in_any_usual_encoding(tmp_path: Path, encode) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20):
        value = encode(secrets.token_bytes(48))
        assert weakness_of_secret(value) is None, value
    settings = _production(tmp_path, session_secret=encode(secrets.token_bytes(32)))
    assert settings.environment == "production"


def test_dev_generates_strong_secrets_in_owner_only_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(environment="dev", data_dir=data_dir)
    for name in ("master_key", "blind_index_key", "session_secret"):
        assert weakness_of_secret(getattr(settings, name)) is None, name
        mode = stat.S_IMODE((data_dir / "keys" / f"{name}.b64").stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    for directory in (data_dir, data_dir / "keys"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_the_command_refuses_to_start_with_a_weak_secret(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BATON_ENVIRONMENT": "production",
        "BATON_DATA_DIR": str(tmp_path),
        "BATON_MASTER_KEY": _random_b64(),
        "BATON_BLIND_INDEX_KEY": _random_b64(),
        "BATON_SESSION_SECRET": "x",
    }
    command = [sys.executable, "-c", "from batondesk.cli import main; main()", "migrate"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "BATON_SESSION_SECRET is not base64 or hex" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "baton.db").exists()


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_production_refuses_a_weak_metrics_token_naming_the_variable(
    tmp_path: Path, kind: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _production(tmp_path, metrics_token=WEAK[kind])
    message = str(refused.value)
    assert "BATON_METRICS_TOKEN" in message and "BATON_SESSION_SECRET" not in message


def test_production_refuses_a_metrics_token_reused_from_another_secret(tmp_path: Path) -> None:
    key = _random_b64()
    with pytest.raises(ValidationError, match="BATON_METRICS_TOKEN must all differ"):
        _production(tmp_path, session_secret=key, metrics_token=key)


def test_production_serves_without_a_metrics_token_or_with_a_strong_one(tmp_path: Path) -> None:
    assert _production(tmp_path).metrics_token == ""
    token = secrets.token_hex(32)
    assert _production(tmp_path, metrics_token=f" {token}\n").metrics_token == token
