"""Organizers create and list staff accounts (businesses sign themselves up)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from core.accounts import change_account, create_account
from core.errors import AppError
from core.guards import current_principal, requires
from core.roles import WARD_SCOPED_ROLES, Right, Role
from core.tables import Account, AccountWard
from core.text import vi_sort_key

STAFF_ROLES = (Role.ORGANIZER, Role.WARD_OFFICER, Role.GATE_STAFF, Role.INSPECTOR)


class AccountIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
    password: Annotated[str, msgspec.Meta(max_length=128)]
    role: Role
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    phone: str = ""
    language: str = "vi"
    ward_slugs: list[str] = msgspec.field(default_factory=list)


class AccountPatch(msgspec.Struct, forbid_unknown_fields=True):
    role: Role | None = None
    active: bool | None = None


class AccountOut(msgspec.Struct):
    id: int
    email: str
    full_name: str
    role: Role
    active: bool
    ward_slugs: list[str]


class AccountController(Controller):
    path = "/api/accounts"
    tags = ["accounts"]
    guards = [requires(Right.MANAGE_ACCOUNTS)]

    @post("/", summary="Create a staff account")
    async def create(self, data: JSONBody[AccountIn]) -> AccountOut:
        if data.role not in STAFF_ROLES:
            raise AppError(
                422,
                "Doanh nghiệp tự đăng ký tài khoản; ở đây chỉ tạo tài khoản cán bộ.",
                "Businesses sign themselves up; only staff accounts are created here.",
                extra={"field": "role"},
            )
        principal = await create_account(
            email=data.email,
            password=data.password,
            role=data.role,
            full_name=data.full_name,
            phone=data.phone,
            language=data.language,
            ward_slugs=data.ward_slugs,
        )
        return AccountOut(
            id=principal.account_id,
            email=principal.email,
            full_name=principal.full_name,
            role=principal.role,
            active=True,
            ward_slugs=sorted(data.ward_slugs),
        )

    @get("/", summary="Staff accounts")
    async def list_accounts(self) -> list[AccountOut]:
        rows = (
            await Account.select(
                Account.id, Account.full_name, Account.role, Account.user.email, Account.user.active
            )
            .where(Account.role.is_in([r.value for r in STAFF_ROLES]))
            .run()
        )
        links = await AccountWard.select(AccountWard.account, AccountWard.ward.slug).run()
        wards: dict[int, list[str]] = {}
        for link in links:
            wards.setdefault(link["account"], []).append(link["ward.slug"])
        rows.sort(key=lambda r: vi_sort_key(r["full_name"]))
        return [
            AccountOut(
                id=r["id"],
                email=r["user.email"],
                full_name=r["full_name"],
                role=Role(r["role"]),
                active=r["user.active"],
                ward_slugs=sorted(wards.get(r["id"], [])),
            )
            for r in rows
        ]

    @patch("/{account_id:int}", summary="Change an account's role or active state")
    async def change(
        self,
        request: Request[Any, Any, Any],
        account_id: FromPath[int],
        data: JSONBody[AccountPatch],
    ) -> AccountOut:
        row = await Account.select(Account.role).where(Account.id == account_id).first().run()
        if row is None:
            raise AppError(404, "Không có tài khoản này.", "No such account.")
        if current_principal(request).account_id == account_id:
            raise AppError(
                403,
                "Bạn không thể tự đổi vai trò hay khóa tài khoản của mình.",
                "You may not change your own role or deactivate your own account.",
            )
        if data.role is not None and data.role.value != row["role"]:
            if data.role not in STAFF_ROLES or Role(row["role"]) not in STAFF_ROLES:
                raise AppError(
                    422,
                    "Chỉ đổi vai trò giữa các tài khoản cán bộ.",
                    "Roles change only between staff roles.",
                    extra={"field": "role"},
                )
            has_wards = await AccountWard.exists().where(AccountWard.account == account_id).run()
            if data.role in WARD_SCOPED_ROLES and not has_wards:
                raise AppError(
                    422,
                    "Cán bộ phường cần được gán ít nhất một phường.",
                    "A ward officer must be assigned at least one ward.",
                    extra={"field": "role"},
                )
        await change_account(account_id, role=data.role, active=data.active)
        changed = (
            await Account.select(
                Account.full_name, Account.role, Account.user.email, Account.user.active
            )
            .where(Account.id == account_id)
            .first()
            .run()
        )
        wards = (
            await AccountWard.select(AccountWard.ward.slug)
            .where(AccountWard.account == account_id)
            .run()
        )
        return AccountOut(
            id=account_id,
            email=changed["user.email"],
            full_name=changed["full_name"],
            role=Role(changed["role"]),
            active=changed["user.active"],
            ward_slugs=sorted(w["ward.slug"] for w in wards),
        )
