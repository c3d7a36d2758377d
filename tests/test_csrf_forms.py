"""Every form of the site's pages needs its CSRF token: posted without one, it is refused and
changes nothing. The forms are read from the app's routes, so a new one is checked at once.

The JSON API (/api/) is protected another way (JSON bodies only, same origin: see
tests/test_security.py) and Piccolo Admin (/admin) brings its own token.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.routes import HTTPRoute

from core.roles import Role
from tests.conftest import ALL_TABLES, CLIENT_ADDRESS, client_from
from tests.factories import PASSWORD, PDF_BYTES, ROLE_EMAILS, login
from tests.inspection_factories import PNG
from tests.test_access_matrix import ANON, CONCRETE_PATHS, MATRIX, ROLES, _world
from vendors.tables import Business

pytestmark = pytest.mark.anyio

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What the guard answers a role that may not call the route (401, 403) or may not see it (404).
REFUSED = frozenset({401, 403, 404})


def form_writes(application: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every write that a page's form can send: all but the JSON API and
    the mounted admin, which answer no form of ours."""
    writes = []
    for route in application.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/api/"):
            continue
        for method in sorted(set(route.route_handler_map) & WRITES):
            writes.append((method, route.path))
    return writes


ROWS = {(method, path): (kind, body, expected) for method, path, kind, body, expected in MATRIX}


def rowless(application: Litestar) -> list[tuple[str, str]]:
    return [write for write in form_writes(application) if write not in ROWS]


def _app_form_writes() -> list[Any]:
    from app import app

    return [pytest.param(m, p, id=f"{m} {p}") for m, p in form_writes(app)]


def allowed_role(expected: dict[str, int]) -> str:
    """A signed-in role the route lets through, or the anonymous visitor if none is."""
    allowed = [role for role in ROLES if expected[role] not in REFUSED]
    signed_in = [role for role in allowed if role != ANON]
    return (signed_in or allowed)[0]


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in a stable order."""
    rows = {}
    for table in ALL_TABLES:
        found = await table.select().order_by(table._meta.primary_key).run()
        rows[table._meta.tablename] = found
    # Any request of a signed-in user slides its session's expiry: that is not the form's doing.
    for session in rows.get("sessions", []):
        session.pop("expiry_date", None)
    return rows


async def post_without_token(client: Any, ids: dict[str, Any], method: str, path: str) -> Any:
    kind, body, _ = ROWS[(method, path)]
    template = CONCRETE_PATHS.get(path, re.sub(r"\{(\w+):\w+\}", r"{\1}", path))
    url = template.format(**ids)
    if kind in {"upload", "multipart"}:
        upload = ("anh.png", PNG, "image/png") if path.endswith("/photos") else None
        upload = upload or ("gcn.pdf", PDF_BYTES, "application/pdf")
        return await client.request(
            method, url, files={"file": upload}, data={"kind": "registration_certificate"}
        )
    if body == "own-credentials":
        body = {"email": ROLE_EMAILS[Role.ORGANIZER], "password": PASSWORD}
    fields = {k: v.format(**ids) if isinstance(v, str) else v for k, v in (body or {}).items()}
    return await client.request(method, url, data=fields)


def test_every_form_route_has_a_row():
    from app import app

    assert rowless(app) == []


def test_a_form_route_added_without_a_row_is_caught():
    from app import create_app

    @post("/business/quick-note", status_code=303)
    async def quick_note() -> None:
        return None

    application = create_app()
    before = set(rowless(application))
    application.register(quick_note)
    assert ("POST", "/business/quick-note") in form_writes(application)
    assert set(rowless(application)) - before == {("POST", "/business/quick-note")}


@pytest.mark.parametrize(("method", "path"), _app_form_writes())
async def test_form_write_without_token_is_refused_and_changes_nothing(db, app, method, path):
    assert (method, path) in ROWS, f"{method} {path}: no row in tests/test_access_matrix.py"
    role = allowed_role(ROWS[(method, path)][2])
    ids = await _world(path)
    async with client_from(app, CLIENT_ADDRESS[0]) as client:
        if role != ANON:
            await login(client, Role(role))
        before = await snapshot()
        response = await post_without_token(client, ids, method, path)
        assert response.status_code == 403, f"as {role}: {response.status_code} {response.text}"
        assert await snapshot() == before
        if role != ANON:  # still signed in: not even the session was touched
            assert (await client.get("/api/auth/me")).json()["email"] == ROLE_EMAILS[Role(role)]


async def test_private_feed_reset_without_token_keeps_the_feed(db, app):
    ids = await _world("/business/calendar/reset")
    feed = f"/calendar/private/{ids['calendar_token']}.ics"
    async with client_from(app, CLIENT_ADDRESS[0]) as client:
        await login(client, Role.BUSINESS)
        answer = await client.post("/business/calendar/reset", data={})
    assert answer.status_code == 403
    tokens = await Business.select(Business.calendar_token).where(Business.id == ids["business_id"])
    assert tokens == [{"calendar_token": ids["calendar_token"]}]
    async with client_from(app, CLIENT_ADDRESS[0]) as calendar_app:
        assert (await calendar_app.get(feed)).status_code == 200


async def test_a_form_path_ending_in_ics_still_needs_its_token(db, app):
    """Only the feeds themselves go without a token, not any path that looks like one."""
    ids = await _world("/inspections/")
    async with client_from(app, CLIENT_ADDRESS[0]) as client:
        await login(client, Role.INSPECTOR)
        before = await snapshot()
        answer = await client.post(
            f"/inspections/{ids['inspection_id']}/checklist/food_safety.ics",
            data={"result": "pass"},
        )
        assert answer.status_code == 403
        assert await snapshot() == before


async def test_a_new_form_route_needs_its_token_too(db):
    from app import create_app

    noted: list[str] = []

    @post("/business/calendar/note", status_code=303)
    async def calendar_note() -> None:
        noted.append("written")

    application = create_app()
    application.register(calendar_note)
    async with application.lifespan(), client_from(application, CLIENT_ADDRESS[0]) as client:
        answer = await client.post("/business/calendar/note", data={})
    assert answer.status_code == 403
    assert noted == []
