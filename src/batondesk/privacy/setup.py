"""Start-up wiring of the privacy layer: key store, audit hooks, log redaction."""

from __future__ import annotations

from batondesk.config import Settings
from batondesk.privacy import audit  # noqa: F401  (registers the audit session hooks)
from batondesk.privacy.keystore import KeyStore, current_keystore, decode_key, install_keystore
from batondesk.privacy.redaction import install_log_redaction


def build_keystore(settings: Settings) -> KeyStore:
    if not settings.keystore_url:
        (settings.data_dir / "keys").mkdir(parents=True, exist_ok=True)
    previous = [decode_key(k) for k in settings.previous_master_keys.split(",") if k.strip()]
    return KeyStore(settings.keystore_sqlalchemy_url, decode_key(settings.master_key), previous)


_installed_for: tuple[str, str, str] | None = None


def install_privacy(settings: Settings) -> None:
    """Install the key store named by settings (reused if already open) and redact logs."""
    global _installed_for
    wanted = (settings.keystore_sqlalchemy_url, settings.master_key, settings.previous_master_keys)
    try:
        current_keystore()
        installed = _installed_for == wanted
    except RuntimeError:
        installed = False
    if not installed:
        install_keystore(build_keystore(settings))
        _installed_for = wanted
    install_log_redaction()
