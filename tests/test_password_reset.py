"""Password reset by e-mail, and sign-ups that tell no one which addresses have an account.

Mail goes through the outbox to a real SMTP server on a free local port (tests/smtp.py), sent
by the send-mail step (deliver_due), as in tests/test_mail.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

import core.password_reset
import vendors.businesses
from core.accounts import create_account
from core.mail import deliver_due
from core.roles import Role
from core.tables import OutboxEmail, PasswordResetToken
from tests.conftest import client_from
from tests.factories import PASSWORD, csrf_token, seed_categories, seed_places
from vendors.tables import Business

pytestmark = pytest.mark.anyio

OWNER = "chu.tiem@banhmi.vn"
NEW_PASSWORD = "mat-khau-moi-456"
SIGN_UP = {
    "email": "lien.he@gomviet.vn",
    "password": "mat-khau-gom-1",
    "legal_name": "Công ty TNHH Gốm Việt Bến Nghé",
    "kind": "enterprise",
    "tax_code": "0300588569",
    "phone": "0903 123 456",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "category_slugs": ["thu-cong"],
}
# Another business, same address: only the e-mail is already in use.
SECOND_BUSINESS = {"legal_name": "Hợp tác xã Mây Tre Tân Định", "tax_code": "0100109106"}


@pytest.fixture
async def owner(db, smtp_port):
    await create_account(
        email=OWNER, password=PASSWORD, role=Role.BUSINESS, full_name="Trần Văn Bảy"
    )


@pytest.fixture
def mailbox(smtp_port, start_server):
    return start_server(smtp_port)


def token_in(text: str) -> str:
    match = re.search(r"/password-reset/new\?token=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def ask(client, email: str):
    return await client.post("/api/auth/password-reset", json={"email": email})


async def confirm(client, token: str, password: str = NEW_PASSWORD):
    return await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": password}
    )


async def sign_in(client, email: str = OWNER, password: str = PASSWORD):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def confirmation_delivered(mailbox) -> None:
    """The mail every new sign-up gets (its address's confirmation link), out of the way."""
    assert await deliver_due() == 1
    assert "Xác nhận địa chỉ email" in mailbox.messages[-1]["Subject"]


async def mailed_token(client, mailbox, email: str = OWNER) -> str:
    assert (await ask(client, email)).status_code == 202
    assert await deliver_due() == 1
    return token_in(mailbox.text_of(mailbox.messages[-1]))


async def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_gets_mail(
    owner, mailbox, client
):
    known = await ask(client, OWNER)
    unknown = await ask(client, "khong.co@ai.vn")

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert "1 giờ" in known.json()["messages"]["vi"]
    assert await deliver_due() == 1
    assert mailbox.recipients == [[OWNER]]
    received = mailbox.messages[0]
    assert received["Subject"] == "Đặt lại mật khẩu Phiên chợ hàng Việt"
    text = mailbox.text_of(received)
    assert "Kính gửi Trần Văn Bảy" in text and "60 phút" in text
    assert await OutboxEmail.count().where(OutboxEmail.recipient == "khong.co@ai.vn") == 0


async def test_an_english_speaking_account_gets_the_english_mail(db, smtp_port, mailbox, client):
    await create_account(
        email="owner@example.com",
        password=PASSWORD,
        role=Role.BUSINESS,
        full_name="Jane Doe",
        language="en",
    )
    await mailed_token(client, mailbox, "owner@example.com")
    assert mailbox.messages[0]["Subject"] == "Reset your Vietnamese-goods fairs password"
    assert "within 60 minutes" in mailbox.text_of(mailbox.messages[0])


async def test_the_new_password_works_the_old_one_stops_and_every_session_ends(
    owner, mailbox, app, client
):
    async with client_from(app, "198.51.100.7") as phone:
        assert (await sign_in(phone)).status_code == 200
        assert (await phone.get("/api/auth/me")).status_code == 200
        token = await mailed_token(client, mailbox)

        response = await confirm(client, token)

        assert response.status_code == 204
        assert (await phone.get("/api/auth/me")).status_code == 401
    assert (await sign_in(client)).status_code == 401
    assert (await sign_in(client, password=NEW_PASSWORD)).status_code == 200
    stored = (await PasswordResetToken.select().first().run())["used_at"]
    assert stored is not None


async def test_a_token_works_once(owner, mailbox, client):
    token = await mailed_token(client, mailbox)
    assert (await confirm(client, token)).status_code == 204

    again = await confirm(client, token, "mot-mat-khau-khac-789")

    assert again.status_code == 400
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["messages"]["vi"].startswith("Liên kết đặt lại mật khẩu không hợp lệ")
    assert "already been used" in again.json()["messages"]["en"]
    assert (await sign_in(client, password="mot-mat-khau-khac-789")).status_code == 401
    assert (await sign_in(client, password=NEW_PASSWORD)).status_code == 200


async def test_a_token_expires_after_one_hour(owner, mailbox, client, monkeypatch):
    asked_at = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(core.password_reset, "now_utc", lambda: asked_at)
    token = await mailed_token(client, mailbox)

    monkeypatch.setattr(
        core.password_reset, "now_utc", lambda: asked_at + dt.timedelta(minutes=60, seconds=1)
    )
    late = await confirm(client, token)

    assert late.status_code == 400
    assert "hết hạn" in late.json()["messages"]["vi"]
    assert "expired" in late.json()["messages"]["en"]
    assert (await sign_in(client)).status_code == 200  # the password did not change
    # Within the hour the same link still works: expiry, not the failed try, refused it.
    monkeypatch.setattr(core.password_reset, "now_utc", lambda: asked_at + dt.timedelta(minutes=59))
    assert (await confirm(client, token)).status_code == 204


async def test_the_token_is_stored_only_as_its_hash(owner, mailbox, client):
    token = await mailed_token(client, mailbox)

    rows = await PasswordResetToken.select().run()

    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in rows[0].values())


