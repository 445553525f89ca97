"""The signature scheme both webhook directions share, the destination (SSRF) checks, and the
CRM pull client's rate limit, token renewal and retries, against a CRM on loopback."""

from __future__ import annotations

import time

import pytest

from batondesk.integrations.destinations import DestinationError, check_destination
from batondesk.integrations.rest_pull import PullError, RestPullClient, RestPullConfig
from batondesk.integrations.signing import SignatureError, signature_header, verify_signature
from tests.support.loopback_http import LoopbackCrm, serving

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"message.received"}'


def test_a_signature_checks_the_body_the_secret_and_the_time() -> None:
    header = signature_header(SECRET, BODY)
    assert verify_signature(SECRET, header, BODY) == int(header[2:].split(",")[0])
    for secret, header_, body, code in [
        ("whsec_other", header, BODY, "signature_invalid"),
        (SECRET, header, BODY + b" ", "signature_invalid"),
        (SECRET, signature_header(SECRET, BODY, int(time.time()) - 301), BODY, "signature_expired"),
        (SECRET, "v1=abc", BODY, "signature_malformed"),
        (SECRET, "t=now,v1=abc", BODY, "signature_malformed"),
        (SECRET, "t=1," + "v1=ab," * 400, BODY, "signature_malformed"),
        (SECRET, None, BODY, "signature_missing"),
    ]:
        with pytest.raises(SignatureError) as refused:
            verify_signature(secret, header_, body)
        assert refused.value.code == code
    # While a secret is rotated, the header may carry a signature with each.
    rotated = f"{header},v1={signature_header('whsec_new', BODY).split('v1=')[1]}"
    assert verify_signature("whsec_new", rotated, BODY)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://localhost:8000/",
    ],
)
def test_private_destinations_need_the_setting(url: str) -> None:
    with pytest.raises(DestinationError) as refused:
        check_destination(url, allow_private=False)
    assert refused.value.code == "destination_not_allowed"
    assert check_destination(url, allow_private=True) == url


def test_public_addresses_and_only_http_schemes_pass() -> None:
    assert check_destination("https://93.184.215.14/hook", allow_private=False)
    for url in ("gopher://example.com/", "javascript:alert(1)", "//example.com", "http://"):
        with pytest.raises(DestinationError):
            check_destination(url, allow_private=True)


def _config(base: str, **changes: object) -> RestPullConfig:
    return RestPullConfig.model_validate(
        {
            "base_url": base,
            "items_field": "data.contacts",
            "next_cursor_field": "paging.next",
            "auth": {
                "type": "oauth2_client_credentials",
                "token_url": base + "/oauth/token",
                "client_id": "baton",
            },
            "mapping": {"external_id": "id"},
            **changes,
        }
    )


def test_the_pull_client_keeps_to_its_rate() -> None:
    crm = LoopbackCrm()
    with serving(crm) as base:
        config = _config(base, requests_per_second=10)
        with RestPullClient(config, crm.client_secret, allow_private=True) as client:
            started = time.monotonic()
            for _ in range(21):
                client.fetch_page(None)
            elapsed = time.monotonic() - started
    assert elapsed >= 1.5, f"21 requests at 10 per second took {elapsed:.2f} s"


def test_the_pull_client_renews_a_refused_token_and_does_not_retry_what_cannot_succeed() -> None:
    crm = LoopbackCrm()
    crm.upsert({"id": "c-1"})
    with serving(crm) as base:
        with RestPullClient(_config(base), crm.client_secret, allow_private=True) as client:
            assert [i["id"] for i in client.fetch_page(None).items] == ["c-1"]
            crm.tokens_issued += 1  # the CRM revoked the token it gave
            assert client.fetch_page(None).next_cursor == "1"
        assert crm.tokens_issued == 3

        waits: list[float] = []
        config = _config(base, max_retries=3, retry_base_seconds=0.5)
        crm.failures = {"1": ["503", "drop", "503", "503"]}
        with (
            RestPullClient(
                config, crm.client_secret, allow_private=True, sleep=waits.append
            ) as client,
            pytest.raises(PullError, match="HTTP 503"),
        ):
            client.fetch_page("1")
        assert waits == [0.5, 1.0, 2.0], "exponential backoff between attempts"

        with (
            RestPullClient(_config(base), "wrong secret", allow_private=True) as client,
            pytest.raises(PullError, match="token endpoint answered HTTP 401"),
        ):
            client.fetch_page(None)
