"""Running the allocation for a fair: the database's view turned into the solver's input, and
its proposal written back to the board (pins kept), with reasons and the baseline's score."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from anyio import to_thread

from allocation.notices import announce_if_published, tell_moved
from allocation.solver import model
from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.signals import announce, board_changed, collect, no_shows_wanted
from core.timezone import now_utc, today_local
from events.applications import promote_waitlisted
from events.fair_map import stalls_of
from events.fair_rows import fair_acted_on, fair_mail_context, fair_row
from events.stallmap import Box, adjacency
from events.tables import (
    AllocationRun,
    Application,
    ApplicationProduct,
    ApplicationStatus,
    Assignment,
    Fair,
    Stall,
)
from vendors.notifications import notify_business
from vendors.tables import BusinessCategory

# Prime spots rotate: one held at any of this many earlier fairs counts as "recently".
PRIME_MEMORY = 3


async def stall_ids(fair: dict[str, Any]) -> dict[str, int]:
    """Stall code → row id on the fair's site: the solver speaks in codes."""
    rows = await Stall.select(Stall.id, Stall.code).where(Stall.site == fair["site"]).run()
    return {r["code"]: r["id"] for r in rows}


async def solver_stalls(fair: dict[str, Any]) -> list[model.Stall]:
    rows, closed = await stalls_of(fair)
    rows = [r for r in rows if r["id"] not in closed]
    neighbours = adjacency([Box(r["code"], r["x"], r["y"], r["width"], r["depth"]) for r in rows])
    joinable = {r["code"] for r in rows if r["joinable"]}
    return [
        model.Stall(
            code=r["code"],
            zone=r["zone"],
            power=r["power"],
            water=r["water"],
            food_allowed=r["food_allowed"],
            shade=r["shade"],
            accessible=r["accessible"],
            corner=r["corner"],
            prime=r["prime"],
            neighbours=frozenset(neighbours[r["code"]]),
            joinable=frozenset(neighbours[r["code"]] & joinable)
            if r["code"] in joinable
            else frozenset(),
        )
        for r in rows
    ]


