"""Web pages for businesses: sign-up and the privacy notice, and what the business portal's
pages share (portal/: the overview, profile, documents, products, fairs and passes).

A thin layer over the same services as the JSON API (vendors.businesses, vendors.documents,
vendors.vetting); a form that fails is shown again with what was typed and the error beside its
field."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template

from core.accounts import MIN_PASSWORD_LENGTH
from core.auth import provide_throttle, sign_in
from core.errors import AppError
from core.guards import current_principal, requires
from core.i18n import current_language, gettext
from core.pages import convert_form, form_errors, form_values
from core.privacy import NOTICE_VERSION
from core.roles import Right
from core.templating import page_context
from core.throttle import LoginThrottle
from core.wards import list_wards, ward_choices
from vendors import businesses
from vendors.schemas import BusinessSignUp
from vendors.tables import BusinessStatus

BUSINESS = [requires(Right.ACT_AS_BUSINESS)]
KIND_LABELS = {
    "enterprise": ("Doanh nghiệp (công ty)", "Enterprise (company)"),
    "branch": ("Chi nhánh", "Branch"),
    "household": ("Hộ kinh doanh", "Household business"),
    "cooperative": ("Hợp tác xã", "Cooperative"),
}
DOCUMENT_LABELS = {
    "registration_certificate": ("Giấy chứng nhận đăng ký kinh doanh", "Business registration"),
    "food_safety_certificate": ("Giấy chứng nhận an toàn thực phẩm", "Food-safety certificate"),
    "other": ("Giấy tờ khác", "Other document"),
}
PROFILE_FIELDS = (
    "legal_name",
    "trade_name",
    "representative",
    "phone",
    "address",
    "ward_slug",
    "club_ward_slug",
    "category_slugs",
)


def render(request: Request[Any, Any, Any], name: str, status: int = 200, **extra: Any) -> Template:
    return Template(f"business/{name}", context=page_context(request, **extra), status_code=status)


def failed_status(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, AppError) else 422


def only(values: dict[str, Any], struct: type[msgspec.Struct]) -> dict[str, Any]:
    """The posted fields the Struct knows: its forbid_unknown_fields is for API callers."""
    return {k: v for k, v in values.items() if k in struct.__struct_fields__}


async def my_business(request: Request[Any, Any, Any]) -> int:
    return await businesses.business_id_for(current_principal(request))


async def form_choices() -> dict[str, Any]:
    return {
        "wards": ward_choices(await list_wards()),
        "categories": await businesses.list_categories(current_language()),
        "kind_labels": KIND_LABELS,
        "min_password_length": MIN_PASSWORD_LENGTH,
        "notice_version": NOTICE_VERSION,
    }


def next_steps(business: Any, product_count: int, document_count: int, applied: bool) -> list:
    """What the business should do now, in order, each (text, link, done)."""
    if business.status != BusinessStatus.VERIFIED:
        return [
            (
                gettext("Tải lên giấy chứng nhận đăng ký kinh doanh"),
                "/business/documents",
                document_count > 0,
            ),
            (gettext("Chờ ban tổ chức xác minh hồ sơ"), "/business/profile", False),
        ]
    return [
        (
            gettext("Khai báo sản phẩm sẽ bán (sản xuất tại Việt Nam)"),
            "/business/products",
            product_count > 0,
        ),
        (
            gettext("Tải lên giấy tờ (an toàn thực phẩm nếu bán thực phẩm)"),
            "/business/documents",
            document_count > 0,
        ),
        (gettext("Đăng ký gian hàng ở một phiên chợ"), "/business/fairs", applied),
    ]


class RegisterPage(Controller):
    include_in_schema = False
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

    @get("/register")
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            request,
            "register.html",
            values={"kind": "enterprise"},
            errors={},
            **await form_choices(),
        )

    @post("/register", status_code=303)
    async def submit(
        self, request: Request[Any, Any, Any], throttle: NamedDependency[LoginThrottle]
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            if values.get("consent_version") != NOTICE_VERSION:
                raise AppError(
                    422,
                    "Hãy đọc và đánh dấu đồng ý với Thông báo xử lý dữ liệu cá nhân.",
                    "Read the personal data notice and tick that you agree.",
                    extra={"field": "consent_version"},
                )
            data = convert_form(
                {**only(values, BusinessSignUp), "language": current_language()}, BusinessSignUp
            )
            await businesses.throttle_sign_up(request)
            if await businesses.sign_up(data) is None:
                return render(request, "register_received.html", values={}, errors={})
            _, cookie = await sign_in(request, data.email, data.password, throttle)
        except (AppError, msgspec.ValidationError) as exc:
            return render(
                request,
                "register.html",
                status=failed_status(exc),
                values=values,
                errors=form_errors(exc),
                **await form_choices(),
            )
        return Redirect("/business?welcome=1", status_code=303, cookies=[cookie])


class PrivacyPage(Controller):
    include_in_schema = False

    @get("/privacy")
    async def notice(self, request: Request[Any, Any, Any]) -> Template:
        return Template(
            "public/privacy.html",
            context=page_context(request, notice_version=NOTICE_VERSION),
        )
