"""Baton's process model on loopback: `baton serve` and `baton worker` as real processes, and
a small round-robin TCP proxy standing in for the load balancer in front of the API."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.live_server import free_port

BATON = str(Path(sys.executable).with_name("baton"))
# A loaded two-core machine takes minutes to import the models of several fresh processes.
READY_SECONDS = 360


@dataclass
class BatonProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base_url: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill_hard(self) -> None:
        """kill -9: no cleanup, no requeueing, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as an orchestrator stops a container; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start(name: str, args: list[str], env: dict[str, str], directory: Path) -> BatonProcess:
    log = directory / f"{name}.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([BATON, *args], env=env, stdout=output, stderr=subprocess.STDOUT)
    return BatonProcess(name, process, log)


def start_api(name: str, env: dict[str, str], directory: Path, *extra: str) -> BatonProcess:
    """`baton serve` on a free loopback port, returned once its /ready answers 200 (migrated
    schema, default model loaded). Its output goes to `<directory>/<name>.log`; if it exits or
    never gets ready, the error carries the log's tail and the process is ended."""
    (api,) = start_apis([name], env, directory, *extra)
    return api


def start_apis(
    names: list[str], env: dict[str, str], directory: Path, *extra: str
) -> list[BatonProcess]:
    """One `baton serve` per name, all started before any is waited for, so that their
    start-ups (each loads the language models) overlap."""
    apis: list[BatonProcess] = []
    try:
        for name in names:
            port = free_port()
            args = ["serve", "--host", "127.0.0.1", "--port", str(port), *extra]
            api = start(name, args, env, directory)
            api.base_url = f"http://127.0.0.1:{port}"
            apis.append(api)
        for api in apis:
            _wait_until_ready(api, READY_SECONDS)
    except BaseException:
        for api in apis:
            _end(api)
        raise
    return apis


@contextmanager
def serving_apis(names: list[str], env: dict[str, str], directory: Path) -> Iterator[list[str]]:
    """`start_apis`, yielding their base URLs; each is stopped with SIGTERM afterwards, as an
    orchestrator stops it, so open event streams end the way they do in production."""
    apis = start_apis(names, env, directory)
    try:
        yield [api.base_url for api in apis]
    finally:
        for api in apis:
            _end(api)


def _wait_until_ready(api: BatonProcess, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (answer := _readiness(api)) != "ready":
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{api.name} was not ready after {seconds:.0f} s ({answer}):\n"
                f"{api.output()[-3000:]}"
            )
        time.sleep(0.1)


def _readiness(api: BatonProcess) -> str:
    """ "ready", or what the process still lacks, as a person reading a failure wants it."""
    if api.process.poll() is not None:
        raise RuntimeError(
            f"{api.name} exited with status {api.process.returncode}:\n{api.output()[-3000:]}"
        )
    try:
        answer = httpx.get(f"{api.base_url}/ready", timeout=10)
    except httpx.TransportError as error:
        return f"no answer yet: {type(error).__name__}"
    if answer.status_code == 200:
        return "ready"
    return f"/ready answered {answer.status_code} {answer.text[:200]}"


def _end(api: BatonProcess) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 15 s."""
    if api.process.poll() is None:
        api.process.terminate()
    try:
        api.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        api.process.kill()
        api.process.wait(timeout=10)


def wait_until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.1)


@contextmanager
def stopping(*processes: BatonProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(timeout=10)


def environment(**settings: str) -> dict[str, str]:
    """The process environment with these BATON_ settings, and this checkout's code first."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATON_")}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH")])
    )
    env["HF_HUB_OFFLINE"] = "1"
    env.update(settings)
    return env


@dataclass
class RoundRobinProxy:
    """Each new client connection goes to the next backend in turn (what a load balancer
    does); `connections` counts them per backend."""

    backends: list[str]  # "host:port"
    connections: Counter[str] = field(default_factory=Counter)
    url: str = ""

    @contextmanager
    def running(self) -> Iterator[str]:
        loop = asyncio.new_event_loop()
        started = threading.Event()
        turn = itertools.cycle(self.backends)
        port = free_port()

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
            backend = next(turn)
            self.connections[backend] += 1
            host, backend_port = backend.rsplit(":", 1)
            try:
                server_r, server_w = await asyncio.open_connection(host, int(backend_port))
            except OSError:
                client_w.close()
                return
            await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

        async def serve() -> None:
            server = await asyncio.start_server(handle, "127.0.0.1", port)
            started.set()
            # Stopped on leaving `running`, by cancelling this task.
            with contextlib.suppress(asyncio.CancelledError):
                async with server:
                    await server.serve_forever()

        thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
        thread.start()
        started.wait(10)
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self.url
        finally:
            for task in asyncio.all_tasks(loop):
                loop.call_soon_threadsafe(task.cancel)
            thread.join(timeout=10)
