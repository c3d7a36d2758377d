"""Who may call what: one row per endpoint, one expected status per role.

Every route of the app must appear here; a new endpoint without its row fails
`test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from core.roles import Role
from core.timezone import today_local
from tests.conftest import CLIENT_ADDRESS, _truncate, client_from
from tests.factories import PASSWORD, PDF_BYTES, ROLE_EMAILS, csrf_token, login, seed_world
from tests.inspection_factories import PNG, seed_inspections

pytestmark = pytest.mark.anyio

ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], *, others: int = 403) -> dict[str, int]:
    expected = {role: others for role in ROLES}
    expected[ANON] = 401
    expected.update(allowed)
    return expected


def officers_page() -> dict[str, int]:
    """A console page: organizers and ward officers see it, strangers are sent to sign in."""
    return {**only({"organizer": 200, "ward_officer": 200}), ANON: 303}


def business_page() -> dict[str, int]:
    """A business's own page: strangers are sent to sign in, other roles are refused."""
    return {**only({"business": 200}), ANON: 303}


def inspecting(status: int) -> dict[str, int]:
    return only({"organizer": status, "inspector": status})


NEW_SITE = {
    "name": "Nhà văn hóa khu phố 3",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "setting": "residential",
    "lat": 10.78,
    "lon": 106.70,
}
SIGN_UP = {
    "email": "moi.dn@test.vn",
    "password": "mat-khau-dn-1",
    "legal_name": "Công ty TNHH Gốm Mới",
    "kind": "enterprise",
    "tax_code": "0300583659",
    "phone": "0903 123 456",
    "address": "9 Hai Bà Trưng",
    "ward_slug": "tan-dinh",
    "category_slugs": ["thu-cong"],
}
# The sign-up form posts its ticked categories as a repeated "category_slugs[]" field.
SIGN_UP_FORM = {
    **{k: v for k, v in SIGN_UP.items() if k != "category_slugs"},
    "category_slugs[]": "thu-cong",
    "consent_version": "2026-12",
}
NEW_PRODUCT = {
    "name": "Khăn lụa",
    "category_slug": "may-mac",
    "made_in": "Lâm Đồng",
    "made_in_vietnam": True,
}
# Dates relative to today: the application window opens "now" by default, so a fixed date
# would turn these rows into 422s once it had passed.
_FAIR_DAY = today_local() + dt.timedelta(days=60)
NEW_FAIR = {
    "title": "Phiên chợ cuối tuần",
    "site_slug": "site-ben-nghe",
    "start": f"{_FAIR_DAY.isoformat()}T07:00:00",
    "end": f"{_FAIR_DAY.isoformat()}T12:00:00",
}
NEW_SERIES = {
    "title": "Phiên chợ Chủ nhật tuần thứ hai",
    "site_slug": "site-ben-nghe",
    "frequency": "monthly",
    "weekday": 6,
    "week_of_month": 2,
    "start_time": "07:00",
    "end_time": "12:00",
    "first_day": (today_local() + dt.timedelta(days=30)).isoformat(),
    "last_day": (today_local() + dt.timedelta(days=210)).isoformat(),
}
NEW_ACCOUNT = {
    "email": "moi@test.vn",
    "password": "mat-khau-moi-1",
    "role": "gate_staff",
    "full_name": "Cổng Mới",
}

