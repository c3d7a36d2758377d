"""A season of fairs with known totals, for the report tests.

The season is written down below as plain data (fairs, who applied, who got stalls, who came,
inspections and findings), stored with the tables, and `expected()` counts the same data in
Python, without SQL, for any period and scope. Several events sit on the edges of the first half
of 2026 in local time (UTC+7), so a report that cut the period in UTC would count them wrongly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.tables import Organizer, Ward
from core.timezone import LOCAL_TZ
from events.tables import (
    Application,
    ApplicationProduct,
    Assignment,
    ClosedStall,
    Fair,
    Site,
    Stall,
)
from inspections.tables import Finding, Inspection, InspectionTeam
from tests.factories import make_business, seed_basics, seed_stalls
from tickets.tables import Arrival, Pass
from vendors.tables import BusinessStatusChange, Category, Product


def at(text: str) -> dt.datetime:
    """A local time in Ho Chi Minh City, e.g. "2026-01-01 06:30"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


# slug, name, ward, setting, stalls on its map
SITES = [
    ("site-ben-nghe", "Địa điểm site-ben-nghe", "ben-nghe", "residential", 12),
    ("site-tan-dinh", "Địa điểm site-tan-dinh", "tan-dinh", "residential", 10),
    ("cho-ben-nghe", "Chợ Bến Nghé", "ben-nghe", "market", 8),
    ("truong-tan-dinh", "Trường Tiểu học Tân Định", "tan-dinh", "school", 6),
]
WARD_NAMES = {"ben-nghe": "Bến Nghé", "tan-dinh": "Tân Định", "da-kao": "Đa Kao"}


@dataclass
class ProductPlan:
    name: str
    category: str
    hvncl_year: int | None = None
    hvncl_expires: dt.date | None = None


@dataclass
class BusinessPlan:
    key: str
    name: str
    ward: str
    status: str
    created: dt.datetime
    products: list[ProductPlan]
    # (action, at): verify, suspend, reinstate …
    changes: list[tuple[str, dt.datetime]] = field(default_factory=list)


BUSINESSES = [
    BusinessPlan(
        "b1",
        "Công ty TNHH Lụa Bến Nghé",
        "ben-nghe",
        "verified",
        at("2025-10-01 09:00"),
        [ProductPlan("Áo dài lụa", "may-mac", 2025, dt.date(2026, 12, 31))],
        [("verify", at("2025-10-05 10:00"))],
    ),
    BusinessPlan(
        "b2",
        "Hợp tác xã Gạo Tân Định",
        "tan-dinh",
        "verified",
        at("2026-01-05 09:00"),
        [ProductPlan("Gạo ST25", "nong-san"), ProductPlan("Khăn rằn", "may-mac")],
        [("verify", at("2026-01-10 10:00"))],
    ),
    BusinessPlan(
        "b3",
        "Công ty Nón Lá Việt",
        "ben-nghe",
        "suspended",
        at("2026-02-10 09:00"),
        [ProductPlan("Nón lá", "thu-cong", 2024, dt.date(2025, 12, 31))],
        [("verify", at("2026-03-01 10:00")), ("suspend", at("2026-04-20 10:00"))],
    ),
    BusinessPlan(
        "b4",
        "Cơ sở Nước mắm Phú Quốc",
        "tan-dinh",
        "verified",
        at("2026-01-01 00:10"),  # the first minutes of the period, still 2025 in UTC
        [ProductPlan("Nước mắm", "nong-san", 2026, None), ProductPlan("Khăn lụa", "may-mac")],
        [("verify", at("2026-06-30 23:00"))],  # the last hour of the period
    ),
    BusinessPlan(
        "b5",
        "Công ty Túi Cói Xanh",
        "ben-nghe",
        "verified",
        at("2025-12-31 23:50"),  # before the period, though 2025-12-31 16:50 UTC
        [ProductPlan("Túi cói", "thu-cong")],
        [("verify", at("2026-07-01 00:30"))],  # after the period, though 2026-06-30 in UTC
    ),
    BusinessPlan(
        "b6",
        "Công ty Bánh Tráng Trảng Bàng",
        "tan-dinh",
        "verified",
        at("2025-06-01 09:00"),
        [ProductPlan("Bánh tráng", "nong-san", 2025, dt.date(2026, 1, 1))],
        [("suspend", at("2025-11-01 09:00")), ("reinstate", at("2026-02-02 09:00"))],
    ),
    BusinessPlan(
        "b7",
        "Công ty Giày Da Sài Gòn",
        "ben-nghe",
        "suspended",
        at("2025-05-05 09:00"),
        [ProductPlan("Giày da", "may-mac")],
        [("verify", at("2025-05-10 09:00")), ("suspend", at("2025-12-31 23:59"))],
    ),
    BusinessPlan(
        "b8",
        "Hộ kinh doanh Mứt Gừng",
        "da-kao",
        "pending",
        at("2026-06-15 09:00"),
        [ProductPlan("Mứt gừng", "nong-san")],
    ),
]


