"""HTTP: organizers and ward officers search and vet businesses."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.roles import Right
from vendors import businesses, documents, personal_data, products, vetting
from vendors.guards import may_see_business
from vendors.schemas import (
    BusinessOut,
    BusinessSignUp,
    BusinessSummary,
    DocumentOut,
    ProductOut,
    SignUpReceived,
    VettingIn,
)
from vendors.tables import BusinessStatus

VET = [requires(Right.VET_BUSINESSES)]


class BusinessesController(Controller):
    """Sign-up is open to anyone; everything else here is for vetting officers."""

    tags = ["businesses"]

    @post("/api/businesses", summary="Sign up a business (creates its account)")
    async def sign_up(
        self, request: Request[Any, Any, Any], data: JSONBody[BusinessSignUp]
    ) -> Response[BusinessOut | SignUpReceived]:
        await businesses.throttle_sign_up(request)
        created = await businesses.sign_up(data)
        if created is None:
            received = SignUpReceived(status="received", messages=businesses.ALREADY_HAS_ACCOUNT)
            return Response(received, status_code=202)
        return Response(created, status_code=201)

    @get(
        "/api/businesses",
        guards=VET,
        summary="Search businesses (without diacritics: “nguyen du” finds “Nguyễn Du”)",
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        q: FromQuery[str | None] = None,
        ward: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        status: FromQuery[BusinessStatus | None] = None,
    ) -> list[BusinessSummary]:
        return await businesses.search_businesses(
            current_principal(request), q, ward, category, status.value if status else None
        )

    @get(
        "/api/businesses/{business_id:int}",
        guards=VET,
        summary="One business, with its vetting history",
    )
    async def detail(
        self, request: Request[Any, Any, Any], business_id: FromPath[int]
    ) -> BusinessOut:
        principal = current_principal(request)
        await may_see_business(principal, business_id)
        business = await businesses.business_out(business_id, request_language(request))
        business.tax_code = await personal_data.reveal_tax_code(business_id, principal)
        return business

    @get("/api/businesses/{business_id:int}/products", guards=VET, summary="A business's products")
    async def products(
        self, request: Request[Any, Any, Any], business_id: FromPath[int]
    ) -> list[ProductOut]:
        await may_see_business(current_principal(request), business_id)
        return await products.list_products(business_id, request_language(request))

    @get(
        "/api/businesses/{business_id:int}/documents", guards=VET, summary="A business's documents"
    )
    async def documents(
        self, request: Request[Any, Any, Any], business_id: FromPath[int]
    ) -> list[DocumentOut]:
        await may_see_business(current_principal(request), business_id)
        return await documents.list_documents(business_id)

    @post(
        "/api/businesses/{business_id:int}/{action:str}",
        status_code=200,
        guards=VET,
        summary="verify, request_changes, reject, warn, suspend or reinstate",
    )
    async def act(
        self,
        request: Request[Any, Any, Any],
        business_id: FromPath[int],
        action: FromPath[str],
        data: JSONBody[VettingIn],
    ) -> BusinessOut:
        principal = current_principal(request)
        await may_see_business(principal, business_id)
        name = action.replace("-", "_")
        if name not in vetting.OFFICER_ACTIONS:
            raise AppError(404, "Không có thao tác này.", "No such action.")
        await vetting.apply_action(principal, business_id, name, data.reason)
        return await businesses.business_out(business_id, request_language(request))
