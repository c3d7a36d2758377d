"""Staff accounts managed by organizers: an invitation by mail instead of a password typed for
someone else, role, ward and active changes, each kept in the account's history with who made
it. Mail goes through the outbox to a real SMTP server on a free local port (tests/smtp.py)."""

from __future__ import annotations

import re

import pytest

from core.mail import deliver_due
from core.roles import Role
from core.tables import Account, AccountChange, PasswordResetToken
from tests.conftest import client_from
from tests.factories import ROLE_EMAILS, csrf_token, login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio

NEW_EMAIL = "can.bo.moi@test.vn"
NEW_PASSWORD = "mat-khau-can-bo-1"
OFFICER = {
    "email": NEW_EMAIL,
    "full_name": "Võ Thị Hạnh",
    "role": "ward_officer",
    "ward_slugs": ["ben-nghe"],
}


@pytest.fixture
async def seeded(db, smtp_port):
    await seed_places()
    await seed_accounts()


@pytest.fixture
def mailbox(smtp_port, start_server):
    return start_server(smtp_port)


async def organizer(app):
    client = client_from(app, "198.51.100.40")
    await client.__aenter__()
    await login(client, Role.ORGANIZER)
    return client


def link_in(text: str) -> str:
    match = re.search(r"/password-reset/new\?token=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def account_id(email: str) -> int:
    row = await Account.select(Account.id).where(Account.user.email == email).first()
    return row["id"]


async def history(client, account: int) -> list[dict]:
    answer = await client.get(f"/api/accounts/{account}/history")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_invited_officer_sets_a_password_with_the_mailed_link_and_signs_in(
    seeded, mailbox, app, client
):
    boss = await organizer(app)
    created = await boss.post("/api/accounts", json=OFFICER)
    assert created.status_code == 201, created.text
    assert created.json()["password_set"] is False
    assert created.json()["ward_slugs"] == ["ben-nghe"]
    # No password signs in before the invitation is accepted, not even an empty one.
    for attempt in ("", "!invited", NEW_PASSWORD):
        refused = await client.post(
            "/api/auth/login", json={"email": NEW_EMAIL, "password": attempt}
        )
        assert refused.status_code in (401, 422)

    assert await deliver_due() == 1
    assert mailbox.recipients == [[NEW_EMAIL]]
    message = mailbox.messages[0]
    assert message["Subject"] == "Lời mời dùng tài khoản cán bộ Phiên chợ hàng Việt"
    text = mailbox.text_of(message)
    assert "Kính gửi Võ Thị Hạnh" in text and "72 giờ" in text
    token = link_in(text)
    stored = await PasswordResetToken.select().first()
    assert stored["purpose"] == "invitation"

    page = await client.get(f"/password-reset/new?token={token}")
    assert page.status_code == 200
    assert "Đặt mật khẩu của bạn" in page.text and "tài khoản cán bộ" in page.text

    done = await client.post(
        "/password-reset/new",
        data={"token": token, "password": NEW_PASSWORD, "_csrf_token": await csrf_token(client)},
    )
    assert done.status_code == 200 and "Bây giờ bạn có thể đăng nhập" in done.text
    signed_in = await client.post(
        "/api/auth/login", json={"email": NEW_EMAIL, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text

    # The link works once, and says it is an invitation's.
    again = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "khac-hoan-toan-9"}
    )
    assert again.status_code == 400
    assert "ban tổ chức gửi lại lời mời" in again.json()["messages"]["vi"]
    entries = await history(boss, created.json()["id"])
    assert [sorted(e["changes"]) for e in entries] == [
        ["invitation"],
        ["invitation"],
        ["active", "email", "full_name", "role", "ward_slugs"],
    ]
    assert entries[0]["changes"]["invitation"] == ["sent", "accepted"]
    assert entries[0]["actor_email"] == NEW_EMAIL
    assert entries[1]["actor_email"] == entries[2]["actor_email"] == ROLE_EMAILS[Role.ORGANIZER]
    # Once a password is set, no invitation is sent again.
    resent = await boss.post(f"/api/accounts/{created.json()['id']}/invitation", json={})
    assert resent.status_code == 409
    assert "reset" in resent.json()["messages"]["en"]
    await boss.__aexit__(None, None, None)


async def test_an_english_speaker_gets_the_english_invitation_and_a_resend_replaces_it(
    seeded, mailbox, app
):
    boss = await organizer(app)
    created = await boss.post(
        "/api/accounts",
        json={
            "email": "gate@example.com",
            "full_name": "Jane Doe",
            "role": "gate_staff",
            "language": "en",
        },
    )
    assert created.status_code == 201, created.text
    resent = await boss.post(f"/api/accounts/{created.json()['id']}/invitation", json={})
    assert resent.status_code == 202
    assert await deliver_due() == 2
    subjects = {m["Subject"] for m in mailbox.messages}
    assert subjects == {"Your staff account for the Vietnamese-goods fairs"}
    first, second = (link_in(mailbox.text_of(m)) for m in mailbox.messages)
    old = await boss.post(
        "/api/auth/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD}
    )
    assert old.status_code == 400
    new = await boss.post(
        "/api/auth/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD}
    )
    assert new.status_code == 204
    await boss.__aexit__(None, None, None)


async def test_a_password_given_by_a_script_still_works_without_mail(seeded, mailbox, app):
    boss = await organizer(app)
    created = await boss.post(
        "/api/accounts",
        json={
            "email": "script@test.vn",
            "full_name": "Kịch Bản",
            "role": "inspector",
            "password": NEW_PASSWORD,
        },
    )
    assert created.status_code == 201 and created.json()["password_set"] is True
    assert await deliver_due() == 0
    async with client_from(app, "198.51.100.41") as other:
        signed_in = await other.post(
            "/api/auth/login", json={"email": "script@test.vn", "password": NEW_PASSWORD}
        )
        assert signed_in.status_code == 200
    await boss.__aexit__(None, None, None)


async def test_an_organizer_cannot_change_their_own_role_or_deactivate_themselves(seeded, app):
    boss = await organizer(app)
    own = await account_id(ROLE_EMAILS[Role.ORGANIZER])
    for change in ({"role": "inspector"}, {"active": False}):
        refused = await boss.patch(f"/api/accounts/{own}", json=change)
        assert refused.status_code == 403
        assert refused.json()["messages"]["vi"].startswith("Bạn không thể tự đổi vai trò")
    assert await AccountChange.count().where(AccountChange.account == own) == 0
    assert (await boss.get("/api/auth/me")).json()["role"] == "organizer"
    await boss.__aexit__(None, None, None)


async def test_role_ward_and_active_changes_are_each_kept_with_who_made_them(seeded, app):
    boss = await organizer(app)
    officer = await account_id(ROLE_EMAILS[Role.WARD_OFFICER])
    gate = await account_id(ROLE_EMAILS[Role.GATE_STAFF])

    wards = await boss.patch(f"/api/accounts/{officer}", json={"ward_slugs": ["tan-dinh"]})
    assert wards.status_code == 200 and wards.json()["ward_slugs"] == ["tan-dinh"]
    unknown = await boss.patch(f"/api/accounts/{officer}", json={"ward_slugs": ["khong-co"]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "ward_slugs"
    assert "khong-co" in unknown.json()["messages"]["en"]
    empty = await boss.patch(f"/api/accounts/{officer}", json={"ward_slugs": []})
    assert empty.status_code == 422 and empty.json()["field"] == "ward_slugs"
    not_officer = await boss.patch(f"/api/accounts/{gate}", json={"ward_slugs": ["ben-nghe"]})
    assert not_officer.status_code == 422 and not_officer.json()["field"] == "ward_slugs"

    role = await boss.patch(f"/api/accounts/{gate}", json={"role": "inspector"})
    assert role.status_code == 200 and role.json()["role"] == "inspector"
    off = await boss.patch(f"/api/accounts/{gate}", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    same = await boss.patch(f"/api/accounts/{gate}", json={"active": False})
    assert same.status_code == 200

    actor = ROLE_EMAILS[Role.ORGANIZER]
    assert [(e["actor_email"], e["changes"]) for e in await history(boss, gate)] == [
        (actor, {"active": [True, False]}),
        (actor, {"role": ["gate_staff", "inspector"]}),
    ]
    assert [(e["actor_email"], e["changes"]) for e in await history(boss, officer)] == [
        (actor, {"ward_slugs": [["ben-nghe"], ["tan-dinh"]]}),
    ]
    listed = {a["id"]: a for a in (await boss.get("/api/accounts")).json()}
    assert listed[gate]["active"] is False and listed[gate]["role"] == "inspector"
    assert {"id", "email", "full_name", "role", "active", "ward_slugs"} <= set(listed[gate])
    assert (await boss.get("/api/accounts/999999/history")).status_code == 404
    await boss.__aexit__(None, None, None)


async def test_deactivation_and_a_role_change_end_the_accounts_sessions(seeded, app):
    boss = await organizer(app)
    gate = await account_id(ROLE_EMAILS[Role.GATE_STAFF])
    async with client_from(app, "198.51.100.42") as phone:
        await login(phone, Role.GATE_STAFF)
        assert (await phone.get("/api/auth/me")).status_code == 200
        assert (
            await boss.patch(f"/api/accounts/{gate}", json={"active": False})
        ).status_code == 200
        assert (await phone.get("/api/auth/me")).status_code == 401
        refused = await phone.post(
            "/api/auth/login",
            json={"email": ROLE_EMAILS[Role.GATE_STAFF], "password": "mat-khau-thu-123"},
        )
        assert refused.status_code == 401
    await boss.__aexit__(None, None, None)


async def test_others_than_organizers_are_refused(seeded, app):
    gate = await account_id(ROLE_EMAILS[Role.GATE_STAFF])
    for role in (Role.WARD_OFFICER, Role.GATE_STAFF, Role.INSPECTOR, Role.BUSINESS):
        async with client_from(app, "198.51.100.43") as caller:
            await login(caller, role)
            calls = [
                await caller.post("/api/accounts", json=OFFICER),
                await caller.patch(f"/api/accounts/{gate}", json={"active": False}),
                await caller.post(f"/api/accounts/{gate}/invitation", json={}),
                await caller.get(f"/api/accounts/{gate}/history"),
                await caller.get("/console/accounts", headers={"accept": "text/html"}),
            ]
            assert [c.status_code for c in calls] == [403] * 5, role
    assert await AccountChange.count() == 0


async def test_the_console_adds_an_officer_keeping_what_was_typed_on_a_mistake(
    seeded, mailbox, app
):
    boss = await organizer(app)
    page = await boss.get("/console/accounts")
    assert page.status_code == 200 and "Thêm cán bộ" in page.text
    assert 'href="/console/accounts"' in page.text
    token = await csrf_token(boss)
    form = {
        "email": NEW_EMAIL,
        "full_name": "Võ Thị Hạnh",
        "role": "ward_officer",
        "language": "vi",
        "_csrf_token": token,
    }
    missing = await boss.post("/console/accounts", data=form)
    assert missing.status_code == 422
    assert "ít nhất một phường" in missing.text and 'value="can.bo.moi@test.vn"' in missing.text
    assert 'value="Võ Thị Hạnh"' in missing.text

    added = await boss.post("/console/accounts", data={**form, "ward_slugs[]": "ben-nghe"})
    assert added.status_code == 303, added.text
    detail = await boss.get(added.headers["location"])
    assert "Đã tạo tài khoản và gửi lời mời." in detail.text
    assert "Gửi lại lời mời" in detail.text and "Lời mời: — → đã gửi" in detail.text
    assert await deliver_due() == 1 and mailbox.recipients == [[NEW_EMAIL]]

    new_id = int(added.headers["location"].split("/")[-1].split("?")[0])
    moved = await boss.post(
        f"/console/accounts/{new_id}/access",
        data={"role": "inspector", "ward_slugs[]": "ben-nghe", "_csrf_token": token},
    )
    assert moved.status_code == 303
    assert (await history(boss, new_id))[0]["changes"] == {
        "role": ["ward_officer", "inspector"],
        "ward_slugs": [["ben-nghe"], []],
    }
    own = await account_id(ROLE_EMAILS[Role.ORGANIZER])
    refused = await boss.post(
        f"/console/accounts/{own}/active", data={"active": "0", "_csrf_token": token}
    )
    assert refused.status_code == 403 and "Bạn không thể tự đổi vai trò" in refused.text
    await boss.__aexit__(None, None, None)
