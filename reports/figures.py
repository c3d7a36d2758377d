"""The figures of a report to the steering committee, counted by SQL on either database.

What each figure counts (periods are local dates, both ends included; a fair belongs to the
period in which it starts; drafts never count):
- fairs held = completed, cancelled = cancelled, planned = published and not yet completed;
- stalls offered = the active stalls of the site less those closed for the fair, at fairs held,
  as counted when the fair was marked completed (the map may change later);
  stalls filled = stalls assigned to approved applications at fairs held;
- passes = active business passes at fairs held; arrivals = business passes scanned in at the
  gate (tickets' Arrival row); no-show = an active business pass at a fair held, never scanned;
- businesses registered = signed up in the period; verified / suspended = decided in the period
  (a reinstatement is not a verification); taking part = held a stall at a fair held; HVNCL =
  of those, the ones with a product whose HVNCL title was valid in the period;
- applications = to fairs of the period, by their status now;
- goods categories = of the products listed on applications that got stalls at fairs held;
- inspections = completed in the period; findings (violations), follow-ups = recorded in the
  period; suspensions lifted = lifted in the period;
- commendation: businesses that came to the most fairs held with no finding and no suspension
  in the period; wards whose sites held fairs with no finding in the ward in the period.

Scopes: a ward = fairs at its sites, businesses registered in it, inspections in it; a site or
a setting = its fairs, the businesses that applied to them, inspections at its fairs.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count

from core.tables import Organizer, Ward
from core.timezone import local, now_utc
from events.tables import (
    SETTING_LABELS,
    Application,
    ApplicationProduct,
    ApplicationStatus,
    Assignment,
    ClosedStall,
    Fair,
    FairStatus,
    Setting,
    Site,
    Stall,
)
from inspections.tables import Finding, Inspection, InspectionStatus
from reports.period import Period
from reports.schemas import (
    BusinessCounts,
    CategoryRow,
    CommendedBusiness,
    CommendedWard,
    FairCounts,
    InspectionCounts,
    Report,
)
from reports.scope import Scope
from tickets.codes import Kind
from tickets.tables import Arrival, Pass, PassStatus
from vendors.tables import Business, BusinessStatusChange, Product

COMMENDED_BUSINESSES = 10
COMMENDED_WARDS = 5


def _all(conditions: Iterable[Where | Any]) -> Any:
    return functools.reduce(operator.and_, conditions)


def _within(column: Any, period: Period) -> Any:
    return (column >= period.start_utc) & (column < period.end_utc)


def fair_where(fair: Any, period: Period, scope: Scope, *, held: bool = False) -> Any:
    """Fairs of the period in the scope; `fair` is the Fair table or a foreign key to it."""
    conditions = [_within(fair.starts_at, period), fair.status != FairStatus.DRAFT.value]
    if held:
        conditions.append(fair.status == FairStatus.COMPLETED.value)
    if scope.kind == "organizer":
        conditions.append(fair.site.organizer == scope.organizer_id)
    elif scope.kind == "ward":
        conditions.append(fair.site.ward == scope.ward_id)
    elif scope.kind == "site":
        conditions.append(fair.site == scope.site_id)
    elif scope.kind == "setting":
        conditions.append(fair.setting == scope.slug)
    return _all(conditions)


def business_where(business: Any, business_id: Any, period: Period, scope: Scope) -> list[Any]:
    """`business` is the Business table or a foreign key to it; `business_id` its id column."""
    if scope.kind == "ward":
        return [business.ward == scope.ward_id]
    if scope.kind in ("organizer", "site", "setting"):
        applied = Application.select(Application.business).where(
            fair_where(Application.fair, period, scope)
        )
        return [business_id.is_in(applied)]
    return []


def inspection_where(inspection: Any, scope: Scope) -> list[Any]:
    if scope.kind == "organizer":
        # At the body's fairs, and of places in its ward outside any fair.
        return [
            (inspection.fair.site.organizer == scope.organizer_id)
            | (inspection.fair.is_null() & (inspection.ward == scope.ward_id))
        ]
    if scope.kind == "ward":
        return [inspection.ward == scope.ward_id]
    if scope.kind == "site":
        return [inspection.fair.site == scope.site_id]
    if scope.kind == "setting":
        return [inspection.fair.setting == scope.slug]
    return []


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, int]:
    return {row[key]: row["count"] for row in rows}


async def _fair_rows(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """One row per fair with its counts: fairs are few (dozens a half-year), their stalls,
    passes and arrivals are counted by the database, grouped by fair."""
    fairs = (
        await Fair.select(
            Fair.id,
            Fair.status,
            Fair.setting,
            Fair.starts_at,
            Fair.site.as_alias("site_id"),
            Fair.site.name.as_alias("site_name"),
            Fair.site.ward.as_alias("ward_id"),
            Fair.site.organizer.as_alias("organizer_id"),
            Fair.stalls_offered,
        )
        .where(fair_where(Fair, period, scope))
        .order_by(Fair.starts_at)
        .run()
    )
    held = fair_where(Assignment.fair, period, scope, held=True)
    filled = _by(
        await Assignment.select(Assignment.fair, Count())
        .where(held & (Assignment.application.status == ApplicationStatus.APPROVED.value))
        .group_by(Assignment.fair)
        .run(),
        "fair",
    )
    site_ids = sorted({f["site_id"] for f in fairs}) or [0]
    stalls = _by(
        await Stall.select(Stall.site, Count())
        .where(Stall.site.is_in(site_ids) & (Stall.active == True))  # noqa: E712
        .group_by(Stall.site)
        .run(),
        "site",
    )
    closed = _by(
        await ClosedStall.select(ClosedStall.fair, Count())
        .where(
            fair_where(ClosedStall.fair, period, scope, held=True)
            & (ClosedStall.stall.active == True)  # noqa: E712
        )
        .group_by(ClosedStall.fair)
        .run(),
        "fair",
    )
    business_pass = (Pass.kind == int(Kind.BUSINESS)) & (Pass.status == PassStatus.ACTIVE.value)
    passes = _by(
        await Pass.select(Pass.fair, Count())
        .where(fair_where(Pass.fair, period, scope, held=True) & business_pass)
        .group_by(Pass.fair)
        .run(),
        "fair",
    )
    arrival_held = fair_where(Arrival.fair, period, scope, held=True)
    arrivals = _by(
        await Arrival.select(Arrival.fair, Count())
        .where(arrival_held & (Arrival.pass_.kind == int(Kind.BUSINESS)))
        .group_by(Arrival.fair)
        .run(),
        "fair",
    )
    came_with_active = _by(
        await Arrival.select(Arrival.fair, Count())
        .where(
            arrival_held
            & (Arrival.pass_.kind == int(Kind.BUSINESS))
            & (Arrival.pass_.status == PassStatus.ACTIVE.value)
        )
        .group_by(Arrival.fair)
        .run(),
        "fair",
    )
    for fair in fairs:
        fair_id, was_held = fair["id"], fair["status"] == FairStatus.COMPLETED.value
        fair["counts"] = FairCounts(
            held=int(was_held),
            cancelled=int(fair["status"] == FairStatus.CANCELLED.value),
            planned=int(fair["status"] == FairStatus.PUBLISHED.value),
            stalls_offered=_offered(fair, stalls, closed) if was_held else 0,
            stalls_filled=filled.get(fair_id, 0),
            passes=passes.get(fair_id, 0),
            arrivals=arrivals.get(fair_id, 0),
            no_shows=passes.get(fair_id, 0) - came_with_active.get(fair_id, 0),
        )
    return fairs


def _offered(fair: dict[str, Any], stalls: dict[int, int], closed: dict[int, int]) -> int:
    """As counted when the fair was completed; from the map as it is now for a fair completed
    before that count was kept."""
    if fair["stalls_offered"] is not None:
        return fair["stalls_offered"]
    return stalls.get(fair["site_id"], 0) - closed.get(fair["id"], 0)


def _group(fairs: list[dict[str, Any]], key: str, names: dict[Any, str]) -> dict[Any, FairCounts]:
    """Sum the fairs' counts by `key`; every name given gets a line, even with no fair."""
    groups = {k: FairCounts(name=n) for k, n in names.items()}
    for fair in fairs:
        line = groups.setdefault(fair[key], FairCounts(name=names.get(fair[key], str(fair[key]))))
        line.add(fair["counts"])
    return groups


