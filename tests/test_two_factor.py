"""Two-factor sign-in: setting up an authenticator, signing in with its codes (each once) or a
recovery code (each once), who may turn it off, throttled guessing, and Piccolo Admin's form.

The app's clock for codes (core.two_factor.now_seconds) is fixed by each test, so a code's
30-second step is known and a test never straddles two steps by chance.
"""

from __future__ import annotations

import re

import pyotp
import pytest

import core.two_factor
from core.roles import Role
from core.settings import get_settings
from core.tables import RecoveryCode, SignInEvent
from tests.conftest import client_from
from tests.factories import PASSWORD, ROLE_EMAILS, csrf_token, login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio

START = 1_800_000_000.0  # a step boundary: 1_800_000_000 is a multiple of 30


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(core.two_factor, "now_seconds", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
async def accounts(db):
    await seed_places()
    await seed_accounts()


async def turn_on(client, role: Role, clock: Clock) -> tuple[pyotp.TOTP, list[str]]:
    """Sign in, set up the authenticator and confirm it with the code of the current step."""
    await login(client, role)
    setup = await client.post("/api/me/two-factor/setup", json={})
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    totp = pyotp.TOTP(body["secret"])
    enabled = await client.post("/api/me/two-factor/enable", json={"code": totp.at(clock.now)})
    assert enabled.status_code == 200, enabled.text
    return totp, enabled.json()["recovery_codes"]


async def sign_in(client, role: Role, code: str | None = None):
    body = {"email": ROLE_EMAILS[role], "password": PASSWORD}
    if code is not None:
        body["code"] = code
    return await client.post("/api/auth/login", json=body)


async def last_method(role: Role) -> str:
    row = (
        await SignInEvent.select(SignInEvent.method)
        .where(SignInEvent.user.email == ROLE_EMAILS[role])
        .order_by(SignInEvent.id, ascending=False)
        .first()
    )
    return row["method"]


async def test_codes_sign_in_once_each_and_recovery_codes_too(accounts, app, clock):
    async with client_from(app, "198.51.100.1") as owner:
        totp, codes = await turn_on(owner, Role.BUSINESS, clock)
        status = (await owner.get("/api/me/two-factor")).json()
    assert status == {
        "enabled": True,
        "pending": False,
        "required": False,
        "recovery_codes_left": 10,
    }
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    # Only their SHA-256 is kept.
    stored = {r["code_hash"] for r in await RecoveryCode.select(RecoveryCode.code_hash)}
    assert codes[0] not in stored and len(stored) == 10

    async with client_from(app, "198.51.100.2") as client:
        missing = await sign_in(client, Role.BUSINESS)
        assert missing.status_code == 401
        problem = missing.json()
        assert problem["second_factor"] == "required"
        assert problem["messages"] == {
            "vi": "Nhập mã xác thực 6 chữ số từ ứng dụng.",
            "en": "Enter the 6-digit code from your authenticator app.",
        }
        assert "id" not in client.cookies

        # The code that turned it on was accepted for its step already.
        replayed = await sign_in(client, Role.BUSINESS, totp.at(clock.now))
        assert replayed.status_code == 401
        assert replayed.json()["second_factor"] == "invalid"
        assert replayed.json()["field"] == "code"

        clock.advance(30)
        code = totp.at(clock.now)
        signed = await sign_in(client, Role.BUSINESS, code)
        assert signed.status_code == 200, signed.text
        assert (await client.get("/api/auth/me")).json()["email"] == ROLE_EMAILS[Role.BUSINESS]
        assert await last_method(Role.BUSINESS) == "password+totp"

    async with client_from(app, "198.51.100.3") as client:
        assert (await sign_in(client, Role.BUSINESS, code)).status_code == 401
        # A code of the next step (a phone clock a little ahead) is still accepted...
        assert (await sign_in(client, Role.BUSINESS, totp.at(clock.now + 30))).status_code == 200
        # ...but then the current step's code, older, no longer is.
        assert (await sign_in(client, Role.BUSINESS, totp.at(clock.now))).status_code == 401

    async with client_from(app, "198.51.100.4") as client:
        # Typed as people do: capitals, spaces, no dash.
        typed = codes[3].upper().replace("-", " ")
        assert (await sign_in(client, Role.BUSINESS, typed)).status_code == 200
        assert await last_method(Role.BUSINESS) == "password+recovery"
        assert (await sign_in(client, Role.BUSINESS, codes[3])).status_code == 401
        assert (await client.get("/api/me/two-factor")).json()["recovery_codes_left"] == 9


async def test_new_recovery_codes_replace_the_old_and_others_may_turn_it_off(
    accounts, app, clock
):
    async with client_from(app, "198.51.100.5") as client:
        totp, old = await turn_on(client, Role.WARD_OFFICER, clock)
        clock.advance(30)
        wrong = await client.post("/api/me/two-factor/recovery-codes", json={"code": "123"})
        assert wrong.status_code == 400 and wrong.json()["field"] == "code"
        fresh = await client.post(
            "/api/me/two-factor/recovery-codes", json={"code": totp.at(clock.now)}
        )
        assert fresh.status_code == 200
        new = fresh.json()["recovery_codes"]
        assert not set(new) & set(old)
        off = await client.post("/api/me/two-factor/disable", json={"code": new[0]})
        assert off.status_code == 200, off.text
        assert off.json()["enabled"] is False
        assert await RecoveryCode.count() == 0
    async with client_from(app, "198.51.100.6") as client:
        assert (await sign_in(client, Role.WARD_OFFICER, old[1])).status_code == 200
        assert await last_method(Role.WARD_OFFICER) == "password"


async def test_an_organizer_cannot_turn_it_off(accounts, app, clock):
    async with client_from(app, "198.51.100.7") as client:
        totp, _ = await turn_on(client, Role.ORGANIZER, clock)
        assert (await client.get("/api/me/two-factor")).json()["required"] is True
        clock.advance(30)
        refused = await client.post("/api/me/two-factor/disable", json={"code": totp.at(clock.now)})
        assert refused.status_code == 403
        assert "không tắt được" in refused.json()["messages"]["vi"]
        assert "cannot be turned off" in refused.json()["messages"]["en"]
        assert (await client.get("/api/me/two-factor")).json()["enabled"] is True
        page = await client.get("/account/two-factor")
        assert 'action="/account/two-factor/disable"' not in page.text


async def test_wrong_codes_count_as_failed_sign_ins(accounts, app, clock):
    async with client_from(app, "198.51.100.8") as owner:
        totp, _ = await turn_on(owner, Role.GATE_STAFF, clock)
    clock.advance(30)
    attempts = get_settings().login_attempts_per_account
    async with client_from(app, "198.51.100.9") as guesser:
        for _ in range(attempts):
            assert (await sign_in(guesser, Role.GATE_STAFF, "000000")).status_code == 401
        # Even the right code waits now: the guesses used up the account's allowance here.
        throttled = await sign_in(guesser, Role.GATE_STAFF, totp.at(clock.now))
        assert throttled.status_code == 429
        assert "Retry-After" in throttled.headers
        assert (await sign_in(guesser, Role.GATE_STAFF)).status_code == 429


async def test_turning_on_needs_a_right_code(accounts, app, clock):
    async with client_from(app, "198.51.100.10") as client:
        await login(client, Role.INSPECTOR)
        early = await client.post("/api/me/two-factor/enable", json={"code": "123456"})
        assert early.status_code == 409
        secret = (await client.post("/api/me/two-factor/setup", json={})).json()["secret"]
        for bad in ("", "12345", "abcdef", "000000"):
            answer = await client.post("/api/me/two-factor/enable", json={"code": bad})
            assert answer.status_code == 400, bad
            assert answer.json()["field"] == "code"
            assert answer.json()["messages"]["vi"] and answer.json()["messages"]["en"]
        assert (await client.get("/api/me/two-factor")).json()["pending"] is True
        # Not on yet: signing in still needs the password only.
        async with client_from(app, "198.51.100.11") as other:
            assert (await sign_in(other, Role.INSPECTOR)).status_code == 200
        code = pyotp.TOTP(secret).at(clock.now)
        assert (await client.post("/api/me/two-factor/enable", json={"code": code})).is_success
        again = await client.post("/api/me/two-factor/setup", json={})
        assert again.status_code == 409


async def test_piccolo_admin_login_sends_two_factor_accounts_to_the_sign_in_page(
    accounts, app, clock
):
    async with client_from(app, "198.51.100.12") as client:
        await turn_on(client, Role.ORGANIZER, clock)
    async with client_from(app, "198.51.100.13") as client:
        assert (await client.get("/admin/")).status_code == 200
        answer = await client.post(
            "/admin/public/login/",
            json={"username": ROLE_EMAILS[Role.ORGANIZER], "password": PASSWORD},
            headers={"x-csrftoken": client.cookies["csrftoken"]},
        )
        assert answer.status_code == 401
        assert "/login" in answer.json()["messages"]["vi"]
        assert "two-factor" in answer.json()["messages"]["en"]
        assert "id" not in client.cookies


async def test_the_sign_in_page_asks_for_the_code_in_a_second_step(accounts, app, clock):
    async with client_from(app, "198.51.100.14") as owner:
        totp, codes = await turn_on(owner, Role.BUSINESS, clock)
    clock.advance(30)
    async with client_from(app, "198.51.100.15") as client:
        form = {
            "email": ROLE_EMAILS[Role.BUSINESS],
            "password": PASSWORD,
            "next": "/account",
            "_csrf_token": await csrf_token(client),
        }
        step = await client.post("/login", data=form)
        assert step.status_code == 401
        assert step.headers["cache-control"] == "no-store"
        assert 'autocomplete="one-time-code"' in step.text
        assert 'inputmode="numeric"' in step.text
        assert "Nhập mã xác thực 6 chữ số từ ứng dụng." in step.text
        assert "Dùng mã khôi phục" in step.text
        assert "id" not in client.cookies

        recovery = await client.post("/login", data={**form, "switch": "recovery"})
        assert recovery.status_code == 401
        assert "abcde-fghij" in recovery.text and 'inputmode="numeric"' not in recovery.text

        wrong = await client.post("/login", data={**form, "code": "999999"})
        assert wrong.status_code == 401
        assert 'aria-invalid="true"' in wrong.text and 'name="code"' in wrong.text

        done = await client.post("/login", data={**form, "code": totp.at(clock.now)})
        assert done.status_code == 303 and done.headers["location"] == "/account"
        page = await client.get("/account/two-factor")
        assert "Đang bật" in page.text and codes[0] not in page.text
