"""The generic REST pull connector: pages of customer records from a CRM's HTTP API.

The CRM's endpoint is read as a change feed: `GET <base_url><path>?<cursor_param>=C&
<limit_param>=N` returns a JSON object with the items changed after position C (at
`items_field`) and the position after them (at `next_cursor_field`). Baton stores the cursor
after each page it has stored, so the next sync, or one resumed after a failure, asks only
for what came after. Transient failures (a dropped connection, a timeout, HTTP 429 or 5xx) are
retried with exponential backoff; requests keep to the configured rate. Authentication: none,
a bearer token, or OAuth 2.0 client credentials (RFC 6749 4.4; the token is fetched when
needed and again when it expires or the API answers 401).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pyrate_limiter import Duration, Limiter, Rate
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from batondesk.customers.mapping import MISSING, PATH, check_mapping, value_at
from batondesk.integrations.destinations import check_url, pinned_client

MAX_RESPONSE_BYTES = 20 * 1024 * 1024
_PARAM = r"^[A-Za-z0-9_.\[\]-]{1,60}$"


class AuthConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["none", "bearer", "oauth2_client_credentials"] = "none"
    # OAuth 2.0 client credentials only; the client secret is the connector's credential.
    token_url: str | None = Field(default=None, max_length=2000)
    client_id: str | None = Field(default=None, max_length=200)
    scope: str | None = Field(default=None, max_length=500)


class RestPullConfig(BaseModel):
    """A connector's settings (stored as JSON; secrets are sealed apart from them)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(max_length=2000, description="e.g. https://crm.example.com/api")
    path: str = Field(default="/contacts", pattern=r"^/[^\s?#]{0,500}$")
    items_field: str = Field(default="items", pattern=PATH.pattern)
    next_cursor_field: str = Field(default="next_cursor", pattern=PATH.pattern)
    cursor_param: str = Field(default="cursor", pattern=_PARAM)
    limit_param: str = Field(default="limit", pattern=_PARAM)
    page_size: int = Field(default=100, ge=1, le=1000)
    mapping: dict[str, str] = Field(description="record field -> path in a CRM item")
    auth: AuthConfig = Field(default_factory=AuthConfig)
    requests_per_second: int = Field(default=5, ge=1, le=100)
    max_retries: int = Field(default=4, ge=0, le=10)
    retry_base_seconds: float = Field(default=0.5, ge=0, le=60)
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    max_pages_per_sync: int = Field(default=1000, ge=1, le=100_000)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_url(value).rstrip("/")

    @field_validator("mapping")
    @classmethod
    def _mapping(cls, value: dict[str, str]) -> dict[str, str]:
        return check_mapping(value)

    @field_validator("auth")
    @classmethod
    def _auth(cls, value: AuthConfig) -> AuthConfig:
        if value.type == "oauth2_client_credentials":
            if not value.token_url or not value.client_id:
                raise ValueError("OAuth2 client credentials need token_url and client_id")
            check_url(value.token_url)
        return value


class PullError(Exception):
    """The CRM could not be read (after retries, or a failure retrying cannot fix)."""


