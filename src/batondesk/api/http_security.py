"""HTTP hardening shared by every response: security headers and rate limits on the public
widget endpoints (anyone on the internet can call them)."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request
from fastapi.responses import JSONResponse

# Baton serves its own scripts and styles; nothing inline, nothing from elsewhere. Pages that
# must be framed (the chat widget) set their own policy, which this default does not replace.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# The interactive API docs load Swagger UI from its CDN; they are left to FastAPI's defaults.
_CSP_EXEMPT = ("/docs", "/redoc")
WIDGET_PREFIX = "/api/v1/widget/"


def security_headers(path: str, *, production: bool) -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if not path.startswith(_CSP_EXEMPT):
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if path.startswith("/api/"):
        # API responses carry conversations and personal data: no shared or browser cache.
        headers["Cache-Control"] = "no-store"
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class SlidingWindowLimiter:
    """At most `limit` requests per `window` seconds per key, counted in this process.

    Per process on purpose: it protects each worker from floods without a shared store; with
    N workers the effective limit per address is at most N x `limit`.
    """

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """0 if the request may proceed (and counts it), else seconds until it may."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) >= self.max_keys:
                self._hits.clear()  # bounded memory under an address-spraying flood
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            return 0.0


def widget_rate_limit(
    request: Request, limiter: SlidingWindowLimiter | None
) -> JSONResponse | None:
    """A 429 response if this client address has used up its widget requests, else None."""
    if limiter is None or not request.url.path.startswith(WIDGET_PREFIX):
        return None
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait <= 0:
        return None
    return JSONResponse(
        {"error": {"code": "rate_limited", "message": "too many requests; slow down"}},
        status_code=429,
        headers={"Retry-After": str(max(1, int(wait + 0.999)))},
    )
