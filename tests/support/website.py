"""A customer's website: another origin (its own loopback port, and a host name of its own when
asked) serving one page, for embedding the chat widget as a real site would."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextmanager
def website(folder: Path, html: str, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `html` as index.html; yields its URL. `host="localhost"` makes the site a different
    *site* from Baton's 127.0.0.1 (not just another origin), so the widget's frame is
    third-party, as on a real shop's domain."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html, encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
