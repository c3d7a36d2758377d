"""Web pages for what a business sells and where: its products, the fairs open to apply to,
its applications (followed and withdrawn) and its passes with the stall on the map."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import AppError
from core.i18n import current_language
from core.pages import convert_form, form_errors, form_values
from core.templating import day_label
from core.timezone import local, now_utc, today_local
from events import applications, stallmap
from events.fair_map import fair_stalls
from events.fairs import get_fair, list_fairs
from events.schemas import ApplicationIn
from events.tables import ApplicationStatusChange, FairStatus
from tickets.api import PASS_COLUMNS, pass_out
from tickets.tables import Pass
from vendors import businesses, products
from vendors.pages import BUSINESS, failed_status, my_business, only, render
from vendors.schemas import ProductIn, ProductPatch

NEED_LABELS = {
    "needs_power": ("Cần điện", "Needs power"),
    "needs_water": ("Cần nước", "Needs water"),
    "food_handling": ("Chế biến thực phẩm tại chỗ", "Prepares food on site"),
    "needs_shade": ("Cần mái che", "Needs shade"),
    "needs_accessible": ("Lối đi cho người khuyết tật", "Needs step-free access"),
}
FAIR_WINDOW_DAYS = 180


async def my_passes(business_id: int) -> list[dict[str, Any]]:
    """The business's passes, newest fair first, each with its fair as the pages show it."""
    rows = (
        await Pass.select(*PASS_COLUMNS, Pass.fair.title, Pass.fair.starts_at, Pass.fair.ends_at)
        .where(Pass.application.business == business_id)
        .order_by(Pass.fair.starts_at, ascending=False)
        .run()
    )
    lang = current_language()
    return [
        {
            "pass": pass_out(r),
            "fair_title": r["fair.title"],
            "day": day_label(r["fair.starts_at"], lang),
            # A pass stays in view, with its map, through its fair's last day.
            "past": local(r["fair.ends_at"]).date() < today_local(),
            "stalls": [c.strip() for c in r["stalls"].split(",") if c.strip()],
        }
        for r in rows
    ]


async def _application_of(request: Request[Any, Any, Any], application_id: int) -> int:
    """The application, if it is this business's own: another's is “not found”, as in the API."""
    owner, _ = await applications.owner_of(application_id)
    if owner != await my_business(request):
        raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
    return application_id


def product_values(product: Any) -> dict[str, Any]:
    values = {f: getattr(product, f) for f in ProductIn.__struct_fields__}
    return {k: ("" if v is None else v) for k, v in values.items()}


