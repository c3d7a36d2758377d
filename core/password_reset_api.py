"""HTTP for the password reset: the JSON API (/api/auth/password-reset) and its two pages."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Template

from core import password_reset
from core.accounts import MIN_PASSWORD_LENGTH, normalize_email
from core.auth import client_address, throttled
from core.errors import AppError
from core.pages import form_errors, form_values
from core.templating import page_context

# A mailbox gets at most this many reset mails an hour, whoever asks.
RESETS_PER_EMAIL = 3
RESETS_PER_ADDRESS = 20
RESET_WINDOW_SECONDS = 3600
REQUESTED = {
    "vi": "Nếu địa chỉ này có tài khoản, chúng tôi đã gửi đến đó một liên kết để đặt lại mật "
    "khẩu, có hiệu lực trong 1 giờ.",
    "en": "If this address has an account, we have sent it a link to reset the password, "
    "valid for one hour.",
}


class ResetRequestIn(msgspec.Struct):
    email: str


class ResetConfirmIn(msgspec.Struct):
    token: str
    password: str


class ResetRequestedOut(msgspec.Struct):
    status: str
    messages: dict[str, str]


async def ask_for_link(request: Request[Any, Any, Any], email: str) -> None:
    """Throttled per caller and per mailbox, whether or not the address has an account, so
    the answer tells nothing about it."""
    if "@" not in normalize_email(email):
        # Not an address at all: said at once, rather than "sent" for a mail that never goes.
        raise AppError(
            422,
            "Hãy nhập địa chỉ email của tài khoản.",
            "Enter the account's e-mail address.",
            extra={"field": "email"},
        )
    await throttled(
        request, "reset-from", client_address(request), RESETS_PER_ADDRESS, RESET_WINDOW_SECONDS
    )
    await throttled(
        request,
        "reset-mail",
        normalize_email(email),
        RESETS_PER_EMAIL,
        RESET_WINDOW_SECONDS,
        field="email",
    )
    await password_reset.request_reset(email)


async def set_password(request: Request[Any, Any, Any], token: str, password: str) -> None:
    await throttled(
        request, "reset-set", client_address(request), RESETS_PER_ADDRESS, RESET_WINDOW_SECONDS
    )
    await password_reset.confirm_reset(token, password)


class PasswordResetController(Controller):
    tags = ["auth"]

    @post(
        "/api/auth/password-reset",
        status_code=202,
        summary="Ask for a password-reset link by e-mail",
    )
    async def ask(
        self, request: Request[Any, Any, Any], data: JSONBody[ResetRequestIn]
    ) -> ResetRequestedOut:
        await ask_for_link(request, data.email)
        return ResetRequestedOut(status="requested", messages=REQUESTED)

    @post(
        "/api/auth/password-reset/confirm",
        status_code=204,
        summary="Set a new password with the link's token",
    )
    async def confirm(
        self, request: Request[Any, Any, Any], data: JSONBody[ResetConfirmIn]
    ) -> None:
        await set_password(request, data.token, data.password)


def _page(request: Request[Any, Any, Any], name: str, status: int = 200, **extra: Any) -> Template:
    return Template(name, context=page_context(request, **extra), status_code=status)


class PasswordResetPages(Controller):
    include_in_schema = False

    @get("/password-reset")
    async def ask_form(self, request: Request[Any, Any, Any]) -> Template:
        return _page(request, "password_reset.html", values={}, errors={}, sent=False)

    @post("/password-reset", status_code=200)
    async def ask(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            await ask_for_link(request, str(values.get("email", "")))
        except AppError as exc:
            return _page(
                request,
                "password_reset.html",
                status=exc.status_code,
                values=values,
                errors=form_errors(exc),
                sent=False,
            )
        return _page(request, "password_reset.html", values={}, errors={}, sent=True)

    @get("/password-reset/new")
    async def new_form(
        self, request: Request[Any, Any, Any], token: FromQuery[str] = ""
    ) -> Template:
        # Only looked at, not spent: mail scanners open links before the person does.
        try:
            purpose = await password_reset.usable_token(token)
        except AppError as exc:
            return await self._new(request, token, form_errors(exc), exc.status_code)
        return await self._new(request, token, {}, 200, purpose)

    @post("/password-reset/new", status_code=200)
    async def set_new(self, request: Request[Any, Any, Any]) -> Template:
        values = await form_values(request)
        token = str(values.get("token", ""))
        purpose = await password_reset.token_purpose(token)
        try:
            await set_password(request, token, str(values.get("password", "")))
        except AppError as exc:
            return await self._new(request, token, form_errors(exc), exc.status_code, purpose)
        return _page(
            request,
            "password_reset_new.html",
            token="",
            errors={},
            done=True,
            invitation=purpose == password_reset.INVITATION,
        )

    @staticmethod
    async def _new(
        request: Request[Any, Any, Any],
        token: str,
        errors: dict[str, str],
        status: int,
        purpose: str | None = None,
    ) -> Template:
        # A refused token is worded for what it was (reset or invitation) when it is known.
        purpose = purpose or await password_reset.token_purpose(token)
        return _page(
            request,
            "password_reset_new.html",
            status=status,
            token=token,
            errors=errors,
            done=False,
            invitation=purpose == password_reset.INVITATION,
            min_password_length=MIN_PASSWORD_LENGTH,
        )