@dataclass
class Entry:
    """A business's application to a fair, and what came of it."""

    business: str
    status: str
    stalls: int = 0  # stalls assigned
    pass_status: str | None = None  # "active" | "revoked" | None (no pass)
    arrived: bool = False


@dataclass
class FairPlan:
    key: str
    site: str
    start: dt.datetime
    status: str
    entries: list[Entry] = field(default_factory=list)
    closed_stalls: int = 0


def came(business: str, stalls: int = 1) -> Entry:
    return Entry(business, "approved", stalls, "active", True)


def missed(business: str, stalls: int = 1) -> Entry:
    return Entry(business, "approved", stalls, "active", False)


FAIRS = [
    # 06:30 on New Year's Day is still 2025-12-31 in UTC: inside the period.
    FairPlan(
        "F1",
        "site-ben-nghe",
        at("2026-01-01 06:30"),
        "completed",
        [came("b1"), came("b2", 2), missed("b6"), Entry("b5", "rejected")],
    ),
    FairPlan(
        "F2",
        "site-ben-nghe",
        at("2026-02-15 07:00"),
        "completed",
        [
            came("b1"),
            came("b3"),
            missed("b4"),
            Entry("b7", "waitlisted"),
            Entry("b2", "withdrawn"),
        ],
        closed_stalls=1,
    ),
    FairPlan(
        "F3",
        "site-tan-dinh",
        at("2026-03-08 07:00"),
        "completed",
        # b7's pass was revoked: neither an arrival nor a no-show, though its stall was filled.
        [came("b2"), came("b6"), Entry("b4", "submitted"), Entry("b7", "approved", 1, "revoked")],
    ),
    FairPlan(
        "F4",
        "cho-ben-nghe",
        at("2026-04-12 07:00"),
        "completed",
        [came("b1"), came("b4"), came("b3"), Entry("b5", "submitted")],
    ),
    # 18:00 on the period's last day, 11:00 UTC.
    FairPlan(
        "F5",
        "truong-tan-dinh",
        at("2026-06-30 18:00"),
        "completed",
        [came("b2"), missed("b6")],
    ),
    FairPlan(
        "C1",
        "site-ben-nghe",
        at("2026-05-10 07:00"),
        "cancelled",
        [Entry("b1", "approved"), Entry("b4", "submitted")],
    ),
    FairPlan(
        "C2", "site-tan-dinh", at("2026-02-01 07:00"), "cancelled", [Entry("b2", "withdrawn")]
    ),
    FairPlan(
        "P1",
        "cho-ben-nghe",
        at("2026-06-20 07:00"),
        "published",
        [Entry("b1", "approved", 1, "active"), Entry("b6", "submitted")],
    ),
    FairPlan("D1", "site-ben-nghe", at("2026-03-20 07:00"), "draft", [Entry("b1", "submitted")]),
    # Outside the period: the evening before it (13:00 UTC) …
    FairPlan("O1", "site-ben-nghe", at("2025-12-31 20:00"), "completed", [came("b1"), came("b3")]),
    # … and the morning after it, which is still 2026-06-30 in UTC.
    FairPlan("O2", "site-tan-dinh", at("2026-07-01 06:00"), "completed", [came("b2"), came("b4")]),
]


@dataclass
class FindingPlan:
    business: str | None
    kind: str
    severity: str
    follow_up: str
    created: dt.datetime
    lifted: dt.datetime | None = None


@dataclass
class InspectionPlan:
    kind: str
    place_kind: str
    ward: str
    status: str
    completed: dt.datetime | None
    fair: str | None = None
    findings: list[FindingPlan] = field(default_factory=list)