class SellingPages(Controller):
    include_in_schema = False
    guards = BUSINESS

    # Products ---------------------------------------------------------------------------

    @get("/business/products")
    async def product_list(self, request: Request[Any, Any, Any]) -> Template:
        own = await products.list_products(await my_business(request), current_language())
        return render(
            request,
            "products.html",
            products=own,
            saved=request.query_params.get("saved") == "1",
        )

    @get("/business/products/new")
    async def new_product(self, request: Request[Any, Any, Any]) -> Template:
        return await self._product_form(request, None, {"made_in_vietnam": True}, {}, 200)

    @post("/business/products/new", status_code=303)
    async def create_product(self, request: Request[Any, Any, Any]) -> Response[Any]:
        business_id = await my_business(request)
        values = await form_values(request)
        values.setdefault("made_in_vietnam", "false")  # an unticked box is not sent
        try:
            data = convert_form(only(values, ProductIn), ProductIn)
            await products.create_product(business_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._product_form(
                request, None, values, form_errors(exc), failed_status(exc)
            )
        return Redirect("/business/products?saved=1", status_code=303)

    @get("/business/products/{product_id:int}")
    async def edit_product(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Template:
        product = await products.get_product(await my_business(request), product_id)
        return await self._product_form(request, product_id, product_values(product), {}, 200)

    @post("/business/products/{product_id:int}", status_code=303)
    async def update_product(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        business_id = await my_business(request)
        await products.get_product(business_id, product_id)
        values = await form_values(request)
        values.setdefault("made_in_vietnam", "false")
        try:
            patch = convert_form(only(values, ProductPatch), ProductPatch)
            await products.update_product(business_id, product_id, patch)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._product_form(
                request, product_id, values, form_errors(exc), failed_status(exc)
            )
        return Redirect("/business/products?saved=1", status_code=303)

    @post("/business/products/{product_id:int}/delete", status_code=303)
    async def delete_product(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Redirect:
        await products.delete_product(await my_business(request), product_id)
        return Redirect("/business/products?saved=1", status_code=303)

    async def _product_form(
        self,
        request: Request[Any, Any, Any],
        product_id: int | None,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Template:
        categories = await businesses.list_categories(current_language())
        return render(
            request,
            "product_form.html",
            status=status,
            product_id=product_id,
            values=values,
            errors=errors,
            categories=[(c.slug, c.name) for c in categories],
        )

    # Fairs and applications ---------------------------------------------------------------

    @get("/business/fairs")
    async def fairs(self, request: Request[Any, Any, Any]) -> Template:
        business_id = await my_business(request)
        lang = current_language()
        today = today_local()
        mine = {a.fair_id: a for a in await applications.list_for_business(business_id, lang)}
        now = now_utc()
        listed = []
        for fair in await list_fairs(today, today + dt.timedelta(days=FAIR_WINDOW_DAYS)):
            if fair.status != FairStatus.PUBLISHED.value:
                continue
            opens = dt.datetime.fromisoformat(fair.applications_open)
            closes = dt.datetime.fromisoformat(fair.applications_close)
            listed.append(
                {
                    "fair": fair,
                    "day": day_label(dt.datetime.fromisoformat(fair.start), lang),
                    "hours": f"{fair.start[11:16]}–{fair.end[11:16]}",
                    "open": opens <= now <= closes,
                    "opens": day_label(opens, lang),
                    "closes": f"{closes:%H:%M}, {day_label(closes, lang)}",
                    "application": mine.get(fair.id),
                }
            )
        business = await businesses.business_out(business_id, lang)
        return render(
            request,
            "fairs.html",
            fairs=listed,
            verified=business.status == "verified",
            status_labels=applications.STATUS_LABELS,
        )

    @get("/business/fairs/{fair_id:int}/apply")
    async def apply_form(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Template:
        return await self._apply_form(request, fair_id, {"stalls_requested": 1}, {}, 200)

    @post("/business/fairs/{fair_id:int}/apply", status_code=303)
    async def apply(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        business_id = await my_business(request)
        values = await form_values(request)
        values.setdefault("product_ids", [])
        try:
            data = convert_form(only(values, ApplicationIn), ApplicationIn)
            made = await applications.apply(business_id, fair_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._apply_form(
                request, fair_id, values, form_errors(exc), failed_status(exc)
            )
        return Redirect(f"/business/applications/{made.id}?sent=1", status_code=303)

    async def _apply_form(
        self,
        request: Request[Any, Any, Any],
        fair_id: int,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Template:
        lang = current_language()
        fair = await get_fair(fair_id, None)
        own = await products.list_products(await my_business(request), lang)
        chosen = {str(v) for v in values.get("product_ids", [])}
        return render(
            request,
            "apply.html",
            status=status,
            fair=fair,
            day=day_label(dt.datetime.fromisoformat(fair.start), lang),
            products=own,
            chosen=chosen,
            values=values,
            errors=errors,
            need_labels=NEED_LABELS,
        )

    @get("/business/applications/{application_id:int}")
    async def application(
        self, request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> Template:
        await _application_of(request, application_id)
        return await self._application(request, application_id, {})

    @post("/business/applications/{application_id:int}/withdraw", status_code=303)
    async def withdraw(
        self, request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> Response[Any]:
        await _application_of(request, application_id)
        try:
            await applications.withdraw(await my_business(request), application_id)
        except AppError as exc:
            return await self._application(
                request, application_id, form_errors(exc), failed_status(exc)
            )
        return Redirect(f"/business/applications/{application_id}", status_code=303)

    async def _application(
        self,
        request: Request[Any, Any, Any],
        application_id: int,
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        lang = current_language()
        item = await applications.application_out(application_id, lang)
        fair = await get_fair(item.fair_id, None)
        history = (
            await ApplicationStatusChange.select()
            .where(ApplicationStatusChange.application == application_id)
            .order_by(ApplicationStatusChange.id)
            .run()
        )
        passes = [p for p in await my_passes(item.business_id) if p["pass"].fair_id == fair.id]
        cutoff = dt.datetime.fromisoformat(fair.withdrawal_cutoff)
        return render(
            request,
            "application.html",
            status=status,
            item=item,
            fair=fair,
            day=day_label(dt.datetime.fromisoformat(fair.start), lang),
            history=[{**h, "when": f"{h['at']:%H:%M} {day_label(h['at'], lang)}"} for h in history],
            status_labels=applications.STATUS_LABELS,
            need_labels=NEED_LABELS,
            passes=passes,
            withdrawable=item.status in applications.WITHDRAWABLE and now_utc() <= cutoff,
            cutoff=f"{cutoff:%H:%M}, {day_label(cutoff, lang)}",
            errors=errors,
            sent=request.query_params.get("sent") == "1",
        )

    # Passes -------------------------------------------------------------------------------

    @get("/business/passes")
    async def passes(self, request: Request[Any, Any, Any]) -> Template:
        lang = current_language()
        items = await my_passes(await my_business(request))
        for item in items:
            stalls = await fair_stalls(item["pass"].fair_id, public=True)
            item["map"] = stallmap.svg(stalls, lang, mine=frozenset(item["stalls"]))
        return render(request, "passes.html", passes=items)
