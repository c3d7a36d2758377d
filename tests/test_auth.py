"""Sign-in, sessions, argon2 and login throttling."""

from __future__ import annotations

import pytest

from core.accounts import User
from core.roles import Role
from core.tables import Account
from tests.conftest import client_from
from tests.factories import PASSWORD, ROLE_EMAILS, login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio


@pytest.fixture
async def seeded(db):
    await seed_places()
    await seed_accounts()
    return db


async def test_login_sets_a_session_cookie_and_me_answers(seeded, client):
    response = await client.post(
        "/api/auth/login", json={"email": "BTC@Test.vn ", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "organizer"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = await client.get("/api/auth/me")
    assert me.json()["email"] == "btc@test.vn"


async def test_ward_officer_sees_their_wards(seeded, client):
    await login(client, Role.WARD_OFFICER)
    me = (await client.get("/api/auth/me")).json()
    assert me["wards"] == [{"slug": "ben-nghe", "name": "Bến Nghé"}]


async def test_wrong_password_is_refused_in_both_languages(seeded, client):
    response = await client.post(
        "/api/auth/login", json={"email": "btc@test.vn", "password": "sai-mat-khau"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["detail"] == "Email hoặc mật khẩu không đúng."
    assert body["messages"]["en"] == "Wrong e-mail or password."
    assert "set-cookie" not in response.headers


async def test_logout_ends_the_session_on_the_server(seeded, client):
    await login(client, Role.BUSINESS)
    token = client.cookies["id"]
    assert (await client.post("/api/auth/logout")).status_code == 200
    client.cookies.set("id", token)  # a stolen copy of the cookie must be dead too
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_passwords_are_stored_with_argon2(seeded):
    stored = await User.select(User.password).where(User.username == "btc@test.vn").first()
    assert stored["password"].startswith("$argon2id$")
    assert PASSWORD not in stored["password"]


async def test_deactivated_account_cannot_sign_in(seeded, client):
    await User.update({User.active: False}).where(User.username == "dn@test.vn")
    response = await client.post(
        "/api/auth/login", json={"email": "dn@test.vn", "password": PASSWORD}
    )
    assert response.status_code == 401


async def test_deactivating_an_account_ends_its_open_sessions(seeded, client):
    await login(client, Role.GATE_STAFF)
    await User.update({User.active: False}).where(User.username == "cong@test.vn")
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_a_burst_of_wrong_passwords_gets_429_without_locking_out_the_owner(seeded, app):
    async with client_from(app, "198.51.100.7") as attacker:
        for _ in range(5):
            wrong = await attacker.post(
                "/api/auth/login", json={"email": "btc@test.vn", "password": "doan-bua"}
            )
            assert wrong.status_code == 401
        blocked = await attacker.post(
            "/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD}
        )
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "phút" in blocked.json()["detail"]
    async with client_from(app, "192.0.2.44") as owner:
        allowed = await owner.post(
            "/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD}
        )
        assert allowed.status_code == 200


async def test_one_address_trying_many_accounts_is_throttled(seeded, app):
    async with client_from(app, "198.51.100.8") as sprayer:
        statuses = []
        for number in range(31):
            response = await sprayer.post(
                "/api/auth/login", json={"email": f"x{number}@test.vn", "password": "123456789"}
            )
            statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


async def test_success_clears_the_failure_count(seeded, app):
    async with client_from(app, "198.51.100.9") as person:
        for _ in range(2):
            for _ in range(4):
                await person.post("/api/auth/login", json={"email": "dn@test.vn", "password": "x"})
            ok = await person.post(
                "/api/auth/login", json={"email": "dn@test.vn", "password": PASSWORD}
            )
            assert ok.status_code == 200


async def test_every_role_has_an_account_profile(seeded):
    roles = {r["role"] for r in await Account.select(Account.role)}
    assert roles == {role.value for role in ROLE_EMAILS}


async def test_a_session_lasts_while_used_and_ends_at_its_limits(seeded, client):
    import datetime as dt

    from piccolo_api.session_auth.tables import SessionsBase

    from core.auth import stored_session_token

    await login(client, Role.WARD_OFFICER)
    token = stored_session_token(client.cookies["id"])
    now = dt.datetime.now()

    async def expire(idle: dt.timedelta, hard: dt.timedelta) -> None:
        await SessionsBase.update(
            {SessionsBase.expiry_date: now + idle, SessionsBase.max_expiry_date: now + hard}
        ).where(SessionsBase.token == token)

    async def expiry() -> dt.datetime:
        row = await SessionsBase.select(SessionsBase.expiry_date).where(
            SessionsBase.token == token
        )
        return row[0]["expiry_date"]

    # Used an hour before its idle limit: it is lengthened by a day, and knows its wards.
    await expire(dt.timedelta(hours=1), dt.timedelta(days=30))
    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["wards"][0]["slug"] == "ben-nghe"
    assert await expiry() > now + dt.timedelta(hours=24)
    # Far from its idle limit: left as it is.
    await expire(dt.timedelta(days=2), dt.timedelta(days=30))
    assert (await client.get("/api/auth/me")).status_code == 200
    assert abs(await expiry() - (now + dt.timedelta(days=2))) < dt.timedelta(seconds=1)
    # Past its idle limit, or past its hard limit: signed out.
    await expire(-dt.timedelta(minutes=1), dt.timedelta(days=30))
    assert (await client.get("/api/auth/me")).status_code == 401
    await expire(dt.timedelta(hours=1), -dt.timedelta(minutes=1))
    assert (await client.get("/api/auth/me")).status_code == 401
    # A made-up token is nobody.
    client.cookies.set("id", "x" * 40)
    assert (await client.get("/api/auth/me")).status_code == 401