async def _history(business_ids: list[int], fair: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Each business's earlier fairs: did it get a stall, a prime one, last time?"""
    earlier = (
        await Application.select(
            Application.business,
            Application.fair,
            Application.fair.starts_at,
        )
        .where(
            Application.business.is_in(business_ids or [0])
            & (Application.status == ApplicationStatus.APPROVED.value)
            & (Application.fair.starts_at < fair["starts_at"])
            & (Application.fair != fair["id"])
        )
        .run()
    )
    given = (
        await Assignment.select(
            Assignment.application.business,
            Assignment.fair,
            Assignment.stall.prime,
        )
        .where(Assignment.application.business.is_in(business_ids or [0]))
        .run()
    )
    got: dict[tuple[int, int], bool] = {}
    for row in given:
        key = (row["application.business"], row["fair"])
        got[key] = got.get(key, False) or row["stall.prime"]
    history: dict[int, dict[str, Any]] = {}
    for business in business_ids:
        past = sorted(
            (r for r in earlier if r["business"] == business),
            key=lambda r: r["fair.starts_at"],
            reverse=True,
        )
        last = past[0]["fair"] if past else None
        history[business] = {
            "newcomer": not any(key[0] == business and key[1] != fair["id"] for key in got),
            "last_outcome": 1.0 if last is not None and (business, last) not in got else 0.0,
            "had_prime_recently": any(
                got.get((business, r["fair"]), False) for r in past[:PRIME_MEMORY]
            ),
        }
    return history


async def _no_shows(business_ids: list[int]) -> dict[int, int]:
    """Completed fairs where the business held a pass and never came through the gate: what
    the gate knows (tickets answers no_shows_wanted)."""
    counts: dict[int, int] = {}
    for answer in await collect(no_shows_wanted, business_ids=business_ids):
        for business, missed in answer.items():
            counts[business] = counts.get(business, 0) + missed
    return counts


async def solver_requests(
    fair: dict[str, Any], status: str = ApplicationStatus.APPROVED.value
) -> list[model.Request]:
    rows = (
        await Application.select(
            Application.all_columns(),
            Application.business.ward,
            Application.business.club_ward,
        )
        .where((Application.fair == fair["id"]) & (Application.status == status))
        .order_by(Application.created_at)
        .order_by(Application.id)
        .run()
    )
    ids = [r["id"] for r in rows]
    products = (
        await ApplicationProduct.select(
            ApplicationProduct.application,
            ApplicationProduct.product.category.slug,
            ApplicationProduct.product.hvncl_year,
            ApplicationProduct.product.hvncl_expires,
        )
        .where(ApplicationProduct.application.is_in(ids or [0]))
        .run()
    )
    categories: dict[int, Counter[str]] = {}
    hvncl: set[int] = set()
    today = today_local()
    for row in products:
        categories.setdefault(row["application"], Counter())[row["product.category.slug"]] += 1
        expires = row["product.hvncl_expires"]
        if row["product.hvncl_year"] and (expires is None or expires >= today):
            hvncl.add(row["application"])
    fallback = {
        r["business"]: r["category.slug"]
        for r in await BusinessCategory.select(
            BusinessCategory.business, BusinessCategory.category.slug
        )
        .where(BusinessCategory.business.is_in([r["business"] for r in rows] or [0]))
        .run()
    }
    history = await _history(sorted({r["business"] for r in rows}), fair)
    no_shows = await _no_shows(sorted({r["business"] for r in rows}))
    site_ward = fair["site.ward"]
    requests = []
    for order, row in enumerate(rows):
        counted = categories.get(row["id"])
        past = history[row["business"]]
        requests.append(
            model.Request(
                application_id=row["id"],
                business_id=row["business"],
                category=counted.most_common(1)[0][0]
                if counted
                else fallback.get(row["business"], "khac"),
                stalls=row["stalls_requested"],
                needs_power=row["needs_power"],
                needs_water=row["needs_water"],
                food=row["food_handling"],
                needs_accessible=row["needs_accessible"],
                wants_shade=row["needs_shade"],
                preferred_zones=frozenset(
                    z.strip().upper()
                    for z in row["preferred_zones"].replace(";", ",").split(",")
                    if z.strip()
                ),
                preferred_stalls=frozenset(
                    s.strip().upper()
                    for s in row["preferred_stalls"].replace(";", ",").split(",")
                    if s.strip()
                ),
                hvncl=row["id"] in hvncl,
                club_member_here=row["business.club_ward"] == site_ward,
                local=row["business.ward"] == site_ward,
                newcomer=past["newcomer"],
                last_outcome=past["last_outcome"],
                had_prime_recently=past["had_prime_recently"],
                no_shows=no_shows.get(row["business"], 0),
                order=order,
            )
        )
    return requests


async def held_stalls(fair_id: int, *, pinned_only: bool = False) -> dict[int, list[str]]:
    """Application → the codes of the stalls it holds now (only the pinned ones if asked)."""
    where = Assignment.fair == fair_id
    if pinned_only:
        where &= Assignment.pinned == True  # noqa: E712
    held: dict[int, list[str]] = {}
    for row in await Assignment.select(Assignment.application, Assignment.stall.code).where(where):
        held.setdefault(row["application"], []).append(row["stall.code"])
    return held


async def pins(fair_id: int) -> list[model.Pin]:
    held = await held_stalls(fair_id, pinned_only=True)
    return [model.Pin(a, tuple(sorted(c))) for a, c in sorted(held.items())]


def _reasons_json(reasons: list[model.Reason]) -> str:
    return json.dumps([asdict(r) for r in reasons], ensure_ascii=False)


async def run_allocation(
    principal: Principal, fair_id: int, weights: model.Weights | None = None
) -> dict[str, Any]:
    from allocation.solver.baseline import first_come_first_served
    from allocation.solver.solver import allocate

    fair = await fair_acted_on(principal, fair_id)
    weights = weights or model.Weights()
    stalls = await solver_stalls(fair)
    requests = await solver_requests(fair)
    pinned = await pins(fair_id)
    try:
        # Seconds of CPU on a large fair: off the event loop, so other requests keep going.
        proposal = await to_thread.run_sync(lambda: allocate(stalls, requests, pinned, weights))
    except model.PinError as exc:
        raise AppError(
            409,
            "Các gian đã ghim vi phạm quy tắc: " + "; ".join(v.vi for v in exc.violations),
            "The pinned stalls break a rule: " + "; ".join(v.en for v in exc.violations),
        ) from exc
    baseline = first_come_first_served(stalls, requests, pinned, weights)
    codes = await stall_ids(fair)
    kept = {p.application_id for p in pinned}
    async with write_txn(Assignment._meta.db):
        before = await held_stalls(fair_id)
        await (
            Assignment.delete()
            .where(
                (Assignment.fair == fair_id) & (Assignment.pinned == False)  # noqa: E712
            )
            .run()
        )
        for application_id, stall_codes in sorted(proposal.assignments.items()):
            if application_id in kept:
                continue
            for code in stall_codes:
                await (
                    Assignment(
                        fair=fair_id,
                        stall=codes[code],
                        application=application_id,
                        reasons=_reasons_json(proposal.reasons.get(application_id, [])),
                    )
                    .save()
                    .run()
                )
        for request in requests:
            note = proposal.left_out.get(request.application_id)
            await (
                Application.update(
                    {Application.allocation_note: _reasons_json([note]) if note else ""}
                )
                .where(Application.id == request.application_id)
                .run()
            )
        await Fair.update({Fair.updated_at: now_utc()}).where(Fair.id == fair_id).run()
        after = {a: list(codes) for a, codes in proposal.assignments.items()}
        await tell_moved(
            fair, {a: (before.get(a, []), after.get(a, [])) for a in set(before) | set(after)}
        )
        run = AllocationRun(
            fair=fair_id,
            by_account=principal.account_id,
            objective=round(proposal.objective, 3),
            baseline_objective=round(baseline.objective, 3),
            assigned=len(proposal.assignments),
            baseline_assigned=len(baseline.assignments),
            left_out=len(proposal.left_out),
            solve_seconds=round(proposal.solve_seconds, 3),
            weights=json.dumps(asdict(weights)),
        )
        await run.save().run()
    # A run on a published board moves passes as a move by hand does.
    await announce_if_published(fair)
    return {
        **_run_out(run.to_dict(), principal.full_name),
        "left_out_reasons": {str(k): asdict(v) for k, v in sorted(proposal.left_out.items())},
    }


async def last_run(fair_id: int) -> dict[str, Any] | None:
    """The latest automatic allocation of the fair (who, when, its score against
    first-come-first-served), or None when it was never run."""
    row = (
        await AllocationRun.select(
            AllocationRun.all_columns(exclude=[AllocationRun.fair, AllocationRun.by_account]),
            AllocationRun.by_account.full_name,
        )
        .where(AllocationRun.fair == fair_id)
        .order_by(AllocationRun.id, ascending=False)
        .first()
        .run()
    )
    return None if row is None else _run_out(row, row["by_account.full_name"])


def _run_out(row: dict[str, Any], ran_by: str | None) -> dict[str, Any]:
    return {
        "run_id": row["id"],
        "ran_at": row["at"].isoformat(),
        "ran_by": ran_by,
        "assigned": row["assigned"],
        "left_out": row["left_out"],
        "objective": row["objective"],
        "baseline_objective": row["baseline_objective"],
        "baseline_assigned": row["baseline_assigned"],
        "solve_seconds": row["solve_seconds"],
        "weights": json.loads(row["weights"]),
    }


async def board_summary(fair_id: int) -> dict[str, Any]:
    """What the board holds now, with the reasons given for each assignment and omission."""
    assigned = (
        await Assignment.select(
            Assignment.application,
            Assignment.stall.code,
            Assignment.pinned,
            Assignment.reasons,
            Assignment.application.business.legal_name,
        )
        .where(Assignment.fair == fair_id)
        .run()
    )
    by_application: dict[int, dict[str, Any]] = {}
    for row in assigned:
        item = by_application.setdefault(
            row["application"],
            {
                "application_id": row["application"],
                "business": row["application.business.legal_name"],
                "stall_codes": [],
                "pinned": row["pinned"],
                "reasons": json.loads(row["reasons"] or "[]"),
            },
        )
        item["stall_codes"].append(row["stall.code"])
    left = (
        await Application.select(
            Application.id,
            Application.allocation_note,
            Application.business.legal_name,
        )
        .where(
            (Application.fair == fair_id)
            & (Application.status == ApplicationStatus.APPROVED.value)
            & Application.id.not_in(list(by_application) or [0])
        )
        .run()
    )
    fair = await Fair.select(Fair.allocation_published_at).where(Fair.id == fair_id).first().run()
    return {
        "published_at": fair["allocation_published_at"].isoformat()
        if fair and fair["allocation_published_at"]
        else None,
        "assignments": sorted(by_application.values(), key=lambda i: sorted(i["stall_codes"])),
        "left_out": [
            {
                "application_id": r["id"],
                "business": r["business.legal_name"],
                "reasons": json.loads(r["allocation_note"] or "[]"),
            }
            for r in left
        ],
        "default_weights": asdict(model.Weights()),
        "last_run": await last_run(fair_id),
    }


async def publish(principal: Principal, fair_id: int) -> dict[str, Any]:
    fair = await fair_acted_on(principal, fair_id)
    summary = await board_summary(fair_id)
    if not summary["assignments"]:
        raise AppError(
            409,
            "Chưa có gian nào được xếp: hãy chạy phân gian trước.",
            "No stall is assigned yet: run the allocation first.",
        )
    async with write_txn(Fair._meta.db):
        now = now_utc()
        await (
            Fair.update({Fair.allocation_published_at: now, Fair.updated_at: now})
            .where(Fair.id == fair_id)
            .run()
        )
        businesses = {
            r["application"]: r["application.business"]
            for r in await Assignment.select(
                Assignment.application, Assignment.application.business
            )
            .where(Assignment.fair == fair_id)
            .run()
        }
        for item in summary["assignments"]:
            await notify_business(
                businesses[item["application_id"]],
                "stall_assigned",
                {**fair_mail_context(fair), "stalls": ", ".join(sorted(item["stall_codes"]))},
            )
    await announce(board_changed, fair_id=fair_id)
    return await board_summary(fair_id)


async def offer_freed_stalls(fair_id: int, stall_codes: list[str]) -> int | None:
    """After a withdrawal from a published board: the best waitlisted applicant that fits the
    freed stalls gets them (approved, assigned, told). Returns its application id."""
    from allocation.solver.solver import allocate

    fair = await fair_row(fair_id)
    if fair["allocation_published_at"] is None or not stall_codes:
        return None
    freed = [s for s in await solver_stalls(fair) if s.code in set(stall_codes)]
    waiting = await solver_requests(fair, status=ApplicationStatus.WAITLISTED.value)
    if not freed or not waiting:
        return None
    # Only the freed stalls are in play: a share-based cap over one or two stalls would block
    # every double-stall applicant, so the cap is lifted for this offer.
    proposal = allocate(freed, waiting, [], model.Weights(category_cap=1.0))
    if not proposal.assignments:
        return None
    chosen, codes = max(proposal.assignments.items(), key=lambda item: (len(item[1]), -item[0]))
    ids = await stall_ids(fair)
    async with write_txn(Assignment._meta.db):
        await promote_waitlisted(chosen, "Được xếp vào gian vừa trống.")
        for code in codes:
            await (
                Assignment(
                    fair=fair_id,
                    stall=ids[code],
                    application=chosen,
                    reasons=_reasons_json(proposal.reasons.get(chosen, [])),
                )
                .save()
                .run()
            )
    return chosen


async def ensure_hard_rules_hold(fair: dict[str, Any], changed: dict[int, list[str]]) -> None:
    """The check every change by hand goes through (a move, a swap), the solver's own: the
    board after the change may break no hard rule that it did not already break. (Pins are
    left out: a change by hand is what sets them.)"""
    from allocation.solver.rules import check_hard_rules

    stalls = await solver_stalls(fair)
    requests = await solver_requests(fair)
    run = await last_run(fair["id"])
    weights = model.Weights(**run["weights"]) if run else model.Weights()
    before = await held_stalls(fair["id"])
    after = {**before, **changed}

    def key(v: model.Violation) -> tuple[Any, ...]:
        return (v.rule, v.vi)

    already = {key(v) for v in check_hard_rules(before, stalls, requests, weights=weights)}
    broken = [
        v
        for v in check_hard_rules(after, stalls, requests, weights=weights)
        if key(v) not in already
    ]
    if broken:
        raise AppError(
            409,
            "Không xếp được như vậy: " + "; ".join(v.vi for v in broken),
            "This placement breaks a rule: " + "; ".join(v.en for v in broken),
            extra={"rules": sorted({v.rule for v in broken})},
        )