async def _businesses(period: Period, scope: Scope) -> BusinessCounts:
    registered = await Business.count().where(
        _all(
            [
                _within(Business.created_at, period),
                *business_where(Business, Business.id, period, scope),
            ]
        )
    )
    decided: dict[str, int] = {}
    for action in ("verify", "suspend"):
        change = BusinessStatusChange
        rows = (
            await change.select(Count(distinct=[change.business]))
            .where(
                _all(
                    [
                        change.action == action,
                        _within(change.at, period),
                        *business_where(change.business, change.business, period, scope),
                    ]
                )
            )
            .run()
        )
        decided[action] = rows[0]["count"]
    taking_part = _taking_part(period, scope)
    part = await Assignment.select(Count(distinct=[Assignment.application.business])).where(
        _held_assignment(period, scope)
    )
    hvncl = await Product.select(Count(distinct=[Product.business])).where(
        Product.business.is_in(taking_part)
        & Product.hvncl_year.is_not_null()
        & (Product.hvncl_expires.is_null() | (Product.hvncl_expires >= period.start))
    )
    return BusinessCounts(
        registered=registered,
        verified=decided["verify"],
        suspended=decided["suspend"],
        taking_part=part[0]["count"],
        hvncl=hvncl[0]["count"],
    )


def _held_assignment(period: Period, scope: Scope) -> Any:
    return fair_where(Assignment.fair, period, scope, held=True) & (
        Assignment.application.status == ApplicationStatus.APPROVED.value
    )


