"""A body refusing a business at its own fairs: the business stays verified for the city, and
applies everywhere else; the body's fairs take no application from it while the refusal holds."""

from __future__ import annotations

from typing import Any

import msgspec

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.guards import ensure_body
from core.tables import Organizer
from core.text import clean
from core.timezone import local, now_utc
from events.tables import BodyRefusal
from vendors.tables import Business


class RefusalIn(msgspec.Struct, forbid_unknown_fields=True):
    business_id: int
    reason: str


class LiftIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class RefusalOut(msgspec.Struct):
    business_id: int
    business_name: str
    reason: str
    refused_at: str
    lifted_at: str | None
    lift_reason: str


async def body_acted_on(principal: Principal, slug: str) -> int:
    row = await Organizer.select(Organizer.id).where(Organizer.slug == slug).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy ban tổ chức.", "No such organizing body.")
    ensure_body(principal, row["id"])
    return row["id"]


def _reason(text: str) -> str:
    reason = clean(text)
    if not reason:
        raise AppError(
            422,
            "Hãy ghi lý do: doanh nghiệp sẽ đọc được lý do này.",
            "Give the reason: the business will read it.",
            extra={"field": "reason"},
        )
    return reason


async def refusals(principal: Principal, slug: str) -> list[RefusalOut]:
    body = await body_acted_on(principal, slug)
    rows = (
        await BodyRefusal.select(BodyRefusal.all_columns(), BodyRefusal.business.legal_name)
        .where(BodyRefusal.organizer == body)
        .order_by(BodyRefusal.refused_at, ascending=False)
        .run()
    )
    return [_out(r) for r in rows]


def _out(row: dict[str, Any]) -> RefusalOut:
    return RefusalOut(
        business_id=row["business"],
        business_name=row["business.legal_name"],
        reason=row["reason"],
        refused_at=local(row["refused_at"]).isoformat(),
        lifted_at=local(row["lifted_at"]).isoformat() if row["lifted_at"] else None,
        lift_reason=row["lift_reason"],
    )


async def refuse(principal: Principal, slug: str, data: RefusalIn) -> RefusalOut:
    body = await body_acted_on(principal, slug)
    reason = _reason(data.reason)
    if not await Business.exists().where(Business.id == data.business_id).run():
        raise AppError(
            422, "Không có doanh nghiệp này.", "No such business.", extra={"field": "business_id"}
        )
    if await holding(body, data.business_id):
        raise AppError(
            409,
            "Ban tổ chức đã từ chối doanh nghiệp này.",
            "This body has already refused this business.",
        )
    async with write_txn(BodyRefusal._meta.db):
        refusal = BodyRefusal(
            organizer=body,
            business=data.business_id,
            reason=reason,
            refused_by=principal.account_id,
        )
        await refusal.save().run()
    return await _one(refusal.id)


async def lift(principal: Principal, slug: str, business_id: int, data: LiftIn) -> RefusalOut:
    body = await body_acted_on(principal, slug)
    reason = _reason(data.reason)
    held = await holding(body, business_id)
    if held is None:
        raise AppError(
            404,
            "Ban tổ chức không từ chối doanh nghiệp này.",
            "This body has not refused this business.",
        )
    async with write_txn(BodyRefusal._meta.db):
        await (
            BodyRefusal.update(
                {
                    BodyRefusal.lifted_at: now_utc(),
                    BodyRefusal.lifted_by: principal.account_id,
                    BodyRefusal.lift_reason: reason,
                }
            )
            .where(BodyRefusal.id == held["id"])
            .run()
        )
    return await _one(held["id"])


async def _one(refusal_id: int) -> RefusalOut:
    row = (
        await BodyRefusal.select(BodyRefusal.all_columns(), BodyRefusal.business.legal_name)
        .where(BodyRefusal.id == refusal_id)
        .first()
        .run()
    )
    return _out(row)


async def holding(organizer_id: int | None, business_id: int) -> dict[str, Any] | None:
    """The refusal by the body of a business that holds now, if any."""
    if organizer_id is None:
        return None
    return (
        await BodyRefusal.select(BodyRefusal.id, BodyRefusal.reason)
        .where(
            (BodyRefusal.organizer == organizer_id)
            & (BodyRefusal.business == business_id)
            & BodyRefusal.lifted_at.is_null()
        )
        .first()
        .run()
    )


async def ensure_not_refused(organizer_id: int | None, business_id: int) -> None:
    refusal = await holding(organizer_id, business_id)
    if refusal:
        raise AppError(
            403,
            f"Ban tổ chức phiên chợ này không nhận doanh nghiệp ở các phiên chợ của mình: "
            f"{refusal['reason']}",
            f"The body holding this fair takes no applications from this business at its "
            f"fairs: {refusal['reason']}",
            extra={"reason": "refused_by_body"},
        )
