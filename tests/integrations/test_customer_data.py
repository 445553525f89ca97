"""Customer data in: typed attributes, CSV and JSON imports (API and `baton customers
import`), all or nothing, sealed with each contact's key, read back through the profile."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from batondesk.actions.contacts import find_contact_by_external_id
from batondesk.cli.integrations import customers_app
from tests.support.workspace import Workspace

CSV = (
    "external_id,name,email,plan,vip,joined,balance,preferences.language,orders\n"
    'c-1,Ada Lovelace,ada@example.com,premium,yes,2021-03-04,120.5,fr,"[{""id"": ""o-77"", '
    '""date"": ""2025-04-01"", ""status"": ""shipped"", ""total"": 19.9, ""currency"": ""EUR""}]"\n'
    "c-2,Alan Turing,alan@example.com,basic,no,2019-11-30,-3,,\n"
)


def _define_attributes(admin: TestClient) -> None:
    for attribute in (
        {"key": "plan", "type": "enum", "options": ["basic", "premium"]},
        {"key": "vip", "type": "boolean"},
        {"key": "joined", "type": "date"},
        {"key": "balance", "type": "number"},
    ):
        defined = admin.post("/api/v1/admin/customer-attributes", json=attribute)
        assert defined.status_code == 201, defined.text


def _contact_id(admin: TestClient, account_id: int, external_id: str) -> int:
    with admin.app.state.db.session() as session:  # type: ignore[attr-defined]
        contact = find_contact_by_external_id(session, account_id, external_id)
        assert contact is not None
        return contact.id


def test_a_csv_import_stores_typed_values_sealed_and_the_profile_reads_them_back(
    admin: TestClient, workspace: Workspace
) -> None:
    _define_attributes(admin)
    imported = admin.post(
        "/api/v1/customers/import", files={"file": ("customers.csv", CSV.encode(), "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 2, "updated": 0}

    ada = admin.get(
        f"/api/v1/contacts/{_contact_id(admin, workspace.a.account_id, 'c-1')}/profile"
    ).json()
    assert ada["attributes"] == {
        "plan": "premium",
        "vip": True,
        "joined": "2021-03-04",
        "balance": 120.5,
    }
    assert ada["orders"] == [
        {
            "id": "o-77",
            "date": "2025-04-01",
            "status": "shipped",
            "total": 19.9,
            "currency": "EUR",
            "items": [],
        }
    ]
    assert ada["preferences"] == {"language": "fr"}
    contact = admin.get(
        f"/api/v1/contacts/{_contact_id(admin, workspace.a.account_id, 'c-1')}"
    ).json()
    assert contact["locale"] == "fr" and contact["name"] == "Ada Lovelace"

    # A second import updates by external_id: what a row leaves empty stays.
    again = admin.post(
        "/api/v1/customers/import",
        files={
            "file": (
                "more.json",
                json.dumps([{"external_id": "c-1", "attributes": {"plan": "basic"}}]).encode(),
            )
        },
    )
    assert again.json() == {"created": 0, "updated": 1}
    ada = admin.get(
        f"/api/v1/contacts/{_contact_id(admin, workspace.a.account_id, 'c-1')}/profile"
    ).json()
    assert ada["attributes"]["plan"] == "basic" and ada["attributes"]["vip"] is True
    assert ada["orders"][0]["id"] == "o-77"

    with admin.app.state.db.engine.connect() as connection:  # type: ignore[attr-defined]
        stored = b"".join(
            bytes(value or b"")
            for row in connection.execute(
                text(
                    "SELECT c.attributes, p.orders, p.preferences FROM contacts c "
                    "JOIN customer_profiles p ON p.contact_id = c.id"
                )
            )
            for value in row
        )
    assert stored and b"premium" not in stored and b"o-77" not in stored and b"EUR" not in stored


def test_a_file_with_a_bad_record_stores_nothing_and_names_every_bad_line(
    admin: TestClient, workspace: Workspace
) -> None:
    _define_attributes(admin)
    bad = (
        "external_id,name,plan,vip,joined\n"
        "c-1,Ada,premium,yes,2021-03-04\n"
        "c-2,Alan,gold,yes,2021-03-04\n"
        "c-3,Grace,basic,perhaps,2021-03-04\n"
        "c-4,Edsger,basic,no,04/03/2021\n"
        "c-5,Barbara,basic,no,2021-03-04,extra\n"
    )
    refused = admin.post(
        "/api/v1/customers/import", files={"file": ("c.csv", bad[: bad.rindex("c-5")].encode())}
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_records"
    assert "line 3: attributes.plan: expected one of basic, premium" in error["message"]
    assert "line 4: attributes.vip: expected true or false" in error["message"]
    assert "line 5: attributes.joined: expected a date" in error["message"]
    too_many_cells = admin.post("/api/v1/customers/import", files={"file": ("c.csv", bad.encode())})
    assert too_many_cells.status_code == 422
    assert "line 6: more cells than header columns" in too_many_cells.json()["error"]["message"]
    undefined = admin.post(
        "/api/v1/customers/records",
        json={"records": [{"external_id": "c-9", "attributes": {"shoe_size": 44}}]},
    )
    assert undefined.status_code == 422
    assert "attributes.shoe_size: no such attribute" in undefined.json()["error"]["message"]
    for name, data in [
        ("c.txt", b"external_id\nc-1\n"),
        ("c.json", b"{not json"),
        ("c.csv", b"\xff\xfe"),
    ]:
        unreadable = admin.post("/api/v1/customers/import", files={"file": (name, data)})
        assert unreadable.status_code == 422, name
    with admin.app.state.db.engine.connect() as connection:  # type: ignore[attr-defined]
        assert connection.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 0


def test_attribute_definitions_are_checked(admin: TestClient) -> None:
    for attribute, code in [
        ({"key": "Plan", "type": "string"}, "invalid_attribute_key"),
        ({"key": "first_name", "type": "string"}, "reserved_key"),
        ({"key": "level", "type": "enum"}, "invalid_options"),
        ({"key": "level", "type": "number", "options": ["a"]}, "invalid_options"),
        ({"key": "level", "type": "colour"}, "invalid_input"),
    ]:
        refused = admin.post("/api/v1/admin/customer-attributes", json=attribute)
        assert refused.status_code == 422, attribute
        assert refused.json()["error"]["code"] == code, attribute
    assert (
        admin.post(
            "/api/v1/admin/customer-attributes", json={"key": "level", "type": "number"}
        ).status_code
        == 201
    )
    again = admin.post("/api/v1/admin/customer-attributes", json={"key": "level", "type": "string"})
    assert again.status_code == 409


def test_baton_customers_import_reads_a_file(
    cli_env, app, workspace: Workspace, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "customers.jsonl"
    path.write_text(
        '{"external_id": "c-1", "name": "Ada", "products": [{"name": "Gold card"}]}\n'
        '{"external_id": "c-2", "preferences": {"verbosity": "brief", "channel": "email"}}\n'
    )
    done = CliRunner().invoke(customers_app, ["import", str(path), "--account", "north"])
    assert done.exit_code == 0, done.output
    assert "2 contacts created, 0 updated" in done.output
    path.write_text('{"external_id": "c-3", "preferences": {"verbosity": "endless"}}\n')
    refused = CliRunner().invoke(customers_app, ["import", str(path), "--account", "north"])
    assert refused.exit_code == 2 and "line 1: preferences.verbosity" in refused.output


def test_the_profile_is_exported_and_erased_with_the_contact(
    admin: TestClient, workspace: Workspace
) -> None:
    records = [{"external_id": "c-1", "name": "Ada", "orders": [{"id": "o-1", "status": "paid"}]}]
    assert admin.post("/api/v1/customers/records", json={"records": records}).status_code == 200
    contact_id = _contact_id(admin, workspace.a.account_id, "c-1")
    bundle = admin.get(f"/api/v1/admin/privacy/contacts/{contact_id}/export").json()
    assert bundle["profile"]["orders"] == [{"id": "o-1", "status": "paid", "items": []}]
    erased = admin.post(f"/api/v1/admin/privacy/contacts/{contact_id}/erase")
    assert erased.status_code == 200, erased.text
    with admin.app.state.db.engine.connect() as connection:  # type: ignore[attr-defined]
        assert connection.execute(text("SELECT count(*) FROM customer_profiles")).scalar_one() == 0


def test_marketing_consent_comes_from_the_crm_and_only_a_change_is_recorded(
    admin: TestClient, workspace: Workspace
) -> None:
    rows = "external_id,name,consents.marketing\nc-7,Grace Hopper,yes\nc-8,Edsger Dijkstra,no\n"
    imported = admin.post(
        "/api/v1/customers/import", files={"file": ("c.csv", rows.encode(), "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    account = workspace.a.account_id
    grace, edsger = (_contact_id(admin, account, e) for e in ("c-7", "c-8"))

    def marketing(contact: int) -> bool:
        url = f"/api/v1/admin/privacy/contacts/{contact}/consents"
        return bool(admin.get(url).json()["marketing"])

    def changes() -> int:
        url = "/api/v1/admin/privacy/audit?action=consent.changed&limit=500"
        return len(admin.get(url).json())

    assert marketing(grace) is True and marketing(edsger) is False
    recorded = changes()
    # The same answers again change nothing; a withdrawal through the API is recorded.
    body = {"records": [{"external_id": "c-7", "consents": {"marketing": True}}]}
    assert admin.post("/api/v1/customers/records", json=body).status_code == 200
    assert changes() == recorded
    body = {"records": [{"external_id": "c-7", "consents": {"marketing": False}}]}
    assert admin.post("/api/v1/customers/records", json=body).status_code == 200
    assert marketing(grace) is False and changes() == recorded + 1
    # A purpose the CRM cannot answer for is refused, naming it, and nothing is stored.
    body = {"records": [{"external_id": "c-8", "consents": {"chat": True, "marketing": True}}]}
    refused = admin.post("/api/v1/customers/records", json=body)
    assert refused.status_code == 422 and "consents.chat" in refused.json()["error"]["message"]
    assert marketing(edsger) is False
