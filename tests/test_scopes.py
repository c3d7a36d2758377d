"""Scopes: an officer acts inside their own scope and is refused on everything of another.

Two scopes are seeded alike (`seed_scope`), each with its officer, site, fairs, businesses,
applications, stalls and passes. Every route a scoped officer may call is one row of `ROWS`,
called by the first scope's officer once on their own objects and once on the other scope's: at
home it works and changes what it should; abroad it is refused (or lists nothing of the other
scope) and the database is exactly as it was.

What makes a scope is the seeding helper's business: today a ward and its committee (the
organizing body that holds the site), with a ward officer assigned to the ward and an organizer
of the body. Rows name objects only through the scopes' ids ({w.…} for the scope acted on,
{o.…} for the officer's own), so a change of what a scope is changes `seed_scope` alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from core.roles import Role
from core.timezone import now_utc, today_local
from tests.conftest import ALL_TABLES, CLIENT_ADDRESS, client_from
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    csrf_token,
    make_business,
    make_fair,
    make_product,
    seed_categories,
    seed_stalls,
)

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Scope:
    """One scope and the ids of everything in it that an officer may act on."""

    key: str
    marker: str  # in the names of its site, fairs, businesses and passes: what a leak shows
    officer_email: str  # a ward officer assigned the scope's ward
    organizer_email: str  # an organizer of the scope's body
    ward_slug: str
    site_slug: str
    fair_id: int  # published, its board published, its passes issued
    draft_fair_id: int
    past_fair_id: int  # ended and still published: ready to be completed
    today_fair_id: int  # held today: staff passes, one arrival
    application_id: int  # approved, on stall A02, with its pass
    second_application_id: int  # approved, on stall A03
    submitted_application_id: int
    pass_id: int  # the first application's pass
    gate_code: str  # a staff pass at today's fair, not yet scanned
    business_id: int  # the first application's business, with a document
    document_id: int
    body_slug: str = ""  # the ward's committee
    refused_business_id: int = 0  # refused at the body's fairs
    gate_account_id: int = 0  # gate staff assigned to the scope's site
    spare_gate_id: int = 0  # gate staff assigned nowhere


async def seed_scope(key: str, ward_name: str, marker: str, tax_prefix: str) -> Scope:
    """A ward with its site and stall map, its officer, three businesses of the ward, and fairs
    in each state an officer acts on."""
    from core.accounts import create_account
    from core.tables import Organizer, Ward
    from events.applications import apply
    from events.schemas import ApplicationIn
    from events.tables import Application, Assignment, Fair, Site, Stall
    from tickets.codes import Kind
    from tickets.services import issue_staff_pass, revoke_pass, sync_passes
    from tickets.tables import Arrival, Pass
    from vendors.documents import store_document

    ward = Ward(slug=f"phuong-{key}", name=ward_name)
    await ward.save()
    body = Organizer(slug=f"ubnd-{key}", name=f"Ủy ban nhân dân {ward_name}", ward=ward.id)
    await body.save()
    site = Site(
        slug=f"nha-van-hoa-{key}",
        name=f"Nhà văn hóa {marker}",
        address="12 Mạc Đĩnh Chi",
        ward=ward.id,
        organizer=body.id,
        setting="residential",
        lat=10.78,
        lon=106.70,
        capacity=10,
    )
    await site.save()
    await seed_stalls(site.slug, capacity=10)
    officer_email = f"can-bo.{key}@test.vn"
    await create_account(
        email=officer_email,
        password=PASSWORD,
        role=Role.WARD_OFFICER,
        full_name=f"Cán bộ {ward_name}",
        ward_slugs=[ward.slug],
    )
    organizer_email = f"ban-to-chuc.{key}@test.vn"
    await create_account(
        email=organizer_email,
        password=PASSWORD,
        role=Role.ORGANIZER,
        full_name=f"Ban tổ chức {ward_name}",
        organizer_slug=body.slug,
    )
    businesses, products = [], []
    for number in (1, 2, 3):
        business = await make_business(
            f"dn{number}.{key}@test.vn",
            f"Công ty {marker} số {number}",
            f"{tax_prefix}{number:04d}",
            ward.slug,
        )
        businesses.append(business)
        products.append(await make_product(business, f"Hàng {marker} số {number}"))
    document = await store_document(
        businesses[0], "registration_certificate", "gcn.pdf", PDF_BYTES, None
    )
    fair = await make_fair(site.slug, days_ahead=20)
    draft = await make_fair(site.slug, days_ahead=40, status="draft")
    past = await make_fair(site.slug, days_ahead=-3, window_open=False)
    today = await make_fair(site.slug, days_ahead=0)
    await Fair.update({Fair.title: f"Phiên chợ {marker}"}).where(Fair.site == site.id)
    applications = [
        (await apply(business, fair, ApplicationIn(product_ids=[product]))).id
        for business, product in zip(businesses, products, strict=True)
    ]
    await Application.update({Application.status: "approved"}).where(
        Application.id.is_in(applications[:2])
    )
    # Refused at the body's fairs once it had applied: the refusal has something to lift.
    from events.tables import BodyRefusal

    await BodyRefusal(organizer=body.id, business=businesses[2], reason=f"Hàng {marker} giả").save()
    for application, code in zip(applications[:2], ("A02", "A03"), strict=True):
        stall = (
            await Stall.select(Stall.id)
            .where((Stall.site == site.id) & (Stall.code == code))
            .first()
        )
        await Assignment(fair=fair, stall=stall["id"], application=application).save()
    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair)
    await sync_passes(fair)
    issued = await Pass.select(Pass.id).where(Pass.application == applications[0]).first()
    # A revoked pass for the gate's revocation list, an arrival for the gate's counts.
    lost = await issue_staff_pass(None, fair, f"Tình nguyện viên {marker}", Kind.VOLUNTEER)
    await revoke_pass(None, lost, "Mất thẻ")
    arrived = await issue_staff_pass(None, today, f"Bảo vệ {marker}", Kind.STAFF)
    await Arrival(pass_=arrived, fair=today, device_id="cong-1", scanned_at=now_utc()).save()
    waiting = await issue_staff_pass(None, today, f"Hậu cần {marker}", Kind.STAFF)
    gate = await Pass.select(Pass.code).where(Pass.id == waiting).first()
    from tickets.tables import GateAssignment

    gate_staff = []
    for name in (f"cong.{key}", f"cong-du-bi.{key}"):
        staff = await create_account(
            email=f"{name}@test.vn", password=PASSWORD, role=Role.GATE_STAFF, full_name=name
        )
        gate_staff.append(staff.account_id)
    await GateAssignment(account=gate_staff[0], site=site.id).save()
    return Scope(
        gate_account_id=gate_staff[0],
        spare_gate_id=gate_staff[1],
        key=key,
        marker=marker,
        officer_email=officer_email,
        organizer_email=organizer_email,
        ward_slug=ward.slug,
        site_slug=site.slug,
        fair_id=fair,
        draft_fair_id=draft,
        past_fair_id=past,
        today_fair_id=today,
        application_id=applications[0],
        second_application_id=applications[1],
        submitted_application_id=applications[2],
        pass_id=issued["id"],
        gate_code=gate["code"],
        business_id=businesses[0],
        body_slug=body.slug,
        refused_business_id=businesses[2],
        document_id=document.id,
    )


@pytest.fixture
async def scopes(db) -> tuple[Scope, Scope]:
    """(own, other): the officer signed in is always own's."""
    await seed_categories()
    own = await seed_scope("a", "Bến Nghé", "Sen Hồng", "03105")
    other = await seed_scope("b", "Tân Định", "Mai Vàng", "03106")
    return own, other


