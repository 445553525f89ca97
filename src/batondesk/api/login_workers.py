"""Where console logins do their work: a few threads of their own, apart from the API's.

A strong password hash costs a CPU core for ~0.2 s on purpose. Run on the API's shared thread
pool, a flood of bad logins would take every thread and every pooled database connection, and
customers' messages would wait behind it. So a login's two short database steps run on at most
`DB_THREADS` threads, its password check on at most half the cores (at least one), no database
connection is held while it hashes, and when too many logins are already waiting the next is
refused at once (429 `login_busy`) instead of queueing.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from batondesk.errors import RateLimited
from batondesk.privacy.passwords import PasswordHashing

T = TypeVar("T")

DB_THREADS = 2
# Logins in progress before new ones are refused (a few seconds of hashing on one core).
MAX_LOGINS_IN_PROGRESS = 64


class LoginBusy(RateLimited):
    retry_after_seconds = 1

    def __init__(self) -> None:
        super().__init__("too many logins at once; try again in a moment", code="login_busy")


class LoginWorkers:
    """The threads logins run on. `checks` counts the passwords checked (a figure for
    operators and for the login-flood test)."""

    def __init__(self, hashing_threads: int | None = None) -> None:
        self.hashing_threads = hashing_threads or max(1, (os.cpu_count() or 2) // 2)
        self.checks = 0
        self._in_progress = 0
        self._lock = threading.Lock()
        self._executors: tuple[ThreadPoolExecutor, ThreadPoolExecutor] | None = None

    def admit(self) -> None:
        """Count a login in (until `release`), or refuse it when too many are in progress."""
        with self._lock:
            if self._in_progress >= MAX_LOGINS_IN_PROGRESS:
                raise LoginBusy()
            self._in_progress += 1

    def release(self) -> None:
        with self._lock:
            self._in_progress -= 1

    async def run_step(self, step: Callable[..., T], *args: object) -> T:
        """Run a short database step of a login on the login threads."""
        database, _ = self._pools()
        return await asyncio.get_running_loop().run_in_executor(database, step, *args)

    async def verify(
        self, passwords: PasswordHashing, password_hash: str | None, password: str
    ) -> bool:
        """True if `password` matches `password_hash`. With no hash (no such user) the same
        work is done and the answer is False, so timing does not reveal which emails exist."""
        _, hashing = self._pools()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(hashing, self._check, passwords, password_hash, password)

    def _check(self, passwords: PasswordHashing, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.checks += 1
        if password_hash is None:
            passwords.hash(password)
            return False
        return passwords.verify(password_hash, password)

    def _pools(self) -> tuple[ThreadPoolExecutor, ThreadPoolExecutor]:
        with self._lock:
            if self._executors is None:  # made on first use, and again after close()
                self._executors = (
                    ThreadPoolExecutor(DB_THREADS, "baton-login"),
                    ThreadPoolExecutor(self.hashing_threads, "baton-password"),
                )
            return self._executors

    def close(self) -> None:
        with self._lock:
            executors, self._executors = self._executors, None
        for executor in executors or ():
            executor.shutdown(wait=False, cancel_futures=True)
