"""One's own account: the e-mail confirmation at sign-up, changing the password and the
address, the sign-in history, signing out everywhere else, and sessions kept hashed.

Mail goes through the outbox to a real SMTP server on a free local port (tests/smtp.py).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from piccolo_api.session_auth.tables import SessionsBase

from core.mail import deliver_due
from core.privacy import NOTICE_VERSION
from core.roles import Role
from core.tables import OutboxEmail
from tests.conftest import client_from
from tests.factories import ROLE_EMAILS, csrf_token, make_fair, make_product, seed_basics
from vendors.tables import Business

pytestmark = pytest.mark.anyio

SIGN_UP = {
    "email": "lien.he@gomviet.vn",
    "password": "mat-khau-gom-1",
    "legal_name": "Công ty TNHH Gốm Việt Bến Nghé",
    "kind": "enterprise",
    "tax_code": "0300588569",
    "phone": "0903 123 456",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "category_slugs": ["may-mac"],
    "consent_version": NOTICE_VERSION,
}
EMAIL, OLD_PASSWORD = SIGN_UP["email"], SIGN_UP["password"]
NEW_PASSWORD = "mat-khau-moi-789"
NEW_EMAIL = "gom.viet@hopthu.vn"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def mailbox(smtp_port, start_server):
    return start_server(smtp_port)


async def sign_in(client, email: str = EMAIL, password: str = OLD_PASSWORD, agent: str = ""):
    headers = {"user-agent": agent} if agent else {}
    return await client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )


def link_in(text: str) -> str:
    match = re.search(r"(/account/confirm-email\?token=[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def delivered(mailbox, count: int) -> list:
    assert await deliver_due() == count
    return mailbox.messages[-count:]


@pytest.fixture
async def signed_up(db, client, mailbox):
    await seed_basics()
    response = await client.post("/api/businesses", json=SIGN_UP)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_a_new_business_confirms_its_address_before_it_can_apply(
    signed_up, client, mailbox, app
):
    (message,) = await delivered(mailbox, 1)
    assert message["To"] == EMAIL
    link = link_in(mailbox.text_of(message))
    # Vetting is done; only the address is left.
    await Business.update({Business.status: "verified"}).where(Business.id == signed_up)
    product = await make_product(signed_up)
    fair = await make_fair()
    assert (await sign_in(client)).status_code == 200
    refused = await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})
    assert refused.status_code == 403
    assert refused.json()["reason"] == "email_not_confirmed"
    assert "Confirm your e-mail address" in refused.json()["messages"]["en"]
    page = await client.get("/account", headers={"accept": "text/html"})
    assert "Gửi lại thư xác nhận" in page.text

    async with client_from(app, "203.0.113.9") as stranger:  # the link needs no session
        opened = await stranger.get(link, headers={"accept": "text/html"})
        assert opened.status_code == 200
        assert f"Đã xác nhận địa chỉ {EMAIL}" in opened.text
        again = await stranger.get(link, headers={"accept": "text/html"})
        assert again.status_code == 400
        assert "không hợp lệ hoặc đã được dùng" in again.text

    applied = await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})
    assert applied.status_code == 201, applied.text
    assert "Gửi lại thư xác nhận" not in (await client.get("/account")).text


async def test_the_confirmation_link_can_be_sent_again_and_the_newest_works(
    signed_up, client, mailbox
):
    await delivered(mailbox, 1)
    assert (await sign_in(client)).status_code == 200
    resent = await client.post("/api/me/email-confirmation")
    assert resent.status_code == 202
    (message,) = await delivered(mailbox, 1)
    confirmed = await client.post(
        "/api/auth/email/confirm",
        json={"token": link_in(mailbox.text_of(message)).split("token=")[1]},
    )
    assert confirmed.status_code == 200 and confirmed.json() == {"email": EMAIL}
    done = await client.post("/api/me/email-confirmation")
    assert done.status_code == 409
    assert done.json()["messages"]["en"] == "This e-mail address is confirmed already."
    # Three mails an hour, whoever asks: the fourth link is refused with when to try again.
    assert (await client.post("/api/me/email-confirmation")).status_code == 409
    too_many = await client.post("/api/me/email-confirmation")
    assert too_many.status_code == 429 and "Retry-After" in too_many.headers


async def test_changing_the_password_ends_the_other_sessions_and_tells_the_owner(
    signed_up, client, mailbox, app
):
    await delivered(mailbox, 1)
    assert (await sign_in(client)).status_code == 200
    async with client_from(app, "203.0.113.7") as phone:
        assert (await sign_in(phone)).status_code == 200
        wrong = await client.post(
            "/api/me/password",
            json={"current_password": "doan-bua-123", "new_password": NEW_PASSWORD},
        )
        assert wrong.status_code == 403 and wrong.json()["field"] == "current_password"
        short = await client.post(
            "/api/me/password", json={"current_password": OLD_PASSWORD, "new_password": "ngan"}
        )
        assert short.status_code == 422 and short.json()["field"] == "new_password"
        assert (await phone.get("/api/auth/me")).status_code == 200  # nothing changed yet

        changed = await client.post(
            "/api/me/password",
            json={"current_password": OLD_PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert changed.status_code == 204
        assert (await client.get("/api/auth/me")).status_code == 200
        assert (await phone.get("/api/auth/me")).status_code == 401
    (message,) = await delivered(mailbox, 1)
    assert "Mật khẩu đã được đổi" in message["Subject"]
    async with client_from(app, "203.0.113.8") as fresh:
        assert (await sign_in(fresh)).status_code == 401
        assert (await sign_in(fresh, password=NEW_PASSWORD)).status_code == 200


async def test_a_new_address_takes_over_only_once_its_link_is_opened(
    signed_up, client, mailbox, app
):
    await delivered(mailbox, 1)
    assert (await sign_in(client)).status_code == 200
    wrong = await client.post(
        "/api/me/email", json={"password": "doan-bua-123", "new_email": NEW_EMAIL}
    )
    assert wrong.status_code == 403 and wrong.json()["field"] == "password"
    bad = await client.post("/api/me/email", json={"password": OLD_PASSWORD, "new_email": "gom"})
    assert bad.status_code == 422 and bad.json()["field"] == "new_email"
    # An address that has an account answers the same, and gets no link.
    taken = await client.post(
        "/api/me/email", json={"password": OLD_PASSWORD, "new_email": ROLE_EMAILS[Role.ORGANIZER]}
    )
    assert taken.status_code == 202
    asked = await client.post(
        "/api/me/email", json={"password": OLD_PASSWORD, "new_email": f" {NEW_EMAIL.upper()} "}
    )
    assert asked.status_code == 202 and asked.json() == taken.json()
    (message,) = await delivered(mailbox, 1)
    assert message["To"] == NEW_EMAIL
    async with client_from(app, "203.0.113.7") as other:
        assert (await sign_in(other)).status_code == 200  # the old address still signs in

        opened = await other.get(link_in(mailbox.text_of(message)))
        assert opened.status_code == 200
        assert (await other.get("/api/auth/me")).status_code == 401  # sessions ended
    (notice,) = await delivered(mailbox, 1)
    assert notice["To"] == EMAIL and NEW_EMAIL in mailbox.text_of(notice)
    async with client_from(app, "203.0.113.8") as fresh:
        assert (await sign_in(fresh)).status_code == 401
        assert (await sign_in(fresh, email=NEW_EMAIL)).status_code == 200
        assert (await fresh.get("/api/auth/me")).json()["email"] == NEW_EMAIL


async def test_the_history_lists_sign_ins_and_one_can_sign_out_everywhere_else(
    signed_up, client, app
):
    assert (await sign_in(client, agent=FIREFOX_WINDOWS)).status_code == 200
    async with client_from(app, "203.0.113.7") as phone:
        assert (await sign_in(phone, agent=CHROME_ANDROID)).status_code == 200
        assert (await sign_in(phone, password="sai-mat-khau-1")).status_code == 401
        history = (await client.get("/api/me/sign-ins")).json()
        assert [(h["browser"], h["method"]) for h in history] == [
            ("Chrome · Android", "password"),
            ("Firefox · Windows", "password"),
        ]
        assert history[0]["address"] == "203.0.113.7"
        assert history[0]["at"].endswith("+07:00")

        ended = await client.post("/api/me/sessions/end-others")
        assert ended.status_code == 200 and ended.json() == {"ended": 1}
        assert (await phone.get("/api/auth/me")).status_code == 401
        assert (await client.get("/api/auth/me")).status_code == 200

    page = await client.get("/account", headers={"accept": "text/html"})
    assert "Chrome · Android" in page.text and "Phiên đăng nhập đang mở: 1." in page.text


async def test_the_session_table_keeps_no_token_a_cookie_could_use(signed_up, client):
    assert (await sign_in(client)).status_code == 200
    cookie = client.cookies["id"]
    stored = [row["token"] for row in await SessionsBase.select(SessionsBase.token)]
    assert stored == [hashlib.sha256(cookie.encode()).hexdigest()]
    # What a copy of the table holds does not sign anyone in.
    client.cookies.set("id", stored[0])
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_the_account_page_keeps_what_was_typed_and_names_the_field(signed_up, client):
    assert (await sign_in(client)).status_code == 200
    token = await csrf_token(client)
    answer = await client.post(
        "/account/email",
        data={"new_email": NEW_EMAIL, "password": "sai-mat-khau", "_csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert answer.status_code == 403
    assert "Mật khẩu hiện tại không đúng." in answer.text
    assert f'value="{NEW_EMAIL}"' in answer.text
    changed = await client.post(
        "/account/password",
        data={
            "current_password": OLD_PASSWORD,
            "new_password": NEW_PASSWORD,
            "_csrf_token": token,
        },
        headers={"accept": "text/html"},
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/account?done=password"
    shown = await client.get("/account?done=password", headers={"accept": "text/html"})
    assert "Đã đổi mật khẩu." in shown.text
    kinds = [row["kind"] for row in await OutboxEmail.select(OutboxEmail.kind)]
    assert kinds == ["email_confirmation", "password_changed"]


async def test_english_speakers_get_their_errors_in_english(signed_up, client):
    assert (await sign_in(client)).status_code == 200
    client.cookies.set("lang", "en")
    token = await csrf_token(client)
    answer = await client.post(
        "/account/password",
        data={"current_password": "x", "new_password": NEW_PASSWORD, "_csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert answer.status_code == 403 and "The current password is wrong." in answer.text
    assert "Change the password" in answer.text or "Change password" in answer.text
