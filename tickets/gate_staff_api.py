"""HTTP: which gate staff may check in at a fair or at every fair of a site."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody

from core.errors import AppError
from core.guards import current_principal, ensure_body, requires
from core.roles import Right
from events.fair_rows import fair_acted_on
from events.tables import Site
from tickets import gate_scope

# The city's staff everywhere; a body's staff for their own body's fairs and sites.
ASSIGN = [requires(Right.MANAGE_FAIRS)]


class GateStaffIn(msgspec.Struct, forbid_unknown_fields=True):
    account_id: int


async def site_row(slug: str) -> dict[str, Any]:
    row = (
        await Site.select(Site.id, Site.organizer, Site.name).where(Site.slug == slug).first().run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy địa điểm.", "No such site.")
    return row


class FairGateStaffController(Controller):
    tags = ["check-in"]
    guards = ASSIGN

    async def _fair(self, request: Request[Any, Any, Any], fair_id: int) -> dict[str, Any]:
        fair = await fair_acted_on(current_principal(request), fair_id)
        return fair

    @get(
        "/api/fairs/{fair_id:int}/gate-staff",
        summary="Gate staff who may check in at this fair (its own and its site's)",
    )
    async def list_staff(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> list[dict[str, Any]]:
        fair = await self._fair(request, fair_id)
        return await gate_scope.staff_of(fair_id=fair_id, site_id=fair["site"])

    @post(
        "/api/fairs/{fair_id:int}/gate-staff",
        status_code=201,
        summary="Assign a gate-staff account to this fair",
    )
    async def add(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[GateStaffIn]
    ) -> list[dict[str, Any]]:
        fair = await self._fair(request, fair_id)
        await gate_scope.assign(current_principal(request), data.account_id, fair_id=fair_id)
        return await gate_scope.staff_of(fair_id=fair_id, site_id=fair["site"])

    @delete(
        "/api/fairs/{fair_id:int}/gate-staff/{account_id:int}",
        status_code=204,
        summary="End a gate-staff assignment to this fair",
    )
    async def remove(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], account_id: FromPath[int]
    ) -> None:
        await self._fair(request, fair_id)
        if not await gate_scope.unassign(account_id, fair_id=fair_id):
            raise AppError(
                404,
                "Tài khoản này không được phân công riêng ở phiên chợ này.",
                "This account is not assigned to this fair itself.",
            )


class SiteGateStaffController(Controller):
    tags = ["check-in"]
    guards = ASSIGN

    async def _site(self, request: Request[Any, Any, Any], slug: str) -> dict[str, Any]:
        site = await site_row(slug)
        ensure_body(current_principal(request), site["organizer"])
        return site

    @get(
        "/api/sites/{slug:str}/gate-staff",
        summary="Gate staff who may check in at every fair of this site",
    )
    async def list_staff(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> list[dict[str, Any]]:
        site = await self._site(request, slug)
        return await gate_scope.staff_of(site_id=site["id"])

    @post(
        "/api/sites/{slug:str}/gate-staff",
        status_code=201,
        summary="Assign a gate-staff account to every fair of this site",
    )
    async def add(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[GateStaffIn]
    ) -> list[dict[str, Any]]:
        site = await self._site(request, slug)
        await gate_scope.assign(current_principal(request), data.account_id, site_id=site["id"])
        return await gate_scope.staff_of(site_id=site["id"])

    @delete(
        "/api/sites/{slug:str}/gate-staff/{account_id:int}",
        status_code=204,
        summary="End a gate-staff assignment to this site",
    )
    async def remove(
        self, request: Request[Any, Any, Any], slug: FromPath[str], account_id: FromPath[int]
    ) -> None:
        site = await self._site(request, slug)
        if not await gate_scope.unassign(account_id, site_id=site["id"]):
            raise AppError(
                404,
                "Tài khoản này không được phân công ở địa điểm này.",
                "This account is not assigned to this site.",
            )
