"""One API worker's life, for the multiprocess metrics test: `python -m
tests.support.metrics_worker INBOX [--scrape]` with the test's settings and
PROMETHEUS_MULTIPROC_DIR in the environment. A customer says hello on INBOX; with --scrape, the
worker then prints what its /metrics returns."""

from __future__ import annotations

import sys

from fastapi.testclient import TestClient

from batondesk.app import create_app
from batondesk.config import Settings
from tests.support.workspace import say, start_chat


def main(inbox_public_id: str, scrape: bool) -> None:
    settings = Settings()
    app = create_app(settings)
    with TestClient(app) as client:
        conversation_id, visitor = start_chat(client, inbox_public_id)
        say(client, conversation_id, visitor, "hello")
        if scrape:
            response = client.get(
                "/metrics", headers={"Authorization": f"Bearer {settings.metrics_token}"}
            )
            response.raise_for_status()
            sys.stdout.write(response.text)


if __name__ == "__main__":
    main(sys.argv[1], "--scrape" in sys.argv[2:])
