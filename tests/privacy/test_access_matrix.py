"""Done-when 3: a test generated from the application's routes, so it covers every endpoint,
including ones added later: every API endpoint x every role (console sessions and scoped API
keys, and no credentials at all) x another account's ids. Expected: exactly the access the
permission table grants, another account's rows never reachable, and never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from batondesk.api.deps import SessionDep, require
from batondesk.api.permissions import PERMISSIONS
from batondesk.store.models import ApiKey, Base, Contact, Inbox, Membership, Message, Role
from tests.privacy.conftest import identified_chat, say
from tests.support.workspace import Workspace, login, start_chat

# Public: the widget, logging in, and the CRM's webhooks (signed with the connector's secret
# instead of a login; tests/integrations/test_crm_sync.py refuses bad signatures).
PUBLIC_PREFIXES = ("/api/v1/widget/", "/api/v1/auth/", "/api/v1/crm/")
# Routes that check their permission in the body rather than as a dependency (a stream must
# not hold the request's database session open). Keep this list short.
CHECKED_IN_BODY = {"/api/v1/stream": "conversations:read"}
FOREIGN = {
    "name": "Bartholomew Fennimore-Quist",
    "email": "bart.fq@example.com",
    "body": "Bartholomew's card 5425 2334 3010 9903 was swallowed by the ATM",
}


def route_permission(route: APIRoute, path: str = "") -> str | None:
    """The permission named by the route's `require(...)` dependency, found by walking its
    dependency tree (so the table in api/permissions.py is the only source of truth)."""
    if path in CHECKED_IN_BODY:
        return CHECKED_IN_BODY[path]
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        permission = getattr(dependant.call, "baton_permission", None)
        if permission:
            return permission
        stack.extend(dependant.dependencies)
    return None


def api_routes(app) -> list[tuple[str, str, APIRoute]]:  # type: ignore[no-untyped-def]
    """(method, path, route) of every API endpoint, however routers were included."""
    try:
        from fastapi.routing import iter_route_contexts

        pairs = [(ctx.path, ctx.original_route) for ctx in iter_route_contexts(app.routes)]
    except ImportError:  # FastAPI before router contexts: routes are flat
        pairs = [(getattr(r, "path", None), r) for r in app.routes]
    return [
        (method, path, route)
        for path, route in pairs
        if isinstance(route, APIRoute) and path and path.startswith("/api/")
        for method in sorted(route.methods - {"HEAD", "OPTIONS"})
    ]


def _table_for(param: str) -> str | None:
    stem = param.removesuffix("_id")
    names = {t.name for t in Base.metadata.sorted_tables}
    for candidate in (stem + "s", stem + "es", stem[:-1] + "ies", "api_" + stem + "s"):
        if candidate in names:
            return candidate
    return None


class ForeignIds:
    """Real ids of account B for any `{x_id}` parameter, found by table name."""

    def __init__(self, app, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
        self.db = app.state.db
        self.account_id = workspace.b.account_id
        self.inbox_public_id = workspace.b.inbox_public_id
        self.user_id = workspace.b.users["agent"][0]

    def value(self, name: str) -> Any:
        if name == "user_id":
            return self.user_id
        if name.endswith("public_id"):
            return self.inbox_public_id
        table_name = _table_for(name)
        if table_name is None:
            return 987654  # no such row anywhere: must still be a clean 404 / 422
        table = Base.metadata.tables[table_name]
        if "account_id" not in table.c:
            return 987654
        with self.db.engine.connect() as connection:
            found = connection.execute(
                select(func.max(table.c.id)).where(table.c.account_id == self.account_id)
            ).scalar()
        return found if found is not None else 987654


def _fill_path(path: str, route: APIRoute, ids: ForeignIds) -> tuple[str, bool]:
    """The URL with every path parameter set to another account's value; and whether it
    names another account's row (an id or an inbox) at all."""
    names = re.findall(r"\{(\w+)\}", path)
    url = path
    names_rows = False
    for name in names:
        field = next((p for p in route.dependant.path_params if p.name == name), None)
        is_int = field is not None and field.field_info.annotation is int
        if is_int or name.endswith(("_id", "public_id")):
            value, names_rows = ids.value(name), True
        else:  # a name rather than a row (a model version, a purpose): nothing to own
            value = "training"
        url = url.replace("{" + name + "}", str(value))
    return url, names_rows


