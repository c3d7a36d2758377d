"""Issuing and revoking passes. `sync_passes` is the one place that decides who holds a pass:
every business with an approved application and stalls on a published board of a fair that is
not cancelled, unless suspended. Everything that changes one of those calls it."""

from __future__ import annotations

import secrets
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.guards import ensure_body
from core.timezone import local
from events.fair_rows import fair_acted_on, fair_row
from events.tables import ApplicationStatus, Assignment, Fair, FairStatus
from tickets.codes import Kind, PassData, encode
from tickets.keys import ring, signing_key
from tickets.tables import Pass, PassStatus, Revocation
from vendors.tables import BusinessStatus

# Crockford's alphabet: no I, L, O or U to misread at a gate.
SHORT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_short_code() -> str:
    raw = "".join(secrets.choice(SHORT_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def fair_days(fair: dict[str, Any]) -> tuple[Any, int]:
    first, last = local(fair["starts_at"]).date(), local(fair["ends_at"]).date()
    return first, (last - first).days + 1


async def _desired(fair: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """application id -> (holder, stall codes) for everyone who should hold a pass now."""
    if fair["allocation_published_at"] is None or fair["status"] == FairStatus.CANCELLED.value:
        return {}
    rows = (
        await Assignment.select(
            Assignment.application,
            Assignment.stall.code,
            Assignment.application.status,
            Assignment.application.business.status,
            Assignment.application.business.legal_name,
            Assignment.application.business.trade_name,
        )
        .where(Assignment.fair == fair["id"])
        .run()
    )
    wanted: dict[int, tuple[str, list[str]]] = {}
    for row in rows:
        if row["application.status"] != ApplicationStatus.APPROVED.value:
            continue
        if row["application.business.status"] != BusinessStatus.VERIFIED.value:
            continue
        holder = row["application.business.trade_name"] or row["application.business.legal_name"]
        wanted.setdefault(row["application"], (holder, []))[1].append(row["stall.code"])
    return {a: (h, ",".join(sorted(c))) for a, (h, c) in wanted.items()}


async def _revoke(pass_id: int, fair_id: int, reason: str) -> None:
    changed = (
        await Pass.update({Pass.status: PassStatus.REVOKED.value, Pass.revoked_reason: reason})
        .where((Pass.id == pass_id) & (Pass.status == PassStatus.ACTIVE.value))
        .returning(Pass.id)
        .run()
    )
    if changed:
        await Revocation(pass_=pass_id, fair=fair_id, reason=reason).save().run()


async def _issue(
    fair: dict[str, Any], application_id: int | None, holder: str, stalls: str, kind: Kind
) -> int:
    first_day, days = fair_days(fair)
    row = Pass(
        fair=fair["id"],
        application=application_id,
        kind=int(kind),
        holder=holder,
        stalls=stalls,
        first_day=first_day,
        days=days,
        kid=signing_key().kid,
        code="",
        short_code=new_short_code(),
    )
    await row.save().run()
    code = encode(
        PassData(
            pass_id=row.id,
            fair_id=fair["id"],
            stall=stalls.split(",")[0],
            first_day=first_day,
            days=days,
            kind=kind,
        )
    )
    await Pass.update({Pass.code: code, Pass.kid: signing_key().kid}).where(Pass.id == row.id).run()
    return row.id


async def sync_passes(fair_id: int) -> dict[str, int]:
    """Issue the passes that should exist and revoke those that should not: a moved business
    gets a new pass for its new stall, and its old one is revoked."""
    fair = await Fair.select().where(Fair.id == fair_id).first().run()
    if not fair:
        return {"issued": 0, "revoked": 0}
    issued = revoked = 0
    retired = {k.kid for k in ring() if k.retired}
    async with write_txn(Pass._meta.db):
        # One sync of a fair at a time: two at once would both issue the missing passes.
        # SQLite's IMMEDIATE transaction already serializes writers; PostgreSQL takes a lock.
        if isinstance(Pass._meta.db, PostgresEngine):
            await Pass.raw("SELECT pg_advisory_xact_lock(172, {})", fair_id).run()
        wanted = await _desired(fair)
        active = (
            await Pass.select(
                Pass.id, Pass.application, Pass.stalls, Pass.first_day, Pass.days, Pass.kid
            )
            .where(
                (Pass.fair == fair_id)
                & (Pass.status == PassStatus.ACTIVE.value)
                & (Pass.kind == int(Kind.BUSINESS))
            )
            .run()
        )
        held: set[int] = set()
        for row in active:
            want = wanted.get(row["application"])
            # The fair moved, or the pass's key was retired: the holder gets a new pass.
            stale = (row["first_day"], row["days"]) != fair_days(fair) or row["kid"] in retired
            if want is None or want[1] != row["stalls"] or stale or row["application"] in held:
                reason = _reason(fair, want, stale)
                await _revoke(row["id"], fair_id, reason)
                revoked += 1
            else:
                held.add(row["application"])
        if fair["status"] == FairStatus.CANCELLED.value:
            for row in (
                await Pass.select(Pass.id)
                .where((Pass.fair == fair_id) & (Pass.status == PassStatus.ACTIVE.value))
                .run()
            ):
                await _revoke(row["id"], fair_id, "Phiên chợ đã hủy.")
                revoked += 1
        for application_id, (holder, stalls) in sorted(wanted.items()):
            if application_id not in held:
                await _issue(fair, application_id, holder, stalls, Kind.BUSINESS)
                issued += 1
    return {"issued": issued, "revoked": revoked}


def _reason(fair: dict[str, Any], want: tuple[str, str] | None, stale: bool = False) -> str:
    if fair["status"] == FairStatus.CANCELLED.value:
        return "Phiên chợ đã hủy."
    if stale:
        return "Phiên chợ đổi ngày hoặc đổi khóa ký: đã cấp thẻ mới."
    if want is None:
        return "Doanh nghiệp không còn gian hàng (rút đơn, bị đình chỉ hoặc bị thu hồi gian)."
    return "Doanh nghiệp được chuyển sang gian khác: đã cấp thẻ mới."


async def sync_business(business_id: int) -> None:
    """After a suspension or its lifting: every fair the business holds stalls at."""
    fairs = (
        await Assignment.select(Assignment.fair)
        .where(Assignment.application.business == business_id)
        .run()
    )
    for fair_id in sorted({f["fair"] for f in fairs}):
        await sync_passes(fair_id)


async def issue_staff_pass(by: Principal | None, fair_id: int, holder: str, kind: Kind) -> int:
    """`by`: who issues it, checked against the fair's ward here, whoever calls (None: the
    system itself, as the demo does). No such fair is a 404."""
    fair = await (fair_row(fair_id) if by is None else fair_acted_on(by, fair_id))
    if fair["status"] not in (FairStatus.PUBLISHED.value, FairStatus.DRAFT.value):
        raise AppError(
            409,
            "Chỉ cấp thẻ cho phiên chợ chưa diễn ra hoặc đang diễn ra.",
            "Passes are issued only for fairs that are still to come.",
        )
    async with write_txn(Pass._meta.db):
        return await _issue(fair, None, holder, "", kind)


async def revoke_pass(by: Principal | None, pass_id: int, reason: str) -> None:
    """`by`: who revokes it, checked against the fair's ward here, whoever calls (None: the
    system itself)."""
    row = (
        await Pass.select(Pass.fair, Pass.fair.site.organizer)
        .where(Pass.id == pass_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy thẻ.", "No such pass.")
    if by is not None:
        ensure_body(by, row["fair.site.organizer"])
    async with write_txn(Pass._meta.db):
        await _revoke(pass_id, row["fair"], reason or "Ban tổ chức thu hồi thẻ.")


async def resync_upcoming() -> dict[str, int]:
    """After a key is retired: every fair still to come re-issues the passes it signed."""
    from core.timezone import now_utc

    fairs = (
        await Fair.select(Fair.id)
        .where(
            (Fair.status == FairStatus.PUBLISHED.value)
            & (Fair.ends_at >= now_utc())
            & Fair.allocation_published_at.is_not_null()
        )
        .run()
    )
    total = {"issued": 0, "revoked": 0}
    for fair in fairs:
        result = await sync_passes(fair["id"])
        total = {k: total[k] + result[k] for k in total}
    return total


def pass_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """How passes are listed and printed everywhere: active first, then by stall as people
    read codes (A2 before A10), passes without a stall last."""
    stalls = row["stalls"]
    return (row.get("status", "active") != "active", stalls == "", len(stalls), stalls, row["id"])
