"""/console/businesses: search the businesses of one's wards, and vet one of them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from console.common import message_of, render
from core.errors import AppError, request_language
from core.guards import current_principal, ensure_ward, requires
from core.pages import form_errors, form_values
from core.roles import Right
from core.tables import Ward
from vendors import businesses, documents, personal_data, products, revetting, vetting
from vendors.tables import BusinessStatus


def status_options() -> list[tuple[str, tuple[str, str]]]:
    return [(s.value, vetting.STATUS_LABELS[s]) for s in BusinessStatus]


def actions_for(status: str) -> list[vetting.Action]:
    """Only what the business's status allows: the others would be refused anyway."""
    current = BusinessStatus(status)
    return [
        vetting.ACTIONS[name]
        for name in sorted(vetting.OFFICER_ACTIONS, key=list(vetting.ACTIONS).index)
        if current in vetting.ACTIONS[name].from_statuses
    ]


class ConsoleBusinessesController(Controller):
    include_in_schema = False
    guards = [requires(Right.VET_BUSINESSES)]

    @get("/console/businesses")
    async def search(
        self,
        request: Request[Any, Any, Any],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        ward: FromQuery[str] = "",
    ) -> Response[Any]:
        principal = current_principal(request)
        chosen = status if status in {s.value for s in BusinessStatus} else None
        found = await businesses.search_businesses(principal, q, ward or None, None, chosen)
        wards = [
            w
            for w in await Ward.select(Ward.id, Ward.slug, Ward.name).order_by(Ward.name).run()
            if principal.acts_for_ward(w["id"])
        ]
        return render(
            request,
            "businesses.html",
            found=found,
            values={"q": q, "status": status, "ward": ward},
            status_labels=dict(status_options()),
            statuses=status_options(),
            wards=wards,
        )

    @get("/console/businesses/{business_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], business_id: FromPath[int]
    ) -> Response[Any]:
        return await self._page(request, business_id)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        business_id: int,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        action: str = "",
        notice: str = "",
    ) -> Response[Any]:
        # Officers act on a business of another ward nowhere: say so plainly (403).
        ensure_ward(current_principal(request), await businesses.business_ward(business_id))
        lang = request_language(request)
        business = await businesses.business_out(business_id, lang)
        principal = current_principal(request)
        business.tax_code = await personal_data.reveal_tax_code(business_id, principal)
        return render(
            request,
            "business.html",
            status=status,
            business=business,
            id_views=await personal_data.personal_id_views(business_id)
            if principal.can(Right.VET_BUSINESSES)
            else [],
            goods=await products.list_products(business_id, lang),
            files=await documents.list_documents(business_id),
            actions=actions_for(business.status),
            status_labels=dict(status_options()),
            field_labels=revetting.FIELD_LABELS,
            errors=errors or {},
            values=values or {},
            failed_action=action,
            notice=notice,
        )

    @post("/console/businesses/{business_id:int}/{action:str}", status_code=303)
    async def act(
        self, request: Request[Any, Any, Any], business_id: FromPath[int], action: FromPath[str]
    ) -> Response[Any]:
        principal = current_principal(request)
        ensure_ward(principal, await businesses.business_ward(business_id))
        if action not in vetting.OFFICER_ACTIONS:
            raise AppError(404, "Không có thao tác này.", "No such action.")
        values = await form_values(request)
        try:
            await vetting.apply_action(
                principal, business_id, action, str(values.get("reason", ""))
            )
        except AppError as exc:
            if exc.status_code not in (409, 422):
                raise
            errors = form_errors(exc)
            if exc.status_code == 409:
                errors = {"__all__": message_of(exc, request_language(request))}
            return await self._page(
                request,
                business_id,
                status=exc.status_code,
                errors=errors,
                values=values,
                action=action,
            )
        return Redirect(f"/console/businesses/{business_id}?done={action}", status_code=303)
