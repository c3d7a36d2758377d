"""/console/fairs: the fairs of one's wards; create one or a series, edit, publish, cancel."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from console.common import FAIR_STATUS_LABELS, fair_for, fairs_for, local_input, render, sites_for
from core.errors import AppError
from core.guards import current_principal, requires
from core.i18n import N_, gettext
from core.pages import convert_form, form_errors, form_values
from core.roles import Right
from events import fairs
from events.schemas import CancelIn, FairIn, FairPatch, SeriesIn
from events.tables import SETTING_LABELS
from tickets import gate_scope

TIME_FIELDS = ("start", "end", "applications_open", "applications_close", "withdrawal_cutoff")
_MINUTES = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
WEEKDAY_NAMES = (
    N_("Thứ hai"),
    N_("Thứ ba"),
    N_("Thứ tư"),
    N_("Thứ năm"),
    N_("Thứ sáu"),
    N_("Thứ bảy"),
    N_("Chủ nhật"),
)
WEEKS_OF_MONTH = (
    ("1", N_("Tuần thứ nhất")),
    ("2", N_("Tuần thứ hai")),
    ("3", N_("Tuần thứ ba")),
    ("4", N_("Tuần thứ tư")),
    ("-1", N_("Tuần cuối tháng")),
)


def with_seconds(values: dict[str, Any]) -> dict[str, Any]:
    """<input type="datetime-local"> sends minutes only; the API's datetimes want seconds."""
    return {
        k: f"{v}:00" if k in TIME_FIELDS and isinstance(v, str) and _MINUTES.match(v) else v
        for k, v in values.items()
    }


def fair_values(fair: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": fair["title"],
        "site_slug": fair["site_slug"],
        "setting": fair["setting"],
        "description": fair["description"],
        "audience": fair["audience"],
        "start": local_input(fair["starts_at"]),
        "end": local_input(fair["ends_at"]),
        "applications_open": local_input(fair["applications_open_at"]),
        "applications_close": local_input(fair["applications_close_at"]),
        "withdrawal_cutoff": local_input(fair["withdrawal_cutoff_at"]),
    }


class ConsoleFairsController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_FAIRS)]

    async def _form(
        self,
        request: Request[Any, Any, Any],
        template: str,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
        **extra: Any,
    ) -> Response[Any]:
        sites = await sites_for(current_principal(request))
        return render(
            request,
            template,
            status=status,
            values=values,
            errors=errors,
            site_options=[(s["slug"], f"{s['name']} ({s['ward.name']})") for s in sites],
            setting_options=[(k.value, v) for k, v in SETTING_LABELS.items()],
            weekday_options=[(str(i), gettext(n)) for i, n in enumerate(WEEKDAY_NAMES)],
            week_options=[(v, gettext(n)) for v, n in WEEKS_OF_MONTH],
            **extra,
        )

    @get("/console/fairs")
    async def list_fairs(self, request: Request[Any, Any, Any]) -> Response[Any]:
        rows = await fairs_for(current_principal(request))
        return render(
            request,
            "fairs.html",
            fairs=list(reversed(rows)),
            status_labels=FAIR_STATUS_LABELS,
            notice=request.query_params.get("done", ""),
        )

    @get("/console/fairs/new")
    async def new_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._form(request, "fair_new.html", {}, {})

    @post("/console/fairs/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            data = convert_form(with_seconds(values), FairIn)
            created = await fairs.create_fair(current_principal(request), data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._form(request, "fair_new.html", values, form_errors(exc), 422)
        return Redirect(f"/console/fairs/{created.id}?done=created", status_code=303)

    @get("/console/fairs/series/new")
    async def new_series_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._form(
            request, "series_new.html", {"frequency": "monthly", "every_weeks": "1"}, {}
        )

    @post("/console/fairs/series/new", status_code=303)
    async def create_series(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            data = convert_form(values, SeriesIn)
            series = await fairs.create_series(current_principal(request), data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._form(request, "series_new.html", values, form_errors(exc), 422)
        return Redirect(f"/console/fairs?done=series-{len(series.fairs)}", status_code=303)

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        fair_id: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        return await self._form(
            request,
            "fair.html",
            values if values is not None else fair_values(fair),
            errors or {},
            status,
            fair=fair,
            status_labels=FAIR_STATUS_LABELS,
            notice=request.query_params.get("done", ""),
            gate_staff=await gate_scope.staff_of(fair_id=fair_id, site_id=fair["site"]),
            gate_options=await gate_scope.gate_staff_accounts(),
        )

    @get("/console/fairs/{fair_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        return await self._detail(request, fair_id)

    @post("/console/fairs/{fair_id:int}", status_code=303)
    async def edit(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        await fair_for(request, fair_id)
        values = await form_values(request)
        try:
            data = convert_form(with_seconds(values), FairPatch)
            await fairs.update_fair(current_principal(request), fair_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            if isinstance(exc, AppError) and exc.status_code not in (409, 422):
                raise
            return await self._detail(request, fair_id, values, form_errors(exc), 422)
        return Redirect(f"/console/fairs/{fair_id}?done=saved", status_code=303)

    @post("/console/fairs/{fair_id:int}/publish", status_code=303)
    async def publish(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        try:
            await fairs.publish(current_principal(request), fair_id)
        except AppError as exc:
            if exc.status_code != 409:
                raise
            return await self._detail(request, fair_id, None, form_errors(exc), 409)
        return Redirect(f"/console/fairs/{fair_id}?done=published", status_code=303)

    @post("/console/fairs/{fair_id:int}/cancel", status_code=303)
    async def cancel(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            await fairs.cancel(
                current_principal(request), fair_id, CancelIn(str(values.get("reason", "")))
            )
        except AppError as exc:
            if exc.status_code not in (409, 422):
                raise
            fair = await fair_for(request, fair_id)
            return await self._detail(
                request,
                fair_id,
                {**fair_values(fair), "reason": values.get("reason", "")},
                form_errors(exc),
                exc.status_code,
            )
        return Redirect(f"/console/fairs/{fair_id}?done=cancelled", status_code=303)

    @post("/console/fairs/{fair_id:int}/gate-staff", status_code=303)
    async def add_gate_staff(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        values = await form_values(request)
        try:
            account_id = _account_id(values.get("account_id"))
            place = {"site_id": fair["site"]} if values.get("scope") == "site" else {}
            await gate_scope.assign(
                current_principal(request), account_id, **(place or {"fair_id": fair_id})
            )
        except AppError as exc:
            if exc.status_code != 422:
                raise
            return await self._detail(request, fair_id, None, form_errors(exc), 422)
        return Redirect(f"/console/fairs/{fair_id}?done=gate-added", status_code=303)

    @post("/console/fairs/{fair_id:int}/gate-staff/{account_id:int}/remove", status_code=303)
    async def remove_gate_staff(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], account_id: FromPath[int]
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        values = await form_values(request)
        if values.get("scope") == "site":
            await gate_scope.unassign(account_id, site_id=fair["site"])
        else:
            await gate_scope.unassign(account_id, fair_id=fair_id)
        return Redirect(f"/console/fairs/{fair_id}?done=gate-removed", status_code=303)


def _account_id(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise AppError(
            422,
            "Hãy chọn một nhân viên cổng.",
            "Choose a gate-staff account.",
            extra={"field": "account_id"},
        ) from None
