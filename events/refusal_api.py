"""HTTP: a body's refusals of businesses at its own fairs."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from core.guards import current_principal, requires
from core.roles import Right
from events import refusals
from events.refusals import LiftIn, RefusalIn, RefusalOut


class RefusalController(Controller):
    tags = ["businesses"]
    guards = [requires(Right.VET_BUSINESSES)]

    @get("/api/organizers/{slug:str}/refusals", summary="The businesses a body refuses")
    async def list_refusals(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> list[RefusalOut]:
        return await refusals.refusals(current_principal(request), slug)

    @post(
        "/api/organizers/{slug:str}/refusals",
        status_code=201,
        summary="Refuse a business at the body's own fairs (with why)",
    )
    async def refuse(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[RefusalIn]
    ) -> RefusalOut:
        return await refusals.refuse(current_principal(request), slug, data)

    @post(
        "/api/organizers/{slug:str}/refusals/{business_id:int}/lift",
        status_code=200,
        summary="Lift a body's refusal of a business",
    )
    async def lift(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        business_id: FromPath[int],
        data: JSONBody[LiftIn],
    ) -> RefusalOut:
        return await refusals.lift(current_principal(request), slug, business_id, data)
