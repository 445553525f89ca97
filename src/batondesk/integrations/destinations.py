"""Where Baton may send requests on an admin's behalf (webhook receivers, a CRM's API), and an
HTTP transport that keeps to it.

An admin-entered URL is a request Baton's server makes, so without checks it reaches whatever
the server can: its own loopback, the cloud metadata service, the internal network (SSRF).
Only http(s) URLs are accepted, and unless `BATON_ALLOW_PRIVATE_DESTINATIONS` is on, every
address the host name resolves to must be a public one. `PinnedTransport` resolves and checks
the name at each request and connects to the address it checked (TLS still verifies the
certificate against the name), so a name that later resolves elsewhere (DNS rebinding) cannot
slip through between check and connection.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

MAX_URL_CHARS = 2000
_DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationError(ValueError):
    """The URL is not one Baton may send to; `code` names why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_url(url: str) -> str:
    """The URL, if it is an absolute http(s) URL with a host and no user name or password.
    Does not resolve the host (see `check_destination`)."""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        raise DestinationError(f"url must have 1 to {MAX_URL_CHARS} characters", "invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationError("url is not a valid URL", "invalid_url") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise DestinationError(
            f"url must start with http:// or https://, not {parts.scheme or 'nothing'}:",
            "unsupported_url_scheme",
        )
    if not parts.hostname:
        raise DestinationError("url has no host name", "invalid_url")
    if parts.username is not None or parts.password is not None:
        raise DestinationError(
            "url must not carry a user name or password; use the credential settings",
            "invalid_url",
        )
    if port == 0:
        raise DestinationError("url port must be 1-65535", "invalid_url")
    return url


def is_public_address(address: IPAddress) -> bool:
    """Reachable on the public internet: not loopback, private, link-local (cloud metadata),
    shared, reserved or multicast. IPv4 addresses written as IPv6 are judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve_destination(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Every address `host` resolves to, if Baton may send there; raises DestinationError."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise DestinationError(
                f"host {host} does not resolve", "destination_unresolvable"
            ) from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not allow_private:
        refused = [a for a in addresses if not is_public_address(a)]
        if refused:
            raise DestinationError(
                f"host {host} resolves to {refused[0]}, a private, loopback or reserved "
                "address; Baton sends only to public addresses unless "
                "BATON_ALLOW_PRIVATE_DESTINATIONS is on",
                "destination_not_allowed",
            )
    return addresses


def check_destination(url: str, *, allow_private: bool) -> str:
    """`check_url`, then the host's addresses: the URL if Baton may send there."""
    url = check_url(url)
    parts = urlsplit(url)
    assert parts.hostname is not None
    resolve_destination(
        parts.hostname, parts.port or _DEFAULT_PORTS[parts.scheme], allow_private=allow_private
    )
    return url


class PinnedTransport(httpx.BaseTransport):
    """Sends each request to an address checked by `resolve_destination` at that moment."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"refused scheme {url.scheme}", request=request)
        try:
            addresses = resolve_destination(
                url.host, url.port or _DEFAULT_PORTS[url.scheme], allow_private=self.allow_private
            )
        except DestinationError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        # The Host header keeps the name (httpx set it from the original URL); TLS sends and
        # verifies the name too.
        request.url = url.copy_with(host=str(addresses[0]))
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": url.host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def pinned_client(*, allow_private: bool, timeout: float) -> httpx.Client:
    """An HTTP client for admin-given destinations: checked addresses, no redirects (a 3xx to
    an internal address would undo the check), no proxies from the environment."""
    return httpx.Client(
        transport=PinnedTransport(allow_private=allow_private),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
