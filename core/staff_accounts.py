"""Staff accounts as organizers manage them (the console and /api/accounts share these rules):
invite, change role, wards and active state, list, and every change kept in the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import password_reset
from core.account_history import record_change
from core.accounts import Principal, change_account, create_account, has_usable_password
from core.database import write_txn
from core.errors import AppError
from core.roles import WARD_SCOPED_ROLES, Role
from core.tables import Account, AccountWard, SignInEvent
from core.text import clean, vi_sort_key
from core.timezone import local

STAFF_ROLES = (Role.ORGANIZER, Role.WARD_OFFICER, Role.GATE_STAFF, Role.INSPECTOR)

NOT_STAFF = (
    "Doanh nghiệp tự đăng ký tài khoản; ở đây chỉ tạo tài khoản cán bộ.",
    "Businesses sign themselves up; only staff accounts are created here.",
)
NO_SUCH_ACCOUNT = ("Không có tài khoản này.", "No such account.")


def staff_role(value: str) -> Role:
    """A staff role from a form or the API, or a 422 on the role field."""
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise AppError(422, *NOT_STAFF, extra={"field": "role"})
    return role


async def invite_staff(
    actor: Principal,
    *,
    email: str,
    full_name: str,
    role: Role,
    language: str = "vi",
    phone: str = "",
    ward_slugs: list[str] | tuple[str, ...] = (),
    password: str | None = None,
) -> Principal:
    """A staff account, its creation in the history and, without a password, the invitation
    mail to set one: all in one transaction, so no account exists without its mail."""
    if role not in STAFF_ROLES:
        raise AppError(422, *NOT_STAFF, extra={"field": "role"})
    full_name = clean(full_name)
    if not full_name or len(full_name) > 200:
        raise AppError(
            422,
            "Hãy ghi họ tên (tối đa 200 ký tự).",
            "Give the person's name (at most 200 characters).",
            extra={"field": "full_name"},
        )
    if language not in ("vi", "en"):
        raise AppError(
            422,
            "Ngôn ngữ là tiếng Việt (vi) hoặc tiếng Anh (en).",
            "The language is Vietnamese (vi) or English (en).",
            extra={"field": "language"},
        )
    wards = sorted(set(ward_slugs)) if role in WARD_SCOPED_ROLES else []
    async with write_txn(Account._meta.db):
        principal = await create_account(
            email=email,
            password=password,
            role=role,
            full_name=full_name,
            phone=phone,
            language=language,
            ward_slugs=wards,
        )
        await record_change(
            principal.account_id,
            actor.account_id,
            {
                "email": [None, principal.email],
                "full_name": [None, principal.full_name],
                "role": [None, role.value],
                "ward_slugs": [None, wards],
                "active": [None, True],
            },
        )
        if password is None:
            await _invite(principal.account_id, actor.account_id)
    return principal


async def _invite(account_id: int, actor_id: int) -> None:
    row = await _account(account_id)
    await password_reset.send_invitation(
        row["user"], row["user.email"], row["full_name"], row["language"]
    )
    await record_change(account_id, actor_id, {"invitation": [None, "sent"]})


async def _account(account_id: int) -> dict[str, Any]:
    row = (
        await Account.select(
            Account.id,
            Account.user,
            Account.role,
            Account.full_name,
            Account.language,
            Account.user.email,
            Account.user.active,
            Account.user.password,
        )
        .where(Account.id == account_id)
        .first()
        .run()
    )
    if row is None:
        raise AppError(404, *NO_SUCH_ACCOUNT)
    return row


async def resend_invitation(actor: Principal, account_id: int) -> None:
    """Only while the account is active and no password was ever set: once one exists, the
    person asks for a reset link themselves, and an organizer cannot have a password-setting
    link mailed for an account someone already uses."""
    row = await _account(account_id)
    if Role(row["role"]) not in STAFF_ROLES:
        raise AppError(422, *NOT_STAFF, extra={"field": "role"})
    if not row["user.active"]:
        raise AppError(
            409,
            "Tài khoản đang bị khóa: hãy mở lại trước khi gửi lời mời.",
            "The account is deactivated: reactivate it before sending the invitation.",
        )
    if has_usable_password(row["user.password"]):
        raise AppError(
            409,
            "Người này đã đặt mật khẩu. Nếu quên, họ có thể tự yêu cầu đặt lại mật khẩu.",
            "This person has already set a password. If it is forgotten, they can ask for a "
            "password reset themselves.",
        )
    async with write_txn(Account._meta.db):
        await _invite(account_id, actor.account_id)


async def change_staff(
    actor: Principal,
    account_id: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    ward_slugs: list[str] | None = None,
) -> None:
    row = await _account(account_id)
    current = Role(row["role"])
    new_role = role or current
    if actor.account_id == account_id and (new_role != current or active is False):
        raise AppError(
            403,
            "Bạn không thể tự đổi vai trò hay khóa tài khoản của mình.",
            "You may not change your own role or deactivate your own account.",
        )
    if new_role != current and (new_role not in STAFF_ROLES or current not in STAFF_ROLES):
        raise AppError(
            422,
            "Chỉ đổi vai trò giữa các tài khoản cán bộ.",
            "Roles change only between staff roles.",
            extra={"field": "role"},
        )
    if ward_slugs and new_role not in WARD_SCOPED_ROLES:
        raise AppError(
            422,
            "Chỉ cán bộ phường được gán phường.",
            "Only ward officers are assigned wards.",
            extra={"field": "ward_slugs"},
        )
    if new_role in WARD_SCOPED_ROLES:
        keeps = (
            bool(ward_slugs)
            if ward_slugs is not None
            else await AccountWard.exists().where(AccountWard.account == account_id).run()
        )
        if not keeps:
            raise AppError(
                422,
                "Cán bộ phường cần được gán ít nhất một phường.",
                "A ward officer must be assigned at least one ward.",
                extra={"field": "ward_slugs" if ward_slugs is not None else "role"},
            )
    await change_account(
        account_id,
        role=role,
        active=active,
        ward_slugs=sorted(set(ward_slugs)) if ward_slugs is not None else None,
        actor_id=actor.account_id,
    )


async def staff_accounts(account_id: int | None = None) -> list[dict[str, Any]]:
    """Staff accounts by name (or the one asked for, of any role): id, email, full_name, role,
    active, ward_slugs, ward_names, password_set, language, last_sign_in (local time)."""
    query = Account.select(
        Account.id,
        Account.user,
        Account.full_name,
        Account.role,
        Account.language,
        Account.user.email,
        Account.user.active,
        Account.user.password,
    )
    if account_id is None:
        query = query.where(Account.role.is_in([r.value for r in STAFF_ROLES]))
    else:
        query = query.where(Account.id == account_id)
    rows = await query.run()
    ids = [r["id"] for r in rows] or [0]
    links = (
        await AccountWard.select(AccountWard.account, AccountWard.ward.slug, AccountWard.ward.name)
        .where(AccountWard.account.is_in(ids))
        .run()
    )
    wards: dict[int, list[tuple[str, str]]] = {}
    for link in links:
        wards.setdefault(link["account"], []).append((link["ward.slug"], link["ward.name"]))
    last = await _last_sign_ins([r["user"] for r in rows])
    rows.sort(key=lambda r: vi_sort_key(r["full_name"]))
    return [
        {
            "id": r["id"],
            "email": r["user.email"],
            "full_name": r["full_name"],
            "role": Role(r["role"]),
            "active": r["user.active"],
            "language": r["language"],
            "ward_slugs": sorted(s for s, _ in wards.get(r["id"], [])),
            "ward_names": sorted((n for _, n in wards.get(r["id"], [])), key=vi_sort_key),
            "password_set": has_usable_password(r["user.password"]),
            "last_sign_in": last.get(r["user"]),
        }
        for r in rows
    ]


async def _last_sign_ins(user_ids: list[int]) -> dict[int, dt.datetime]:
    rows = (
        await SignInEvent.select(SignInEvent.user, SignInEvent.created_at)
        .where(SignInEvent.user.is_in(user_ids or [0]))
        .run()
    )
    last: dict[int, dt.datetime] = {}
    for r in rows:
        if r["user"] not in last or r["created_at"] > last[r["user"]]:
            last[r["user"]] = r["created_at"]
    return {user: local(at) for user, at in last.items()}


async def staff_account(account_id: int) -> dict[str, Any]:
    found = await staff_accounts(account_id)
    if not found:
        raise AppError(404, *NO_SUCH_ACCOUNT)
    return found[0]
