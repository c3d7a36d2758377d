"""Check-in at the gate: one set of rules for scans made online and for offline uploads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.accounts import Principal
from core.database import is_unique_violation
from core.timezone import local, now_utc
from tickets.codes import CodeError, decode
from tickets.gate_scope import ensure_gate_scope
from tickets.tables import Arrival, Pass, PassStatus, Scan

SHORT_CODE_CHARS = 9  # "ABCD-EFGH"


@dataclass
class Outcome:
    result: str
    message_vi: str
    message_en: str
    pass_info: dict[str, Any] | None = None
    first_scan: dict[str, Any] | None = None


def _when(moment: dt.datetime) -> str:
    return local(moment).strftime("%H:%M:%S %d/%m/%Y")


async def _pass_row(pass_id: int) -> dict[str, Any] | None:
    return (
        await Pass.select(
            Pass.all_columns(), Pass.fair.title, Pass.fair.site, Pass.fair.site.organizer
        )
        .where(Pass.id == pass_id)
        .first()
        .run()
    )


def _info(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "fair_id": row["fair"],
        "fair": row["fair.title"],
        "holder": row["holder"],
        "stall": row["stalls"],
        "short_code": row["short_code"],
        "status": row["status"],
    }


async def _resolve(code: str) -> tuple[dict[str, Any] | None, Outcome | None]:
    """A QR text (signed) or a typed short code; the pass row, or why there is none."""
    text = code.strip("\r\n\t")  # not spaces: space is a base45 digit
    typed = text.strip()
    if len(typed) == SHORT_CODE_CHARS and typed[4] == "-":
        row = await Pass.select(Pass.id).where(Pass.short_code == typed.upper()).first().run()
        if not row:
            return None, Outcome("invalid", "Không có thẻ mang mã này.", "No pass has this code.")
        return await _pass_row(row["id"]), None
    try:
        data = decode(text)
    except CodeError as exc:
        return None, Outcome("invalid", exc.vi, exc.en)
    row = await _pass_row(data.pass_id)
    # The stored code too: a pass issued again (same id, new key) retires the old text.
    if row is None or row["fair"] != data.fair_id or row["code"] != text.upper():
        return None, Outcome(
            "invalid", "Thẻ không có trong hệ thống.", "The pass is not on record."
        )
    return row, None


async def check_in(
    principal: Principal,
    code: str,
    gate: str,
    device_id: str,
    scanned_at: dt.datetime | None,
    fair_id: int | None,
) -> Outcome:
    received = now_utc()
    scanned = (scanned_at or received).astimezone(dt.UTC)
    if scanned > received + dt.timedelta(minutes=5):
        scanned = received  # a device clock ahead of ours cannot scan in the future
    row, refusal = await _resolve(code)
    if refusal:
        return refusal
    assert row is not None
    # Before anything is recorded: a ward officer lets vendors in at their own wards' fairs only,
    # gate staff at the fairs they are assigned to.
    await ensure_gate_scope(
        principal,
        {"id": row["fair"], "site": row["fair.site"], "site.organizer": row["fair.site.organizer"]},
    )
    info = _info(row)
    day = local(scanned).date()
    first_day, days = row["first_day"], row["days"]
    if fair_id is not None and row["fair"] != fair_id:
        result = Outcome(
            "wrong_fair",
            f"Thẻ của phiên chợ khác: {row['fair.title']}.",
            f"A pass for another fair: {row['fair.title']}.",
            info,
        )
    elif not first_day <= day < first_day + dt.timedelta(days=days):
        result = Outcome(
            "not_today",
            f"Thẻ chỉ dùng ngày {first_day:%d/%m/%Y}.",
            f"The pass is valid on {first_day:%d/%m/%Y} only.",
            info,
        )
    elif row["status"] == PassStatus.REVOKED.value:
        result = Outcome(
            "revoked",
            f"Thẻ đã bị thu hồi: {row['revoked_reason']}",
            f"The pass has been revoked: {row['revoked_reason']}",
            info,
        )
    else:
        result = await _arrive(row, info, gate, device_id, scanned)
    return await _record(row["id"], gate, device_id, scanned, principal, result)


def _duplicate(first: dict[str, Any], info: dict[str, Any]) -> Outcome:
    return Outcome(
        "duplicate",
        f"Thẻ đã quét lúc {_when(first['scanned_at'])} tại cổng “{first['gate']}”.",
        f"Already scanned at {_when(first['scanned_at'])} at gate “{first['gate']}”.",
        info,
        {
            "scanned_at": first["scanned_at"].isoformat(),
            "gate": first["gate"],
            "device_id": first["device_id"],
        },
    )


async def _arrive(
    row: dict[str, Any], info: dict[str, Any], gate: str, device_id: str, scanned: dt.datetime
) -> Outcome:
    # Most scans after the first are repeats: look before inserting. The unique index still
    # decides when two gates scan the same pass at the same moment.
    first = await Arrival.select().where(Arrival.pass_ == row["id"]).first().run()
    if first is not None:
        return _duplicate(first, info)
    try:
        await (
            Arrival(
                pass_=row["id"],
                fair=row["fair"],
                gate=gate,
                device_id=device_id,
                scanned_at=scanned,
            )
            .save()
            .run()
        )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        first = await Arrival.select().where(Arrival.pass_ == row["id"]).first().run()
        return _duplicate(first, info)
    stall = f" — gian {row['stalls']}" if row["stalls"] else ""
    return Outcome(
        "accepted",
        f"Mời vào: {row['holder']}{stall}.",
        f"Welcome: {row['holder']}" + (f" — stall {row['stalls']}." if stall else "."),
        info,
    )


async def _record(
    pass_id: int,
    gate: str,
    device_id: str,
    scanned: dt.datetime,
    principal: Principal,
    outcome: Outcome,
) -> Outcome:
    """Keep every scan; the same scan sent again (a retry) is kept once and answered alike."""
    try:
        # One statement, so no transaction of its own: BEGIN and COMMIT would be two more round
        # trips on every scan at the gate.
        await (
            Scan(
                pass_=pass_id,
                gate=gate,
                device_id=device_id,
                scanned_at=scanned,
                by_account=principal.account_id,
                result=outcome.result,
            )
            .save()
            .run()
        )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        earlier = (
            await Scan.select(Scan.result)
            .where(
                (Scan.pass_ == pass_id)
                & (Scan.device_id == device_id)
                & (Scan.scanned_at == scanned)
            )
            .first()
            .run()
        )
        if earlier and earlier["result"] == "accepted" and outcome.result == "duplicate":
            # The retry of the scan that let the pass in: it is still that acceptance.
            outcome.result = "accepted"
    return outcome


async def offline_conflicts(fair_id: int) -> list[dict[str, Any]]:
    """Passes scanned on more than one device: let in twice while the gates were offline?"""
    scans = (
        await Scan.select(
            Scan.pass_,
            Scan.device_id,
            Scan.gate,
            Scan.scanned_at,
            Scan.result,
            Scan.pass_.holder,
            Scan.pass_.stalls,
        )
        .where(Scan.pass_.fair == fair_id)
        .order_by(Scan.scanned_at)
        .run()
    )
    by_pass: dict[int, list[dict[str, Any]]] = {}
    for scan in scans:
        by_pass.setdefault(scan["pass_id"], []).append(scan)
    return [
        {
            "pass_id": pass_id,
            "holder": items[0]["pass_id.holder"],
            "stall": items[0]["pass_id.stalls"],
            "scans": [
                {
                    "device_id": s["device_id"],
                    "gate": s["gate"],
                    "scanned_at": s["scanned_at"].isoformat(),
                    "result": s["result"],
                }
                for s in items
            ],
        }
        for pass_id, items in sorted(by_pass.items())
        if len({s["device_id"] for s in items}) > 1
    ]


async def counts(fair_id: int) -> dict[str, int]:
    issued = (
        await Pass.count()
        .where((Pass.fair == fair_id) & (Pass.status == PassStatus.ACTIVE.value))
        .run()
    )
    arrived = await Arrival.count().where(Arrival.fair == fair_id).run()
    return {"passes": issued, "arrived": arrived, "waiting": max(0, issued - arrived)}
