"""What every signed-in person does with their own account: change the password, see where it
signed in, sign out everywhere else. (The e-mail address: core.email_confirmation.)"""

from __future__ import annotations

from core import mail
from core.accounts import Principal, User, check_password, hash_off_loop
from core.database import write_txn
from core.errors import AppError
from core.sign_ins import end_other_sessions


async def change_password(
    principal: Principal, current: str, new: str, keep_stored_token: str | None
) -> int:
    """Set a new password once the current one is given; every other session ends (someone
    who knew the old password is signed out) and the account is told by mail. Returns how
    many sessions ended."""
    if await User.login(principal.email, current) != principal.user_id:
        raise AppError(
            403,
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
            extra={"field": "current_password"},
        )
    try:
        check_password(new)
    except AppError as exc:
        raise AppError(exc.status_code, exc.vi, exc.en, extra={"field": "new_password"}) from exc
    if new == current:
        raise AppError(
            422,
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            "The new password must differ from the current one.",
            extra={"field": "new_password"},
        )
    hashed = await hash_off_loop(new)
    async with write_txn(User._meta.db):
        await User.update({User.password: hashed}).where(User.id == principal.user_id).run()
        ended = await end_other_sessions(principal.user_id, keep_stored_token)
        await mail.enqueue(
            principal.email, "password_changed", {"name": principal.full_name}, principal.language
        )
    return ended
