"""Organizers create, list and change staff accounts (businesses sign themselves up); the rules
live in core.staff_accounts, shared with the console."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from core import staff_accounts
from core.account_history import account_exists, history_of
from core.errors import AppError
from core.guards import current_principal, requires
from core.roles import Right, Role
from core.staff_accounts import STAFF_ROLES

__all__ = ["STAFF_ROLES", "AccountController"]


class AccountIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
    role: Role
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    # Scripts may still give one; without it the person is mailed a link to choose their own.
    password: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    phone: str = ""
    language: str = "vi"
    ward_slugs: list[str] = msgspec.field(default_factory=list)


class AccountPatch(msgspec.Struct, forbid_unknown_fields=True):
    role: Role | None = None
    active: bool | None = None
    ward_slugs: list[str] | None = None


class AccountOut(msgspec.Struct):
    id: int
    email: str
    full_name: str
    role: Role
    active: bool
    ward_slugs: list[str]
    password_set: bool = True


class InvitationOut(msgspec.Struct):
    status: str
    messages: dict[str, str]


class HistoryOut(msgspec.Struct):
    at: str
    actor_email: str | None
    changes: dict[str, list[Any]]


def _out(row: dict[str, Any]) -> AccountOut:
    return AccountOut(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        role=row["role"],
        active=row["active"],
        ward_slugs=row["ward_slugs"],
        password_set=row["password_set"],
    )


INVITED = {
    "vi": "Đã gửi lời mời: liên kết đặt mật khẩu có hiệu lực 72 giờ.",
    "en": "The invitation is sent: its link to set a password is valid for 72 hours.",
}


class AccountController(Controller):
    tags = ["accounts"]
    guards = [requires(Right.MANAGE_ACCOUNTS)]

    @post(
        "/api/accounts",
        summary="Create a staff account (invited by mail unless a password is given)",
    )
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[AccountIn]
    ) -> AccountOut:
        principal = await staff_accounts.invite_staff(
            current_principal(request),
            email=data.email,
            password=data.password,
            role=data.role,
            full_name=data.full_name,
            phone=data.phone,
            language=data.language,
            ward_slugs=data.ward_slugs,
        )
        return _out(await staff_accounts.staff_account(principal.account_id))

    @get("/api/accounts", summary="Staff accounts")
    async def list_accounts(self) -> list[AccountOut]:
        return [_out(row) for row in await staff_accounts.staff_accounts()]

    @patch(
        "/api/accounts/{account_id:int}", summary="Change an account's role, wards or active state"
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        account_id: FromPath[int],
        data: JSONBody[AccountPatch],
    ) -> AccountOut:
        await staff_accounts.change_staff(
            current_principal(request),
            account_id,
            role=data.role,
            active=data.active,
            ward_slugs=data.ward_slugs,
        )
        return _out(await staff_accounts.staff_account(account_id))

    @post(
        "/api/accounts/{account_id:int}/invitation",
        status_code=202,
        summary="Send the invitation to set a password again",
    )
    async def invitation(
        self, request: Request[Any, Any, Any], account_id: FromPath[int]
    ) -> InvitationOut:
        await staff_accounts.resend_invitation(current_principal(request), account_id)
        return InvitationOut(status="sent", messages=INVITED)

    @get("/api/accounts/{account_id:int}/history", summary="Who changed the account, when and what")
    async def history(self, account_id: FromPath[int]) -> list[HistoryOut]:
        if not await account_exists(account_id):
            raise AppError(404, *staff_accounts.NO_SUCH_ACCOUNT)
        return [
            HistoryOut(at=h["at"].isoformat(), actor_email=h["actor_email"], changes=h["changes"])
            for h in await history_of(account_id)
        ]
