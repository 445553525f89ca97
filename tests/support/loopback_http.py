"""Small HTTP servers on loopback that tests start: a webhook receiver and a CRM.

Each runs `http.server` in a thread on a free port of 127.0.0.1 and is stopped when its
`with` block ends."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Records every POST; answers with the next status of `statuses` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[ReceivedRequest] = field(default_factory=list)
    url: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length", "0"))
        body = handler.rfile.read(length)
        self.received.append(ReceivedRequest(handler.path, dict(handler.headers.items()), body))
        status = self.statuses.pop(0) if self.statuses else 200
        handler.send_response(status)
        handler.send_header("content-length", "0")
        handler.end_headers()
        self.arrived.set()


@dataclass
class LoopbackCrm:
    """A CRM's contacts API read as a change feed, with OAuth2 client credentials.

    `GET /contacts?cursor=C&limit=N` returns `{"data": {"contacts": [...]}, "paging":
    {"next": "<seq>"}}` with the contacts changed after sequence C, oldest first. `failures`
    maps a cursor to what goes wrong the next times it is asked for: "500" answers HTTP 500,
    "drop" closes the connection without an answer."""

    client_id: str = "baton"
    client_secret: str = "crm-client-secret"
    token_lifetime: int = 3600
    contacts: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)
    asked: list[str | None] = field(default_factory=list)  # the cursor of every page request
    # How long each page takes to answer (a slow CRM, to stop a sync halfway).
    page_delay_seconds: float = 0.0
    tokens_issued: int = 0
    url: str = ""
    _sequence: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def upsert(self, contact: dict[str, Any]) -> None:
        """Add or change a contact: it moves to the end of the change feed."""
        with self._lock:
            self.contacts = [c for c in self.contacts if c["id"] != contact["id"]]
            self._sequence += 1
            self.contacts.append({**contact, "_seq": self._sequence})

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        if handler.command == "POST" and parts.path == "/oauth/token":
            self._token(handler)
        elif handler.command == "GET" and parts.path == "/contacts":
            self._contacts(handler, parse_qs(parts.query))
        else:
            _json(handler, 404, {"error": "not found"})

    def _token(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length", "0"))
        form = parse_qs(handler.rfile.read(length).decode())
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if handler.headers.get("authorization") != f"Basic {expected}" or form.get(
            "grant_type"
        ) != ["client_credentials"]:
            _json(handler, 401, {"error": "invalid_client"})
            return
        self.tokens_issued += 1
        _json(
            handler,
            200,
            {
                "access_token": f"token-{self.tokens_issued}",
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def _contacts(self, handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        if handler.headers.get("authorization") != f"Bearer token-{self.tokens_issued}":
            _json(handler, 401, {"error": "invalid_token"})
            return
        cursor = query.get("cursor", [None])[0]
        self.asked.append(cursor)
        time.sleep(self.page_delay_seconds)
        planned = self.failures.get(cursor or "", [])
        if planned:
            failure = planned.pop(0)
            if failure == "drop":
                handler.connection.shutdown(socket.SHUT_RDWR)
                handler.close_connection = True
                return
            _json(handler, int(failure), {"error": "temporarily unavailable"})
            return
        limit = int(query.get("limit", ["100"])[0])
        after = int(cursor or 0)
        with self._lock:
            page = [c for c in self.contacts if c["_seq"] > after][:limit]
        next_cursor = str(page[-1]["_seq"]) if page else str(after)
        items = [{k: v for k, v in c.items() if k != "_seq"} for c in page]
        _json(handler, 200, {"data": {"contacts": items}, "paging": {"next": next_cursor}})


def _json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    raw = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)


@contextmanager
def serving(app: WebhookReceiver | LoopbackCrm) -> Iterator[str]:
    """Serve `app` on 127.0.0.1; yields (and sets `app.url` to) its base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            app.handle(self)

        def do_POST(self) -> None:  # noqa: N802
            app.handle(self)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield app.url
    finally:
        server.shutdown()
        server.server_close()