INSPECTIONS = [
    InspectionPlan(
        "planned",
        "fair_stall",
        "ben-nghe",
        "completed",
        at("2026-02-15 10:00"),
        "F2",
        [FindingPlan("b4", "missing_origin_label", "minor", "warning", at("2026-02-15 10:00"))],
    ),
    InspectionPlan(
        "surprise",
        "fair_stall",
        "ben-nghe",
        "completed",
        at("2026-04-12 09:00"),
        "F4",
        [
            FindingPlan(
                "b3",
                "relabelled_foreign",
                "major",
                "suspension",
                at("2026-04-12 09:00"),
                lifted=at("2026-05-20 09:00"),
            ),
            FindingPlan("b3", "prices_not_shown", "minor", "none", at("2026-04-12 09:05")),
        ],
    ),
    InspectionPlan("planned", "shop", "tan-dinh", "completed", at("2026-03-15 09:00")),
    # Late on the last day of the period, in a ward with no fairs.
    InspectionPlan(
        "surprise",
        "supermarket",
        "da-kao",
        "completed",
        at("2026-06-30 22:00"),
        findings=[FindingPlan(None, "counterfeit", "critical", "referral", at("2026-06-30 22:00"))],
    ),
    # Just after the period (still 2026-06-30 in UTC).
    InspectionPlan(
        "planned",
        "school_purchase",
        "tan-dinh",
        "completed",
        at("2026-07-01 01:00"),
        findings=[FindingPlan("b2", "other", "minor", "none", at("2026-07-01 01:00"))],
    ),
    InspectionPlan("planned", "market_stall", "ben-nghe", "in_progress", None),
    # Before the period; its suspension is lifted inside it.
    InspectionPlan(
        "planned",
        "shop",
        "ben-nghe",
        "completed",
        at("2025-12-20 09:00"),
        findings=[
            FindingPlan(
                "b7",
                "food_safety",
                "major",
                "suspension",
                at("2025-12-20 09:00"),
                lifted=at("2026-01-15 09:00"),
            )
        ],
    ),
]

SITE_INFO = {slug: (name, ward, setting, stalls) for slug, name, ward, setting, stalls in SITES}
FAIR_INFO = {f.key: f for f in FAIRS}
BUSINESS_INFO = {b.key: b for b in BUSINESSES}
CATEGORY_NAMES = {
    "nong-san": "Nông sản, thực phẩm tươi",
    "may-mac": "May mặc, dệt may",
    "thu-cong": "Thủ công mỹ nghệ",
}


