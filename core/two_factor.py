"""Two-factor sign-in: an authenticator app's codes (TOTP, RFC 6238) and recovery codes.

Every account may turn it on; organizers (who hold Right.USE_ADMIN) may not turn it off once
it is on. A code is accepted once: the 30-second step it belongs to is kept in
TwoFactor.last_step and no step at or before it is accepted again. Recovery codes are shown
once, kept as SHA-256, and each works once.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pyotp
import qrcode
import qrcode.image.svg

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.roles import Right
from core.stored_secrets import stored_form
from core.tables import RecoveryCode, TwoFactor

ISSUER = "Phiên chợ hàng Việt"
STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side: a phone's clock a little off still works
RECOVERY_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10

CODE_REQUIRED = (
    "Nhập mã xác thực 6 chữ số từ ứng dụng.",
    "Enter the 6-digit code from your authenticator app.",
)
WRONG_CODE = (
    "Mã không đúng hoặc đã được dùng. Hãy nhập mã mới đang hiện trong ứng dụng, "
    "hoặc một mã khôi phục chưa dùng.",
    "This code is wrong or was used already. Enter the code your app shows now, "
    "or a recovery code you have not used.",
)
WRONG_SETUP_CODE = (
    "Mã không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã 6 chữ số đang hiện trong ứng dụng.",
    "This code is wrong. Check the phone's clock and enter the 6-digit code the app shows now.",
)
ALREADY_ON = (
    "Đăng nhập hai bước đã bật cho tài khoản này.",
    "Two-factor sign-in is already on for this account.",
)
NOT_ON = (
    "Đăng nhập hai bước chưa bật cho tài khoản này.",
    "Two-factor sign-in is not on for this account.",
)
NO_PENDING = (
    "Hãy bấm “Bật” trước để nhận mã QR, rồi nhập mã từ ứng dụng.",
    "Press “Turn on” first to get the QR code, then enter the code from the app.",
)
ORGANIZERS_KEEP_IT = (
    "Ban tổ chức phải dùng đăng nhập hai bước: không tắt được. Nếu mất điện thoại, hãy tạo "
    "mã khôi phục mới hoặc cài lại ứng dụng bằng một mã khôi phục.",
    "Organizers must use two-factor sign-in: it cannot be turned off. If you lose the phone, "
    "make new recovery codes, or sign in with a recovery code and set the app up again.",
)


def now_seconds() -> float:
    return time.time()


def now_utc() -> dt.datetime:
    return dt.datetime.fromtimestamp(now_seconds(), dt.UTC)


def is_required(principal: Principal) -> bool:
    """Accounts that may change any data (Piccolo Admin) keep it once it is on."""
    return principal.can(Right.USE_ADMIN)


@dataclass(frozen=True)
class Status:
    enabled: bool
    pending: bool  # a secret was made but not confirmed by a first code
    required: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str


async def _row(user_id: int) -> dict[str, Any] | None:
    return (
        await TwoFactor.select(TwoFactor.secret, TwoFactor.enabled_at, TwoFactor.last_step)
        .where(TwoFactor.user == user_id)
        .first()
        .run()
    )


async def is_enabled(user_id: int) -> bool:
    row = await _row(user_id)
    return row is not None and row["enabled_at"] is not None


async def status(principal: Principal) -> Status:
    row = await _row(principal.user_id)
    left = await RecoveryCode.count().where(
        RecoveryCode.user == principal.user_id, RecoveryCode.used_at.is_null()
    )
    return Status(
        enabled=row is not None and row["enabled_at"] is not None,
        pending=row is not None and row["enabled_at"] is None,
        required=is_required(principal),
        recovery_codes_left=left if row is not None and row["enabled_at"] is not None else 0,
    )


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_svg(uri: str, label: str) -> str:
    """The otpauth URI as an inline SVG: no image request, nothing the page's policy refuses."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.get_image()
    for name in ("width", "height"):
        svg.attrib.pop(name, None)  # sized by the page's CSS
    svg.set("class", "qr")
    svg.set("role", "img")
    svg.set("aria-label", label)
    svg.set("focusable", "false")
    return ElementTree.tostring(svg, encoding="unicode")


async def start_setup(principal: Principal) -> Setup:
    """A new secret waiting for its first code; any earlier unconfirmed one is replaced."""
    secret = pyotp.random_base32()
    async with write_txn(TwoFactor._meta.db):
        row = await _row(principal.user_id)
        if row is not None and row["enabled_at"] is not None:
            raise AppError(409, *ALREADY_ON)
        await TwoFactor.delete().where(TwoFactor.user == principal.user_id).run()
        await TwoFactor.insert(
            TwoFactor(user=principal.user_id, secret=secret, created_at=now_utc(), last_step=0)
        ).run()
    return Setup(secret=secret, uri=provisioning_uri(secret, principal.email))


async def pending_setup(principal: Principal) -> Setup | None:
    row = await _row(principal.user_id)
    if row is None or row["enabled_at"] is not None:
        return None
    return Setup(secret=row["secret"], uri=provisioning_uri(row["secret"], principal.email))


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:40]


