"""Who may call what: one row per endpoint, one expected status per role.

Every route of the app must appear here; a new endpoint without its row fails
`test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.roles import Role
from tests.factories import PASSWORD, ROLE_EMAILS, csrf_token, login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio

ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], *, others: int = 403) -> dict[str, int]:
    expected = {role: others for role in ROLES}
    expected[ANON] = 401
    expected.update(allowed)
    return expected


NEW_SITE = {
    "name": "Nhà văn hóa khu phố 3",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "setting": "residential",
    "lat": 10.78,
    "lon": 106.70,
}
NEW_ACCOUNT = {
    "email": "moi@test.vn",
    "password": "mat-khau-moi-1",
    "role": "gate_staff",
    "full_name": "Cổng Mới",
}

# method, path, kind of body, body, expected status by role
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("GET", "/health", "none", None, everyone(200)),
    ("GET", "/", "none", None, everyone(200)),
    ("GET", "/login", "none", None, everyone(200)),
    ("POST", "/login", "form", "own-credentials", {**everyone(303), ANON: 401}),
    ("POST", "/logout", "form", {}, everyone(303)),
    ("GET", "/lang/{code:str}", "none", "/lang/en", everyone(303)),
    ("POST", "/api/auth/login", "json", "own-credentials", {**everyone(200), ANON: 401}),
    ("POST", "/api/auth/logout", "json", {}, everyone(200)),
    ("GET", "/api/auth/me", "none", None, {**everyone(200), ANON: 401}),
    ("GET", "/api/wards", "none", None, everyone(200)),
    ("POST", "/api/wards", "json", {"name": "Phường Mới"}, only({"organizer": 201})),
    ("PATCH", "/api/wards/{slug:str}", "json", {"aliases": "Sài Gòn"}, only({"organizer": 200})),
    ("GET", "/api/sites", "none", None, everyone(200)),
    ("GET", "/api/sites/{slug:str}", "none", None, everyone(200)),
    ("POST", "/api/sites", "json", NEW_SITE, only({"organizer": 201, "ward_officer": 201})),
    (
        "PATCH",
        "/api/sites/{slug:str}",
        "json",
        {"capacity": 12},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/accounts", "none", None, only({"organizer": 200})),
    ("POST", "/api/accounts", "json", NEW_ACCOUNT, only({"organizer": 201})),
    # Piccolo Admin: its own login answers strangers; signed-in non-organizers are refused.
    ("GET", "/admin", "none", "/admin/api/tables/", only({"organizer": 200}, others=403)),
]

CONCRETE_PATHS = {
    "/api/wards/{slug:str}": "/api/wards/ben-nghe",
    "/api/sites/{slug:str}": "/api/sites/site-ben-nghe",
}
# Served by Litestar itself (documentation and static files), not endpoints of ours.
FRAMEWORK_ROUTES = ("/schema", "/static")


def _cases():
    for method, path, kind, body, expected in MATRIX:
        for role in ROLES:
            yield pytest.param(
                method, path, kind, body, role, expected[role], id=f"{method} {path} as {role}"
            )


def test_every_route_is_in_the_matrix():
    from app import app

    routes = set()
    for route in app.routes:
        if route.path.startswith(FRAMEWORK_ROUTES):
            continue
        for method in getattr(route, "methods", None) or {"ASGI"}:
            if method in {"HEAD", "OPTIONS"}:
                continue
            routes.add(("GET" if method == "ASGI" else method, route.path))
    assert routes == {(m, p) for m, p, *_ in MATRIX}


@pytest.mark.parametrize(("method", "path", "kind", "body", "role", "status"), list(_cases()))
async def test_role_may_call_endpoint(db, client, method, path, kind, body, role, status):
    await seed_places()
    await seed_accounts()
    if role != ANON:
        await login(client, Role(role))
    url = CONCRETE_PATHS.get(path, path)
    if isinstance(body, str) and body.startswith("/"):
        url, body = body, None
    if body == "own-credentials":
        email = ROLE_EMAILS[Role(role)] if role != ANON else "nobody@test.vn"
        body = {"email": email, "password": PASSWORD}
    if kind == "form":
        token = await csrf_token(client)
        response = await client.request(method, url, data={**body, "_csrf_token": token})
    elif kind == "json":
        response = await client.request(method, url, json=body)
    else:
        response = await client.request(method, url)
    assert response.status_code == status, response.text[:300]