# How a row's answer shows the scope it was about (default: the scope's marker in the body).
Shows = Callable[[httpx.Response, Scope], bool]


def marked(response: httpx.Response, scope: Scope) -> bool:
    return scope.marker in response.text


def pdf(response: httpx.Response, scope: Scope) -> bool:
    return response.content.startswith(b"%PDF")


def revoked_at(response: httpx.Response, scope: Scope) -> bool:
    return any(r["fair_id"] == scope.fair_id for r in response.json()["revoked"])


def arrivals(response: httpx.Response, scope: Scope) -> bool:
    return response.json()["arrived"] == 1


def gate_listed(response: httpx.Response, scope: Scope) -> bool:
    return f"cong.{scope.key}@test.vn" in response.text


def document_listed(response: httpx.Response, scope: Scope) -> bool:
    return any(d["id"] == scope.document_id for d in response.json())


def ward_offered(response: httpx.Response, scope: Scope) -> bool:
    return f'value="{scope.ward_slug}"' in response.text


def document_file(response: httpx.Response, scope: Scope) -> bool:
    return response.content == PDF_BYTES


REFUSED = (403, 404)
_FAIR_DAY = (today_local() + dt.timedelta(days=60)).isoformat()


@dataclass(frozen=True)
class Row:
    """One call. `path` and string `body` values are templates over w (the scope acted on) and
    o (the officer's own); `body` may also be a function of (w, o)."""

    method: str
    path: str
    kind: str = "json"  # json | form | page | none
    body: Any = None
    ok: int = 200
    # Own scope: the table the write changes. Other scope: nothing changes anywhere.
    touches: str = ""
    # Reads: how the answer shows a scope's data; None when nothing in it is a scope's.
    shows: Shows | None = marked
    # A list: the other scope's officer gets `ok` too, with none of the other scope in it.
    listing: bool = False
    refused: tuple[int, ...] = REFUSED
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def new_fair(w: Scope, o: Scope) -> dict[str, Any]:
    return {
        "title": "Phiên chợ cuối tuần",
        "site_slug": w.site_slug,
        "start": f"{_FAIR_DAY}T07:00:00",
        "end": f"{_FAIR_DAY}T12:00:00",
    }