def _taking_part(period: Period, scope: Scope) -> Any:
    """The businesses that held a stall at a fair held: a sub-select."""
    return Assignment.select(Assignment.application.business).where(_held_assignment(period, scope))


async def _applications(period: Period, scope: Scope) -> dict[str, int]:
    rows = (
        await Application.select(Application.status, Count())
        .where(fair_where(Application.fair, period, scope))
        .group_by(Application.status)
        .run()
    )
    counted = _by(rows, "status")
    return {status.value: counted.get(status.value, 0) for status in ApplicationStatus}


async def _categories(period: Period, scope: Scope) -> list[CategoryRow]:
    stalled = Assignment.select(Assignment.application).where(_held_assignment(period, scope))
    category = ApplicationProduct.product.category
    rows = (
        await ApplicationProduct.select(
            category.name_vi.as_alias("name"),
            category.position.as_alias("position"),
            Count(distinct=[ApplicationProduct.application.business], alias="businesses"),
            Count(distinct=[ApplicationProduct.product], alias="products"),
        )
        .where(ApplicationProduct.application.is_in(stalled))
        .group_by(category.name_vi, category.position)
        .run()
    )
    rows.sort(key=lambda r: (-r["businesses"], r["position"], r["name"]))
    return [CategoryRow(r["name"], r["businesses"], r["products"]) for r in rows]


async def _grouped(table: Any, column: Any, where: Any) -> dict[str, int]:
    rows = await table.select(column.as_alias("key"), Count()).where(where).group_by(column).run()
    return {row["key"]: row["count"] for row in rows}


async def _inspections(period: Period, scope: Scope) -> InspectionCounts:
    done = _all(
        [
            Inspection.status == InspectionStatus.COMPLETED.value,
            _within(Inspection.completed_at, period),
            *inspection_where(Inspection, scope),
        ]
    )
    in_scope = inspection_where(Finding.inspection, scope)
    found = _all([_within(Finding.created_at, period), *in_scope])
    lifted = _all([_within(Finding.lifted_at, period), *in_scope])
    by_kind = await _grouped(Inspection, Inspection.kind, done)
    by_violation = await _grouped(Finding, Finding.kind, found)
    return InspectionCounts(
        completed=sum(by_kind.values()),
        by_kind=by_kind,
        by_place=await _grouped(Inspection, Inspection.place_kind, done),
        findings=sum(by_violation.values()),
        by_violation=by_violation,
        by_severity=await _grouped(Finding, Finding.severity, found),
        follow_ups=await _grouped(Finding, Finding.follow_up, found),
        lifted=await Finding.count().where(lifted),
    )


