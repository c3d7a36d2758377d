"""Organizers create and list staff accounts (businesses sign themselves up)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody

from core.accounts import create_account
from core.errors import AppError
from core.guards import requires
from core.roles import Right, Role
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


class AccountOut(msgspec.Struct):
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
                email=r["user.email"],
                full_name=r["full_name"],
                role=Role(r["role"]),
                active=r["user.active"],
                ward_slugs=sorted(wards.get(r["id"], [])),
            )
            for r in rows
        ]