def _example(
    schema: dict[str, Any], components: dict[str, Any], ids: ForeignIds, name: str = ""
) -> Any:
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, ids, name)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return _example(options[0], components, ids, name) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        return {
            key: _example(sub, components, ids, key)
            for key, sub in schema.get("properties", {}).items()
            if key in required
        }
    if kind == "array":
        return []
    if kind == "integer":
        return ids.value(name) if name.endswith("_id") else max(1, schema.get("minimum", 1))
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return True
    if name == "purpose":
        return "training"
    return "x" * max(1, schema.get("minLength", 1))


def _body(app, method: str, path: str, ids: ForeignIds) -> Any:  # type: ignore[no-untyped-def]
    document = app.openapi()
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    return _example(content["schema"], document.get("components", {}).get("schemas", {}), ids)


@pytest.fixture
def seeded(app, client: TestClient, workspace: Workspace) -> ForeignIds:
    """Account B with a known customer, messages, an API key; account A with a chat too."""
    conversation_id, visitor, _contact = identified_chat(
        app, client, workspace.b, external_id="b-1", name=FOREIGN["name"], email=FOREIGN["email"]
    )
    say(client, conversation_id, visitor, FOREIGN["body"])
    with TestClient(app) as admin_b:
        login(admin_b, workspace.b.users["admin"][1])
        assert (
            admin_b.post(
                "/api/v1/admin/api-keys",
                json={"name": "b-key", "role": "agent", "scopes": ["conversations:read"]},
            ).status_code
            == 201
        )
    own_id, own_visitor = start_chat(client, workspace.a.inbox_public_id)
    say(client, own_id, own_visitor, "my card has not arrived")
    return ForeignIds(app, workspace)


def _principals(
    app, workspace: Workspace
) -> dict[str, tuple[TestClient, Role | None, set[str] | None]]:  # type: ignore[no-untyped-def]
    """Clients of account A: a console session per role, scoped API keys, and nobody."""
    principals: dict[str, tuple[TestClient, Role | None, set[str] | None]] = {}
    for role in Role:
        member = TestClient(app)
        login(member, workspace.a.users[role.value][1])
        principals[f"session:{role.value}"] = (member, role, None)
    admin = principals["session:admin"][0]
    for role, scopes in ((Role.admin, ["conversations:read"]), (Role.analyst, sorted(PERMISSIONS))):
        created = admin.post(
            "/api/v1/admin/api-keys", json={"name": f"{role}-key", "role": role, "scopes": scopes}
        )
        if created.status_code == 422:  # a role may not be allowed every scope
            created = admin.post(
                "/api/v1/admin/api-keys",
                json={"name": f"{role}-key", "role": role, "scopes": ["conversations:read"]},
            )
        assert created.status_code == 201, created.text
        key_client = TestClient(app, headers={"Authorization": f"Bearer {created.json()['key']}"})
        principals[f"key:{role.value}:{'+'.join(scopes)}"] = (key_client, role, set(scopes))
    principals["anonymous"] = (TestClient(app), None, None)
    return principals


def _is_stream(path: str) -> bool:
    return path.endswith("/stream")


