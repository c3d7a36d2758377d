"""HTTP for two-factor sign-in: the JSON API under /api/me/two-factor and the page
/account/two-factor (turn on with a QR code, new recovery codes, turn off)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from core import two_factor
from core.auth import throttled
from core.errors import AppError
from core.guards import current_principal, signed_in
from core.i18n import N_, gettext
from core.pages import form_errors, form_values
from core.templating import page_context

# Codes typed while signed in, per account: a stolen session cannot guess its way to turning
# the second factor off (a million codes, three valid at a time).
CODES_PER_ACCOUNT = 10
CODE_WINDOW_SECONDS = 900


QR_LABEL = N_("Mã QR để thêm tài khoản vào ứng dụng xác thực")


class CodeIn(msgspec.Struct):
    code: str


class StatusOut(msgspec.Struct):
    enabled: bool
    pending: bool
    required: bool
    recovery_codes_left: int


class SetupOut(msgspec.Struct):
    secret: str
    otpauth_uri: str


class RecoveryCodesOut(msgspec.Struct):
    recovery_codes: list[str]


async def _counted(request: Request[Any, Any, Any]) -> None:
    user_id = current_principal(request).user_id
    await throttled(
        request, "two-factor", str(user_id), CODES_PER_ACCOUNT, CODE_WINDOW_SECONDS, field="code"
    )


def _errors_for(exc: AppError, field: str) -> dict[str, str]:
    """The page has three code fields: the error goes next to the one that was used."""
    return {field if key == "code" else key: text for key, text in form_errors(exc).items()}


def _status_out(status: two_factor.Status) -> StatusOut:
    return StatusOut(
        enabled=status.enabled,
        pending=status.pending,
        required=status.required,
        recovery_codes_left=status.recovery_codes_left,
    )


class TwoFactorController(Controller):
    tags = ["accounts"]
    guards = [signed_in]

    @get("/api/me/two-factor", summary="Whether two-factor sign-in is on for this account")
    async def status(self, request: Request[Any, Any, Any]) -> StatusOut:
        return _status_out(await two_factor.status(current_principal(request)))

    @post(
        "/api/me/two-factor/setup",
        status_code=200,
        summary="A new authenticator secret, to confirm with a code",
    )
    async def setup(self, request: Request[Any, Any, Any]) -> SetupOut:
        setup = await two_factor.start_setup(current_principal(request))
        return SetupOut(secret=setup.secret, otpauth_uri=setup.uri)

    @post(
        "/api/me/two-factor/enable",
        status_code=200,
        summary="Turn on with a first code; the recovery codes",
    )
    async def enable(
        self, request: Request[Any, Any, Any], data: JSONBody[CodeIn]
    ) -> RecoveryCodesOut:
        await _counted(request)
        codes = await two_factor.enable(current_principal(request), data.code)
        return RecoveryCodesOut(recovery_codes=codes)

    @post(
        "/api/me/two-factor/recovery-codes",
        status_code=200,
        summary="New recovery codes (the old ones stop)",
    )
    async def recovery_codes(
        self, request: Request[Any, Any, Any], data: JSONBody[CodeIn]
    ) -> RecoveryCodesOut:
        await _counted(request)
        codes = await two_factor.regenerate_recovery_codes(current_principal(request), data.code)
        return RecoveryCodesOut(recovery_codes=codes)

    @post("/api/me/two-factor/disable", status_code=200, summary="Turn off (not for organizers)")
    async def disable(self, request: Request[Any, Any, Any], data: JSONBody[CodeIn]) -> StatusOut:
        await _counted(request)
        principal = current_principal(request)
        await two_factor.disable(principal, data.code)
        return _status_out(await two_factor.status(principal))


class TwoFactorPages(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/account/two-factor")
    async def page(self, request: Request[Any, Any, Any], done: FromQuery[str] = "") -> Template:
        notices = {
            "off": gettext("Đã tắt đăng nhập hai bước."),
        }
        return await self._page(request, notice=notices.get(done, ""))

    @post("/account/two-factor/setup", status_code=200)
    async def setup(self, request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            await two_factor.start_setup(current_principal(request))
        except AppError as exc:
            return await self._page(request, errors=form_errors(exc), status=exc.status_code)
        return Redirect("/account/two-factor", status_code=303)

    @post("/account/two-factor/enable", status_code=200)
    async def enable(self, request: Request[Any, Any, Any]) -> Template:
        values = await form_values(request)
        try:
            await _counted(request)
            codes = await two_factor.enable(current_principal(request), str(values.get("code", "")))
        except AppError as exc:
            return await self._page(request, errors=form_errors(exc), status=exc.status_code)
        return await self._page(
            request,
            recovery_codes=codes,
            notice=gettext("Đã bật đăng nhập hai bước."),
        )

    @post("/account/two-factor/recovery-codes", status_code=200)
    async def recovery_codes(self, request: Request[Any, Any, Any]) -> Template:
        values = await form_values(request)
        try:
            await _counted(request)
            codes = await two_factor.regenerate_recovery_codes(
                current_principal(request), str(values.get("regenerate_code", ""))
            )
        except AppError as exc:
            errors = _errors_for(exc, "regenerate_code")
            return await self._page(request, errors=errors, status=exc.status_code)
        return await self._page(
            request,
            recovery_codes=codes,
            notice=gettext("Đã tạo mã khôi phục mới; các mã cũ không còn dùng được."),
        )

    @post("/account/two-factor/disable", status_code=200)
    async def disable(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            await _counted(request)
            code = str(values.get("disable_code", ""))
            await two_factor.disable(current_principal(request), code)
        except AppError as exc:
            errors = _errors_for(exc, "disable_code")
            return await self._page(request, errors=errors, status=exc.status_code)
        return Redirect("/account/two-factor?done=off", status_code=303)

    @staticmethod
    async def _page(
        request: Request[Any, Any, Any],
        errors: dict[str, str] | None = None,
        status: int = 200,
        notice: str = "",
        recovery_codes: list[str] | None = None,
    ) -> Template:
        principal = current_principal(request)
        state = await two_factor.status(principal)
        setup = await two_factor.pending_setup(principal)
        return Template(
            "two_factor.html",
            context=page_context(
                request,
                state=state,
                setup=setup,
                qr=two_factor.qr_svg(setup.uri, gettext(QR_LABEL)) if setup else "",
                errors=errors or {},
                notice=notice,
                recovery_codes=recovery_codes or [],
            ),
            status_code=status,
            # The secret and the recovery codes are on this page: no copy kept by caches.
            headers={"cache-control": "no-store"},
        )
