"""HTTP for one's own account: the JSON API under /api/me and /api/auth/email, and the page
/account (password, e-mail address, where the account signed in, sign out elsewhere)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from core import email_confirmation
from core.accounts import MIN_PASSWORD_LENGTH
from core.auth import SESSION_COOKIE, client_address, stored_session_token, throttled
from core.errors import AppError
from core.guards import current_principal, signed_in
from core.i18n import current_language, gettext
from core.own_account import change_password
from core.pages import form_errors, form_values
from core.roles import Role
from core.sign_ins import browser_label, end_other_sessions, open_session_count, recent_sign_ins
from core.templating import page_context
from core.timezone import local

# A mailbox gets at most this many confirmation links an hour; a caller this many attempts.
MAILS_PER_ACCOUNT = 3
CHANGES_PER_ADDRESS = 20
WINDOW_SECONDS = 3600
METHOD_LABELS = {
    "password": ("Mật khẩu", "Password"),
    "password+totp": ("Mật khẩu và mã xác thực", "Password and authenticator code"),
    "password+recovery": ("Mật khẩu và mã khôi phục", "Password and recovery code"),
}
SENT = {
    "vi": "Nếu địa chỉ này chưa có tài khoản, chúng tôi đã gửi đến đó một liên kết xác nhận "
    "(hiệu lực 48 giờ). Tài khoản vẫn dùng email cũ cho đến khi xác nhận.",
    "en": "If this address has no account yet, we have sent it a confirmation link (valid for "
    "48 hours). The account keeps its old address until then.",
}


class PasswordChangeIn(msgspec.Struct):
    current_password: str
    new_password: str


class EmailChangeIn(msgspec.Struct):
    password: str
    new_email: str


class ConfirmIn(msgspec.Struct):
    token: str


class SignInOut(msgspec.Struct):
    at: str
    address: str
    browser: str
    method: str


class SessionsEndedOut(msgspec.Struct):
    ended: int


class MessageOut(msgspec.Struct):
    status: str
    messages: dict[str, str]


def _own_stored_token(request: Request[Any, Any, Any]) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    return stored_session_token(token) if token else None


async def _sign_ins(user_id: int) -> list[dict[str, Any]]:
    lang = current_language()
    return [
        {
            "at": local(row["created_at"]),
            "address": row["address"],
            "browser": browser_label(row["user_agent"]),
            "method": row["method"],
            "method_label": METHOD_LABELS.get(row["method"], (row["method"],) * 2)[
                1 if lang == "en" else 0
            ],
        }
        for row in await recent_sign_ins(user_id)
    ]


async def _ask_email_change(request: Request[Any, Any, Any], password: str, new: str) -> None:
    principal = current_principal(request)
    await throttled(
        request, "email-change", client_address(request), CHANGES_PER_ADDRESS, WINDOW_SECONDS
    )
    new_email = await email_confirmation.check_change(principal, password, new)
    if new_email is not None:
        # Counted only for links sent: typing mistakes do not use up the mailbox's allowance.
        await throttled(
            request, "email-link", str(principal.user_id), MAILS_PER_ACCOUNT, WINDOW_SECONDS
        )
        await email_confirmation.send_change_link(principal, new_email)


async def _resend(request: Request[Any, Any, Any]) -> bool:
    principal = current_principal(request)
    await throttled(
        request, "email-link", str(principal.user_id), MAILS_PER_ACCOUNT, WINDOW_SECONDS
    )
    return await email_confirmation.resend(principal)


class OwnAccountController(Controller):
    tags = ["accounts"]
    guards = [signed_in]

    @get("/api/me/sign-ins", summary="Where and when this account signed in (last 20, 90 days)")
    async def sign_ins(self, request: Request[Any, Any, Any]) -> list[SignInOut]:
        rows = await _sign_ins(current_principal(request).user_id)
        return [
            SignInOut(
                at=r["at"].isoformat(),
                address=r["address"],
                browser=r["browser"],
                method=r["method"],
            )
            for r in rows
        ]

    @post("/api/me/sessions/end-others", status_code=200, summary="Sign out everywhere else")
    async def end_others(self, request: Request[Any, Any, Any]) -> SessionsEndedOut:
        principal = current_principal(request)
        ended = await end_other_sessions(principal.user_id, _own_stored_token(request))
        return SessionsEndedOut(ended=ended)

    @post("/api/me/password", status_code=204, summary="Change the password (other sessions end)")
    async def password(
        self, request: Request[Any, Any, Any], data: JSONBody[PasswordChangeIn]
    ) -> None:
        await change_password(
            current_principal(request),
            data.current_password,
            data.new_password,
            _own_stored_token(request),
        )

    @post("/api/me/email", status_code=202, summary="Move the account to a new e-mail address")
    async def email(
        self, request: Request[Any, Any, Any], data: JSONBody[EmailChangeIn]
    ) -> MessageOut:
        await _ask_email_change(request, data.password, data.new_email)
        return MessageOut(status="requested", messages=SENT)

    @post("/api/me/email-confirmation", status_code=202, summary="Send the confirmation link again")
    async def resend_confirmation(self, request: Request[Any, Any, Any]) -> MessageOut:
        if not await _resend(request):
            raise AppError(
                409,
                "Địa chỉ email này đã được xác nhận.",
                "This e-mail address is confirmed already.",
            )
        return MessageOut(
            status="sent",
            messages={
                "vi": "Đã gửi lại thư xác nhận.",
                "en": "The confirmation mail was sent again.",
            },
        )


class EmailConfirmController(Controller):
    tags = ["auth"]

    @post(
        "/api/auth/email/confirm",
        status_code=200,
        summary="Confirm an e-mail address with the link's token",
    )
    async def confirm(self, data: JSONBody[ConfirmIn]) -> dict[str, str]:
        return {"email": await email_confirmation.confirm(data.token)}


class OwnAccountPages(Controller):
    include_in_schema = False

    @get("/account", guards=[signed_in])
    async def page(self, request: Request[Any, Any, Any], done: FromQuery[str] = "") -> Template:
        return await self._page(request, {}, {}, done=done)

    @post("/account/password", status_code=200, guards=[signed_in])
    async def password(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            await change_password(
                current_principal(request),
                str(values.get("current_password", "")),
                str(values.get("new_password", "")),
                _own_stored_token(request),
            )
        except AppError as exc:
            return await self._page(request, values, form_errors(exc), exc.status_code)
        return Redirect("/account?done=password", status_code=303)

    @post("/account/email", status_code=200, guards=[signed_in])
    async def email(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            await _ask_email_change(
                request, str(values.get("password", "")), str(values.get("new_email", ""))
            )
        except AppError as exc:
            return await self._page(request, values, form_errors(exc), exc.status_code)
        return Redirect("/account?done=email", status_code=303)

    @post("/account/email-confirmation", status_code=200, guards=[signed_in])
    async def resend(self, request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            await _resend(request)
        except AppError as exc:
            return await self._page(request, {}, form_errors(exc), exc.status_code)
        return Redirect("/account?done=resent", status_code=303)

    @post("/account/sessions/end-others", status_code=303, guards=[signed_in])
    async def end_others(self, request: Request[Any, Any, Any]) -> Redirect:
        await end_other_sessions(current_principal(request).user_id, _own_stored_token(request))
        return Redirect("/account?done=sessions", status_code=303)

    @get("/account/confirm-email")
    async def confirm_email(
        self, request: Request[Any, Any, Any], token: FromQuery[str] = ""
    ) -> Template:
        # Confirming on opening the link: a mail scanner that opens it first only proves, as
        # the person would, that the mail reached the mailbox.
        try:
            email = await email_confirmation.confirm(token)
        except AppError as exc:
            return Template(
                "account_confirmed.html",
                context=page_context(request, email="", error=form_errors(exc)),
                status_code=exc.status_code,
            )
        return Template(
            "account_confirmed.html", context=page_context(request, email=email, error={})
        )

    @staticmethod
    async def _page(
        request: Request[Any, Any, Any],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
        done: str = "",
    ) -> Template:
        principal = current_principal(request)
        confirmed = await email_confirmation.is_confirmed(principal.user_id)
        notices = {
            "password": gettext("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."),
            "email": SENT["en" if current_language() == "en" else "vi"],
            "resent": gettext("Đã gửi lại thư xác nhận."),
            "sessions": gettext("Đã đăng xuất khỏi mọi nơi khác."),
        }
        return Template(
            "account.html",
            context=page_context(
                request,
                principal=principal,
                needs_confirmation=principal.role == Role.BUSINESS and not confirmed,
                values=values,
                errors=errors,
                notice=notices.get(done, ""),
                sign_ins=await _sign_ins(principal.user_id),
                sessions=await open_session_count(principal.user_id),
                min_password_length=MIN_PASSWORD_LENGTH,
            ),
            status_code=status,
        )
