"""HTTP: fairs (public list and page data; organizers create, publish, change, cancel)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.guards import current_principal, requires
from core.roles import Right
from events import fairs
from events.schemas import CancelIn, FairIn, FairOut, FairPatch, SeriesIn, SeriesOut

MANAGE = [requires(Right.MANAGE_FAIRS)]


class FairController(Controller):
    tags = ["fairs"]

    @get("/api/fairs", summary="Published, cancelled and completed fairs (public)")
    async def list_fairs(
        self,
        first_day: Annotated[
            dt.date | None, QueryParameter(name="from", description="first local day (YYYY-MM-DD)")
        ] = None,
        last_day: Annotated[
            dt.date | None, QueryParameter(name="to", description="last local day (YYYY-MM-DD)")
        ] = None,
        site: FromQuery[str | None] = None,
        ward: FromQuery[str | None] = None,
        organizer: FromQuery[str | None] = None,
    ) -> list[FairOut]:
        return await fairs.list_fairs(first_day, last_day, site, ward, organizer=organizer)

    @get("/api/fairs/{fair_id:int}", summary="One fair (drafts only to those who manage it)")
    async def get_fair(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> FairOut:
        return await fairs.get_fair(fair_id, request.scope.get("user"))

    @post("/api/fairs", guards=MANAGE, summary="Create a fair (as a draft)")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[FairIn]) -> FairOut:
        return await fairs.create_fair(current_principal(request), data)

    @patch("/api/fairs/{fair_id:int}", guards=MANAGE, summary="Change a fair")
    async def update(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[FairPatch]
    ) -> FairOut:
        return await fairs.update_fair(current_principal(request), fair_id, data)

    @post(
        "/api/fairs/{fair_id:int}/publish",
        guards=MANAGE,
        status_code=200,
        summary="Publish a draft",
    )
    async def publish(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> FairOut:
        return await fairs.publish(current_principal(request), fair_id)

    @post(
        "/api/fairs/{fair_id:int}/complete",
        guards=MANAGE,
        status_code=200,
        summary="Mark a fair that has ended as completed",
    )
    async def complete(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> FairOut:
        return await fairs.complete(current_principal(request), fair_id)

    @post(
        "/api/fairs/{fair_id:int}/cancel",
        guards=MANAGE,
        status_code=200,
        summary="Cancel a fair, with the reason; its businesses are told",
    )
    async def cancel(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[CancelIn]
    ) -> FairOut:
        return await fairs.cancel(current_principal(request), fair_id, data)


class SeriesController(Controller):
    tags = ["fairs"]

    @post("/api/series", guards=MANAGE, summary="Create a recurring series of draft fairs")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[SeriesIn]) -> SeriesOut:
        return await fairs.create_series(current_principal(request), data)
