"""Piccolo Admin at /admin, attacked through HTTP: who gets in, and what it may change."""

from __future__ import annotations

import httpx
import pytest

from core.accounts import User, create_account
from core.roles import Role
from core.tables import Account
from tests.conftest import client_from
from tests.factories import (
    PASSWORD,
    ROLE_EMAILS,
    login,
    make_business,
    seed_accounts,
    seed_categories,
    seed_places,
)
from vendors.tables import Business

pytestmark = pytest.mark.anyio

SECOND_ORGANIZER = "btc2@test.vn"


@pytest.fixture
async def seeded(db):
    await seed_places()
    await seed_accounts()
    await seed_categories()
    await create_account(
        email=SECOND_ORGANIZER, password=PASSWORD, role=Role.ORGANIZER, full_name="Người thứ hai"
    )
    return db


async def _account_id(email: str) -> int:
    row = await Account.select(Account.id).where(Account.user.email == email).first()
    return row["id"]


async def _user(email: str) -> dict:
    return await User.select().where(User.email == email).first()


async def _sign_in(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client.cookies["id"]


async def _admin_csrf(client: httpx.AsyncClient) -> str:
    """The token Piccolo Admin's page puts in its cookie, as a browser would get it."""
    assert (await client.get("/admin/")).status_code == 200
    return client.cookies["csrftoken"]


async def _admin_login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    csrf = await _admin_csrf(client)
    return await client.post(
        "/admin/public/login/",
        json={"username": email, "password": password},
        headers={"x-csrftoken": csrf},
    )


async def test_two_session_cookies_do_not_open_the_admin_to_a_demoted_organizer(seeded, app):
    async with client_from(app, "198.51.100.20") as demoted:
        token = await _sign_in(demoted, SECOND_ORGANIZER)
        csrf = await _admin_csrf(demoted)
    account_id = await _account_id(SECOND_ORGANIZER)
    await Account.update({Account.role: Role.GATE_STAFF.value}).where(Account.id == account_id)
    # One cookie is refused; a junk cookie first used to blind the gate while Piccolo read the last.
    async with client_from(app, "198.51.100.20") as attacker:
        cookies = f"id=junk; id={token}; csrftoken={csrf}"
        tables = await attacker.get("/admin/api/tables/", headers={"cookie": cookies})
        assert tables.status_code == 401
        promote = await attacker.patch(
            f"/admin/api/tables/account/{account_id}/",
            json={"role": "organizer"},
            headers={"cookie": cookies, "x-csrftoken": csrf},
        )
        assert promote.status_code == 401
        # The app reads the pair the same way: signed out, not the first cookie's account.
        me = await attacker.get("/api/auth/me", headers={"cookie": f"id={token}; id=junk"})
        assert me.status_code == 401
    role = await Account.select(Account.role).where(Account.id == account_id).first()
    assert role["role"] == "gate_staff"


async def test_a_demoted_organizer_is_refused_at_once_and_all_its_sessions_end(seeded, app):
    async with (
        client_from(app, "198.51.100.21") as boss,
        client_from(app, "198.51.100.22") as laptop,
        client_from(app, "198.51.100.23") as phone,
    ):
        await login(boss, Role.ORGANIZER)
        await _sign_in(laptop, SECOND_ORGANIZER)
        await _sign_in(phone, SECOND_ORGANIZER)
        assert (await laptop.get("/admin/api/tables/")).status_code == 200
        assert (await _user(SECOND_ORGANIZER))["admin"] is True
        account_id = await _account_id(SECOND_ORGANIZER)
        listed = (await boss.get("/api/accounts")).json()
        assert account_id in {a["id"] for a in listed}

        changed = await boss.patch(f"/api/accounts/{account_id}", json={"role": "gate_staff"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["role"] == "gate_staff"

        assert (await laptop.get("/admin/api/tables/")).status_code == 401
        assert (await phone.get("/api/auth/me")).status_code == 401
        user = await _user(SECOND_ORGANIZER)
        assert user["admin"] is False and user["superuser"] is False
        # Signing in again gives the new role only: no admin.
        await _sign_in(laptop, SECOND_ORGANIZER)
        assert (await laptop.get("/admin/api/tables/")).status_code == 403
        assert (await _admin_login(phone, SECOND_ORGANIZER, PASSWORD)).status_code == 403

        # Promoted back, the flags follow; deactivated, every session ends.
        back = await boss.patch(f"/api/accounts/{account_id}", json={"role": "organizer"})
        assert back.status_code == 200
        assert (await _user(SECOND_ORGANIZER))["admin"] is True
        await _sign_in(laptop, SECOND_ORGANIZER)
        off = await boss.patch(f"/api/accounts/{account_id}", json={"active": False})
        assert off.status_code == 200 and off.json()["active"] is False
        assert (await laptop.get("/admin/api/tables/")).status_code == 401

        own = await boss.patch(
            f"/api/accounts/{await _account_id(ROLE_EMAILS[Role.ORGANIZER])}",
            json={"role": "inspector"},
        )
        assert own.status_code == 403
        assert own.json()["messages"]["en"].startswith("You may not change your own role")
        nobody = await laptop.patch(f"/api/accounts/{account_id}", json={"active": True})
        assert nobody.status_code == 401


async def test_a_business_cannot_sign_in_at_the_admin_login(seeded, client):
    refused = await _admin_login(client, ROLE_EMAILS[Role.BUSINESS], PASSWORD)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == "Chỉ ban tổ chức được vào trang quản trị."
    assert refused.json()["messages"]["en"] == "Only organizers may use the admin."
    assert "id" not in client.cookies
    assert (await client.get("/api/auth/me")).status_code == 401

    wrong = await _admin_login(client, ROLE_EMAILS[Role.ORGANIZER], "sai-mat-khau")
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Email hoặc mật khẩu không đúng."

    allowed = await _admin_login(client, ROLE_EMAILS[Role.ORGANIZER], PASSWORD)
    assert allowed.status_code == 200
    assert (await client.get("/admin/api/tables/")).status_code == 200


async def test_the_admin_login_shares_the_api_login_throttle(seeded, app):
    email = ROLE_EMAILS[Role.ORGANIZER]
    async with client_from(app, "198.51.100.30") as attacker:
        for _ in range(3):
            wrong = await attacker.post(
                "/api/auth/login", json={"email": email, "password": "doan-bua"}
            )
            assert wrong.status_code == 401
        for _ in range(2):
            assert (await _admin_login(attacker, email, "doan-bua")).status_code == 401
        blocked = await _admin_login(attacker, email, PASSWORD)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "phút" in blocked.json()["detail"]
        assert "id" not in attacker.cookies
        api = await attacker.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert api.status_code == 429


async def test_the_admin_cannot_change_roles_business_status_or_passwords(seeded, client):
    business_id = await make_business(
        ROLE_EMAILS[Role.BUSINESS],
        "Công ty TNHH Bến Nghé",
        "0300588569",
        "ben-nghe",
        status="pending",
        account_exists=True,
    )
    gate_id = await _account_id(ROLE_EMAILS[Role.GATE_STAFF])
    gate_user = await _user(ROLE_EMAILS[Role.GATE_STAFF])
    await login(client, Role.ORGANIZER)
    csrf = await _admin_csrf(client)
    headers = {"x-csrftoken": csrf}

    role = await client.patch(
        f"/admin/api/tables/account/{gate_id}/", json={"role": "organizer"}, headers=headers
    )
    assert role.status_code == 403
    row = await client.get(f"/admin/api/tables/account/{gate_id}/")
    assert row.status_code == 200
    replaced = await client.put(
        f"/admin/api/tables/account/{gate_id}/",
        json={**row.json(), "role": "organizer"},
        headers=headers,
    )
    assert replaced.status_code == 403
    made = await client.post(
        "/admin/api/tables/account/",
        json={"user": gate_user["id"], "role": "organizer", "full_name": "X"},
        headers=headers,
    )
    assert made.status_code == 403
    status = await client.patch(
        f"/admin/api/tables/business/{business_id}/", json={"status": "verified"}, headers=headers
    )
    assert status.status_code == 403

    tables = (await client.get("/admin/api/tables/")).json()
    assert "piccolo_user" not in tables and "sessions" not in tables
    # A ward officer's wards are changed in the console, where the change is kept.
    assert "account_ward" not in tables and "account" in tables
    password = await client.patch(
        f"/admin/api/tables/piccolo_user/{gate_user['id']}/",
        json={"password": "mat-khau-admin-1", "admin": True, "superuser": True},
        headers=headers,
    )
    assert password.status_code in {404, 405}

    assert (await Account.select(Account.role).where(Account.id == gate_id).first())[
        "role"
    ] == "gate_staff"
    business = await Business.select(Business.status).where(Business.id == business_id).first()
    assert business["status"] == "pending"
    after = await _user(ROLE_EMAILS[Role.GATE_STAFF])
    assert after["password"] == gate_user["password"] and after["admin"] is False
    # What the admin is for still works: fixing a name.
    name = await client.patch(
        f"/admin/api/tables/account/{gate_id}/", json={"full_name": "Cổng Một"}, headers=headers
    )
    assert name.status_code == 200, name.text
