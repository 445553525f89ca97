"""The Baton Bank demo, started the way a user starts it, on a free loopback port.

`baton demo --no-serve` migrates, seeds and trains the default intent model into a data
directory of its own, then `baton serve` runs as a child process until the benchmark ends
(normally, on an error or on Ctrl-C). The trained model (models/) is kept between runs, so
training happens once; everything else (database, keys) starts fresh each run, so every run
sees the current demo content and no conversations from an earlier run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

# A directory the benchmark created carries this file; it refuses to clear any other.
MARKER = ".bench-resolution"
KEPT = ("models", MARKER)


def baton_command() -> str:
    """The `baton` console script of the running interpreter's environment."""
    beside = Path(sys.executable).with_name("baton")
    found = str(beside) if beside.is_file() else shutil.which("baton")
    if not found:
        raise SystemExit("the `baton` command was not found: install the project (make install)")
    return found


def prepare_data_dir(data_dir: Path, fresh: bool) -> None:
    """Clear what an earlier run left, keeping the trained model unless `fresh`."""
    if data_dir.exists() and any(data_dir.iterdir()) and not (data_dir / MARKER).is_file():
        raise SystemExit(
            f"{data_dir} exists and was not created by this benchmark; "
            "choose another --data-dir (its contents would be deleted)"
        )
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold keys
    (data_dir / MARKER).touch()
    for entry in data_dir.iterdir():
        if entry.name in KEPT:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_environment(data_dir: Path, datasets_dir: Path) -> dict[str, str]:
    """The demo's embedded defaults (SQLite, in-process fan-out, local models, no LLM),
    whatever the caller's environment or .env says, and no widget rate limit: the benchmark
    is one client address sending far faster than a person."""
    env = dict(os.environ)
    env.update(
        BATON_ENVIRONMENT="dev",
        BATON_DATA_DIR=str(data_dir),
        BATON_DATASETS_DIR=str(datasets_dir),
        BATON_DATABASE_URL="",
        DATABASE_URL="",
        BATON_REDIS_URL="",
        REDIS_URL="",
        BATON_KEYSTORE_URL="",
        BATON_LLM_BASE_URL="",
        BATON_LLM_MODEL="",
        BATON_WIDGET_RATE_LIMIT_PER_MINUTE="0",
    )
    env.pop("BATON_NLU_MODEL_DIR", None)  # the model lives in data_dir/models
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server(
    data_dir: Path,
    datasets_dir: Path,
    *,
    fresh: bool,
    cwd: Path,
    start_timeout: float = 300,
    before_demo: Callable[[Path], None] | None = None,
    demo_options: Sequence[str] = (),
) -> Iterator[str]:
    """Seed and train the demo in `data_dir`, serve it, yield its base URL, stop it after.
    `before_demo(data_dir)` runs on the prepared directory before `baton demo` (e.g. to make
    a model of its own the active one, which the demo then keeps); `demo_options` are
    passed to `baton demo` (e.g. "--no-history")."""
    data_dir = data_dir.resolve()
    prepare_data_dir(data_dir, fresh)
    if before_demo is not None:
        before_demo(data_dir)
    env = child_environment(data_dir, datasets_dir.resolve())
    baton = baton_command()
    prepare_demo(data_dir, env, cwd, demo_options)
    port = free_port()
    log_path = data_dir / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [baton, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(server, base, start_timeout, log_path)
            yield base
        finally:
            _stop(server)


def prepare_demo(
    data_dir: Path, env: dict[str, str], cwd: Path, demo_options: Sequence[str] = ()
) -> None:
    """`baton demo --no-serve` with `env`: migrate and seed the database `env` names, and
    train the intent model into `data_dir` unless one is active there."""
    print(f"preparing the demo in {data_dir} (trains the intent model on the first run)")
    # Its progress and logs go to stderr; its banner (for a person about to browse) is not
    # printed, only what it seeded and which model is active.
    demo = subprocess.run(
        [baton_command(), "demo", "--no-serve", *demo_options],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        text=True,
    )
    if demo.returncode != 0:
        raise SystemExit(f"`baton demo --no-serve` failed ({demo.returncode}):\n{demo.stdout}")
    for line in demo.stdout.splitlines():
        if line.startswith(("demo workspace", "intent model")):
            print(f"  {line}")


def _wait_until_healthy(
    server: subprocess.Popen[bytes], base: str, timeout: float, log_path: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise SystemExit(f"`baton serve` exited with code {server.returncode}:\n{tail}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"`baton serve` did not answer {base}/health within {timeout:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