def walk_console(app, workspace: Workspace, ids: ForeignIds) -> tuple[list[str], int, set[int]]:  # type: ignore[no-untyped-def]
    """Every console endpoint x every principal; returns (problems, requests, statuses)."""
    routes = api_routes(app)
    console = [(m, p, r) for m, p, r in routes if not p.startswith(PUBLIC_PREFIXES)]
    problems = [
        f"{m} {p} has no require(permission)"
        for m, p, r in console
        if route_permission(r, p) not in PERMISSIONS
    ]
    principals = _principals(app, workspace)
    checked = 0
    outcomes: set[int] = set()
    for who, (http, role, scopes) in principals.items():
        for method, path, route in console:
            permission = route_permission(route, path)
            if permission not in PERMISSIONS:
                continue
            allowed = (
                role is not None
                and role in PERMISSIONS[permission]
                and (scopes is None or permission in scopes)
            )
            if allowed and _is_stream(path):
                continue  # an allowed stream never ends; tenancy is checked on its channel name
            url, names_rows = _fill_path(path, route, ids)
            response = http.request(method, url, json=_body(app, method, path, ids))
            checked += 1
            status = response.status_code
            outcomes.add(status)
            where = f"{who} {method} {path} -> {status}"
            if status >= 500:
                problems.append(f"{where} (server error)")
            elif role is None:
                if status != 401:
                    problems.append(f"{where} (expected 401 without credentials)")
            elif not allowed:
                if status != 403:
                    problems.append(f"{where} (expected 403: {permission} not granted)")
            elif names_rows and status not in (403, 404, 422):
                problems.append(f"{where} (another account's row was reachable)")
            elif any(secret in response.text for secret in FOREIGN.values()):
                problems.append(f"{where} (another account's personal data in the response)")
    for http, _role, _scopes in principals.values():
        http.close()
    return problems, checked, outcomes


def test_every_endpoint_every_role_with_another_accounts_ids(
    app, workspace: Workspace, seeded: ForeignIds
) -> None:
    problems, checked, outcomes = walk_console(app, workspace, seeded)
    assert checked > 100 and {200, 401, 403, 404} <= outcomes, (checked, outcomes)
    assert not problems, "\n".join(problems)


def test_the_walk_catches_a_leaky_route(app, workspace: Workspace, seeded: ForeignIds) -> None:
    """The generated test must fail for a route that forgets tenancy or its permission."""
    leaky = APIRouter(prefix="/api/v1")

    @leaky.get(
        "/leaky/contacts/{contact_id}", dependencies=[Depends(require("conversations:read"))]
    )
    def read_any_contact(contact_id: int, session: SessionDep) -> dict[str, Any]:
        contact = session.get(Contact, contact_id)  # no account check: the bug under test
        return {"name": contact.name if contact else None}

    @leaky.post("/leaky/settings", dependencies=[Depends(require("conversations:read"))])
    def analysts_may_write() -> dict[str, Any]:  # a write guarded by a read permission is fine
        return {}

    @leaky.get("/leaky/unguarded")
    def unguarded() -> dict[str, Any]:
        return {}

    app.include_router(leaky)
    problems, _checked, _outcomes = walk_console(app, workspace, seeded)
    text = "\n".join(problems)
    assert "GET /api/v1/leaky/unguarded has no require(permission)" in text
    assert "GET /api/v1/leaky/contacts/{contact_id} -> 200 (another account's row" in text
    assert "/leaky/settings" not in text


def test_public_endpoints_with_a_visitor_of_another_account(
    app, client: TestClient, workspace: Workspace, seeded: ForeignIds
) -> None:
    """Widget endpoints with account A's visitor token and account B's conversation ids;
    login and logout with nothing. Never a 500, never B's data."""
    _own, visitor = start_chat(client, workspace.a.inbox_public_id)
    problems = []
    for method, path, route in api_routes(app):
        if not path.startswith(PUBLIC_PREFIXES) or _is_stream(path):
            continue
        url, _names_rows = _fill_path(path, route, seeded)
        response = client.request(
            method, url, json=_body(app, method, path, seeded), headers=visitor
        )
        where = f"{method} {path} -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(where)
        if "/conversations/{" in path and response.status_code not in (404, 422):
            problems.append(f"{where} (another account's conversation was reachable)")
        if any(secret in response.text for secret in FOREIGN.values()):
            problems.append(f"{where} (another account's personal data)")
    assert not problems, "\n".join(problems)
    # The stream of another account's conversation is refused too.
    with app.state.db.session() as session:
        foreign_conversation = session.scalar(
            select(func.max(Message.conversation_id)).where(
                Message.account_id == workspace.b.account_id
            )
        )
    stream = client.get(
        f"/api/v1/widget/conversations/{foreign_conversation}/stream", headers=visitor
    )
    assert stream.status_code == 404
    assert Inbox and ApiKey and Membership  # tables the id finder resolves by name
