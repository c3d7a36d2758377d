"""The inspector's phone pages: /inspections (the list) and /inspections/{id} (the checklist,
one small form per item, findings, photos, notes, completion). Plain forms with the CSRF
token: they work on any phone, and every answer is saved the moment it is sent."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.i18n import current_language
from core.pages import convert_form, form_errors, form_values
from core.roles import Right
from core.templating import page_context
from core.timezone import local
from inspections import findings, photos, services
from inspections.checklist import (
    CHECKLIST,
    FOLLOW_UP_LABELS,
    PLACE_KIND_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    VIOLATION_KINDS,
)
from inspections.schemas import AnswerIn, FindingIn
from inspections.tables import InspectionStatus

LABELS = {
    "checklist": CHECKLIST,
    "results": RESULT_LABELS,
    "kinds": VIOLATION_KINDS,
    "severities": SEVERITY_LABELS,
    "follow_ups": FOLLOW_UP_LABELS,
    "places": PLACE_KIND_LABELS,
    "statuses": STATUS_LABELS,
}


def _back(inspection_id: int, anchor: str = "", done: str = "") -> Redirect:
    query = f"?done={done}" if done else ""
    return Redirect(f"/inspections/{inspection_id}{query}#{anchor}", status_code=303)


class InspectionPagesController(Controller):
    include_in_schema = False
    guards = [requires(Right.INSPECT)]

    @get("/inspections")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        rows = await services.list_inspections(current_principal(request))
        order = ["in_progress", "planned", "completed", "cancelled"]
        rows.sort(key=lambda r: (order.index(r.status), -(r.id)))
        context = page_context(request, inspections=rows[:60], labels=LABELS, local=local)
        return Template("inspections/list.html", context=context)

    @get("/inspections/{inspection_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        return await self._page(request, inspection_id)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        inspection_id: int,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        form: str = "",
    ) -> Template:
        inspection = await services.detail(
            current_principal(request), inspection_id, request_language(request)
        )
        context = page_context(
            request,
            inspection=inspection,
            labels=LABELS,
            local=local,
            errors=errors or {},
            values=values or {},
            failed_form=form,
            writable=inspection.status == InspectionStatus.IN_PROGRESS.value,
        )
        return Template("inspections/detail.html", context=context, status_code=status)

    async def _refused(
        self,
        request: Request[Any, Any, Any],
        inspection_id: int,
        exc: Exception,
        values: dict[str, Any],
        form: str,
        *,
        general: bool = False,
    ) -> Template:
        """A rule said no (409, 422): the page again, what was typed kept, the reason shown
        by its field, or at the top when it belongs to no field."""
        if isinstance(exc, AppError) and exc.status_code not in (409, 413, 415, 422):
            raise exc
        errors = form_errors(exc)
        if isinstance(exc, AppError) and (general or exc.status_code == 409):
            errors = {"__all__": exc.en if current_language() == "en" else exc.vi}
        status = exc.status_code if isinstance(exc, AppError) else 422
        return await self._page(
            request, inspection_id, status=status, errors=errors, values=values, form=form
        )

    @post("/inspections/{inspection_id:int}/start", status_code=303)
    async def start(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        try:
            await services.start(current_principal(request), inspection_id)
        except AppError as exc:
            return await self._refused(request, inspection_id, exc, {}, "start")
        return _back(inspection_id, "checklist")

    @post("/inspections/{inspection_id:int}/checklist/{item:str}", status_code=303)
    async def answer(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int], item: FromPath[str]
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            data = convert_form(values, AnswerIn)
            await services.answer(current_principal(request), inspection_id, item, data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._refused(request, inspection_id, exc, values, f"item-{item}")
        return _back(inspection_id, f"item-{item}")

    @post("/inspections/{inspection_id:int}/findings", status_code=303)
    async def finding(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            data = convert_form(values, FindingIn)
            await findings.add_finding(current_principal(request), inspection_id, data)
        except (AppError, msgspec.ValidationError) as exc:
            return await self._refused(request, inspection_id, exc, values, "finding")
        return _back(inspection_id, "findings", "finding")

    @post("/inspections/{inspection_id:int}/notes", status_code=303)
    async def notes(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            await services.set_notes(
                current_principal(request), inspection_id, str(values.get("notes", ""))
            )
        except AppError as exc:
            return await self._refused(request, inspection_id, exc, values, "notes")
        return _back(inspection_id, "notes", "notes")

    @post("/inspections/{inspection_id:int}/photos", status_code=303)
    async def photo(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        form = await request.form()
        upload = form.get("file")
        item = form.get("item") or None
        principal = current_principal(request)
        try:
            row = await services.accessible(principal, inspection_id)
            services.require_status(row, InspectionStatus.IN_PROGRESS)
            if not isinstance(upload, UploadFile):
                raise AppError(422, "Hãy chọn ảnh.", "Choose a photo.", extra={"field": "file"})
            content = await upload.read(photos.MAX_PHOTO_BYTES + 1)
            await photos.store_photo(
                principal.user_id, inspection_id, str(item) if item else None, content
            )
        except AppError as exc:
            return await self._refused(request, inspection_id, exc, {}, "photo")
        return _back(inspection_id, "photos", "photo")

    @post("/inspections/{inspection_id:int}/complete", status_code=303)
    async def complete(
        self, request: Request[Any, Any, Any], inspection_id: FromPath[int]
    ) -> Response[Any]:
        try:
            await services.complete(current_principal(request), inspection_id)
        except AppError as exc:
            return await self._refused(request, inspection_id, exc, {}, "complete", general=True)
        return _back(inspection_id, "", "completed")
