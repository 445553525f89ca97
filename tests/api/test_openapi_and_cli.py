"""The API describes itself, and the command line lists its commands."""

from __future__ import annotations

import subprocess
import sys


def test_api_reference_is_served_by_baton_alone(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200


def test_openapi_describes_every_endpoint_with_its_errors(client) -> None:
    document = client.get("/openapi.json").json()
    assert client.get("/docs").status_code == 200
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/") or path == "/api/v1/auth/logout":  # cannot fail
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            error_codes = {c for c in codes if c.startswith(("4", "5")) and c != "422"}
            assert error_codes, f"{method.upper()} {path} documents no errors"
            # What any route can answer: the body limit, invalid input (in Baton's own error
            # shape), and for a route that reads a body, one that cannot be decoded.
            expected = {"413", "422"} | ({"400"} if "requestBody" in operation else set())
            if path.startswith("/api/v1/widget/"):
                expected.add("429")  # the public widget endpoints are rate limited
            assert expected <= codes, (method, path, expected - codes)
            for code in expected:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorBody"), (method, path, code)
    assert "ErrorBody" in document["components"]["schemas"]


def test_baton_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from batondesk.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("demo", "serve", "migrate", "nlu", "data", "account", "openapi"):
        assert command in result.stdout