def new_series(w: Scope, o: Scope) -> dict[str, Any]:
    return {
        "title": "Phiên chợ Chủ nhật tuần thứ hai",
        "site_slug": w.site_slug,
        "frequency": "monthly",
        "weekday": "6",
        "week_of_month": "2",
        "start_time": "07:00",
        "end_time": "12:00",
        "first_day": (today_local() + dt.timedelta(days=30)).isoformat(),
        "last_day": (today_local() + dt.timedelta(days=210)).isoformat(),
    }


def new_series_json(w: Scope, o: Scope) -> dict[str, Any]:
    return {**new_series(w, o), "weekday": 6, "week_of_month": 2}


def report_query(scope_field: str) -> str:
    first, last = today_local() - dt.timedelta(days=30), today_local() + dt.timedelta(days=60)
    return f"/api/reports?from={first}&to={last}&format=csv&{scope_field}"


FAIR = "/api/fairs/{w.fair_id}"
CONSOLE_FAIR = "/console/fairs/{w.fair_id}"

ROWS: dict[str, Row] = {
    # Sites and their stall maps.
    "site create": Row(
        "POST",
        "/api/sites",
        body=lambda w, o: {
            "name": "Nhà văn hóa khu phố 3",
            "address": "3 Mạc Đĩnh Chi",
            "ward_slug": w.ward_slug,
            "setting": "residential",
            "lat": 10.78,
            "lon": 106.70,
        },
        ok=201,
        touches="site",
    ),
    "site edit": Row("PATCH", "/api/sites/{w.site_slug}", body={"capacity": 12}, touches="site"),
    "stall map replace": Row(
        "PUT",
        "/api/sites/{w.site_slug}/stalls",
        body={"csv": "code,x,y\nA01,0,0\nA02,3,0\nA03,6,0\nZ01,9,0\n"},
        touches="stall",
    ),
    # Fairs.
    "fair create": Row("POST", "/api/fairs", body=new_fair, ok=201, touches="fair"),
    "series create": Row("POST", "/api/series", body=new_series_json, ok=201, touches="fair"),
    "fair edit": Row("PATCH", FAIR, body={"audience": "Công nhân khu chế xuất"}, touches="fair"),
    "fair moved to the scope's site": Row(
        "PATCH",
        "/api/fairs/{o.draft_fair_id}",
        body={"site_slug": "{w.site_slug}", "audience": "Công nhân khu chế xuất"},
        touches="fair",
    ),
    "fair draft read": Row("GET", "/api/fairs/{w.draft_fair_id}"),
    "fair publish": Row("POST", "/api/fairs/{w.draft_fair_id}/publish", body={}, touches="fair"),
    "fair complete": Row("POST", "/api/fairs/{w.past_fair_id}/complete", body={}, touches="fair"),
    "fair cancel": Row("POST", FAIR + "/cancel", body={"reason": "Mưa bão."}, touches="fair"),
    # The allocation board.
    "board read": Row("GET", FAIR + "/board"),
    "allocation read": Row("GET", FAIR + "/allocation"),
    "map print": Row("GET", FAIR + "/map.pdf", shows=pdf),
    "allocation run": Row("POST", FAIR + "/allocation/run", body={}, touches="allocation_run"),
    "allocation publish": Row("POST", FAIR + "/allocation/publish", body={}, touches="fair"),
    "closed stalls": Row(
        "PUT", FAIR + "/closed-stalls", body={"codes": ["A05"]}, touches="closed_stall"
    ),
    "assign": Row(
        "POST",
        FAIR + "/assignments",
        body=lambda w, o: {"application_id": w.application_id, "stall_codes": ["A01"]},
        ok=201,
        touches="assignment",
    ),
    "assign at own fair": Row(
        "POST",
        "/api/fairs/{o.fair_id}/assignments",
        body=lambda w, o: {"application_id": w.application_id, "stall_codes": ["A01"]},
        ok=201,
        touches="assignment",
    ),
    "unassign": Row(
        "POST",
        FAIR + "/assignments/{w.application_id}/unassign",
        body={},
        touches="assignment",
    ),
    "unassign at own fair": Row(
        "POST",
        "/api/fairs/{o.fair_id}/assignments/{w.application_id}/unassign",
        body={},
        touches="assignment",
    ),
    "pin": Row(
        "POST",
        FAIR + "/assignments/{w.application_id}/pin",
        body={"pinned": True},
        touches="assignment",
    ),
    "pin at own fair": Row(
        "POST",
        "/api/fairs/{o.fair_id}/assignments/{w.application_id}/pin",
        body={"pinned": True},
        touches="assignment",
    ),
    "swap": Row(
        "POST",
        FAIR + "/assignments/swap",
        body=lambda w, o: {"application_ids": [w.application_id, w.second_application_id]},
        touches="assignment",
    ),
    # Own fair, one application of the scope acted on: it holds no stall at this fair.
    "swap at own fair": Row(
        "POST",
        "/api/fairs/{o.fair_id}/assignments/swap",
        body=lambda w, o: {"application_ids": [o.application_id, w.second_application_id]},
        touches="assignment",
        refused=(404, 422),
    ),
    # Passes and the gate.
    "pass pdf": Row("GET", "/api/passes/{w.pass_id}/pdf", shows=pdf),
    "pass revoke": Row(
        "POST", "/api/passes/{w.pass_id}/revoke", body={"reason": "Mất thẻ"}, touches="pass"
    ),
    "fair passes": Row("GET", FAIR + "/passes"),
    "fair passes pdf": Row("GET", FAIR + "/passes/pdf", shows=pdf),
    "staff pass": Row(
        "POST", FAIR + "/passes/staff", body={"holder": "Nguyễn Văn Bảo"}, ok=201, touches="pass"
    ),
    "check-in": Row(
        "POST",
        "/api/checkin",
        body=lambda w, o: {"code": w.gate_code, "gate": "Cổng 1", "device_id": "cong-2"},
        touches="arrival",
    ),
    "revocations": Row("GET", "/api/checkin/revocations", shows=revoked_at, listing=True),
    "arrivals": Row("GET", "/api/checkin/fairs/{w.today_fair_id}", shows=arrivals),
    "gate fairs today": Row("GET", "/api/checkin/fairs", listing=True),
    "fair gate staff": Row("GET", FAIR + "/gate-staff", shows=gate_listed),
    "fair gate staff assign": Row(
        "POST",
        FAIR + "/gate-staff",
        body=lambda w, o: {"account_id": w.spare_gate_id},
        ok=201,
        touches="gate_assignment",
    ),
    "site gate staff": Row("GET", "/api/sites/{w.site_slug}/gate-staff", shows=gate_listed),
    "site gate staff assign": Row(
        "POST",
        "/api/sites/{w.site_slug}/gate-staff",
        body=lambda w, o: {"account_id": w.spare_gate_id},
        ok=201,
        touches="gate_assignment",
    ),
    "site gate staff remove": Row(
        "DELETE",
        "/api/sites/{w.site_slug}/gate-staff/{w.gate_account_id}",
        kind="none",
        ok=204,
        touches="gate_assignment",
    ),
    # Businesses and their vetting.
    "business search": Row("GET", "/api/businesses", listing=True),
    "business search by ward": Row("GET", "/api/businesses?ward={w.ward_slug}", listing=True),
    "business read": Row("GET", "/api/businesses/{w.business_id}"),
    "business products": Row("GET", "/api/businesses/{w.business_id}/products"),
    "business documents": Row(
        "GET", "/api/businesses/{w.business_id}/documents", shows=document_listed
    ),
    "document download": Row("GET", "/api/documents/{w.document_id}", shows=document_file),
    "business warn": Row(
        "POST",
        "/api/businesses/{w.business_id}/warn",
        body={"reason": "Trưng bày hàng không rõ nguồn gốc."},
        touches="business_status_change",
    ),
    # A body's refusals of businesses at its own fairs.
    "body refusals": Row("GET", "/api/organizers/{w.body_slug}/refusals"),
    "body refuses": Row(
        "POST",
        "/api/organizers/{w.body_slug}/refusals",
        body=lambda w, o: {"business_id": w.business_id, "reason": "Hàng không rõ nguồn gốc."},
        ok=201,
        touches="body_refusal",
    ),
    "body lifts a refusal": Row(
        "POST",
        "/api/organizers/{w.body_slug}/refusals/{w.refused_business_id}/lift",
        body={"reason": "Đã khắc phục."},
        touches="body_refusal",
    ),
    # Applications.
    "fair applications": Row("GET", FAIR + "/applications"),
    "application read": Row("GET", "/api/applications/{w.application_id}"),
    "application decision": Row(
        "POST",
        "/api/applications/{w.submitted_application_id}/decision",
        body={"status": "waitlisted"},
        touches="application",
    ),
    "bulk decisions": Row(
        "POST",
        FAIR + "/applications/decisions",
        body=lambda w, o: {"application_ids": [w.submitted_application_id], "status": "approved"},
        touches="application",
    ),
    # Own fair, an application of the scope acted on: answered one by one, each refused.
    "bulk decisions at own fair": Row(
        "POST",
        "/api/fairs/{o.fair_id}/applications/decisions",
        body=lambda w, o: {"application_ids": [w.submitted_application_id], "status": "approved"},
        touches="application",
        refused=(200,),
    ),
    # Reports.
    "report of the ward": Row("GET", report_query("ward={w.ward_slug}")),
    "report of the site": Row("GET", report_query("site={w.site_slug}")),
    # The console.
    "dashboard": Row("GET", "/console", kind="page", listing=True),
    "console businesses": Row("GET", "/console/businesses", kind="page", listing=True),
    "console businesses by ward": Row(
        "GET", "/console/businesses?ward={w.ward_slug}", kind="page", listing=True
    ),
    "console business": Row("GET", "/console/businesses/{w.business_id}", kind="page"),
    "console business warn": Row(
        "POST",
        "/console/businesses/{w.business_id}/warn",
        kind="form",
        body={"reason": "Trưng bày hàng không rõ nguồn gốc."},
        ok=303,
        touches="business_status_change",
    ),
    "console fairs": Row("GET", "/console/fairs", kind="page", listing=True),
    "console new fair form": Row("GET", "/console/fairs/new", kind="page", listing=True),
    "console new series form": Row("GET", "/console/fairs/series/new", kind="page", listing=True),
    # A form answers a refusal with itself and the reason: 422, nothing made.
    "console fair create": Row(
        "POST",
        "/console/fairs/new",
        kind="form",
        body=new_fair,
        ok=303,
        touches="fair",
        refused=(403, 404, 422),
    ),
    "console series create": Row(
        "POST",
        "/console/fairs/series/new",
        kind="form",
        body=new_series,
        ok=303,
        touches="fair",
        refused=(403, 404, 422),
    ),
    "console fair": Row("GET", CONSOLE_FAIR, kind="page"),
    "console fair edit": Row(
        "POST",
        CONSOLE_FAIR,
        kind="form",
        body={"audience": "Công nhân khu chế xuất"},
        ok=303,
        touches="fair",
    ),
    "console fair publish": Row(
        "POST",
        "/console/fairs/{w.draft_fair_id}/publish",
        kind="form",
        body={},
        ok=303,
        touches="fair",
    ),
    "console fair cancel": Row(
        "POST",
        CONSOLE_FAIR + "/cancel",
        kind="form",
        body={"reason": "Mưa bão."},
        ok=303,
        touches="fair",
    ),
    "console applications": Row("GET", CONSOLE_FAIR + "/applications", kind="page"),
    "console bulk decisions": Row(
        "POST",
        CONSOLE_FAIR + "/applications",
        kind="form",
        body={"application_ids[]": "{w.submitted_application_id}", "status": "waitlisted"},
        touches="application",
    ),
    "console bulk decisions at own fair": Row(
        "POST",
        "/console/fairs/{o.fair_id}/applications",
        kind="form",
        body={"application_ids[]": "{w.submitted_application_id}", "status": "waitlisted"},
        touches="application",
        refused=(200,),
    ),
    "console decision": Row(
        "POST",
        CONSOLE_FAIR + "/applications/{w.submitted_application_id}",
        kind="form",
        body={"status": "waitlisted"},
        touches="application",
    ),
    "console decision at own fair": Row(
        "POST",
        "/console/fairs/{o.fair_id}/applications/{w.submitted_application_id}",
        kind="form",
        body={"status": "waitlisted"},
        touches="application",
    ),
    "console board": Row("GET", CONSOLE_FAIR + "/board", kind="page"),
    "console board run": Row(
        "POST",
        CONSOLE_FAIR + "/board/run",
        kind="form",
        body={"confirm": "1"},
        touches="allocation_run",
    ),
    "console board place": Row(
        "POST",
        CONSOLE_FAIR + "/board/place",
        kind="form",
        body={"application_id": "{w.application_id}", "stall_code": "A01"},
        touches="assignment",
    ),
    "console board place at own fair": Row(
        "POST",
        "/console/fairs/{o.fair_id}/board/place",
        kind="form",
        body={"application_id": "{w.application_id}", "stall_code": "A01"},
        touches="assignment",
    ),
    "console board pin": Row(
        "POST",
        CONSOLE_FAIR + "/board/pin",
        kind="form",
        body={"application_id": "{w.application_id}", "pinned": "1"},
        touches="assignment",
    ),
    "console board pin at own fair": Row(
        "POST",
        "/console/fairs/{o.fair_id}/board/pin",
        kind="form",
        body={"application_id": "{w.application_id}", "pinned": "1"},
        touches="assignment",
    ),
    "console board unassign": Row(
        "POST",
        CONSOLE_FAIR + "/board/unassign",
        kind="form",
        body={"application_id": "{w.application_id}"},
        touches="assignment",
    ),
    "console board unassign at own fair": Row(
        "POST",
        "/console/fairs/{o.fair_id}/board/unassign",
        kind="form",
        body={"application_id": "{w.application_id}"},
        touches="assignment",
    ),
    "console board publish": Row(
        "POST", CONSOLE_FAIR + "/board/publish", kind="form", body={"confirm": "1"}, touches="fair"
    ),
    "console passes": Row("GET", CONSOLE_FAIR + "/passes", kind="page"),
    "console gate staff assign": Row(
        "POST",
        CONSOLE_FAIR + "/gate-staff",
        kind="form",
        body={"account_id": "{w.spare_gate_id}", "scope": "fair"},
        ok=303,
        touches="gate_assignment",
    ),
    "console gate staff remove": Row(
        "POST",
        CONSOLE_FAIR + "/gate-staff/{w.gate_account_id}/remove",
        kind="form",
        body={"scope": "site"},
        ok=303,
        touches="gate_assignment",
    ),
    "console arrivals": Row("GET", "/console/fairs/{w.today_fair_id}/checkin", kind="page"),
    "console arrival counts": Row(
        "GET", "/console/fairs/{w.today_fair_id}/checkin/counts", kind="page"
    ),
    "console reports": Row(
        "GET", "/console/reports", kind="page", shows=ward_offered, listing=True
    ),
}


