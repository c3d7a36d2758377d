"""The allocation board of a fair, by hand: closing stalls, moves, swaps, removals and pins;
each change kept (AssignmentMove), the businesses told, and announced (core.signals)."""

from __future__ import annotations

import json
from typing import Any

from allocation.notices import announce_if_published, tell_moved
from allocation.runs import ensure_hard_rules_hold
from core.accounts import Principal
from core.database import is_unique_violation, write_txn
from core.errors import AppError
from core.text import clean
from core.timezone import now_utc
from events.fair_rows import fair_acted_on
from events.tables import (
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentMove,
    ClosedStall,
    Fair,
    Stall,
)


async def set_closed(principal: Principal, fair_id: int, codes: list[str]) -> list[str]:
    fair = await fair_acted_on(principal, fair_id)
    stalls = {
        r["code"]: r["id"]
        for r in await Stall.select(Stall.id, Stall.code).where(Stall.site == fair["site"]).run()
    }
    unknown = sorted(set(codes) - set(stalls))
    if unknown:
        raise AppError(
            422, f"Không có gian: {', '.join(unknown)}.", f"No such stalls: {', '.join(unknown)}."
        )
    wanted = {stalls[c] for c in codes}
    taken = {
        r["stall"]
        for r in await Assignment.select(Assignment.stall)
        .where((Assignment.fair == fair_id) & Assignment.stall.is_in(list(wanted) or [0]))
        .run()
    }
    if taken:
        names = sorted(c for c, i in stalls.items() if i in taken)
        raise AppError(
            409,
            f"Gian đã có doanh nghiệp, hãy chuyển đi trước: {', '.join(names)}.",
            f"Stalls already given out; move them first: {', '.join(names)}.",
        )
    async with write_txn(Fair._meta.db):
        await ClosedStall.delete().where(ClosedStall.fair == fair_id).run()
        for stall_id in sorted(wanted):
            await ClosedStall(fair=fair_id, stall=stall_id).save().run()
    return sorted(codes)


