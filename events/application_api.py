"""HTTP: applications for stalls, by businesses and by the officers who decide on them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import AppError, request_language
from core.guards import current_principal, requires, signed_in
from core.roles import Right
from events import applications
from events.schemas import (
    ApplicationIn,
    ApplicationOut,
    BulkDecisionIn,
    BulkDecisionResult,
    DecisionIn,
)
from events.tables import ApplicationStatus
from vendors import businesses


class FairApplicationController(Controller):
    tags = ["applications"]

    @post(
        "/api/fairs/{fair_id:int}/applications",
        guards=[requires(Right.ACT_AS_BUSINESS)],
        summary="Apply for stalls at a fair",
    )
    async def apply(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        data: JSONBody[ApplicationIn],
    ) -> ApplicationOut:
        business_id = await businesses.business_id_for(current_principal(request))
        return await applications.apply(business_id, fair_id, data)

    @get(
        "/api/fairs/{fair_id:int}/applications",
        guards=[requires(Right.DECIDE_APPLICATIONS)],
        summary="A fair's applications",
    )
    async def list_for_fair(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        status: FromQuery[ApplicationStatus | None] = None,
    ) -> list[ApplicationOut]:
        return await applications.list_for_fair(
            current_principal(request),
            fair_id,
            status.value if status else None,
            request_language(request),
        )

    @post(
        "/api/fairs/{fair_id:int}/applications/decisions",
        status_code=200,
        guards=[requires(Right.DECIDE_APPLICATIONS)],
        summary="Decide on many applications at once; each gets its own result",
    )
    async def decide_many(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        data: JSONBody[BulkDecisionIn],
    ) -> list[BulkDecisionResult]:
        return await applications.decide_many(current_principal(request), fair_id, data)


class ApplicationController(Controller):
    tags = ["applications"]

    @get(
        "/api/me/applications",
        guards=[requires(Right.ACT_AS_BUSINESS)],
        summary="The signed-in business's applications",
    )
    async def mine(self, request: Request[Any, Any, Any]) -> list[ApplicationOut]:
        business_id = await businesses.business_id_for(current_principal(request))
        return await applications.list_for_business(business_id, request_language(request))

    @get("/api/applications/{application_id:int}", guards=[signed_in], summary="One application")
    async def detail(
        self, request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> ApplicationOut:
        principal = current_principal(request)
        business_id, body = await applications.owner_of(application_id)
        own = principal.can(Right.ACT_AS_BUSINESS) and (
            await businesses.business_id_for(principal) == business_id
        )
        officer = principal.can(Right.DECIDE_APPLICATIONS) and principal.acts_for_body(body)
        if not (own or officer):
            raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
        return await applications.application_out(application_id, request_language(request))

    @post(
        "/api/applications/{application_id:int}/withdraw",
        status_code=200,
        guards=[requires(Right.ACT_AS_BUSINESS)],
        summary="Withdraw an application",
    )
    async def withdraw(
        self, request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> ApplicationOut:
        business_id = await businesses.business_id_for(current_principal(request))
        return await applications.withdraw(business_id, application_id)

    @post(
        "/api/applications/{application_id:int}/decision",
        status_code=200,
        guards=[requires(Right.DECIDE_APPLICATIONS)],
        summary="Approve, waitlist or reject an application",
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: JSONBody[DecisionIn],
    ) -> ApplicationOut:
        return await applications.decide(current_principal(request), application_id, data)
