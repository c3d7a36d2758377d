"""HTTP endpoints for wards and sites."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.guards import current_principal, requires
from core.roles import Right
from core.wards import OrganizerOut, WardOut, list_organizers, list_wards
from events import places
from events.schemas import SiteIn, SiteOut, SitePatch, WardIn, WardPatch
from events.tables import Setting


class WardController(Controller):
    tags = ["places"]

    @get("/api/wards", summary="The wards, communes and special zones in force (public)")
    async def list_wards(self, q: FromQuery[str] = "") -> list[WardOut]:
        """`q`: only those whose name holds it, with or without diacritics, or whose code."""
        return await list_wards(q[:100])

    @post("/api/wards", guards=[requires(Right.MANAGE_WARDS)], summary="Add a ward")
    async def create_ward(self, data: JSONBody[WardIn]) -> WardOut:
        return await places.create_ward(data)

    @patch("/api/wards/{slug:str}", guards=[requires(Right.MANAGE_WARDS)], summary="Change a ward")
    async def update_ward(self, slug: FromPath[str], data: JSONBody[WardPatch]) -> WardOut:
        return await places.update_ward(slug, data)


class OrganizerController(Controller):
    tags = ["places"]

    @get("/api/organizers", summary="The organizing bodies (public)")
    async def list_organizers(self) -> list[OrganizerOut]:
        return await list_organizers()


class SiteController(Controller):
    tags = ["places"]

    @get("/api/sites", summary="Sites where fairs are held (public)")
    async def list_sites(
        self,
        ward: FromQuery[str | None] = None,
        setting: FromQuery[Setting | None] = None,
        organizer: FromQuery[str | None] = None,
    ) -> list[SiteOut]:
        return await places.list_sites(ward, setting.value if setting else None, organizer)

    @get("/api/sites/{slug:str}", summary="One site (public)")
    async def get_site(self, slug: FromPath[str]) -> SiteOut:
        return await places.get_site(slug)

    @post("/api/sites", guards=[requires(Right.MANAGE_SITES)], summary="Add a site")
    async def create_site(self, request: Request[Any, Any, Any], data: JSONBody[SiteIn]) -> SiteOut:
        return await places.create_site(current_principal(request), data)

    @patch("/api/sites/{slug:str}", guards=[requires(Right.MANAGE_SITES)], summary="Change a site")
    async def update_site(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[SitePatch]
    ) -> SiteOut:
        return await places.update_site(current_principal(request), slug, data)
