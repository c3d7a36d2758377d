"""Password reset by e-mail: the link's single-use token, kept hashed, and the new password.

A request answers the same whether or not the address has an account; only an account's
address gets a mail. The token is valid for RESET_VALIDITY, works once, and setting the new
password ends every session of the account.
"""

from __future__ import annotations

import datetime as dt
import secrets

from piccolo_api.session_auth.tables import SessionsBase

from core import mail
from core.account_history import record_change
from core.accounts import User, check_password, hash_off_loop, normalize_email
from core.database import write_txn
from core.errors import AppError
from core.settings import get_settings
from core.stored_secrets import stored_form
from core.tables import Account, PasswordResetToken

RESET_VALIDITY = dt.timedelta(hours=1)
# An organizer's invitation waits for someone who may not read mail every day.
INVITATION_VALIDITY = dt.timedelta(hours=72)
RESET = "reset"
INVITATION = "invitation"
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


INVALID_INVITATION = (
    "Liên kết đặt mật khẩu này không hợp lệ hoặc đã được dùng. Hãy nhờ ban tổ chức gửi lại lời "
    "mời, hoặc yêu cầu liên kết đặt lại mật khẩu.",
    "This link to set a password is not valid or has already been used. Ask the organizers to "
    "send the invitation again, or ask for a password-reset link.",
)
EXPIRED_INVITATION = (
    "Lời mời đã hết hạn (hiệu lực 72 giờ). Hãy nhờ ban tổ chức gửi lại lời mời, hoặc yêu cầu "
    "liên kết đặt lại mật khẩu.",
    "This invitation has expired (it is valid for 72 hours). Ask the organizers to send it "
    "again, or ask for a password-reset link.",
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    return stored_form(token)


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


async def send_invitation(user_id: int, email: str, name: str, language: str) -> None:
    """A new staff account's first-password link, by mail; call inside the transaction that
    records it. Earlier unused invitations stop working: only the newest mail's link counts."""
    now = now_utc()
    await (
        PasswordResetToken.update({PasswordResetToken.used_at: now})
        .where(
            PasswordResetToken.user == user_id,
            PasswordResetToken.purpose == INVITATION,
            PasswordResetToken.used_at.is_null(),
        )
        .run()
    )
    token = secrets.token_urlsafe(32)
    await (
        PasswordResetToken(
            user=user_id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + INVITATION_VALIDITY,
            purpose=INVITATION,
        )
        .save()
        .run()
    )
    link = f"{get_settings().public_url}{CONFIRM_PAGE}?token={token}"
    hours = int(INVITATION_VALIDITY.total_seconds() // 3600)
    await mail.enqueue(
        email, "staff_invitation", {"name": name, "link": link, "hours": hours}, language
    )


async def token_purpose(token: str) -> str | None:
    """ "reset" or "invitation" for a known token (used or not), else None: the page's wording."""
    if not 0 < len(token) <= 200:
        return None
    row = (
        await PasswordResetToken.select(PasswordResetToken.purpose)
        .where(PasswordResetToken.token_hash == token_hash(token))
        .first()
        .run()
    )
    return row["purpose"] if row else None


async def usable_token(token: str) -> str:
    """The token's purpose, or raises the reason it cannot set a password (unknown, used,
    expired); no change."""
    row = (
        await PasswordResetToken.select(
            PasswordResetToken.expires_at, PasswordResetToken.used_at, PasswordResetToken.purpose
        )
        .where(PasswordResetToken.token_hash == token_hash(token))
        .first()
        .run()
        if 0 < len(token) <= 200
        else None
    )
    invitation = row is not None and row["purpose"] == INVITATION
    if row is None or row["used_at"] is not None:
        raise AppError(
            400, *(INVALID_INVITATION if invitation else INVALID_TOKEN), extra={"field": "token"}
        )
    if row["expires_at"] <= now_utc():
        raise AppError(
            400, *(EXPIRED_INVITATION if invitation else EXPIRED_TOKEN), extra={"field": "token"}
        )
    return row["purpose"]


async def confirm_reset(token: str, password: str) -> None:
    """Set the new password with a valid token, spend the token and end every session."""
    check_password(password)
    purpose = await usable_token(token)
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
            raise AppError(
                400,
                *(INVALID_INVITATION if purpose == INVITATION else INVALID_TOKEN),
                extra={"field": "token"},
            )
        user_id = spent[0]["user"]
        await User.update({User.password: hashed}).where(User.id == user_id).run()
        # The account's other links go too: the one just used proves who holds the mailbox.
        await (
            PasswordResetToken.update({PasswordResetToken.used_at: now})
            .where(PasswordResetToken.user == user_id, PasswordResetToken.used_at.is_null())
            .run()
        )
        await SessionsBase.delete().where(SessionsBase.user_id == user_id).run()
        if purpose == INVITATION:
            account = await Account.select(Account.id).where(Account.user == user_id).first().run()
            if account:
                await record_change(
                    account["id"], account["id"], {"invitation": ["sent", "accepted"]}
                )