async def _commended_businesses(period: Period, scope: Scope) -> list[CommendedBusiness]:
    business = Arrival.pass_.application.business
    violators = Finding.select(Finding.business).where(
        _within(Finding.created_at, period) & Finding.business.is_not_null()
    )
    suspended = BusinessStatusChange.select(BusinessStatusChange.business).where(
        (BusinessStatusChange.action == "suspend") & _within(BusinessStatusChange.at, period)
    )
    rows = (
        await Arrival.select(
            business.as_alias("business"),
            business.legal_name.as_alias("name"),
            business.ward.name.as_alias("ward"),
            Count(distinct=[Arrival.fair], alias="fairs"),
        )
        .where(
            fair_where(Arrival.fair, period, scope, held=True)
            & (Arrival.pass_.kind == int(Kind.BUSINESS))
            & business.not_in(violators)
            & business.not_in(suspended)
        )
        .group_by(business, business.legal_name, business.ward.name)
        .run()
    )
    rows.sort(key=lambda r: (-r["fairs"], r["name"]))
    return [
        CommendedBusiness(r["name"], r["ward"], r["fairs"]) for r in rows[:COMMENDED_BUSINESSES]
    ]


async def _ward_findings(period: Period) -> dict[int, int]:
    rows = (
        await Finding.select(Finding.inspection.ward.as_alias("ward"), Count())
        .where(_within(Finding.created_at, period))
        .group_by(Finding.inspection.ward)
        .run()
    )
    return {r["ward"]: r["count"] for r in rows if r["ward"] is not None}


async def build_report(period: Period, scope: Scope) -> Report:
    fairs = await _fair_rows(period, scope)
    total = FairCounts(name="")
    for fair in fairs:
        fair["month"] = local(fair["starts_at"]).strftime("%Y-%m")
        total.add(fair["counts"])
    ward_names = {
        r["id"]: r["name"] for r in await Ward.select(Ward.id, Ward.name).order_by(Ward.name).run()
    }
    # The city lists every ward with a site or a committee, even one with no fair; a ward or a
    # site lists its ward.
    if scope.kind == "district":
        placed = {r["ward"] for r in await Site.select(Site.ward).run()} | {
            r["ward"] for r in await Organizer.select(Organizer.ward).run()
        }
        wards = {k: v for k, v in ward_names.items() if k in placed}
    elif scope.kind in ("ward", "site"):
        wards = {scope.ward_id: ward_names.get(scope.ward_id, "")}
    else:
        wards = {}
    for fair in fairs:
        wards.setdefault(fair["ward_id"], ward_names.get(fair["ward_id"], ""))
    if scope.kind == "setting":
        settings = {scope.slug: SETTING_LABELS[Setting(scope.slug)][0]}
    else:
        settings = {s.value: label[0] for s, label in SETTING_LABELS.items()}
    by_ward = _group(fairs, "ward_id", wards)
    findings_by_ward = await _ward_findings(period)
    wards_done = [
        CommendedWard(line.name, line.held, line.arrivals)
        for ward_id, line in by_ward.items()
        if line.held and not findings_by_ward.get(ward_id)
    ]
    wards_done.sort(key=lambda w: (-w.held, -w.arrivals, w.name))
    sites = {f["site_id"]: f["site_name"] for f in fairs}
    body_names = {
        r["id"]: r["name"] for r in await Organizer.select(Organizer.id, Organizer.name).run()
    }
    # The city's roll-up: every body gets a line, even one with no fair in the period.
    bodies = dict(body_names) if scope.kind == "district" else {}
    for fair in fairs:
        bodies.setdefault(fair["organizer_id"], body_names.get(fair["organizer_id"], ""))
    by_body = _group(fairs, "organizer_id", bodies)
    return Report(
        period=period,
        scope=scope,
        generated_at=now_utc(),
        fairs=total,
        by_month=list(_group(fairs, "month", {m: m for m in period.months()}).values()),
        by_ward=sorted(by_ward.values(), key=lambda line: (-line.held, line.name)),
        by_body=sorted(by_body.values(), key=lambda line: (-line.held, line.name)),
        by_site=sorted(
            _group(fairs, "site_id", sites).values(), key=lambda line: (-line.held, line.name)
        ),
        by_setting=list(_group(fairs, "setting", settings).values()),
        businesses=await _businesses(period, scope),
        applications=await _applications(period, scope),
        categories=await _categories(period, scope),
        inspections=await _inspections(period, scope),
        commended_businesses=await _commended_businesses(period, scope),
        commended_wards=wards_done[:COMMENDED_WARDS],
    )
