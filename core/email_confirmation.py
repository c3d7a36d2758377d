"""Showing that an e-mail address belongs to its account: the link mailed at sign-up, and the
link that moves an account to a new address asked for from its profile.

The account keeps its old address until the new one is confirmed, and the old address is told
of the change. Links are single-use, kept as their SHA-256, and valid for CONFIRM_VALIDITY.
"""

from __future__ import annotations

import datetime as dt
import secrets

from piccolo_api.session_auth.tables import SessionsBase

from core import mail
from core.accounts import Principal, User, normalize_email
from core.database import write_txn
from core.errors import AppError
from core.settings import get_settings
from core.stored_secrets import stored_form
from core.tables import Account, EmailConfirmationToken

CONFIRM_VALIDITY = dt.timedelta(hours=48)
# Where the mail's link leads; the token travels as `token=`, which the logs redact.
CONFIRM_PAGE = "/account/confirm-email"

INVALID_LINK = (
    "Liên kết xác nhận email không hợp lệ hoặc đã được dùng.",
    "This e-mail confirmation link is not valid or has already been used.",
)
EXPIRED_LINK = (
    "Liên kết xác nhận email đã hết hạn (hiệu lực 48 giờ). Hãy gửi lại thư xác nhận.",
    "This e-mail confirmation link has expired (it is valid for 48 hours). Send a new one.",
)
NOT_CONFIRMED = (
    "Hãy xác nhận địa chỉ email trước khi đăng ký gian hàng: mở liên kết trong thư chúng tôi "
    "đã gửi, hoặc gửi lại thư từ trang Tài khoản.",
    "Confirm your e-mail address before applying for a stall: open the link in the mail we "
    "sent, or send it again from the Account page.",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def send_confirmation(
    user_id: int, email: str, name: str, language: str, *, change: bool = False
) -> None:
    """Store a link for `email` and queue its mail (inside the caller's transaction, if any)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    await EmailConfirmationToken.insert(
        EmailConfirmationToken(
            user=user_id,
            email=email,
            token_hash=stored_form(token),
            created_at=now,
            expires_at=now + CONFIRM_VALIDITY,
        )
    ).run()
    link = f"{get_settings().public_url}{CONFIRM_PAGE}?token={token}"
    await mail.enqueue(
        email,
        "email_change" if change else "email_confirmation",
        {"name": name, "link": link, "hours": 48, "email": email},
        language,
    )


async def is_confirmed(user_id: int) -> bool:
    row = (
        await Account.select(Account.email_confirmed_at)
        .where(Account.user == user_id)
        .first()
        .run()
    )
    return bool(row and row["email_confirmed_at"] is not None)


async def ensure_confirmed(account_id: int) -> None:
    """Refuses, with what to do, an account whose address was never confirmed."""
    row = (
        await Account.select(Account.email_confirmed_at)
        .where(Account.id == account_id)
        .first()
        .run()
    )
    if row is None or row["email_confirmed_at"] is None:
        raise AppError(403, *NOT_CONFIRMED, extra={"reason": "email_not_confirmed"})


async def resend(principal: Principal) -> bool:
    """A new sign-up link for an unconfirmed address; False when it is confirmed already."""
    if await is_confirmed(principal.user_id):
        return False
    await send_confirmation(
        principal.user_id, principal.email, principal.full_name, principal.language
    )
    return True


async def check_change(principal: Principal, password: str, new_email: str) -> str | None:
    """The new address, normalized, once the password is right; None when another account
    has it (the caller answers the same and sends nothing). Nothing changes here."""
    new_email = normalize_email(new_email)
    if "@" not in new_email or len(new_email) > 255 or " " in new_email:
        raise AppError(
            422,
            "Email mới không hợp lệ.",
            "The new e-mail address is not valid.",
            extra={"field": "new_email"},
        )
    if new_email == principal.email:
        raise AppError(
            422,
            "Đây đã là email của tài khoản.",
            "This is already the account's e-mail address.",
            extra={"field": "new_email"},
        )
    if await User.login(principal.email, password) != principal.user_id:
        raise AppError(
            403,
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
            extra={"field": "password"},
        )
    if await User.exists().where(User.username == new_email).run():
        return None
    return new_email


async def send_change_link(principal: Principal, new_email: str) -> None:
    """Mail the new address its link; the account moves only when the link is opened."""
    await send_confirmation(
        principal.user_id, new_email, principal.full_name, principal.language, change=True
    )


async def confirm(token: str) -> str:
    """Spend a link: the address it names becomes the account's, confirmed. Returns it."""
    now = _now()
    row = (
        await EmailConfirmationToken.select(
            EmailConfirmationToken.expires_at, EmailConfirmationToken.used_at
        )
        .where(EmailConfirmationToken.token_hash == stored_form(token))
        .first()
        .run()
        if 0 < len(token) <= 200
        else None
    )
    if row is None or row["used_at"] is not None:
        raise AppError(400, *INVALID_LINK, extra={"field": "token"})
    if row["expires_at"] <= now:
        raise AppError(400, *EXPIRED_LINK, extra={"field": "token"})
    async with write_txn(EmailConfirmationToken._meta.db):
        # One conditional UPDATE: of two requests with the same link, only one matches.
        spent = (
            await EmailConfirmationToken.update({EmailConfirmationToken.used_at: now})
            .where(
                EmailConfirmationToken.token_hash == stored_form(token),
                EmailConfirmationToken.used_at.is_null(),
            )
            .returning(EmailConfirmationToken.user, EmailConfirmationToken.email)
            .run()
        )
        if not spent:
            raise AppError(400, *INVALID_LINK, extra={"field": "token"})
        user_id, email = spent[0]["user"], spent[0]["email"]
        account = (
            await Account.select(Account.full_name, Account.language, Account.user.username)
            .where(Account.user == user_id)
            .first()
            .run()
        )
        if account is None:
            raise AppError(400, *INVALID_LINK, extra={"field": "token"})
        old_email = account["user.username"]
        if email != old_email:
            if await User.exists().where(User.username == email).run():
                raise AppError(
                    409,
                    "Địa chỉ email này vừa được một tài khoản khác dùng.",
                    "This e-mail address has just been taken by another account.",
                )
            await (
                User.update({User.username: email, User.email: email})
                .where(User.id == user_id)
                .run()
            )
            # A moved address proves the mailbox; sessions opened under the old one end.
            await SessionsBase.delete().where(SessionsBase.user_id == user_id).run()
            await mail.enqueue(
                old_email,
                "email_changed",
                {"name": account["full_name"], "email": email},
                account["language"],
            )
        await Account.update({Account.email_confirmed_at: now}).where(Account.user == user_id).run()
        # The account's other links for the same address are spent too.
        await (
            EmailConfirmationToken.update({EmailConfirmationToken.used_at: now})
            .where(
                EmailConfirmationToken.user == user_id,
                EmailConfirmationToken.email == email,
                EmailConfirmationToken.used_at.is_null(),
            )
            .run()
        )
    return email