async def test_a_short_new_password_is_refused_and_does_not_spend_the_token(owner, mailbox, client):
    token = await mailed_token(client, mailbox)

    short = await confirm(client, token, "ngan")

    assert short.status_code == 422
    assert short.json()["field"] == "password"
    assert "ít nhất 8 ký tự" in short.json()["messages"]["vi"]
    assert (await confirm(client, token)).status_code == 204


async def test_requests_are_throttled_per_address_whether_or_not_it_has_an_account(
    owner, mailbox, client
):
    for email in (OWNER, "khong.co@ai.vn"):
        answers = [(await ask(client, email)).status_code for _ in range(3)]
        refused = await ask(client, email)
        assert answers == [202, 202, 202]
        assert refused.status_code == 429
        assert refused.json()["messages"]["vi"].startswith("Bạn đã gửi quá nhiều yêu cầu")
        assert refused.json()["messages"]["en"].startswith("Too many requests")
        assert int(refused.headers["retry-after"]) > 0
    assert await deliver_due() == 3  # the fourth request for the owner mailed nothing


async def test_the_pages_ask_for_a_link_and_set_the_new_password(owner, mailbox, client):
    login_page = await client.get("/login")
    assert 'href="/password-reset"' in login_page.text and "Quên mật khẩu?" in login_page.text
    form = await client.get("/password-reset")
    assert form.status_code == 200 and 'name="_csrf_token"' in form.text

    empty = await client.post(
        "/password-reset", data={"email": "", "_csrf_token": await csrf_token(client)}
    )
    assert empty.status_code == 422 and 'id="email-error"' in empty.text
    assert "Hãy nhập địa chỉ email của tài khoản." in empty.text
    assert "Nếu địa chỉ này có tài khoản" not in empty.text

    sent = await client.post(
        "/password-reset", data={"email": OWNER, "_csrf_token": await csrf_token(client)}
    )

    assert sent.status_code == 200
    assert "Nếu địa chỉ này có tài khoản" in sent.text
    assert await deliver_due() == 1
    token = token_in(mailbox.text_of(mailbox.messages[0]))
    page = await client.get(f"/password-reset/new?token={token}")
    assert page.status_code == 200 and 'name="password"' in page.text

    client.cookies.set("lang", "en")
    short = await client.post(
        "/password-reset/new",
        data={"token": token, "password": "ngan", "_csrf_token": await csrf_token(client)},
    )
    assert short.status_code == 422
    assert 'id="password-error"' in short.text
    assert "The password needs at least 8 characters." in short.text

    done = await client.post(
        "/password-reset/new",
        data={"token": token, "password": NEW_PASSWORD, "_csrf_token": await csrf_token(client)},
    )
    assert done.status_code == 200 and "Your new password is set." in done.text
    assert (await sign_in(client, password=NEW_PASSWORD)).status_code == 200
    used = await client.get(f"/password-reset/new?token={token}")
    assert used.status_code == 400
    assert "has already been used" in used.text and 'name="password"' not in used.text


