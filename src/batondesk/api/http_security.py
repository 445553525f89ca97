"""HTTP hardening shared by every response, as pure ASGI middleware: security headers, a
request body limit enforced while the body streams in, and rate limits on the public widget
endpoints (anyone on the internet can call them; the counting is in api/rate_limits.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batondesk.api.rate_limits import RateLimiter

# Baton serves its own scripts and styles; nothing inline, nothing from elsewhere. Pages that
# must be framed (the chat widget) set their own policy, which this default does not replace.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "
    "frame-ancestors 'none'"
)
WIDGET_PREFIX = "/api/v1/widget/"


def security_headers(
    path: str, *, production: bool, page_policy: str | None = None
) -> dict[str, str]:
    """Headers every response carries. `page_policy` is the Content-Security-Policy the route
    set itself, if any: a page that allows framing (the chat) gets no X-Frame-Options, because
    the two would contradict each other and CSP `frame-ancestors` is the one browsers honour."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if page_policy is None or _forbids_framing(page_policy):
        headers["X-Frame-Options"] = "DENY"
    if page_policy is None:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if path.startswith("/api/"):
        # API responses carry conversations and personal data: no shared or browser cache.
        headers["Cache-Control"] = "no-store"
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _forbids_framing(policy: str) -> bool:
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name.lower() == "frame-ancestors":
            return value.strip() == "'none'"
    return True  # a policy without frame-ancestors leaves framing to X-Frame-Options


class SecurityHeadersMiddleware:
    """Adds `security_headers` to every HTTP response (headers a route set itself win)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = headers.get("content-security-policy")
                for name, value in security_headers(
                    path, production=self.production, page_policy=policy
                ).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- request body limit -------------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body passes its limit. An HTTPException, so FastAPI's body
    parsing re-raises it (rather than reporting a parse error) and the error handlers answer
    with the JSON `too_large` error."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body over {limit} bytes")


class BodyLimitMiddleware:
    """Refuses request bodies over a byte limit, counting bytes as they arrive: a declared
    Content-Length over the limit is refused before reading anything, and a chunked body or
    one longer than it declared is refused as soon as the count passes the limit, so no
    request makes the server buffer more than the limit.

    `limits_by_path` gives routes that legitimately take more (uploads) their own limit;
    `limits_by_pattern` does the same for paths that hold ids (regular expressions matched
    against the whole path, e.g. a conversation's attachments)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        limits_by_path: Mapping[str, int],
        limits_by_pattern: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.limits_by_path = dict(limits_by_path)
        self.limits_by_pattern = [
            (re.compile(pattern), size) for pattern, size in (limits_by_pattern or {}).items()
        ]

    def limit_for(self, path: str) -> int:
        if path in self.limits_by_path:
            return self.limits_by_path[path]
        for pattern, size in self.limits_by_pattern:
            if pattern.fullmatch(path):
                return size
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # The body is never read, so the connection cannot be reused.
            await _json_error(
                send, 413, "too_large", f"request body over {limit} bytes", {"connection": "close"}
            )
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            # Read outside FastAPI's request parsing (which answers it itself): answer here.
            if response_started:
                raise
            await _json_error(send, 413, "too_large", str(exc.detail), {"connection": "close"})


async def _json_error(
    send: Send, status: int, code: str, message: str, extra: dict[str, str] | None = None
) -> None:
    """The API's JSON error shape (api/errors.py), sent from middleware."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        **(extra or {}),
    }
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- rate limits --------------------------------------------------------------------------------


class WidgetRateLimitMiddleware:
    """A 429 once a client address has used up its requests to the public widget endpoints."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WIDGET_PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = await self.limiter.retry_after(client[0] if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await _json_error(
            send,
            429,
            "rate_limited",
            "too many requests; slow down",
            {"retry-after": str(max(1, int(wait + 0.999)))},
        )
