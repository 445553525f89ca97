"""How the load benchmark runs the servers it measures, on loopback: the embedded demo as
benchmarks/demo_server.py starts it, the production process model on one host as
docs/deploy.md runs it (one `baton serve --workers 2`, whose two processes share one listening
socket, and a `baton worker`, on PostgreSQL and Redis; started by tests/support/processes.py),
and the bare echo app (benchmarks/echo_app.py) served the same ways.

Several hosts put a load balancer in front of their API processes; the process-model test
checks that shape with a small round-robin proxy (tests/support/processes.py). The benchmark
does not measure through that proxy: written in Python, it served 33 echo requests/s at 50
clients on this machine kind, well under what it would stand in front of."""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
API_WORKERS = 2
sys.path.insert(0, str(ROOT))  # the process model lives with the tests that check it

from tests.support.processes import (  # noqa: E402
    BatonProcess,
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


@dataclass
class Production:
    """The running production deployment, for the phases that kill its processes."""

    base_url: str
    api: BatonProcess  # `baton serve --workers 2`: uvicorn's supervisor
    worker: BatonProcess  # the current `baton worker`
    env: dict[str, str]
    data_dir: Path
    redis_url: str
    queue_name: str
    replaced: list[BatonProcess] = field(default_factory=list)

    def replace_job_worker(self) -> None:
        """Start a new `baton worker`, as an orchestrator does when one dies."""
        self.replaced.append(self.worker)
        name = f"worker-{len(self.replaced) + 1}"
        self.worker = start(name, ["worker", "--threads", "2"], self.env, self.data_dir)


@contextmanager
def production(args: argparse.Namespace, data_dir: Path) -> Iterator[Production]:
    print(f"production: PostgreSQL + Redis, `baton serve --workers {API_WORKERS}`, `baton worker`")
    data_dir = data_dir.resolve()
    prepare_data_dir(data_dir, args.fresh)
    trained = (args.data_dir / "embedded" / "models").resolve()
    if not (data_dir / "models").exists() and trained.is_dir() and args.model is None:
        shutil.copytree(trained, data_dir / "models")  # trained once, by the embedded demo
    _model_installer(args)(data_dir)
    token = uuid.uuid4().hex[:10]  # names this run's Redis keys, to remove them after
    queue_name = f"baton-bench-load-{token}"
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
            BATON_JOB_QUEUE_NAME=queue_name,
        )
        env = environment(**settings)
        prepare_demo(data_dir, env, ROOT, _demo_options(args))
        try:
            api = start_api("api", env, data_dir, "--workers", str(API_WORKERS))
            with stopping(api):
                _wait_until_every_worker_answers(api.base_url)
                worker = start("worker", ["worker", "--threads", "2"], env, data_dir)
                deployment = Production(
                    api.base_url, api, worker, env, data_dir, args.redis_url, queue_name
                )
                try:
                    yield deployment
                    for process in (api, deployment.worker):
                        process.stop(timeout=30)
                finally:  # whatever has not stopped by now (kill_hard skips the dead)
                    for process in (deployment.worker, *deployment.replaced):
                        process.kill_hard()
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


def _wait_until_every_worker_answers(base: str, answers: int = 20) -> None:
    """`start_api` returns once one process answers /ready; the other may still be loading
    its models. New connections go to whichever process accepts first, so many ready answers
    in a row mean both are up."""
    deadline = time.monotonic() + 120
    in_a_row = 0
    while in_a_row < answers:
        if time.monotonic() > deadline:
            raise SystemExit(f"{base}: the API workers did not all get ready within 120 s")
        with httpx.Client(timeout=5) as client:  # a new connection each time
            try:
                ok = client.get(f"{base}/ready").status_code == 200
            except httpx.HTTPError:
                ok = False
        in_a_row = in_a_row + 1 if ok else 0
        if not ok:
            time.sleep(0.5)


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
def echo_server(workers: int, directory: Path) -> Iterator[str]:
    """The echo app served by uvicorn on a free loopback port with `workers` processes (as
    `baton serve --workers` serves Baton); yields its base URL."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(directory / f"echo-{workers}.log", "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "echo_app.py"),
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
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
