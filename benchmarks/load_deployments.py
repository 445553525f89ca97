"""How the load benchmark runs the servers it measures, on loopback: the embedded demo as
benchmarks/demo_server.py starts it, the production process model as its test starts it
(tests/support/processes.py: two `baton serve` behind a round-robin proxy and a `baton
worker`, on PostgreSQL and Redis), and the bare echo app (benchmarks/echo_app.py)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from demo_server import (  # benchmarks/ is on sys.path when run as a script
    child_environment,
    demo_server,
    free_port,
    prepare_data_dir,
    prepare_demo,
)
from public_datasets import datasets_dir
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the process model lives with the tests that check it

from tests.support.processes import (  # noqa: E402
    RoundRobinProxy,
    environment,
    start,
    start_api,
    stopping,
)


@contextmanager
def embedded(args: argparse.Namespace, data_dir: Path) -> Iterator[str]:
    print("embedded: SQLite, one `baton serve`", flush=True)
    with demo_server(
        data_dir,
        datasets_dir(),
        fresh=args.fresh,
        cwd=ROOT,
        before_demo=_model_installer(args),
        demo_options=_demo_options(args),
    ) as base:
        yield base


@contextmanager
def production(args: argparse.Namespace, data_dir: Path) -> Iterator[str]:
    print("production: PostgreSQL + Redis, two `baton serve` behind a proxy, `baton worker`")
    data_dir = data_dir.resolve()
    prepare_data_dir(data_dir, args.fresh)
    trained = (args.data_dir / "embedded" / "models").resolve()
    if not (data_dir / "models").exists() and trained.is_dir() and args.model is None:
        shutil.copytree(trained, data_dir / "models")  # trained once, by the embedded demo
    _model_installer(args)(data_dir)
    token = uuid.uuid4().hex[:10]  # names this run's Redis keys, to remove them after
    with private_database(args.database_url) as database_url:
        # The demo's settings (dev keys in the data directory, no rate limit, local models),
        # with the production deployment's storage, fan-out and job queue.
        settings = {
            key: value
            for key, value in child_environment(data_dir, datasets_dir().resolve()).items()
            if key.startswith("BATON_")
        }
        settings.update(
            BATON_DATABASE_URL=database_url,
            BATON_REDIS_URL=args.redis_url,
            BATON_REDIS_NAMESPACE=f"baton-bench-load-{token}",
            BATON_JOB_QUEUE_URL=args.redis_url,
            BATON_JOB_QUEUE_NAME=f"baton-bench-load-{token}",
        )
        env = environment(**settings)
        prepare_demo(data_dir, env, ROOT, _demo_options(args))
        try:
            api_a = start_api("api-a", env, data_dir)
            with stopping(api_a):
                api_b = start_api("api-b", env, data_dir)
                worker = start("worker", ["worker", "--threads", "2"], env, data_dir)
                with stopping(api_b, worker):
                    backends = [api.base_url.removeprefix("http://") for api in (api_a, api_b)]
                    with proxy_process(backends) as base:
                        yield base
                    for process in (api_a, api_b, worker):
                        process.stop(timeout=30)
        finally:
            _forget_redis_keys(args.redis_url, token)


@contextmanager
def private_database(url: str) -> Iterator[str]:
    """The database `url` names, created empty (dropped first if an earlier run left it) and
    dropped after the run."""
    parsed = make_url(url)
    name = parsed.database
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"{url}: name a database of letters, digits and underscores")
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        with server.connect() as connection:
            connection.execute(drop)
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(drop)
        server.dispose()


def _forget_redis_keys(url: str, token: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"*baton-bench-load-{token}*", count=500):
            client.delete(key)
    finally:
        client.close()


@contextmanager
def proxy_process(backends: list[str]) -> Iterator[str]:
    """The round-robin proxy in a process of its own, so that it does not share an
    interpreter with the simulated customers. Yields its URL."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_proxy, args=(backends, theirs), daemon=True)
    process.start()
    try:
        if not ours.poll(30):
            raise SystemExit("the round-robin proxy did not start")
        yield str(ours.recv())
    finally:
        process.terminate()
        process.join(10)


def _serve_proxy(backends: list[str], pipe: Connection) -> None:
    # Stopped by SIGTERM with nothing to clean up: open connections just close.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    with RoundRobinProxy(backends).running() as url:
        pipe.send(url)
        threading.Event().wait()  # until the benchmark terminates this process


def _model_installer(args: argparse.Namespace) -> Any:
    def install(data_dir: Path) -> None:
        if args.model is None:
            return
        from batondesk.nlu import ModelRegistry

        shutil.rmtree(data_dir / "models", ignore_errors=True)
        registry = ModelRegistry(data_dir / "models")
        registry.promote(registry.register(args.model.resolve(), "benchmark").version)

    return install


def _demo_options(args: argparse.Namespace) -> tuple[str, ...]:
    return ("--no-history",) if args.no_history else ()


@contextmanager
def echo_servers(count: int, directory: Path) -> Iterator[list[str]]:
    """`count` echo apps, each one uvicorn process on a free loopback port."""
    processes: list[subprocess.Popen[bytes]] = []
    addresses: list[str] = []
    directory.mkdir(parents=True, exist_ok=True)
    try:
        for number in range(count):
            port = free_port()
            with open(directory / f"echo-{number}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            str(ROOT / "benchmarks" / "echo_app.py"),
                            "--port",
                            str(port),
                        ],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            addresses.append(f"127.0.0.1:{port}")
            _wait_for(f"http://127.0.0.1:{port}/health", processes[-1])
        yield addresses
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the echo app exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the echo app did not answer {url} within {seconds:.0f} s")
