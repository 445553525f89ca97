"""Headless Chromium for end-to-end tests, driven by Playwright against the system browser.

Locally the tests skip when Chromium or Playwright is missing; in CI (`CI=true`) they fail,
because `.ci/run` installs Chromium and a skipped browser test would hide a broken console.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("BATON_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


# Per test, not per session: Playwright's sync API keeps an event loop marked as running while
# it is open, which would break later tests that call asyncio.run().
@pytest.fixture
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium chromium-driver)")
    with sync_playwright() as playwright:
        # The system browser only: Playwright must never download one (no internet here).
        instance = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where the tests save screenshots; set BATON_SCREENSHOT_DIR=docs/screenshots to refresh
    the ones shown in the README."""
    target = Path(os.environ.get("BATON_SCREENSHOT_DIR") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def strict_privacy_context(tmp_path: Path) -> Iterator[Any]:
    """A Chromium profile that blocks third-party cookies and site data, as private windows,
    strict tracking protection and Safari do: a frame from another site gets no storage
    (`localStorage` throws SecurityError) - the normal case of the chat widget's frame."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium chromium-driver)")
    profile = tmp_path / "strict-profile"
    (profile / "Default").mkdir(parents=True)
    preferences = {"profile": {"block_third_party_cookies": True, "cookie_controls_mode": 1}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 860},
        )
        yield context
        context.close()