async def test_the_page_form_needs_its_csrf_token(owner, mailbox, client):
    refused = await client.post("/password-reset", data={"email": OWNER})
    assert refused.status_code == 403
    assert await deliver_due() == 0


# Sign-up: no answer says whether an address already has an account.


@pytest.fixture
async def places(db, smtp_port):
    await seed_places()
    await seed_categories()


async def sign_up(client, **changes):
    return await client.post("/api/businesses", json={**SIGN_UP, **changes})


async def test_a_sign_up_with_a_used_address_does_not_say_so_and_mails_its_owner(
    places, mailbox, client
):
    assert (await sign_up(client)).status_code == 201
    await confirmation_delivered(mailbox)

    again = await sign_up(client, password="mat-khau-la-999", **SECOND_BUSINESS)

    assert again.status_code == 202
    text = again.text.lower()
    assert "already" not in text and "đã được dùng" not in text and "đã có" not in text
    assert await Business.count() == 1
    assert await deliver_due() == 1
    assert mailbox.recipients == [[SIGN_UP["email"]]] * 2
    assert "đã có tài khoản" in mailbox.messages[1]["Subject"]
    assert (await sign_in(client, SIGN_UP["email"], "mat-khau-la-999")).status_code == 401
    assert (await sign_in(client, SIGN_UP["email"], SIGN_UP["password"])).status_code == 200


async def test_mistakes_in_what_was_typed_are_still_named(places, mailbox, client):
    assert (await sign_up(client)).status_code == 201
    await confirmation_delivered(mailbox)

    bad_code = await sign_up(client, **{**SECOND_BUSINESS, "tax_code": "12345"})
    short_password = await sign_up(client, password="ngan", **SECOND_BUSINESS)

    assert bad_code.status_code == 422 and bad_code.json()["field"] == "tax_code"
    assert short_password.status_code == 422 and short_password.json()["field"] == "password"
    assert await deliver_due() == 0


async def test_the_sign_up_page_with_a_used_address_signs_no_one_in(places, mailbox, client):
    assert (await sign_up(client)).status_code == 201
    form = {
        **{k: v for k, v in SIGN_UP.items() if k != "category_slugs"},
        **SECOND_BUSINESS,
        "category_slugs[]": "thu-cong",
        "consent_version": "2026-12",
        "_csrf_token": await csrf_token(client),
    }

    response = await client.post("/register", data=form)

    assert response.status_code == 200
    assert "Chúng tôi đã gửi thư đến địa chỉ email này" in response.text
    assert "id" not in response.cookies
    assert (await client.get("/api/auth/me")).status_code == 401
    assert await Business.count() == 1


async def test_sign_ups_are_throttled_per_client_address(places, app, client, monkeypatch):
    monkeypatch.setattr(vendors.businesses, "SIGNUPS_PER_ADDRESS", 2)
    assert (await sign_up(client, tax_code="12345")).status_code == 422  # counts too
    assert (await sign_up(client)).status_code == 201

    refused = await sign_up(client, email="b@b.vn", **SECOND_BUSINESS)

    assert refused.status_code == 429
    assert refused.json()["messages"]["vi"].startswith("Bạn đã gửi quá nhiều yêu cầu")
    assert refused.json()["messages"]["en"].startswith("Too many requests")
    assert await Business.count() == 1
    async with client_from(app, "198.51.100.7") as elsewhere:
        assert (await sign_up(elsewhere, email="b@b.vn", **SECOND_BUSINESS)).status_code == 201