async def assign(
    principal: Principal,
    fair_id: int,
    application_id: int,
    codes: list[str],
    *,
    pinned: bool,
    reason: str,
) -> None:
    """Give stalls to an application by hand (a move when it had others). The unique index on
    (fair, stall) makes a stall taken by someone else at the same moment a clean 409."""
    fair = await fair_acted_on(principal, fair_id)
    application = (
        await Application.select(Application.id, Application.status, Application.stalls_requested)
        .where((Application.id == application_id) & (Application.fair == fair_id))
        .first()
        .run()
    )
    if not application:
        raise AppError(
            404, "Không có đơn này ở phiên chợ này.", "No such application at this fair."
        )
    if application["status"] != ApplicationStatus.APPROVED.value:
        raise AppError(
            409,
            "Chỉ đơn đã được duyệt mới được xếp gian.",
            "Only approved applications get stalls.",
        )
    codes = sorted({c.strip().upper() for c in codes})
    if len(codes) != application["stalls_requested"]:
        raise AppError(
            422,
            f"Đơn này xin {application['stalls_requested']} gian.",
            f"This application asks for {application['stalls_requested']} stall(s).",
        )
    stalls = (
        await Stall.select()
        .where(
            (Stall.site == fair["site"]) & Stall.code.is_in(codes) & (Stall.active == True)  # noqa: E712
        )
        .run()
    )
    if len(stalls) != len(codes):
        raise AppError(
            422,
            "Có mã gian không thuộc sơ đồ của địa điểm.",
            "Some stall codes are not on the site's map.",
        )
    if len(stalls) == 2:
        from events.stallmap import Box, touching

        a, b = (Box(s["code"], s["x"], s["y"], s["width"], s["depth"]) for s in stalls)
        if not (touching(a, b) and all(s["joinable"] for s in stalls)):
            raise AppError(
                422,
                "Hai gian phải liền nhau và ghép đôi được.",
                "The two stalls must be neighbours that can be joined.",
            )
    closed = (
        await ClosedStall.count()
        .where((ClosedStall.fair == fair_id) & ClosedStall.stall.is_in([s["id"] for s in stalls]))
        .run()
    )
    if closed:
        raise AppError(409, "Gian này đóng trong phiên chợ.", "That stall is closed for this fair.")
    # The solver's own rules (food, power, water, access, pairs, category cap), not a subset.
    await ensure_hard_rules_hold(fair, {application_id: codes})
    previous = (
        await Assignment.select(Assignment.stall.code)
        .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
        .run()
    )
    try:
        async with write_txn(Assignment._meta.db):
            await (
                Assignment.delete()
                .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
                .run()
            )
            for stall in stalls:
                await (
                    Assignment(
                        fair=fair_id,
                        stall=stall["id"],
                        application=application_id,
                        pinned=pinned,
                        reasons=json.dumps(["manual"]),
                    )
                    .save()
                    .run()
                )
            await (
                AssignmentMove(
                    fair=fair_id,
                    application=application_id,
                    action="move" if previous else "assign",
                    from_stalls=",".join(sorted(p["stall.code"] for p in previous)),
                    to_stalls=",".join(codes),
                    reason=clean(reason),
                    by_account=principal.account_id,
                )
                .save()
                .run()
            )
            await Fair.update({Fair.updated_at: now_utc()}).where(Fair.id == fair_id).run()
            await tell_moved(
                fair, {application_id: ([p["stall.code"] for p in previous], codes)}, reason
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise AppError(
                409,
                "Gian này vừa được xếp cho doanh nghiệp khác.",
                "That stall has just been given to another business.",
            ) from exc
        raise
    await announce_if_published(fair)


async def swap(principal: Principal, fair_id: int, first: int, second: int, reason: str) -> None:
    """Two applications trade their stalls in one step (both need the same number of stalls)."""
    fair = await fair_acted_on(principal, fair_id)
    held: dict[int, list[dict[str, Any]]] = {first: [], second: []}
    for row in (
        await Assignment.select(
            Assignment.application, Assignment.stall, Assignment.stall.code, Assignment.pinned
        )
        .where((Assignment.fair == fair_id) & Assignment.application.is_in([first, second]))
        .run()
    ):
        held[row["application"]].append(row)
    if first == second or not held[first] or not held[second]:
        raise AppError(
            422,
            "Cần hai đơn khác nhau, mỗi đơn đã có gian.",
            "Two different applications, each with stalls, are needed.",
        )
    if len(held[first]) != len(held[second]):
        raise AppError(
            422,
            "Chỉ đổi được giữa hai đơn có cùng số gian.",
            "Only applications with as many stalls each can swap.",
        )
    await ensure_hard_rules_hold(
        fair,
        {
            first: [r["stall.code"] for r in held[second]],
            second: [r["stall.code"] for r in held[first]],
        },
    )
    async with write_txn(Assignment._meta.db):
        await (
            Assignment.delete()
            .where((Assignment.fair == fair_id) & Assignment.application.is_in([first, second]))
            .run()
        )
        for owner, other in ((first, second), (second, first)):
            for row in held[other]:
                await (
                    Assignment(
                        fair=fair_id,
                        stall=row["stall"],
                        application=owner,
                        pinned=True,
                        reasons=json.dumps(["manual"]),
                    )
                    .save()
                    .run()
                )
            await (
                AssignmentMove(
                    fair=fair_id,
                    application=owner,
                    action="swap",
                    from_stalls=",".join(sorted(r["stall.code"] for r in held[owner])),
                    to_stalls=",".join(sorted(r["stall.code"] for r in held[other])),
                    reason=clean(reason),
                    by_account=principal.account_id,
                )
                .save()
                .run()
            )
        await Fair.update({Fair.updated_at: now_utc()}).where(Fair.id == fair_id).run()
        codes = {owner: [r["stall.code"] for r in rows] for owner, rows in held.items()}
        await tell_moved(
            fair,
            {first: (codes[first], codes[second]), second: (codes[second], codes[first])},
            reason,
        )
    await announce_if_published(fair)


async def unassign(principal: Principal, fair_id: int, application_id: int, reason: str) -> None:
    fair = await fair_acted_on(principal, fair_id)
    previous = (
        await Assignment.select(Assignment.stall.code)
        .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
        .run()
    )
    if not previous:
        raise AppError(404, "Đơn này chưa có gian.", "This application has no stall.")
    async with write_txn(Assignment._meta.db):
        await (
            Assignment.delete()
            .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
            .run()
        )
        await (
            AssignmentMove(
                fair=fair_id,
                application=application_id,
                action="unassign",
                from_stalls=",".join(sorted(p["stall.code"] for p in previous)),
                reason=clean(reason),
                by_account=principal.account_id,
            )
            .save()
            .run()
        )
        await tell_moved(fair, {application_id: ([p["stall.code"] for p in previous], [])}, reason)
    await announce_if_published(fair)


async def set_pinned(principal: Principal, fair_id: int, application_id: int, pinned: bool) -> None:
    await fair_acted_on(principal, fair_id)
    changed = (
        await Assignment.update({Assignment.pinned: pinned})
        .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
        .returning(Assignment.id)
        .run()
    )
    if not changed:
        raise AppError(404, "Đơn này chưa có gian.", "This application has no stall.")
