"""/console/fairs/{id}/applications: decide on a fair's applications, one by one or in bulk."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from console.common import fair_for, render
from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.i18n import gettext
from core.pages import GENERAL, convert_form, form_errors, form_values
from core.roles import Right
from events import applications
from events.schemas import BulkDecisionIn, DecisionIn
from events.tables import Application, ApplicationStatus

DECISION_CHOICES = (
    ApplicationStatus.APPROVED.value,
    ApplicationStatus.WAITLISTED.value,
    ApplicationStatus.REJECTED.value,
)


class ConsoleApplicationsController(Controller):
    include_in_schema = False
    guards = [requires(Right.DECIDE_APPLICATIONS)]

    async def _page(
        self,
        request: Request[Any, Any, Any],
        fair_id: int,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        row_errors: dict[int, str] | None = None,
        row_values: dict[int, str] | None = None,
        results: list[dict[str, Any]] | None = None,
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        shown = request.query_params.get("status", "")
        listed = await applications.list_for_fair(
            current_principal(request),
            fair_id,
            shown if shown in {s.value for s in ApplicationStatus} else None,
            request_language(request),
        )
        return render(
            request,
            "applications.html",
            status=status,
            fair=fair,
            applications=listed,
            shown=shown,
            status_labels=applications.STATUS_LABELS,
            statuses=list(ApplicationStatus),
            choices=DECISION_CHOICES,
            errors=errors or {},
            values=values or {},
            row_errors=row_errors or {},
            row_values=row_values or {},
            results=results,
        )

    @get("/console/fairs/{fair_id:int}/applications")
    async def list_applications(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        return await self._page(request, fair_id)

    @post("/console/fairs/{fair_id:int}/applications", status_code=200)
    async def decide_many(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        values = await form_values(request)
        await fair_for(request, fair_id)
        try:
            if not values.get("application_ids"):
                raise AppError(
                    422,
                    "Hãy chọn ít nhất một đơn.",
                    "Choose at least one application.",
                    extra={"field": "application_ids"},
                )
            data = convert_form(values, BulkDecisionIn)
            outcome = await applications.decide_many(current_principal(request), fair_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            if isinstance(exc, AppError) and exc.status_code != 422:
                raise
            return await self._page(
                request, fair_id, status=422, errors=form_errors(exc), values=values
            )
        names = {
            r["id"]: r["business.legal_name"]
            for r in await Application.select(Application.id, Application.business.legal_name)
            .where(Application.fair == fair_id)
            .run()
        }
        results = [
            {
                "name": names.get(r.application_id, str(r.application_id)),
                "ok": r.ok,
                "detail": r.detail,
            }
            for r in outcome
        ]
        return await self._page(request, fair_id, results=results)

    @post("/console/fairs/{fair_id:int}/applications/{application_id:int}", status_code=200)
    async def decide_one(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        application_id: FromPath[int],
    ) -> Response[Any]:
        values = await form_values(request)
        await fair_for(request, fair_id)
        if not await Application.exists().where(
            (Application.id == application_id) & (Application.fair == fair_id)
        ):
            raise AppError(
                404, "Không có đơn này ở phiên chợ này.", "No such application at this fair."
            )
        try:
            data = convert_form(values, DecisionIn)
            await applications.decide(current_principal(request), application_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            if isinstance(exc, AppError) and exc.status_code not in (409, 422):
                raise
            message = next(iter(form_errors(exc).values()))
            return await self._page(
                request,
                fair_id,
                status=422 if not isinstance(exc, AppError) else exc.status_code,
                row_errors={application_id: message},
                row_values={application_id: str(values.get("reason", ""))},
                errors={GENERAL: gettext("Chưa lưu được quyết định: xem lỗi ở đơn bên dưới.")},
            )
        return await self._page(request, fair_id, results=[{"ok": True, "one": True}])
