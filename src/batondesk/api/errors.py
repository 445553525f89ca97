"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"?}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from batondesk.errors import BatonError

log = logging.getLogger("batondesk.api")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


# RFC 9110: a 401 names the scheme to authenticate with. Console sessions (a cookie) and
# API keys and widget visitors (a bearer token) both lead back to a bearer-style credential.
WWW_AUTHENTICATE = 'Bearer realm="baton"'

_DESCRIPTIONS = {
    400: "Malformed request body (not JSON, or not UTF-8)",
    401: "Not authenticated, or the token expired",
    403: "The role or API key scope does not allow this",
    404: "No such resource in this account",
    409: "The resource is in a state that does not allow this",
    413: "Input larger than the limit",
    422: "Input failed validation",
    429: "Too many requests",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the errors a route can return."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


def document_common_errors(app: FastAPI) -> None:
    """Document on every operation the errors that any route can answer: 413 (the body limit),
    422 (a control character in any text, or invalid input, in Baton's ErrorBody shape rather
    than FastAPI's) and, where the route reads a body, 400 (a body that cannot be decoded)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                statuses = [413, 422] + ([400] if "requestBody" in operation else [])
                for status in statuses:
                    operation["responses"][str(status)] = {
                        "description": _DESCRIPTIONS[status],
                        "content": error_body,
                    }
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def _auth_headers(status: int, headers: dict[str, str] | None = None) -> dict[str, str]:
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return headers


def error_response(exc: BatonError) -> JSONResponse:
    """The JSON response for a domain error (also for routes that answer one after their unit
    of work has committed, such as a failed login that must stay audited)."""
    headers = {}
    retry_after = getattr(exc, "retry_after_seconds", None)
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, int(retry_after)))
    return JSONResponse(
        _body(exc.code, exc.message),
        status_code=exc.status_code,
        headers=_auth_headers(exc.status_code, headers),
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BatonError)
    async def _baton_error(_request: Request, exc: BatonError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"location": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg")}
            for err in exc.errors()
        ]
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return JSONResponse(
                _body("malformed_json", "request body is not valid JSON", details), 400
            )
        first = details[0] if details else {"location": "?", "problem": "invalid"}
        message = f"{first['location']}: {first['problem']}"
        return JSONResponse(_body("invalid_input", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _http_error_code(request, exc)
        # Framework errors carry headers that matter: `Allow` on a 405, for instance.
        headers = _auth_headers(exc.status_code, exc.headers)
        if exc.status_code == 413:
            # The rest of the body stays unread: close rather than drain it for the next request.
            headers["Connection"] = "close"
        return JSONResponse(_body(code, message), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The type and the route template only: exception text can quote message bodies,
        # emails or password hashes. (The server logs the traceback, redacted by the log
        # filter in privacy/redaction.py.)
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, route)
        return JSONResponse(_body("internal_error", "unexpected server error"), 500)


def _http_error_code(request: Request, exc: StarletteHTTPException) -> tuple[str, str]:
    if exc.status_code == 400:
        # FastAPI's only 400: a body it could not decode (bytes that are not UTF-8, a broken
        # multipart stream).
        content_type = request.headers.get("content-type", "application/json").lower()
        if "json" in content_type:
            return "malformed_json", "request body is not valid UTF-8 JSON"
        return "malformed_body", "request body could not be decoded"
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    return codes.get(exc.status_code, "http_error"), str(exc.detail)