class _Transient(Exception):
    """A failure worth retrying: the connection, a timeout, HTTP 429 or 5xx."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


@dataclass
class RestPullClient:
    """Reads pages from one CRM. `credential` is the bearer token or the OAuth2 client secret.
    `sleep` waits between retries (tests pass a recorder)."""

    config: RestPullConfig
    credential: str | None
    allow_private: bool
    sleep: Callable[[float], None] = time.sleep
    retries: int = 0  # transient failures retried so far
    requests: int = 0
    _token: str | None = field(default=None, repr=False)
    _token_expires: float = 0.0
    _client: httpx.Client | None = field(default=None, repr=False)
    _limiter: Limiter | None = field(default=None, repr=False)

    def __enter__(self) -> RestPullClient:
        self._client = pinned_client(
            allow_private=self.allow_private, timeout=self.config.timeout_seconds
        )
        self._limiter = Limiter(Rate(self.config.requests_per_second, Duration.SECOND))
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def fetch_page(self, cursor: str | None) -> Page:
        """The page after `cursor` (None: from the start), retrying transient failures."""
        retrying = Retrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=wait_exponential(multiplier=self.config.retry_base_seconds, max=60),
            retry=retry_if_exception_type(_Transient),
            sleep=self.sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            return retrying(self._fetch_once, cursor)
        except _Transient as exc:
            raise PullError(
                f"{exc} (gave up after {self.config.max_retries + 1} attempts)"
            ) from None

    def _count_retry(self, _state: RetryCallState) -> None:
        self.retries += 1

    def _fetch_once(self, cursor: str | None) -> Page:
        params: dict[str, str | int] = {self.config.limit_param: self.config.page_size}
        if cursor is not None:
            params[self.config.cursor_param] = cursor
        response_bytes = self._get(self.config.base_url + self.config.path, params)
        try:
            document = json.loads(response_bytes)
        except ValueError:
            raise PullError("the CRM's answer is not JSON") from None
        items = value_at(document, self.config.items_field)
        if not isinstance(items, list):
            raise PullError(f"the CRM's answer has no list at {self.config.items_field}")
        found = value_at(document, self.config.next_cursor_field)
        if found is MISSING or found is None:
            next_cursor = None
        elif isinstance(found, str | int) and not isinstance(found, bool):
            next_cursor = str(found)
        else:
            raise PullError(f"{self.config.next_cursor_field} must be text or a number")
        if next_cursor is not None and len(next_cursor) > 500:
            raise PullError("the CRM's cursor is longer than 500 characters")
        return Page(items, next_cursor)

    def _get(self, url: str, params: dict[str, str | int], *, renewed: bool = False) -> bytes:
        assert self._client is not None and self._limiter is not None, "use as a context manager"
        headers = {"Accept": "application/json"}
        token = self._bearer()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._limiter.try_acquire("crm", blocking=True)
        self.requests += 1
        try:
            with self._client.stream("GET", url, params=params, headers=headers) as response:
                status = response.status_code
                if status == 401 and self.config.auth.type == "oauth2_client_credentials":
                    if renewed:
                        raise PullError("the CRM refused the OAuth2 token (HTTP 401)")
                    self._token = None  # expired early or revoked: fetch a new one once
                    return self._get(url, params, renewed=True)
                if status == 429 or status >= 500:
                    raise _Transient(f"the CRM answered HTTP {status}")
                if status != 200:
                    raise PullError(f"the CRM answered HTTP {status}")
                return _read_capped(response)
        except httpx.TransportError as exc:
            raise _Transient(f"{type(exc).__name__} talking to the CRM") from None

    def _bearer(self) -> str | None:
        auth = self.config.auth
        if auth.type == "bearer":
            return self.credential
        if auth.type != "oauth2_client_credentials":
            return None
        if self._token is None or time.monotonic() >= self._token_expires:
            self._token, lifetime = self._fetch_token()
            # Renewed a little early, so a request never leaves with a token about to lapse.
            self._token_expires = time.monotonic() + max(0.0, lifetime - 30)
        return self._token

    def _fetch_token(self) -> tuple[str, float]:
        assert self._client is not None
        auth = self.config.auth
        assert auth.token_url is not None and auth.client_id is not None
        form = {"grant_type": "client_credentials"}
        if auth.scope:
            form["scope"] = auth.scope
        try:
            response = self._client.post(
                auth.token_url, data=form, auth=(auth.client_id, self.credential or "")
            )
        except httpx.TransportError as exc:
            raise _Transient(f"{type(exc).__name__} fetching the OAuth2 token") from None
        if response.status_code >= 500:
            raise _Transient(f"the token endpoint answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise PullError(f"the token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise PullError("the token endpoint's answer has no access_token") from None
        return token, lifetime


def _read_capped(response: httpx.Response) -> bytes:
    chunks = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise PullError(f"the CRM's answer is larger than {MAX_RESPONSE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
