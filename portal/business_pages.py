"""The business portal's own pages: the overview with its next steps, the profile, documents,
consent, erasure and the private calendar link.

A thin layer over the same services as the JSON API (vendors.businesses, vendors.documents,
vendors.vetting); a form that fails is shown again with what was typed and the error beside its
field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.auth import session_cookie
from core.calendar_links import subscribe_links
from core.email_confirmation import is_confirmed
from core.errors import AppError
from core.guards import current_principal
from core.i18n import current_language
from core.pages import convert_form, form_errors, form_values
from core.privacy import NOTICE_VERSION
from events import applications
from vendors import businesses, documents, personal_data, products, vetting
from vendors.pages import (
    BUSINESS,
    DOCUMENT_LABELS,
    PROFILE_FIELDS,
    failed_status,
    form_choices,
    my_business,
    next_steps,
    only,
    render,
)
from vendors.schemas import BusinessPatch


class BusinessPages(Controller):
    include_in_schema = False
    guards = BUSINESS

    @get("/business")
    async def overview(
        self, request: Request[Any, Any, Any], welcome: FromQuery[bool] = False
    ) -> Template:
        from portal.selling_pages import my_passes

        business_id = await my_business(request)
        lang = current_language()
        business = await businesses.business_out(business_id, lang)
        own_products = await products.list_products(business_id, lang)
        own_documents = await documents.list_documents(business_id)
        own_applications = await applications.list_for_business(business_id, lang)
        token = await businesses.calendar_token(business_id)
        return render(
            request,
            "overview.html",
            business=business,
            welcome=welcome,
            reset=request.query_params.get("reset") == "1",
            status_labels=vetting.STATUS_LABELS,
            application_labels=applications.STATUS_LABELS,
            steps=next_steps(
                business, len(own_products), len(own_documents), bool(own_applications)
            ),
            applications=own_applications,
            passes=await my_passes(business_id),
            calendar=subscribe_links(f"/calendar/private/{token}.ics"),
            last_reason=next((h.reason for h in reversed(business.history) if h.reason), ""),
            email_confirmed=await is_confirmed(current_principal(request).user_id),
            consented=await personal_data.has_consented(current_principal(request).account_id),
            notice_version=NOTICE_VERSION,
        )

    @post("/business/consent", status_code=303)
    async def consent(self, request: Request[Any, Any, Any]) -> Redirect:
        values = await form_values(request)
        await personal_data.record_consent(
            current_principal(request).account_id, values.get("consent_version", "")
        )
        return Redirect("/business", status_code=303)

    @get("/business/erasure")
    async def erasure_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "erasure.html", values={}, errors={})

    @post("/business/erasure", status_code=303)
    async def erasure(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            if values.get("confirm") != "1":
                raise AppError(
                    422,
                    "Hãy đánh dấu xác nhận rằng bạn muốn xóa dữ liệu.",
                    "Tick the box to confirm that you want your data erased.",
                    extra={"field": "confirm"},
                )
            await personal_data.erase(current_principal(request), values.get("password", ""))
        except AppError as exc:
            return render(
                request,
                "erasure.html",
                status=exc.status_code,
                values={"confirm": values.get("confirm", "")},
                errors=form_errors(exc),
            )
        return Redirect("/?erased=1", status_code=303, cookies=[session_cookie("", 0)])

    @post("/business/calendar/reset", status_code=303)
    async def reset_calendar(self, request: Request[Any, Any, Any]) -> Redirect:
        await businesses.calendar_token(await my_business(request), reset=True)
        return Redirect("/business?reset=1#calendar", status_code=303)

    @post("/business/resubmit", status_code=303)
    async def resubmit(self, request: Request[Any, Any, Any]) -> Redirect:
        await vetting.apply_action(
            current_principal(request), await my_business(request), "resubmit", ""
        )
        return Redirect("/business", status_code=303)

    @get("/business/profile")
    async def profile(self, request: Request[Any, Any, Any]) -> Template:
        business = await businesses.business_out(await my_business(request), current_language())
        return await self._profile(request, business, profile_values(business), {}, 200)

    @post("/business/profile", status_code=303)
    async def save_profile(self, request: Request[Any, Any, Any]) -> Response[Any]:
        business_id = await my_business(request)
        values = await form_values(request)
        values.setdefault("category_slugs", [])
        try:
            patch = convert_form(only(values, BusinessPatch), BusinessPatch)
            # An emptied field means "none": convert_form leaves empty fields out.
            patch = msgspec.structs.replace(
                patch,
                club_ward_slug=values.get("club_ward_slug", ""),
                category_slugs=values["category_slugs"],
            )
            await businesses.update_business(
                business_id, patch, current_principal(request).account_id
            )
        except (AppError, msgspec.ValidationError) as exc:
            business = await businesses.business_out(business_id, current_language())
            return await self._profile(
                request, business, values, form_errors(exc), failed_status(exc)
            )
        return Redirect("/business/profile?saved=1", status_code=303)

    async def _profile(
        self,
        request: Request[Any, Any, Any],
        business: Any,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Template:
        return render(
            request,
            "profile.html",
            status=status,
            business=business,
            values=values,
            errors=errors,
            saved=request.query_params.get("saved") == "1",
            status_labels=vetting.STATUS_LABELS,
            **await form_choices(),
        )

    @get("/business/documents")
    async def documents_page(self, request: Request[Any, Any, Any]) -> Template:
        return await self._documents(request, {}, {}, 200)

    @post("/business/documents", status_code=303)
    async def upload(self, request: Request[Any, Any, Any]) -> Response[Any]:
        business_id = await my_business(request)
        values = await form_values(request)
        upload = values.pop("file", None)
        try:
            form = convert_form(values, DocumentForm)
            content = (
                await upload.read(documents.MAX_DOCUMENT_BYTES + 1)
                if isinstance(upload, UploadFile)
                else b""
            )
            await documents.store_document(
                business_id,
                form.kind,
                upload.filename if isinstance(upload, UploadFile) else "",
                content,
                form.expires_on,
            )
        except (AppError, msgspec.ValidationError) as exc:
            return await self._documents(request, values, form_errors(exc), failed_status(exc))
        return Redirect("/business/documents?saved=1", status_code=303)

    async def _documents(
        self,
        request: Request[Any, Any, Any],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Template:
        return render(
            request,
            "documents.html",
            status=status,
            documents=await documents.list_documents(await my_business(request)),
            values=values,
            errors=errors,
            saved=request.query_params.get("saved") == "1",
            document_labels=DOCUMENT_LABELS,
        )


class DocumentForm(msgspec.Struct):
    kind: str = ""
    expires_on: dt.date | None = None


def profile_values(business: Any) -> dict[str, Any]:
    values = {f: getattr(business, f) for f in PROFILE_FIELDS if f != "category_slugs"}
    values["club_ward_slug"] = business.club_ward_slug or ""
    values["category_slugs"] = [c.slug for c in business.categories]
    return values
