"""Domain errors with stable codes. The HTTP layer maps each to a status and a JSON body:
``{"error": {"code": "...", "message": "..."}}``."""

from __future__ import annotations


class BatonError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(BatonError):
    status_code = 422
    code = "invalid_input"


class NotAuthenticated(BatonError):
    status_code = 401
    code = "not_authenticated"


class PermissionDenied(BatonError):
    status_code = 403
    code = "permission_denied"


class NotFound(BatonError):
    status_code = 404
    code = "not_found"


class Conflict(BatonError):
    status_code = 409
    code = "conflict"


class TooLarge(BatonError):
    status_code = 413
    code = "too_large"


class RateLimited(BatonError):
    status_code = 429
    code = "rate_limited"