async def create_season() -> dict[str, int]:
    """Store the season; returns the ids of the fairs and businesses by their keys."""
    await seed_basics()
    da_kao = Ward(slug="da-kao", name="Đa Kao")
    await da_kao.save().run()
    await (
        Organizer(slug="da-kao", name="Ủy ban nhân dân Phường Đa Kao", ward=da_kao.id).save().run()
    )
    wards = {r["slug"]: r["id"] for r in await Ward.select(Ward.id, Ward.slug).run()}
    bodies = {
        r["ward"]: r["id"] for r in await Organizer.select(Organizer.id, Organizer.ward).run()
    }
    for slug, name, ward, setting, stalls in SITES:
        if not await Site.exists().where(Site.slug == slug).run():
            await (
                Site(
                    slug=slug,
                    name=name,
                    address="1 Lê Lợi, Quận 1",
                    ward=wards[ward],
                    organizer=bodies.get(wards[ward]),
                    setting=setting,
                    lat=10.77,
                    lon=106.70,
                    capacity=stalls,
                )
                .save()
                .run()
            )
        else:
            await Site.update({Site.setting: setting}).where(Site.slug == slug).run()
        await seed_stalls(slug, stalls)
    ids: dict[str, int] = {}
    categories = {r["slug"]: r["id"] for r in await Category.select(Category.id, Category.slug)}
    products: dict[str, list[int]] = {}
    for number, plan in enumerate(BUSINESSES, start=1):
        business = await make_business(
            f"{plan.key}@season.vn", plan.name, f"03{number:08d}", plan.ward, plan.status
        )
        ids[plan.key] = business
        from vendors.tables import Business

        await Business.update({Business.created_at: plan.created}).where(Business.id == business)
        for action, moment in plan.changes:
            await BusinessStatusChange(
                business=business, action=action, from_status="", to_status="", at=moment
            ).save()
        for product in plan.products:
            row = Product(
                business=business,
                name=product.name,
                category=categories[product.category],
                made_in="TP. Hồ Chí Minh",
                made_in_vietnam=True,
                hvncl_year=product.hvncl_year,
                hvncl_expires=product.hvncl_expires,
            )
            await row.save()
            products.setdefault(plan.key, []).append(row.id)
    serial = 0
    for fair_plan in FAIRS:
        site = await Site.select(Site.id, Site.setting).where(Site.slug == fair_plan.site).first()
        fair = Fair(
            title=f"Phiên chợ {fair_plan.key}",
            site=site["id"],
            setting=site["setting"],
            starts_at=fair_plan.start,
            ends_at=fair_plan.start + dt.timedelta(hours=5),
            applications_open_at=fair_plan.start - dt.timedelta(days=30),
            applications_close_at=fair_plan.start - dt.timedelta(days=7),
            withdrawal_cutoff_at=fair_plan.start - dt.timedelta(days=5),
            status=fair_plan.status,
            allocation_published_at=fair_plan.start - dt.timedelta(days=3),
        )
        await fair.save()
        ids[fair_plan.key] = fair.id
        stalls = [
            r["id"]
            for r in await Stall.select(Stall.id).where(Stall.site == site["id"]).order_by(Stall.id)
        ]
        for stall in stalls[len(stalls) - fair_plan.closed_stalls :]:
            await ClosedStall(fair=fair.id, stall=stall).save()
        free = iter(stalls)
        for entry in fair_plan.entries:
            application = Application(
                business=ids[entry.business], fair=fair.id, status=entry.status
            )
            await application.save()
            for product in products[entry.business]:
                await ApplicationProduct(application=application.id, product=product).save()
            codes = []
            for _ in range(entry.stalls):
                stall = next(free)
                codes.append(str(stall))
                await Assignment(fair=fair.id, stall=stall, application=application.id).save()
            if entry.pass_status:
                serial += 1
                issued = Pass(
                    fair=fair.id,
                    application=application.id,
                    kind=1,
                    holder=BUSINESS_INFO[entry.business].name,
                    stalls=",".join(codes),
                    first_day=fair_plan.start.date(),
                    days=1,
                    kid=1,
                    code=f"season-{serial}",
                    short_code=f"S{serial:07d}",
                    status=entry.pass_status,
                )
                await issued.save()
                if entry.arrived:
                    await Arrival(
                        pass_=issued.id,
                        fair=fair.id,
                        gate="Cổng chính",
                        device_id="season",
                        scanned_at=fair_plan.start,
                    ).save()
        if fair_plan.key == "F2":
            # A volunteer's pass scanned at the gate: not a business arriving at its stall.
            serial += 1
            staff = Pass(
                fair=fair.id,
                kind=3,
                holder="Tình nguyện viên",
                first_day=fair_plan.start.date(),
                kid=1,
                code=f"season-{serial}",
                short_code=f"S{serial:07d}",
            )
            await staff.save()
            await Arrival(
                pass_=staff.id, fair=fair.id, device_id="season", scanned_at=fair_plan.start
            ).save()
    team = InspectionTeam(name="Đoàn kiểm tra số 1")
    await team.save()
    for number, plan in enumerate(INSPECTIONS, start=1):
        inspection = Inspection(
            team=team.id,
            kind=plan.kind,
            place_kind=plan.place_kind,
            fair=ids[plan.fair] if plan.fair else None,
            place_name=f"Nơi kiểm tra {number}",
            ward=wards[plan.ward],
            status=plan.status,
            completed_at=plan.completed,
        )
        await inspection.save()
        for finding in plan.findings:
            await Finding(
                inspection=inspection.id,
                business=ids[finding.business] if finding.business else None,
                kind=finding.kind,
                severity=finding.severity,
                follow_up=finding.follow_up,
                created_at=finding.created,
                lifted_at=finding.lifted,
            ).save()
    return ids


def _fair_in_scope(plan: FairPlan, scope: tuple[str, str]) -> bool:
    _, ward, setting, _ = SITE_INFO[plan.site]
    kind, value = scope
    return (
        kind == "district"
        or (kind == "ward" and ward == value)
        or (kind == "site" and plan.site == value)
        or (kind == "setting" and setting == value)
    )


def _inspection_in_scope(plan: InspectionPlan, scope: tuple[str, str]) -> bool:
    kind, value = scope
    if kind == "district":
        return True
    if kind == "ward":
        return plan.ward == value
    return plan.fair is not None and _fair_in_scope(FAIR_INFO[plan.fair], scope)


