"""Password reset by e-mail: the link's single-use token, kept hashed, and the new password.

A request answers the same whether or not the address has an account; only an account's
address gets a mail. The token is valid for RESET_VALIDITY, works once, and setting the new
password ends every session of the account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from piccolo_api.session_auth.tables import SessionsBase

from core import mail
from core.accounts import User, check_password, hash_off_loop, normalize_email
from core.database import write_txn
from core.errors import AppError
from core.settings import get_settings
from core.tables import Account, PasswordResetToken

RESET_VALIDITY = dt.timedelta(hours=1)
# Where the mail's link leads; the token travels as `token=`, which the logs redact.
CONFIRM_PAGE = "/password-reset/new"

INVALID_TOKEN = (
    "Liên kết đặt lại mật khẩu không hợp lệ hoặc đã được dùng. Hãy yêu cầu một liên kết mới.",
    "This password-reset link is not valid or has already been used. Ask for a new one.",
)
EXPIRED_TOKEN = (
    "Liên kết đặt lại mật khẩu đã hết hạn (hiệu lực 1 giờ). Hãy yêu cầu một liên kết mới.",
    "This password-reset link has expired (it is valid for one hour). Ask for a new one.",
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(email: str) -> None:
    """Mail a reset link when the address has an active account; silent otherwise."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 255:
        return
    row = (
        await Account.select(Account.user, Account.full_name, Account.language)
        .where(Account.user.username == email, Account.user.active.eq(True))
        .first()
        .run()
    )
    if row is None:
        return
    token = secrets.token_urlsafe(32)
    now = now_utc()
    link = f"{get_settings().public_url}{CONFIRM_PAGE}?token={token}"
    async with write_txn(PasswordResetToken._meta.db):
        await (
            PasswordResetToken(
                user=row["user"],
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + RESET_VALIDITY,
            )
            .save()
            .run()
        )
        # In the same transaction: no mail for a token that was not stored, nor the reverse.
        await mail.enqueue(
            email,
            "password_reset",
            {"name": row["full_name"], "link": link, "minutes": 60},
            row["language"],
        )


async def usable_token(token: str) -> None:
    """Raises the reason a token cannot set a password (unknown, used, expired); no change."""
    row = (
        await PasswordResetToken.select(PasswordResetToken.expires_at, PasswordResetToken.used_at)
        .where(PasswordResetToken.token_hash == token_hash(token))
        .first()
        .run()
        if 0 < len(token) <= 200
        else None
    )
    if row is None or row["used_at"] is not None:
        raise AppError(400, *INVALID_TOKEN, extra={"field": "token"})
    if row["expires_at"] <= now_utc():
        raise AppError(400, *EXPIRED_TOKEN, extra={"field": "token"})


async def confirm_reset(token: str, password: str) -> None:
    """Set the new password with a valid token, spend the token and end every session."""
    check_password(password)
    await usable_token(token)
    hashed = await hash_off_loop(password)
    now = now_utc()
    async with write_txn(PasswordResetToken._meta.db):
        # One conditional UPDATE: of two requests with the same token, only one matches.
        spent = (
            await PasswordResetToken.update({PasswordResetToken.used_at: now})
            .where(
                PasswordResetToken.token_hash == token_hash(token),
                PasswordResetToken.used_at.is_null(),
                PasswordResetToken.expires_at > now,
            )
            .returning(PasswordResetToken.user)
            .run()
        )
        if not spent:
            raise AppError(400, *INVALID_TOKEN, extra={"field": "token"})
        user_id = spent[0]["user"]
        await User.update({User.password: hashed}).where(User.id == user_id).run()
        # The account's other links go too: the one just used proves who holds the mailbox.
        await (
            PasswordResetToken.update({PasswordResetToken.used_at: now})
            .where(PasswordResetToken.user == user_id, PasswordResetToken.used_at.is_null())
            .run()
        )
        await SessionsBase.delete().where(SessionsBase.user_id == user_id).run()