def _fill(template: Any, w: Scope, o: Scope) -> Any:
    if callable(template):
        return template(w, o)
    if isinstance(template, str):
        return template.format(w=w, o=o)
    if isinstance(template, dict):
        return {k: _fill(v, w, o) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, w, o) for v in template]
    return template


# Each request refreshes its session's expiry: bookkeeping of the sign-in, not the app's data.
SESSION_TABLES = {"sessions"}


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table: what a refused call must leave exactly as it was."""
    tables = {}
    for table in ALL_TABLES:
        if table._meta.tablename in SESSION_TABLES:
            continue
        rows = await table.select().run()
        tables[table._meta.tablename] = sorted(rows, key=lambda r: str(sorted(r.items())))
    return tables


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def _call(
    client: httpx.AsyncClient, row: Row, w: Scope, o: Scope, token: str
) -> httpx.Response:
    url = _fill(row.path, w, o)
    body = _fill(row.body, w, o)
    if row.kind == "form":
        return await client.request(row.method, url, data={**body, "_csrf_token": token})
    if row.kind == "page":
        return await client.request(row.method, url, headers={"accept": "text/html"})
    if row.kind == "json" and row.method != "GET":
        return await client.request(row.method, url, json=body)
    return await client.request(row.method, url)


# An organizer of the ward's body, at home and abroad; a ward officer of no body (the wards
# assigned to them, as a moved install keeps them) abroad: its scope is derived, not its own.
WHO = [("body organizer", "own"), ("body organizer", "other"), ("ward officer", "other")]


@pytest.mark.parametrize(("who", "acted_on"), WHO)
@pytest.mark.parametrize("name", list(ROWS))
async def test_officer_acts_only_in_own_scope(app, scopes, name, acted_on, who):
    row = ROWS[name]
    own, other = scopes
    scope = own if acted_on == "own" else other
    async with client_from(app, CLIENT_ADDRESS[0]) as client:
        await sign_in(client, own.officer_email if who == "ward officer" else own.organizer_email)
        token = await csrf_token(client) if row.kind == "form" else ""
        before = await snapshot()
        response = await _call(client, row, scope, own, token)
        after = await snapshot()
    answer = f"{response.status_code}: {response.text[:300]}"
    changed = changed_tables(before, after)
    if acted_on == "own":
        assert response.status_code == row.ok, answer
        if row.writes:
            assert row.touches in changed, f"{sorted(changed)} changed; {answer}"
        elif row.shows is not None:
            assert row.shows(response, own), answer
        return
    assert not changed, f"{sorted(changed)} changed by a refused call; {answer}"
    if row.listing:
        assert response.status_code == row.ok, answer
        assert not row.shows(response, other), f"the other scope shows: {answer}"
    else:
        assert response.status_code in row.refused, answer


# Routes of an officer that hold nothing of a scope: their own session, and the gate's page.
UNSCOPED = {
    ("POST", "/login"),
    ("POST", "/api/auth/login"),
    ("GET", "/api/auth/me"),
    ("GET", "/gate"),
}
# One's own account (password, address, sign-ins, two-factor): the caller's, whatever the scope.
OWN_ACCOUNT = (
    "/account",
    "/api/me/sign-ins",
    "/api/me/sessions/",
    "/api/me/password",
    "/api/me/email",
    "/api/me/two-factor",
)


def test_every_scoped_route_has_a_row():
    """Every route open to the officer and not to everyone alike is called across scopes here:
    a new one fails this test until it has its row."""
    from tests.test_access_matrix import MATRIX

    called = {
        (row.method, re.sub(r"\{[^}]+\}", "1", row.path).split("?")[0]) for row in ROWS.values()
    }
    missing = []
    for method, path, _kind, _body, expected in MATRIX:
        public = len(set(expected.values())) == 1
        own = path.startswith(OWN_ACCOUNT)
        if expected["ward_officer"] >= 400 or public or own or (method, path) in UNSCOPED:
            continue
        pattern = re.compile(re.sub(r"\{\w+:\w+\}", "[^/]+", path))
        if not any(m == method and pattern.fullmatch(p) for m, p in called):
            missing.append(f"{method} {path}")
    assert not missing, missing