def expected(first: dt.date, last: dt.date, scope: tuple[str, str] = ("district", "")) -> Any:
    """Every figure of the report for the period and scope, counted from the plan above."""

    def inside(moment: dt.datetime | None) -> bool:
        return moment is not None and first <= moment.astimezone(LOCAL_TZ).date() <= last

    fairs = [
        f for f in FAIRS if f.status != "draft" and inside(f.start) and _fair_in_scope(f, scope)
    ]
    held = [f for f in fairs if f.status == "completed"]
    held_entries = [(f, e) for f in held for e in f.entries]
    stalled = [(f, e) for f, e in held_entries if e.status == "approved" and e.stalls]
    taking_part = {e.business for _, e in stalled}
    kind, value = scope
    if kind == "ward":
        in_scope = {b.key for b in BUSINESSES if b.ward == value}
    elif kind in ("site", "setting"):
        in_scope = {e.business for f in fairs for e in f.entries}
    else:
        in_scope = {b.key for b in BUSINESSES}

    def decided(action: str) -> int:
        return sum(
            1
            for b in BUSINESSES
            if b.key in in_scope and any(a == action and inside(m) for a, m in b.changes)
        )

    def valid_hvncl(b: BusinessPlan) -> bool:
        return any(
            p.hvncl_year and (p.hvncl_expires is None or p.hvncl_expires >= first)
            for p in b.products
        )

    categories: dict[str, tuple[set[str], set[str]]] = {}
    for _, entry in stalled:
        for product in BUSINESS_INFO[entry.business].products:
            names = categories.setdefault(CATEGORY_NAMES[product.category], (set(), set()))
            names[0].add(entry.business)
            names[1].add(f"{entry.business}/{product.name}")
    inspections = [
        i
        for i in INSPECTIONS
        if i.status == "completed" and inside(i.completed) and _inspection_in_scope(i, scope)
    ]
    scoped_findings = [f for i in INSPECTIONS if _inspection_in_scope(i, scope) for f in i.findings]
    findings = [f for f in scoped_findings if inside(f.created)]
    all_findings = [f for i in INSPECTIONS for f in i.findings]
    flagged = {f.business for f in all_findings if inside(f.created)} | {
        b.key for b in BUSINESSES if any(a == "suspend" and inside(m) for a, m in b.changes)
    }
    attended: Counter[str] = Counter()
    for _, entry in held_entries:
        if entry.arrived:
            attended[entry.business] += 1
    ward_findings = {i.ward for i in INSPECTIONS for f in i.findings if inside(f.created)}
    ward_held: Counter[str] = Counter(SITE_INFO[f.site][1] for f in held)
    return {
        "held": len(held),
        "cancelled": sum(f.status == "cancelled" for f in fairs),
        "planned": sum(f.status == "published" for f in fairs),
        "stalls_offered": sum(SITE_INFO[f.site][3] - f.closed_stalls for f in held),
        "stalls_filled": sum(e.stalls for _, e in stalled),
        "passes": sum(e.pass_status == "active" for _, e in held_entries),
        "arrivals": sum(e.arrived for _, e in held_entries),
        "no_shows": sum(e.pass_status == "active" and not e.arrived for _, e in held_entries),
        "registered": sum(1 for b in BUSINESSES if b.key in in_scope and inside(b.created)),
        "verified": decided("verify"),
        "suspended": decided("suspend"),
        "taking_part": len(taking_part),
        "hvncl": sum(valid_hvncl(BUSINESS_INFO[k]) for k in taking_part),
        "applications": Counter(e.status for f in fairs for e in f.entries),
        "categories": {n: (len(b), len(p)) for n, (b, p) in categories.items()},
        "inspections": len(inspections),
        "inspections_by_kind": Counter(i.kind for i in inspections),
        "inspections_by_place": Counter(i.place_kind for i in inspections),
        "findings": len(findings),
        "by_violation": Counter(f.kind for f in findings),
        "by_severity": Counter(f.severity for f in findings),
        "follow_ups": Counter(f.follow_up for f in findings),
        "lifted": sum(inside(f.lifted) for f in scoped_findings),
        "commended_businesses": sorted(
            ((BUSINESS_INFO[k].name, n) for k, n in attended.items() if k not in flagged),
            key=lambda item: (-item[1], item[0]),
        ),
        "commended_wards": sorted(
            WARD_NAMES[w] for w, n in ward_held.items() if n and w not in ward_findings
        ),
    }
