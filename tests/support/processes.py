"""Baton's process model on loopback: `baton serve` and `baton worker` as real processes, and
a small round-robin TCP proxy standing in for the load balancer in front of the API."""

from __future__ import annotations

import asyncio
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
    process = subprocess.Popen(
        [BATON, *args], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    return BatonProcess(name, process, log)


def start_api(name: str, env: dict[str, str], directory: Path, *extra: str) -> BatonProcess:
    """`baton serve` on a free loopback port, returned once its /ready answers 200."""
    port = free_port()
    api = start(name, ["serve", "--host", "127.0.0.1", "--port", str(port), *extra], env, directory)
    api.base_url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _ready(api), 240, f"{name} ready")
    return api


def _ready(api: BatonProcess) -> bool:
    if api.process.poll() is not None:
        raise RuntimeError(f"{api.name} exited:\n{api.output()[-3000:]}")
    try:
        return httpx.get(f"{api.base_url}/ready", timeout=10).status_code == 200
    except httpx.TransportError:
        return False


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
