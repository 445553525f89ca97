"""Key rotation racing new contacts, erasures and other rotations, on the key store kinds Baton
supports (the SQLite file beside the data, a shared PostgreSQL database): every rotation
succeeds, every contact created meanwhile stays readable, and every erased contact stays erased.

Without the per-account lock, a data key created while a rotation ran was wrapped under the
account key that rotation retired (the contact became unreadable, and every later rotation
failed on it), and two rotations of one account tried to add the same key version."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from batondesk.actions.contacts import do_create_contact
from batondesk.config import Settings
from batondesk.privacy.erasure import do_erase_contact
from batondesk.privacy.rotation import do_rotate_keys
from batondesk.store import init_store
from batondesk.store.models import Contact
from tests.support.databases import private_database
from tests.support.workspace import Workspace, login

ROUNDS = 10
TEST_DATABASE_URL = os.environ.get("BATON_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def keystore_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The default key store (a SQLite file under the data directory), or a private
    PostgreSQL database on the test server."""
    if request.param == "sqlite":
        yield ""
        return
    if not TEST_DATABASE_URL:
        pytest.skip("set BATON_TEST_DATABASE_URL for a PostgreSQL key store")
    with private_database(TEST_DATABASE_URL, "baton_keys") as url:
        yield url


@pytest.fixture
def settings(settings: Settings, keystore_url: str) -> Settings:
    """The suite's settings, with the key store under test."""
    return settings.model_copy(update={"keystore_url": keystore_url})


def test_rotation_racing_new_contacts_erasures_and_rotations(  # type: ignore[no-untyped-def]
    app, workspace: Workspace, settings: Settings
) -> None:
    db = app.state.db
    a = workspace.a.account_id
    with db.session() as session:
        doomed = [
            do_create_contact(session, a, name=f"Leaving {i}", email=f"leaving{i}@example.com")
            for i in range(ROUNDS)
        ]
    doomed_keys = [contact.key_ref for contact in doomed]
    created: list[int] = []
    outcomes: Counter[str] = Counter()
    tally = threading.Lock()

    def repeat(name: str, action: Callable[[int], object]) -> Callable[[], None]:
        def race() -> None:
            for round_ in range(ROUNDS):
                try:
                    action(round_)
                    outcome = name
                except Exception as exc:  # counted, so that the assertion below names it
                    outcome = f"{name}: {type(exc).__name__}: {exc}"[:200]
                with tally:
                    outcomes[outcome] += 1

        return race

    # Not entered: the app's lifespan runs once, around the whole race.
    admin = login(TestClient(app, raise_server_exceptions=False), workspace.a.users["admin"][1])

    def rotate_over_http(_round: int) -> None:
        response = admin.post("/api/v1/admin/privacy/keys/rotate")
        assert response.status_code == 200, response.text

    def rotate_everything(_round: int) -> None:
        with db.session() as session:
            do_rotate_keys(session, None)

    def create_contact(tag: str) -> Callable[[int], None]:
        def create(round_: int) -> None:
            name = f"Arriving {tag}{round_}"
            with db.session() as session:
                contact = do_create_contact(session, a, name=name, email=f"{tag}{round_}@ex.com")
            with tally:
                created.append(contact.id)

        return create

    def erase_contact(round_: int) -> None:
        with db.session() as session:
            do_erase_contact(session, a, doomed[round_].id)

    racers = [
        repeat("rotate", rotate_over_http),
        repeat("rotate all", rotate_everything),
        repeat("create", create_contact("a")),
        repeat("create", create_contact("b")),
        repeat("erase", erase_contact),
    ]
    with TestClient(app), ThreadPoolExecutor(max_workers=len(racers)) as pool:
        for racing in [pool.submit(racer) for racer in racers]:
            racing.result()
    assert outcomes == Counter(
        {"rotate": ROUNDS, "rotate all": ROUNDS, "create": 2 * ROUNDS, "erase": ROUNDS}
    )

    # A fresh process's view (no key cached): every new contact reads, every erased one is gone
    # for good, and the account's keys rotate again.
    fresh = init_store(settings)
    try:
        with fresh.session() as session:
            names = sorted(session.get(Contact, contact_id).name for contact_id in created)
            assert names == sorted(f"Arriving {tag}{i}" for i in range(ROUNDS) for tag in "ab")
            assert do_rotate_keys(session, a)["accounts_rotated"] == 1
        keystore = fresh.keys.keystore
        assert keystore.destroyed_key_refs(doomed_keys) == set(doomed_keys)
    finally:
        fresh.dispose()


def test_contacts_created_at_once_by_two_workers_never_share_a_data_key(  # type: ignore[no-untyped-def]
    app, workspace: Workspace, settings: Settings
) -> None:
    """New contacts' data keys are stored several at a time and handed out one by one: two
    worker processes (two stores on one database and key store) creating contacts from many
    threads never give two contacts the same key, and each stays readable elsewhere."""
    a = workspace.a.account_id
    other_worker = init_store(settings)
    workers = [app.state.db, other_worker]

    def create(number: int) -> tuple[int, str]:
        with workers[number % 2].session() as session:
            contact = do_create_contact(session, a, name=f"New {number}", email=f"n{number}@ex.com")
            return contact.id, str(contact.key_ref)

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            created = list(pool.map(create, range(60)))
    finally:
        other_worker.dispose()
    key_refs = [key_ref for _, key_ref in created]
    assert len(set(key_refs)) == len(created)
    fresh = init_store(settings)
    try:
        with fresh.session() as session:
            names = {session.get(Contact, contact_id).name for contact_id, _ in created}
        assert names == {f"New {number}" for number in range(60)}
    finally:
        fresh.dispose()
