"""Fuzz the HTTP API with schemathesis, as an outside reviewer would, and fail on any server
error or any response that breaks the OpenAPI document (an undocumented status code, a body
that does not match its schema, a wrong content type).

A live server on 127.0.0.1 serves a seeded demo workspace (so generated ids often name real
rows) on a private database: a SQLite file, or a throwaway PostgreSQL database created on the
server named by BATON_FUZZ_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
and dropped afterwards. Schemathesis runs once per kind of caller: anonymous, a visitor with a
widget token, an agent with a console session cookie, and an admin API key. The server counts
what it answered, per caller; each caller must get at least --min-requests requests.

    python -m tests.fuzz.schemathesis_run --database sqlite
    python -m tests.fuzz.schemathesis_run --database postgresql
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from batondesk.actions.accounts import do_create_api_key
from batondesk.app import create_app
from batondesk.config import Settings
from batondesk.demo.seed import seed_demo
from batondesk.engine.services import TurnServices
from batondesk.store.models import (
    Account,
    Article,
    Contact,
    Conversation,
    Membership,
    Message,
    Role,
)
from tests.support.databases import private_database
from tests.support.live_server import serve_in_thread
from tests.support.training import train_tiny_classifier

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
# Server-Sent Events never end, so a fuzzer's request would only time out; the suite tests them.
EXCLUDED_PATHS = r".*/stream$"
CREDENTIAL_HEADER = "X-Fuzz-Caller"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    # Operations this caller must not run, because they would end its own credential.
    excluded_operations: tuple[str, ...] = ()
    # Ids this caller's requests draw from, over the workspace's (a visitor owns one
    # conversation: any other would only ever be a 404).
    ids: dict[str, list[Any]] = field(default_factory=dict)


class CountingApp:
    """Counts the server's answers per caller and status (the figures this run reports)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = dict(scope["headers"]).get(CREDENTIAL_HEADER.lower().encode(), b"-").decode()

        async def counting_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                with self._lock:
                    self.answers[(caller, message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--max-examples", type=int, default=8, help="per operation and phase")
    parser.add_argument("--min-requests", type=int, default=1000, help="per caller")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument(
        "--workers",
        type=int,
        # One at a time by default: with two, schemathesis's generator (hypothesis parsing
        # lambdas' source in threads) now and then fails inside CPython's ast module, which
        # would fail CI for nothing the server did. Concurrent writes are raced on purpose by
        # tests/privacy/test_audit_concurrency.py instead.
        default=1,
        help="concurrent requests per caller (1: one at a time, the order fixed by the seed)",
    )
    args = parser.parse_args()
    with _database(args.database) as database_url, tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            environment="test",
            data_dir=Path(data_dir),
            database_url=database_url,
            password_hashing="fast",
            widget_rate_limit_per_minute=0,
            retention_interval_hours=0,
        )
        app = create_app(
            settings,
            services=TurnServices.from_settings(settings, fallback_model=train_tiny_classifier()),
        )
        app.state.db.migrate()
        counting = CountingApp(app)
        with serve_in_thread(counting, log_level="error", start_seconds=30) as base:
            callers, ids = _callers(app, base)
            failures = [
                caller.name
                for caller in callers
                if not _fuzz(
                    base,
                    caller,
                    _config(Path(data_dir) / f"{caller.name}.toml", {**ids, **caller.ids}),
                    args.max_examples,
                    args.seed,
                    args.workers,
                )
            ]
    return _report(args.database, counting.answers, callers, failures, args.min_requests)


@contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        yield ""
        return
    server_url = os.environ.get("BATON_FUZZ_DATABASE_URL", DEFAULT_POSTGRES)
    with private_database(server_url, "baton_fuzz") as url:
        yield url


def _callers(app: Any, base: str) -> tuple[list[Caller], dict[str, list[Any]]]:
    """Seed the demo workspace and make one credential of each kind."""
    demo = seed_demo(app.state.db)
    with app.state.db.session() as session:
        account = session.get(Account, demo.account_id)
        assert account is not None
        # Keys the admin caller may revoke; its own comes last, with an id far from theirs.
        decoys = [
            do_create_api_key(session, account, f"decoy {i}", Role.agent, ["conversations:read"])
            for i in range(20)
        ]
        _key, api_key = do_create_api_key(
            session,
            account,
            "fuzzer",
            Role.admin,
            ["conversations:read", "conversations:write", "admin", "privacy"],
        )
        key_ids = [key.id for key, _secret in decoys]
    with httpx.Client(base_url=base, timeout=30) as client:
        started = client.post(
            f"/api/v1/widget/inboxes/{demo.inbox_public_id}/conversations", json={}
        )
        started.raise_for_status()
        visitor = started.json()
        login = client.post(
            "/api/v1/auth/login", json={"email": demo.agent_email, "password": demo.password}
        )
        login.raise_for_status()
        cookie = login.cookies["baton_session"]
    with app.state.db.session() as session:
        ids = {
            "conversation_id": list(session.scalars(select(Conversation.id).limit(30))),
            "contact_id": list(session.scalars(select(Contact.id).limit(30))),
            "article_id": list(session.scalars(select(Article.id).limit(30))),
            "message_id": list(session.scalars(select(Message.id).limit(30))),
            "user_id": list(session.scalars(select(Membership.user_id).limit(30))),
            "key_id": key_ids,
            "inbox_public_id": [demo.inbox_public_id],
        }
    ids["conversation_id"].append(visitor["conversation_id"])
    callers = [
        Caller("anonymous", {}),
        Caller(
            "visitor",
            {"Authorization": f"Bearer {visitor['visitor_token']}"},
            ids={"conversation_id": [visitor["conversation_id"]]},
        ),
        Caller(
            "agent_cookie",
            {"Cookie": f"baton_session={cookie}", "X-Requested-With": "baton"},
            excluded_operations=("POST /api/v1/auth/logout",),
        ),
        Caller("api_key", {"Authorization": f"Bearer {api_key}"}),
    ]
    return callers, ids


def _config(path: Path, ids: dict[str, list[Any]]) -> Path:
    """A schemathesis.toml that draws path, query and body ids from the seeded rows half of
    the time (the other half stays random: ids that name nothing, or another account's)."""
    lines = []
    for name, values in ids.items():
        rendered = ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values)
        lines += [f"[dictionaries.{name}]", f"values = [{rendered}]", ""]
    lines.append("[parameters]")
    for name in ids:
        for location in ("path", "query", "body"):
            lines.append(f'"{location}.{name}" = {{ dictionary = "{name}", probability = 0.5 }}')
    path.write_text("\n".join(lines) + "\n")
    return path