def _totp_step(secret: str, code: str, last_step: int) -> int | None:
    """The step (within ±WINDOW of now, after last_step) whose code this is, else None."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now_seconds()) // STEP_SECONDS
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _spend_totp(user_id: int, secret: str, code: str, last_step: int) -> bool:
    step = _totp_step(secret, code, last_step)
    if step is None:
        return False
    # Conditional: of two requests with the same code, only one moves last_step.
    moved = (
        await TwoFactor.update({TwoFactor.last_step: step})
        .where(TwoFactor.user == user_id, TwoFactor.last_step < step)
        .returning(TwoFactor.id)
        .run()
    )
    return bool(moved)


def recovery_hash(code: str) -> str:
    return stored_form(_clean(code))


async def _spend_recovery(user_id: int, code: str) -> bool:
    spent = (
        await RecoveryCode.update({RecoveryCode.used_at: now_utc()})
        .where(
            RecoveryCode.user == user_id,
            RecoveryCode.code_hash == recovery_hash(code),
            RecoveryCode.used_at.is_null(),
        )
        .returning(RecoveryCode.id)
        .run()
    )
    return bool(spent)


async def spend_code(user_id: int, code: str) -> str | None:
    """Accepts an enabled account's code once: "totp", "recovery", or None when it fails."""
    row = await _row(user_id)
    if row is None or row["enabled_at"] is None:
        return None
    cleaned = _clean(code)
    if len(cleaned) == DIGITS and cleaned.isdigit():
        spent = await _spend_totp(user_id, row["secret"], cleaned, row["last_step"])
        return "totp" if spent else None
    if len(cleaned) == RECOVERY_LENGTH:
        return "recovery" if await _spend_recovery(user_id, cleaned) else None
    return None


async def check_second_factor(
    user_id: int, code: str, on_wrong: Callable[[], Awaitable[None]]
) -> str:
    """For sign-in, once the password is right: the method used ("password",
    "password+totp", "password+recovery"), or a 401 saying the code is missing or wrong.
    A wrong code is reported to `on_wrong`, so it is throttled like a wrong password."""
    if not await is_enabled(user_id):
        return "password"
    if not code.strip():
        raise AppError(401, *CODE_REQUIRED, extra={"second_factor": "required", "field": "code"})
    used = await spend_code(user_id, code)
    if used is None:
        await on_wrong()
        raise AppError(401, *WRONG_CODE, extra={"second_factor": "invalid", "field": "code"})
    return f"password+{used}"


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


async def _replace_recovery_codes(user_id: int) -> list[str]:
    codes = new_recovery_codes()
    await RecoveryCode.delete().where(RecoveryCode.user == user_id).run()
    await RecoveryCode.insert(
        *(RecoveryCode(user=user_id, code_hash=recovery_hash(c)) for c in codes)
    ).run()
    return codes


async def enable(principal: Principal, code: str) -> list[str]:
    """Turns it on with a first code from the app; the recovery codes, to be shown once."""
    cleaned = _clean(code)
    if not (len(cleaned) == DIGITS and cleaned.isdigit()):
        raise AppError(400, *CODE_REQUIRED, extra={"field": "code"})
    async with write_txn(TwoFactor._meta.db):
        row = await _row(principal.user_id)
        if row is not None and row["enabled_at"] is not None:
            raise AppError(409, *ALREADY_ON)
        if row is None:
            raise AppError(409, *NO_PENDING)
        step = _totp_step(row["secret"], cleaned, row["last_step"])
        if step is None:
            raise AppError(400, *WRONG_SETUP_CODE, extra={"field": "code"})
        turned_on = (
            await TwoFactor.update({TwoFactor.enabled_at: now_utc(), TwoFactor.last_step: step})
            .where(TwoFactor.user == principal.user_id, TwoFactor.enabled_at.is_null())
            .returning(TwoFactor.id)
            .run()
        )
        if not turned_on:
            raise AppError(409, *ALREADY_ON)
        return await _replace_recovery_codes(principal.user_id)


async def _spend_or_refuse(principal: Principal, code: str) -> None:
    if not await is_enabled(principal.user_id):
        raise AppError(409, *NOT_ON)
    if not _clean(code):
        raise AppError(400, *CODE_REQUIRED, extra={"field": "code"})
    if await spend_code(principal.user_id, code) is None:
        raise AppError(400, *WRONG_CODE, extra={"field": "code"})


async def regenerate_recovery_codes(principal: Principal, code: str) -> list[str]:
    """New recovery codes for a current code; the old ones stop working."""
    async with write_txn(TwoFactor._meta.db):
        await _spend_or_refuse(principal, code)
        return await _replace_recovery_codes(principal.user_id)


async def disable(principal: Principal, code: str) -> None:
    if is_required(principal):
        raise AppError(403, *ORGANIZERS_KEEP_IT)
    async with write_txn(TwoFactor._meta.db):
        await _spend_or_refuse(principal, code)
        await RecoveryCode.delete().where(RecoveryCode.user == principal.user_id).run()
        await TwoFactor.delete().where(TwoFactor.user == principal.user_id).run()
