"""Cross-site protection: CSRF tokens on forms, JSON-only and same-origin on the API."""

from __future__ import annotations

import pytest

from core.roles import Role
from core.tables import Ward
from tests.factories import PASSWORD, csrf_token, login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio


@pytest.fixture
async def seeded(db):
    await seed_places()
    await seed_accounts()


async def test_login_form_without_csrf_token_is_refused(seeded, client):
    response = await client.post("/login", data={"email": "btc@test.vn", "password": PASSWORD})
    assert response.status_code == 403
    assert "id" not in response.cookies


async def test_login_form_with_a_forged_token_is_refused(seeded, client):
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "btc@test.vn", "password": PASSWORD, "_csrf_token": "x" * 64}
    )
    assert response.status_code == 403


async def test_login_form_with_token_signs_in_and_redirects_only_within_the_site(seeded, client):
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "email": "btc@test.vn",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_failed_form_login_keeps_the_email_and_says_why(seeded, client):
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": "btc@test.vn", "password": "sai", "_csrf_token": token}
    )
    assert response.status_code == 401
    assert 'value="btc@test.vn"' in response.text
    assert "Email hoặc mật khẩu không đúng." in response.text


async def test_logout_form_without_token_is_refused(seeded, client):
    await login(client, Role.BUSINESS)
    response = await client.post("/logout")
    assert response.status_code == 403
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_api_refuses_form_encoded_writes(seeded, client):
    await login(client, Role.ORGANIZER)
    response = await client.post("/api/wards", data={"name": "Phường Giả"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["messages"]["en"].startswith("The API accepts JSON")


async def test_api_refuses_writes_from_another_origin(seeded, client):
    await login(client, Role.ORGANIZER)
    response = await client.post(
        "/api/wards", json={"name": "Phường Giả"}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["messages"] == {
        "vi": "Yêu cầu từ trang web khác bị từ chối.",
        "en": "Requests from another site are refused.",
    }
    same = await client.post(
        "/api/wards", json={"name": "Phường Thật"}, headers={"origin": "http://testserver"}
    )
    assert same.status_code == 201
    names = {w["name"] for w in await Ward.select(Ward.name)}
    assert "Phường Thật" in names and "Phường Giả" not in names


async def test_login_api_refuses_text_plain_bodies(seeded, client):
    response = await client.post(
        "/api/auth/login",
        content=f'{{"email": "btc@test.vn", "password": "{PASSWORD}"}}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 403


async def test_admin_is_for_organizers_only(seeded, client):
    await login(client, Role.WARD_OFFICER)
    assert (await client.get("/admin/api/tables/")).status_code == 403
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    tables = await client.get("/admin/api/tables/")
    assert tables.status_code == 200
    assert "site" in tables.json()
