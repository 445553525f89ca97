"""Done-when 3: a real uvicorn server with its standard log configuration writes its access
log (the redaction must not break uvicorn's formatters), and nothing it prints holds a visitor
token, a staff email, a password hash or a message body, even when a request fails with an
exception that quotes them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from batondesk.config import Settings
from batondesk.store.models import User
from tests.support.live_server import free_port
from tests.support.workspace import PASSWORD, Workspace

BODY = "my parcel code is QUOKKA-7731, please tell nobody"

SERVER = textwrap.dedent(
    """
    import sys

    import uvicorn

    from batondesk.app import create_app
    from batondesk.config import Settings
    from batondesk.engine.services import TurnServices

    settings = Settings.model_validate_json(sys.argv[1])
    app = create_app(settings, services=TurnServices.from_settings(settings))


    @app.get("/api/v1/broken")
    def broken() -> None:
        # A bug that puts personal data and secrets into an exception's text.
        raise RuntimeError(sys.argv[3])


    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]))  # uvicorn's own log config
    """
)


def _staff_hash(app, email: str) -> str:  # type: ignore[no-untyped-def]
    with app.state.db.session() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        return user.password_hash


def test_server_logs_every_request_and_no_secret(
    app, settings: Settings, workspace: Workspace, tmp_path: Path
) -> None:
    email = workspace.a.users["admin"][1]
    password_hash = _staff_hash(app, email)
    secret_text = f"could not save {email} with {password_hash}: {BODY}"
    port = free_port()
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    log_path = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, str(script), settings.model_dump_json(), str(port), secret_text],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base)
            token, conversation_id = _exercise(base, email, workspace.a.inbox_public_id)
        finally:
            server.terminate()
            server.wait(timeout=20)
    output = log_path.read_text()

    # The access log works: one line per request, a token in a URL stripped from it.
    assert '"POST /api/v1/auth/login HTTP/1.1" 200' in output, output
    assert '"POST /api/v1/auth/login HTTP/1.1" 401' in output
    assert f'"POST /api/v1/widget/conversations/{conversation_id}/messages HTTP/1.1" 201' in output
    stream = f"/api/v1/widget/conversations/{conversation_id}/stream"
    assert f'"GET {stream} HTTP/1.1" 200' in output, output
    assert f'"GET {stream}?token=[REDACTED] HTTP/1.1" 401' in output, output
    assert '"GET /api/v1/broken HTTP/1.1" 500' in output
    # ...without a formatter failing on any record.
    assert "--- Logging error ---" not in output and "cannot unpack" not in output
    # The failure is reported by type and route, its text withheld.
    assert "unhandled RuntimeError on GET /api/v1/broken" in output
    for secret in (token, email, password_hash, "QUOKKA-7731", PASSWORD):
        assert secret not in output, secret


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _exercise(base: str, email: str, inbox: str) -> tuple[str, int]:
    with httpx.Client(base_url=base, timeout=20) as client:
        assert client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).is_success
        wrong = client.post("/api/v1/auth/login", json={"email": email, "password": "nope-nope"})
        assert wrong.status_code == 401
        started = client.post(f"/api/v1/widget/inboxes/{inbox}/conversations", json={}).json()
        token, conversation_id = started["visitor_token"], started["conversation_id"]
        visitor = {"Authorization": f"Bearer {token}"}
        sent = client.post(
            f"/api/v1/widget/conversations/{conversation_id}/messages",
            json={"body": BODY},
            headers=visitor,
        )
        assert sent.status_code == 201, sent.text
        stream_url = f"/api/v1/widget/conversations/{conversation_id}/stream"
        with client.stream("GET", stream_url, headers=visitor) as stream:
            assert stream.status_code == 200
            next(stream.iter_lines())  # the "ready" event
        # A token put in the URL (an old client) is refused, and still kept out of the log.
        assert client.get(stream_url, params={"token": token}).status_code == 401
        assert client.get("/api/v1/broken").status_code == 500
    return token, conversation_id