def _fuzz(
    base: str, caller: Caller, config: Path, max_examples: int, seed: int, workers: int
) -> bool:
    command = [
        str(SCHEMATHESIS if SCHEMATHESIS.exists() else shutil.which("schemathesis")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # The seed fixes the requests; with two workers or more their interleaving varies,
        # which is what finds races between concurrent writes (e.g. on the audit chain).
        "--workers",
        str(workers),
        "--request-timeout",
        "20",
        "--exclude-path-regex",
        EXCLUDED_PATHS,
        "--suppress-health-check",
        "all",
        "--header",
        f"{CREDENTIAL_HEADER}: {caller.name}",
    ]
    for operation in caller.excluded_operations:
        command += ["--exclude-name", operation]
    for name, value in caller.headers.items():
        command += ["--header", f"{name}: {value}"]
    print(f"== schemathesis as {caller.name} ==", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    # The summary is enough on success; failures print in full (credentials are test-only).
    print(output if result.returncode else "\n".join(output.splitlines()[-12:]), flush=True)
    return result.returncode == 0


def _report(
    database: str,
    answers: Counter[tuple[str, int]],
    callers: list[Caller],
    failures: list[str],
    min_requests: int,
) -> int:
    total = 0
    problems = list(failures)
    print(f"== {database}: requests answered, by caller ==")
    for caller in callers:
        statuses = {status: n for (name, status), n in answers.items() if name == caller.name}
        count = sum(statuses.values())
        total += count
        errors = sum(n for status, n in statuses.items() if status >= 500)
        by_status = dict(sorted(statuses.items()))
        print(f"{caller.name:>13}: {count:5d} requests, {errors} server errors, {by_status}")
        if count < min_requests:
            problems.append(f"{caller.name} got {count} requests, fewer than {min_requests}")
        if errors:
            problems.append(f"{caller.name} got {errors} server errors")
    print(f"{database}: {total} requests in all")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
