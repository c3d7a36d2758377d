"""The allocation board of a fair: stalls with their state, manual moves, pins, publishing."""

from __future__ import annotations

import json
from typing import Any

from core.accounts import Principal
from core.database import is_unique_violation, write_txn
from core.errors import AppError
from core.guards import ensure_ward
from core.text import clean
from core.timezone import now_utc
from events.fair_rows import fair_mail_context, fair_row
from events.stallmap import ATTRIBUTES, stall_dict
from events.tables import (
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentMove,
    ClosedStall,
    Fair,
    FairStatus,
    Stall,
)
from vendors.tables import BusinessCategory


async def _business_categories(business_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        await BusinessCategory.select(
            BusinessCategory.business,
            BusinessCategory.category.name_vi,
            BusinessCategory.category.position,
        )
        .where(BusinessCategory.business.is_in(business_ids or [0]))
        .run()
    )
    names: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        names.setdefault(row["business"], []).append(
            (row["category.position"], row["category.name_vi"])
        )
    return {b: [n for _, n in sorted(v)] for b, v in names.items()}


async def stalls_of(fair: dict[str, Any]) -> tuple[list[dict[str, Any]], set[int]]:
    """The site's active stalls, and the ids of those closed for this fair."""
    stalls = (
        await Stall.select()
        .where(
            (Stall.site == fair["site"]) & (Stall.active == True)  # noqa: E712
        )
        .run()
    )
    closed = {
        r["stall"]
        for r in await ClosedStall.select(ClosedStall.stall)
        .where(ClosedStall.fair == fair["id"])
        .run()
    }
    return stalls, closed


async def offered_stalls(fair: dict[str, Any]) -> int:
    """The stalls a fair offers: the active stalls of its site's map less those closed for it."""
    stalls, closed = await stalls_of(fair)
    return sum(s["id"] not in closed for s in stalls)


async def fair_stalls(fair_id: int, *, public: bool) -> list[dict[str, Any]]:
    """The fair's map as the outside contract spells it. The public sees who is where only
    once the allocation is published; organizers always see the board."""
    fair = await fair_row(fair_id)
    if public and fair["status"] == FairStatus.DRAFT.value:
        raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
    stalls, closed = await stalls_of(fair)
    show = not public or fair["allocation_published_at"] is not None
    assigned = (
        await Assignment.select(
            Assignment.stall,
            Assignment.pinned,
            Assignment.application,
            Assignment.application.business,
            Assignment.application.business.legal_name,
            Assignment.application.business.trade_name,
        )
        .where(Assignment.fair == fair_id)
        .run()
        if show
        else []
    )
    by_stall = {a["stall"]: a for a in assigned}
    categories = await _business_categories([a["application.business"] for a in assigned])
    out = []
    for stall in sorted(stalls, key=lambda r: (r["zone"], len(r["code"]), r["code"])):
        item = stall_dict(stall)
        taken = by_stall.get(stall["id"])
        if stall["id"] in closed:
            item["state"] = "closed"
        elif taken:
            item["state"] = "pinned" if taken["pinned"] and not public else "assigned"
        else:
            item["state"] = "open"
        item["business"] = (
            {
                "name": taken["application.business.trade_name"]
                or taken["application.business.legal_name"],
                "categories": categories.get(taken["application.business"], []),
            }
            if taken
            else None
        )
        if taken and not public:
            item["application_id"] = taken["application"]
        out.append(item)
    return out


async def set_closed(principal: Principal, fair_id: int, codes: list[str]) -> list[str]:
    fair = await fair_row(fair_id)
    ensure_ward(principal, fair["site.ward"])
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
    fair = await fair_row(fair_id)
    ensure_ward(principal, fair["site.ward"])
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
    from events.allocate import ensure_hard_rules_hold

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
    await passes_follow(fair)


async def swap(principal: Principal, fair_id: int, first: int, second: int, reason: str) -> None:
    """Two applications trade their stalls in one step (both need the same number of stalls)."""
    fair = await fair_row(fair_id)
    ensure_ward(principal, fair["site.ward"])
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
    from events.allocate import ensure_hard_rules_hold

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
    await passes_follow(fair)


async def unassign(principal: Principal, fair_id: int, application_id: int, reason: str) -> None:
    fair = await fair_row(fair_id)
    ensure_ward(principal, fair["site.ward"])
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
    await passes_follow(fair)


async def set_pinned(principal: Principal, fair_id: int, application_id: int, pinned: bool) -> None:
    fair = await fair_row(fair_id)
    ensure_ward(principal, fair["site.ward"])
    changed = (
        await Assignment.update({Assignment.pinned: pinned})
        .where((Assignment.fair == fair_id) & (Assignment.application == application_id))
        .returning(Assignment.id)
        .run()
    )
    if not changed:
        raise AppError(404, "Đơn này chưa có gian.", "This application has no stall.")


async def tell_moved(
    fair: dict[str, Any], moves: dict[int, tuple[list[str], list[str]]], reason: str = ""
) -> None:
    """On a published board, each business whose stalls changed is told which it has now (or
    that it has none): called inside the change's transaction, so the notice and the change
    are kept or lost together. Before publishing, businesses are told nothing until publish."""
    if fair["allocation_published_at"] is None:
        return
    changed = {
        application: (sorted(old), sorted(new))
        for application, (old, new) in moves.items()
        if sorted(old) != sorted(new)
    }
    if not changed:
        return
    from vendors.notifications import notify_business

    owners = (
        await Application.select(Application.id, Application.business)
        .where(Application.id.is_in(list(changed)))
        .order_by(Application.id)
        .run()
    )
    for row in owners:
        old, new = changed[row["id"]]
        await notify_business(
            row["business"],
            "stall_changed" if new else "stall_withdrawn",
            {
                **fair_mail_context(fair),
                "stalls": ", ".join(new),
                "old_stalls": ", ".join(old),
                "reason": clean(reason),
            },
        )


async def passes_follow(fair: dict[str, Any]) -> None:
    """On a published board, a move revokes the old pass and issues the new one."""
    if fair["allocation_published_at"] is not None:
        from tickets.services import sync_passes

        await sync_passes(fair["id"])


__all__ = ["ATTRIBUTES", "assign", "fair_stalls", "set_closed", "set_pinned", "unassign"]
