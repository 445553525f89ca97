"""Password checks for console logins, off the event loop and a bounded number at a time.

A strong password hash costs a CPU core for ~0.2 s on purpose. Run on the API's shared thread
pool, a flood of bad logins would take every thread and every pooled database connection, and
customers' messages would wait behind it. So logins hash on a small pool of their own (half the
cores, at least one), the request holds no database connection while it waits, and when too
many logins are already waiting the next is refused at once (429) instead of queueing.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from batondesk.errors import RateLimited
from batondesk.privacy.passwords import hash_password, verify_password

# Logins waiting for a hashing thread before new ones are refused (~6 s of work on one core).
MAX_WAITING_CHECKS = 32


class LoginBusy(RateLimited):
    retry_after_seconds = 1

    def __init__(self) -> None:
        super().__init__("too many logins at once; try again in a moment", code="login_busy")


class PasswordChecker:
    """Checks passwords on `workers` dedicated threads. `checks` counts the passwords checked
    (a figure for operators and for the login-flood test)."""

    def __init__(self, workers: int | None = None, max_waiting: int = MAX_WAITING_CHECKS) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 2) // 2)
        self.max_waiting = max_waiting
        self.checks = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True if `password` matches `password_hash`. With no hash (no such user) the same
        work is done and the answer is False, so timing does not reveal which emails exist."""
        with self._lock:
            if self._pending >= self.workers + self.max_waiting:
                raise LoginBusy()
            self._pending += 1
            if self._executor is None:  # made on first use, again after close()
                self._executor = ThreadPoolExecutor(self.workers, "baton-password")
            executor = self._executor
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, self._check, password_hash, password)
        finally:
            with self._lock:
                self._pending -= 1

    def _check(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.checks += 1
        if password_hash is None:
            hash_password(password)
            return False
        return verify_password(password_hash, password)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