# method, path, kind of body, body, expected status by role
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("GET", "/health", "none", None, everyone(200)),
    ("GET", "/", "none", None, everyone(200)),
    ("GET", "/login", "none", None, everyone(200)),
    ("POST", "/login", "form", "own-credentials", {**everyone(303), ANON: 401}),
    ("POST", "/logout", "form", {}, everyone(303)),
    ("GET", "/password-reset", "none", None, everyone(200)),
    ("POST", "/password-reset", "form", "own-credentials", everyone(200)),
    ("GET", "/password-reset/new", "none", "/password-reset/new?token=x", everyone(400)),
    ("POST", "/password-reset/new", "form", {"token": "x", "password": "p" * 8}, everyone(400)),
    ("GET", "/lang/{code:str}", "none", "/lang/en", everyone(303)),
    ("GET", "/account", "page", None, {**everyone(200), ANON: 303}),
    ("GET", "/robots.txt", "none", None, everyone(200)),
    ("GET", "/sitemap.xml", "none", None, everyone(200)),
    (
        "GET",
        "/calendar/categories/{filename:str}",
        "none",
        "/calendar/categories/may-mac.ics",
        everyone(200),
    ),
    (
        "POST",
        "/account/password",
        "form",
        {"current_password": PASSWORD, "new_password": "ngan"},
        {**everyone(422), ANON: 401},
    ),
    (
        "POST",
        "/account/email",
        "form",
        {"password": PASSWORD, "new_email": "khong-hop-le"},
        {**everyone(422), ANON: 401},
    ),
    ("POST", "/account/email-confirmation", "form", {}, {**everyone(303), ANON: 401}),
    ("POST", "/account/sessions/end-others", "form", {}, {**everyone(303), ANON: 401}),
    ("GET", "/account/confirm-email", "none", "/account/confirm-email?token=x", everyone(400)),
    # Two-factor sign-in: nothing set up yet, so a code has nothing to confirm (409); an
    # organizer may never turn it off (403).
    ("GET", "/account/two-factor", "page", None, {**everyone(200), ANON: 303}),
    ("POST", "/account/two-factor/setup", "form", {}, {**everyone(303), ANON: 401}),
    (
        "POST",
        "/account/two-factor/enable",
        "form",
        {"code": "000000"},
        {**everyone(409), ANON: 401},
    ),
    (
        "POST",
        "/account/two-factor/recovery-codes",
        "form",
        {"regenerate_code": "000000"},
        {**everyone(409), ANON: 401},
    ),
    (
        "POST",
        "/account/two-factor/disable",
        "form",
        {"disable_code": "000000"},
        {**everyone(409), ANON: 401, "organizer": 403},
    ),
    ("GET", "/api/me/two-factor", "none", None, {**everyone(200), ANON: 401}),
    ("POST", "/api/me/two-factor/setup", "json", {}, {**everyone(200), ANON: 401}),
    (
        "POST",
        "/api/me/two-factor/enable",
        "json",
        {"code": "000000"},
        {**everyone(409), ANON: 401},
    ),
    (
        "POST",
        "/api/me/two-factor/recovery-codes",
        "json",
        {"code": "000000"},
        {**everyone(409), ANON: 401},
    ),
    (
        "POST",
        "/api/me/two-factor/disable",
        "json",
        {"code": "000000"},
        {**everyone(409), ANON: 401, "organizer": 403},
    ),
    ("GET", "/api/me/sign-ins", "none", None, {**everyone(200), ANON: 401}),
    ("POST", "/api/me/sessions/end-others", "json", {}, {**everyone(200), ANON: 401}),
    (
        "POST",
        "/api/me/password",
        "json",
        {"current_password": PASSWORD, "new_password": "ngan"},
        {**everyone(422), ANON: 401},
    ),
    (
        "POST",
        "/api/me/email",
        "json",
        {"password": PASSWORD, "new_email": "khong-hop-le"},
        {**everyone(422), ANON: 401},
    ),
    ("POST", "/api/me/email-confirmation", "json", {}, {**everyone(409), ANON: 401}),
    ("POST", "/api/auth/email/confirm", "json", {"token": "x"}, everyone(400)),
    (
        "GET",
        "/gate",
        "none",
        None,
        {**everyone(303), "organizer": 200, "ward_officer": 200, "gate_staff": 200},
    ),
    ("GET", "/gate-sw.js", "none", None, everyone(200)),
    ("POST", "/api/auth/login", "json", "own-credentials", {**everyone(200), ANON: 401}),
    ("POST", "/api/auth/logout", "json", {}, everyone(200)),
    ("GET", "/api/auth/me", "none", None, {**everyone(200), ANON: 401}),
    ("POST", "/api/auth/password-reset", "json", "own-credentials", everyone(202)),
    (
        "POST",
        "/api/auth/password-reset/confirm",
        "json",
        {"token": "x", "password": "p" * 8},
        everyone(400),
    ),
    ("GET", "/api/wards", "none", None, everyone(200)),
    (
        "GET",
        "/api/addresses/convert",
        "none",
        "/api/addresses/convert?address=Phuong+Da+Kao,+Quan+1,+TP+HCM",
        everyone(200),
    ),
    ("POST", "/api/wards", "json", {"name": "Phường Mới"}, only({"organizer": 201})),
    ("PATCH", "/api/wards/{slug:str}", "json", {"aliases": "Sài Gòn"}, only({"organizer": 200})),
    ("GET", "/api/sites", "none", None, everyone(200)),
    ("GET", "/api/sites/{slug:str}", "none", None, everyone(200)),
    ("POST", "/api/sites", "json", NEW_SITE, only({"organizer": 201, "ward_officer": 201})),
    (
        "PATCH",
        "/api/sites/{slug:str}",
        "json",
        {"capacity": 12},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/accounts", "none", None, only({"organizer": 200})),
    ("GET", "/api/categories", "none", None, everyone(200)),
    ("GET", "/api/fairs", "none", None, everyone(200)),
    ("GET", "/api/fairs/{fair_id:int}", "none", None, everyone(200)),
    ("POST", "/api/fairs", "json", NEW_FAIR, only({"organizer": 201, "ward_officer": 201})),
    (
        "PATCH",
        "/api/fairs/{fair_id:int}",
        "json",
        {"audience": "Công nhân"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/publish",
        "json",
        {},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/complete",
        "json",
        {},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/cancel",
        "json",
        {"reason": "Mưa bão."},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/sites/{slug:str}/stalls", "none", None, everyone(200)),
    (
        "PUT",
        "/api/sites/{slug:str}/stalls",
        "json",
        {"csv": "code,x,y\nA01,0,0\nA02,3,0\n"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/fairs/{fair_id:int}/stalls", "none", None, everyone(200)),
    ("GET", "/api/fairs/{fair_id:int}/map", "none", None, everyone(200)),
    (
        "GET",
        "/api/fairs/{fair_id:int}/board",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/fairs/{fair_id:int}/allocation",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/allocation/run",
        "json",
        {},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/allocation/publish",
        "json",
        {},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/fairs/{fair_id:int}/map.pdf",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "PUT",
        "/api/fairs/{fair_id:int}/closed-stalls",
        "json",
        {"codes": ["A05"]},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/assignments",
        "json",
        "assign",
        only({"organizer": 201, "ward_officer": 201}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/assignments/{application_id:int}/unassign",
        "json",
        {},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/assignments/{application_id:int}/pin",
        "json",
        {"pinned": True},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    # The seeded fair has one application with stalls: a swap is refused for what it asks.
    (
        "POST",
        "/api/fairs/{fair_id:int}/assignments/swap",
        "json",
        "swap",
        only({"organizer": 422, "ward_officer": 422}),
    ),
    ("GET", "/api/me/passes", "none", None, only({"business": 200})),
    (
        "GET",
        "/api/passes/{pass_id:int}/pdf",
        "none",
        None,
        only({"business": 200, "organizer": 200, "ward_officer": 200}, others=404),
    ),
    (
        "POST",
        "/api/passes/{pass_id:int}/revoke",
        "json",
        {"reason": "Mất thẻ"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/fairs/{fair_id:int}/passes",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/fairs/{fair_id:int}/passes/pdf",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/passes/staff",
        "json",
        {"holder": "Nguyễn Văn Bảo"},
        only({"organizer": 201, "ward_officer": 201}),
    ),
    (
        "POST",
        "/api/checkin",
        "json",
        "checkin",
        only({"organizer": 200, "ward_officer": 200, "gate_staff": 200}),
    ),
    ("GET", "/api/checkin/keys", "none", None, everyone(200)),
    (
        "GET",
        "/api/checkin/revocations",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200, "gate_staff": 200}),
    ),
    (
        "GET",
        "/api/checkin/fairs/{fair_id:int}",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200, "gate_staff": 200}),
    ),
    (
        "GET",
        "/api/checkin/fairs",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200, "gate_staff": 200}),
    ),
    (
        "GET",
        "/api/fairs/{fair_id:int}/gate-staff",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/gate-staff",
        "json",
        "gate-staff",
        only({"organizer": 201, "ward_officer": 201}),
    ),
    (
        "DELETE",
        "/api/fairs/{fair_id:int}/gate-staff/{account_id:int}",
        "none",
        None,
        # The seeded gate account is assigned through the fair's site, not to the fair itself.
        only({"organizer": 404, "ward_officer": 404}),
    ),
    (
        "GET",
        "/api/sites/{slug:str}/gate-staff",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/sites/{slug:str}/gate-staff",
        "json",
        "gate-staff",
        only({"organizer": 201, "ward_officer": 201}),
    ),
    (
        "DELETE",
        "/api/sites/{slug:str}/gate-staff/{account_id:int}",
        "none",
        None,
        only({"organizer": 204, "ward_officer": 204}),
    ),
    ("GET", "/calendar.ics", "none", None, everyone(200)),
    ("GET", "/calendar/sites/{filename:str}", "none", None, everyone(200)),
    ("GET", "/calendar/wards/{filename:str}", "none", None, everyone(200)),
    ("GET", "/calendar/organizers/{filename:str}", "none", None, everyone(200)),
    ("GET", "/api/organizers", "none", None, everyone(200)),
    (
        "GET",
        "/api/organizers/{slug:str}/refusals",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/organizers/{slug:str}/refusals",
        "json",
        "refusal",
        only({"organizer": 201, "ward_officer": 201}),
    ),
    (
        "POST",
        "/api/organizers/{slug:str}/refusals/{business_id:int}/lift",
        "json",
        {"reason": "Đã khắc phục."},
        # Nothing refused in the seeded world: the caller is let in, and told so.
        only({"organizer": 404, "ward_officer": 404}),
    ),
    ("GET", "/fairs/{name:str}", "none", None, everyone(200)),
    # The private feed's URL is its key: whoever holds it may read it, as calendar apps do.
    ("GET", "/calendar/private/{filename:str}", "none", None, everyone(200)),
    ("GET", "/api/businesses/me/calendar", "none", None, only({"business": 200})),
    ("POST", "/api/businesses/me/calendar/reset", "json", {}, only({"business": 200})),
    ("POST", "/api/series", "json", NEW_SERIES, only({"organizer": 201, "ward_officer": 201})),
    ("POST", "/api/businesses", "json", SIGN_UP, everyone(201)),
    ("GET", "/api/businesses", "none", None, only({"organizer": 200, "ward_officer": 200})),
    (
        "GET",
        "/api/businesses/{business_id:int}",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/businesses/{business_id:int}/products",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "GET",
        "/api/businesses/{business_id:int}/documents",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/businesses/{business_id:int}/{action:str}",
        "json",
        {"reason": "Trưng bày hàng không rõ nguồn gốc."},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/businesses/me", "none", None, only({"business": 200})),
    ("GET", "/api/me/data-export", "none", None, only({"business": 200})),
    # A wrong password: the route is reached, and the demo business is not erased.
    ("POST", "/api/me/erasure", "json", {"password": "khong-dung-1"}, only({"business": 403})),
    ("POST", "/api/me/consent", "json", {"consent_version": "2026-12"}, only({"business": 200})),
    (
        "PATCH",
        "/api/businesses/me",
        "json",
        {"trade_name": "Dệt Bến Nghé"},
        only({"business": 200}),
    ),
    # The demo business is verified already: resubmitting is refused for its state, not access.
    ("POST", "/api/businesses/me/resubmit", "json", {}, only({"business": 409})),
    ("GET", "/api/businesses/me/products", "none", None, only({"business": 200})),
    ("POST", "/api/businesses/me/products", "json", NEW_PRODUCT, only({"business": 201})),
    (
        "PATCH",
        "/api/businesses/me/products/{product_id:int}",
        "json",
        {"brand": "BN"},
        only({"business": 200}),
    ),
    (
        "DELETE",
        "/api/businesses/me/products/{product_id:int}",
        "none",
        None,
        only({"business": 204}),
    ),
    ("GET", "/api/businesses/me/documents", "none", None, only({"business": 200})),
    ("POST", "/api/businesses/me/documents", "multipart", None, only({"business": 201})),
    (
        "GET",
        "/api/documents/{document_id:int}",
        "none",
        None,
        only({"business": 200, "organizer": 200, "ward_officer": 200}, others=404),
    ),
    ("POST", "/api/fairs/{fair_id:int}/applications", "json", "apply", only({"business": 201})),
    (
        "GET",
        "/api/fairs/{fair_id:int}/applications",
        "none",
        None,
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/api/fairs/{fair_id:int}/applications/decisions",
        "json",
        {"application_ids": [0], "status": "approved"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/api/me/applications", "none", None, only({"business": 200})),
    (
        "GET",
        "/api/applications/{application_id:int}",
        "none",
        None,
        only({"business": 200, "organizer": 200, "ward_officer": 200}, others=404),
    ),
    (
        "POST",
        "/api/applications/{application_id:int}/withdraw",
        "json",
        {},
        only({"business": 200}),
    ),
    (
        "POST",
        "/api/applications/{application_id:int}/decision",
        "json",
        {"status": "waitlisted"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("POST", "/api/accounts", "json", NEW_ACCOUNT, only({"organizer": 201})),
    (
        "PATCH",
        "/api/accounts/{account_id:int}",
        "json",
        {"active": True},
        only({"organizer": 200}),
    ),
    # The gate account has its password already: a new invitation is refused for that state.
    ("POST", "/api/accounts/{account_id:int}/invitation", "json", {}, only({"organizer": 409})),
    ("GET", "/api/accounts/{account_id:int}/history", "none", None, only({"organizer": 200})),
    # A ward officer's report is of their own ward unless they ask for another.
    ("GET", "/api/reports", "none", None, only({"organizer": 200, "ward_officer": 200})),
    # Inspections: inspectors (their teams) and organizers; organizers alone manage.
    ("GET", "/api/inspection-teams", "none", None, inspecting(200)),
    ("POST", "/api/inspection-teams", "json", {"name": "Đoàn mới"}, only({"organizer": 201})),
    ("GET", "/api/inspection-teams/{team_id:int}", "none", None, inspecting(200)),
    (
        "PATCH",
        "/api/inspection-teams/{team_id:int}",
        "json",
        {"name": "Đoàn 1A"},
        only({"organizer": 200}),
    ),
    (
        "POST",
        "/api/inspection-teams/{team_id:int}/members",
        "json",
        {"email": "btc@test.vn"},
        only({"organizer": 201}),
    ),
    (
        "DELETE",
        "/api/inspection-teams/{team_id:int}/members/{user_id:int}",
        "none",
        None,
        only({"organizer": 200}),
    ),
    ("GET", "/api/inspections/checklist", "none", None, inspecting(200)),
    ("GET", "/api/inspections", "none", None, inspecting(200)),
    ("POST", "/api/inspections", "json", "surprise-inspection", inspecting(201)),
    ("GET", "/api/inspections/{inspection_id:int}", "none", None, inspecting(200)),
    (
        "PATCH",
        "/api/inspections/{inspection_id:int}",
        "json",
        {"notes": "Đủ hàng."},
        inspecting(200),
    ),
    ("POST", "/api/inspections/{inspection_id:int}/start", "json", {}, inspecting(200)),
    (
        "PUT",
        "/api/inspections/{inspection_id:int}/checklist/{item:str}",
        "json",
        {"result": "pass"},
        inspecting(200),
    ),
    ("POST", "/api/inspections/{inspection_id:int}/photos", "multipart", None, inspecting(201)),
    (
        "POST",
        "/api/inspections/{inspection_id:int}/findings",
        "json",
        {"kind": "other", "severity": "minor"},
        inspecting(201),
    ),
    # Every item still unanswered: the guard let the call through to the rule.
    ("POST", "/api/inspections/{inspection_id:int}/complete", "json", {}, inspecting(422)),
    (
        "POST",
        "/api/inspections/{inspection_id:int}/cancel",
        "json",
        {"reason": "Mưa bão."},
        only({"organizer": 200}),
    ),
    ("GET", "/api/inspections/photos/{photo_id:int}", "none", None, inspecting(200)),
    ("GET", "/api/inspections/findings", "none", None, inspecting(200)),
    (
        "POST",
        "/api/inspections/findings/{finding_id:int}/follow-up",
        "json",
        {"follow_up": "referral", "referred_to": "Đội Quản lý thị trường số 1"},
        inspecting(200),
    ),
    (
        "POST",
        "/api/inspections/findings/{finding_id:int}/lift",
        "json",
        {"reason": "Đã khắc phục."},
        only({"organizer": 200}),
    ),
    # The console's pages (organizers and ward officers).
    ("GET", "/console", "page", None, officers_page()),
    ("GET", "/console/businesses", "page", None, officers_page()),
    ("GET", "/console/businesses/{business_id:int}", "page", None, officers_page()),
    (
        "POST",
        "/console/businesses/{business_id:int}/{action:str}",
        "form",
        {"reason": "Trưng bày hàng không rõ nguồn gốc."},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    ("GET", "/console/fairs", "page", None, officers_page()),
    ("GET", "/console/fairs/new", "page", None, officers_page()),
    ("POST", "/console/fairs/new", "form", NEW_FAIR, only({"organizer": 303, "ward_officer": 303})),
    ("GET", "/console/fairs/series/new", "page", None, officers_page()),
    (
        "POST",
        "/console/fairs/series/new",
        "form",
        NEW_SERIES,
        only({"organizer": 303, "ward_officer": 303}),
    ),
    ("GET", "/console/fairs/{fair_id:int}", "page", None, officers_page()),
    (
        "POST",
        "/console/fairs/{fair_id:int}",
        "form",
        {"audience": "Công nhân"},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/publish",
        "form",
        {},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/cancel",
        "form",
        {"reason": "Mưa bão."},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/gate-staff",
        "form",
        {"account_id": "{gate_account_id}", "scope": "fair"},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/gate-staff/{account_id:int}/remove",
        "form",
        {"scope": "site"},
        only({"organizer": 303, "ward_officer": 303}),
    ),
    ("GET", "/console/fairs/{fair_id:int}/applications", "page", None, officers_page()),
    # No application ticked: the guard let the call through to the form's own check.
    (
        "POST",
        "/console/fairs/{fair_id:int}/applications",
        "form",
        {"status": "waitlisted"},
        only({"organizer": 422, "ward_officer": 422}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/applications/{application_id:int}",
        "form",
        {"status": "waitlisted"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/console/fairs/{fair_id:int}/board", "page", None, officers_page()),
    (
        "POST",
        "/console/fairs/{fair_id:int}/board/run",
        "form",
        {"confirm": "1"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/board/place",
        "form",
        {"application_id": "{application_id}", "stall_code": "A01"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/board/pin",
        "form",
        {"application_id": "{application_id}", "pinned": "1"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/board/unassign",
        "form",
        {"application_id": "{application_id}"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    (
        "POST",
        "/console/fairs/{fair_id:int}/board/publish",
        "form",
        {"confirm": "1"},
        only({"organizer": 200, "ward_officer": 200}),
    ),
    ("GET", "/console/fairs/{fair_id:int}/passes", "page", None, officers_page()),
    ("GET", "/console/fairs/{fair_id:int}/checkin", "page", None, officers_page()),
    ("GET", "/console/fairs/{fair_id:int}/checkin/counts", "page", None, officers_page()),
    ("GET", "/console/reports", "page", None, officers_page()),
    ("GET", "/console/accounts", "page", None, {**only({"organizer": 200}), ANON: 303}),
    (
        "POST",
        "/console/accounts",
        "form",
        {"email": "moi.canbo@test.vn", "full_name": "Cán Bộ Mới", "role": "gate_staff"},
        only({"organizer": 303}),
    ),
    (
        "GET",
        "/console/accounts/{account_id:int}",
        "page",
        None,
        {**only({"organizer": 200}), ANON: 303},
    ),
    (
        "POST",
        "/console/accounts/{account_id:int}/access",
        "form",
        {"role": "inspector"},
        only({"organizer": 303}),
    ),
    (
        "POST",
        "/console/accounts/{account_id:int}/active",
        "form",
        {"active": "0"},
        only({"organizer": 303}),
    ),
    # The gate account has its password already: a new invitation is refused for that state.
    (
        "POST",
        "/console/accounts/{account_id:int}/invitation",
        "form",
        {},
        only({"organizer": 409}),
    ),
    # Residents' pages (public) and the businesses' pages.
    ("GET", "/sites/{slug:str}", "none", None, everyone(200)),
    ("GET", "/wards/{slug:str}", "none", None, everyone(200)),
    ("GET", "/register", "none", None, everyone(200)),
    ("POST", "/register", "form", SIGN_UP_FORM, everyone(303)),
    ("GET", "/privacy", "none", None, everyone(200)),
    ("POST", "/business/consent", "form", {"consent_version": "2026-12"}, only({"business": 303})),
    ("GET", "/business/erasure", "page", None, business_page()),
    (
        "POST",
        "/business/erasure",
        "form",
        # Not ticked: refused for what was typed (422), so the route is reached, yet nothing goes.
        {"password": "khong-dung-1"},
        only({"business": 422}),
    ),
    ("GET", "/business", "page", None, business_page()),
    ("POST", "/business/calendar/reset", "form", {}, only({"business": 303})),
    # The demo business is verified already: resubmitting is refused for its state, not access.
    ("POST", "/business/resubmit", "form", {}, only({"business": 409})),
    ("GET", "/business/profile", "page", None, business_page()),
    (
        "POST",
        "/business/profile",
        "form",
        {"trade_name": "Dệt BN", "category_slugs[]": "may-mac"},
        only({"business": 303}),
    ),
    ("GET", "/business/documents", "page", None, business_page()),
    ("POST", "/business/documents", "upload", None, only({"business": 303})),
    ("GET", "/business/products", "page", None, business_page()),
    ("GET", "/business/products/new", "page", None, business_page()),
    ("POST", "/business/products/new", "form", NEW_PRODUCT, only({"business": 303})),
    ("GET", "/business/products/{product_id:int}", "page", None, business_page()),
    (
        "POST",
        "/business/products/{product_id:int}",
        "form",
        {"brand": "BN", "made_in_vietnam": "true"},
        only({"business": 303}),
    ),
    ("POST", "/business/products/{product_id:int}/delete", "form", {}, only({"business": 303})),
    ("GET", "/business/fairs", "page", None, business_page()),
    ("GET", "/business/fairs/{fair_id:int}/apply", "page", None, business_page()),
    (
        "POST",
        "/business/fairs/{fair_id:int}/apply",
        "form",
        {"product_ids[]": "{product_id}"},
        only({"business": 303}),
    ),
    ("GET", "/business/applications/{application_id:int}", "page", None, business_page()),
    (
        "POST",
        "/business/applications/{application_id:int}/withdraw",
        "form",
        {},
        only({"business": 303}),
    ),
    ("GET", "/business/passes", "page", None, business_page()),
    # The inspector's phone pages.
    ("GET", "/inspections", "none", None, inspecting(200)),
    ("GET", "/inspections/{inspection_id:int}", "none", None, inspecting(200)),
    ("POST", "/inspections/{inspection_id:int}/start", "form", {}, inspecting(303)),
    (
        "POST",
        "/inspections/{inspection_id:int}/checklist/{item:str}",
        "form",
        {"result": "pass"},
        inspecting(303),
    ),
    (
        "POST",
        "/inspections/{inspection_id:int}/findings",
        "form",
        {"kind": "other", "severity": "minor"},
        inspecting(303),
    ),
    ("POST", "/inspections/{inspection_id:int}/notes", "form", {"notes": "Ổn."}, inspecting(303)),
    ("POST", "/inspections/{inspection_id:int}/photos", "multipart", None, inspecting(303)),
    ("POST", "/inspections/{inspection_id:int}/complete", "form", {}, inspecting(422)),
    # Piccolo Admin: its own login answers strangers; signed-in non-organizers are refused.
    ("GET", "/admin", "none", "/admin/api/tables/", only({"organizer": 200}, others=403)),
]

CONCRETE_PATHS = {
    "/api/wards/{slug:str}": "/api/wards/ben-nghe",
    "/api/accounts/{account_id:int}": "/api/accounts/{gate_account_id}",
    "/api/accounts/{account_id:int}/invitation": "/api/accounts/{gate_account_id}/invitation",
    "/api/accounts/{account_id:int}/history": "/api/accounts/{gate_account_id}/history",
    "/console/accounts/{account_id:int}": "/console/accounts/{gate_account_id}",
    "/console/accounts/{account_id:int}/access": "/console/accounts/{gate_account_id}/access",
    "/console/accounts/{account_id:int}/active": "/console/accounts/{gate_account_id}/active",
    "/console/accounts/{account_id:int}/invitation": (
        "/console/accounts/{gate_account_id}/invitation"
    ),
    "/api/sites/{slug:str}/stalls": "/api/sites/site-ben-nghe/stalls",
    "/api/sites/{slug:str}/gate-staff": "/api/sites/site-ben-nghe/gate-staff",
    "/api/sites/{slug:str}/gate-staff/{account_id:int}": (
        "/api/sites/site-ben-nghe/gate-staff/{gate_account_id}"
    ),
    "/api/fairs/{fair_id:int}/gate-staff/{account_id:int}": (
        "/api/fairs/{fair_id}/gate-staff/{gate_account_id}"
    ),
    "/console/fairs/{fair_id:int}/gate-staff/{account_id:int}/remove": (
        "/console/fairs/{fair_id}/gate-staff/{gate_account_id}/remove"
    ),
    "/api/sites/{slug:str}": "/api/sites/site-ben-nghe",
    "/api/businesses/{business_id:int}/{action:str}": "/api/businesses/{business_id}/warn",
    "/api/fairs/{fair_id:int}/applications": "/api/fairs/{other_fair_id}/applications",
    "/api/fairs/{fair_id:int}/publish": "/api/fairs/{draft_fair_id}/publish",
    "/calendar/sites/{filename:str}": "/calendar/sites/site-ben-nghe.ics",
    "/calendar/wards/{filename:str}": "/calendar/wards/ben-nghe.ics",
    "/calendar/organizers/{filename:str}": "/calendar/organizers/ben-nghe.ics",
    "/api/organizers/{slug:str}/refusals": "/api/organizers/ben-nghe/refusals",
    "/api/organizers/{slug:str}/refusals/{business_id:int}/lift": (
        "/api/organizers/ben-nghe/refusals/{business_id}/lift"
    ),
    "/fairs/{name:str}": "/fairs/{fair_id}.ics",
    "/business/fairs/{fair_id:int}/apply": "/business/fairs/{other_fair_id}/apply",
    "/sites/{slug:str}": "/sites/site-ben-nghe",
    "/wards/{slug:str}": "/wards/ben-nghe",
    "/calendar/private/{filename:str}": "/calendar/private/{calendar_token}.ics",
    "/api/fairs/{fair_id:int}/complete": "/api/fairs/{past_fair_id}/complete",
    "/api/reports": "/api/reports?period=2026-H1&format=csv",
    "/console/businesses/{business_id:int}/{action:str}": "/console/businesses/{business_id}/warn",
    "/console/fairs/{fair_id:int}/publish": "/console/fairs/{draft_fair_id}/publish",
    "/api/inspection-teams/{team_id:int}/members/{user_id:int}": (
        "/api/inspection-teams/{team_id}/members/{inspector_user_id}"
    ),
    "/api/inspections/{inspection_id:int}/start": "/api/inspections/{planned_inspection_id}/start",
    "/api/inspections/{inspection_id:int}/cancel": (
        "/api/inspections/{planned_inspection_id}/cancel"
    ),
    "/api/inspections/{inspection_id:int}/checklist/{item:str}": (
        "/api/inspections/{inspection_id}/checklist/food_safety"
    ),
    "/inspections/{inspection_id:int}/start": "/inspections/{planned_inspection_id}/start",
    "/inspections/{inspection_id:int}/checklist/{item:str}": (
        "/inspections/{inspection_id}/checklist/food_safety"
    ),
    "/api/inspections/findings/{finding_id:int}/lift": (
        "/api/inspections/findings/{suspension_finding_id}/lift"
    ),
}
# Served by Litestar itself (documentation and static files), not endpoints of ours.
FRAMEWORK_ROUTES = ("/schema", "/static")


def _rows():
    for method, path, kind, body, expected in MATRIX:
        yield pytest.param(method, path, kind, body, expected, id=f"{method} {path}")


def test_every_route_is_in_the_matrix():
    from app import app

    routes = set()
    for route in app.routes:
        if route.path.startswith(FRAMEWORK_ROUTES):
            continue
        for method in getattr(route, "methods", None) or {"ASGI"}:
            if method in {"HEAD", "OPTIONS"}:
                continue
            routes.add(("GET" if method == "ASGI" else method, route.path))
    assert routes == {(m, p) for m, p, *_ in MATRIX}


async def _world(path: str) -> dict[str, Any]:
    ids = await seed_world()
    if "/inspection" in path:
        ids = {**ids, **await seed_inspections(ids)}
    return ids


@pytest.mark.parametrize(("method", "path", "kind", "body", "expected"), list(_rows()))
async def test_who_may_call_endpoint(db, app, method, path, kind, body, expected):
    """Every role calls the endpoint, each with its own session. Roles whose call must change
    nothing (any GET; a refused write) share one seeded world; each role allowed to write gets a
    fresh one, so that what one did cannot change what the next one gets."""
    safe = method in {"GET", "HEAD"}
    shared = [role for role in ROLES if safe or expected[role] >= 400]
    groups = [shared, *([role] for role in ROLES if role not in shared)]
    answers: dict[str, Any] = {}
    for number, group in enumerate(g for g in groups if g):
        if number:
            await _truncate(db)
        ids = await _world(path)
        for role in group:
            async with client_from(app, CLIENT_ADDRESS[0]) as client:
                response = await _call(client, ids, role, method, path, kind, body)
            answers[role] = response.status_code
            if response.status_code != expected[role]:  # the reason, for the failure's message
                answers[role] = f"{response.status_code}: {response.text[:200]}"
    assert answers == expected


async def _call(
    client: Any, ids: dict[str, Any], role: str, method: str, path: str, kind: str, body: Any
) -> Any:
    if role != ANON:
        await login(client, Role(role))
    if isinstance(body, str) and body.startswith("/"):
        url, body = body, None
    else:
        template = CONCRETE_PATHS.get(path, re.sub(r"\{(\w+):\w+\}", r"{\1}", path))
        url = template.format(**ids)
    if body == "apply":
        body = {"product_ids": [ids["product_id"]]}
    if body == "swap":
        body = {"application_ids": [ids["application_id"], ids["application_id"]]}
    if body == "surprise-inspection":
        body = {
            "team_id": ids["team_id"],
            "kind": "surprise",
            "place_kind": "shop",
            "place_name": "Cửa hàng tạp hóa Hai Lúa",
        }
    if body == "checkin":
        body = {"code": ids["pass_code"], "gate": "Cổng 1", "device_id": "matrix"}
    if body == "gate-staff":
        body = {"account_id": ids["gate_account_id"]}
    if body == "refusal":
        body = {"business_id": ids["business_id"], "reason": "Bán hàng không rõ nguồn gốc."}
    if body == "assign":
        body = {"application_id": ids["application_id"], "stall_codes": ["A01"]}
    if path.endswith("/decisions"):
        body = {**body, "application_ids": [ids["application_id"]]}
    if body == "own-credentials":
        email = ROLE_EMAILS[Role(role)] if role != ANON else "nobody@test.vn"
        body = {"email": email, "password": PASSWORD}
    if kind == "multipart" and path.endswith("/photos"):
        page_form = {} if path.startswith("/api/") else {"_csrf_token": await csrf_token(client)}
        response = await client.post(
            url,
            files={"file": ("anh.png", PNG, "image/png")},
            data=page_form,
            headers={"x-site-csrf": "1"} if path.startswith("/api/") else {},
        )
    elif kind == "upload":  # a page's upload form: multipart with the form's CSRF token
        response = await client.post(
            url,
            files={"file": ("gcn.pdf", PDF_BYTES, "application/pdf")},
            data={"kind": "registration_certificate", "_csrf_token": await csrf_token(client)},
        )
    elif kind == "multipart":
        response = await client.post(
            url,
            files={"file": ("gcn.pdf", PDF_BYTES, "application/pdf")},
            data={"kind": "registration_certificate"},
            headers={"x-site-csrf": "1"},
        )
    elif kind == "form":
        token = await csrf_token(client)
        # Form fields may name seeded ids: {"application_id": "{application_id}"}.
        body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
        response = await client.request(method, url, data={**body, "_csrf_token": token})
    elif kind == "page":
        # A browser asking for a page: strangers are sent to sign in, others get the error page.
        response = await client.request(method, url, headers={"accept": "text/html"})
    elif kind == "json":
        response = await client.request(method, url, json=body)
    else:
        response = await client.request(method, url)
    return response
