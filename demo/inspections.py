"""Demo inspections: two teams; checks of stalls at the past fairs and of a shop, a
supermarket, a market stall, a school's and an agency's purchases; findings with a warning,
a suspension (in force), a lifted suspension and a referral; and inspections planned at
today's fair for kiemtra@demo.vn to fill in on a phone. Written row by row like the rest of
the demo, so no e-mail goes to the demo's made-up addresses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.tables import Account, Ward
from core.timezone import LOCAL_TZ, now_utc, today_local
from demo.places import TODAYS_WARD
from events.tables import Assignment, Fair
from inspections.checklist import CHECKLIST
from inspections.tables import (
    ChecklistAnswer,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionLog,
    InspectionTeam,
    TeamMember,
)
from vendors.tables import Business, BusinessStatusChange

QLTT = "Đội Quản lý thị trường số 1 (Cục Quản lý thị trường TP. Hồ Chí Minh)"
DEMO_BUSINESS = "doanhnghiep1@demo.vn"

# Places outside the fairs: days ago (kept inside this year), kind, place, finding or None.
OTHER_PLACES: list[tuple[int, str, str, str, str, str, tuple[str, str, str, str] | None]] = [
    (
        9,
        "surprise",
        "shop",
        "Cửa hàng tạp hóa Minh Phát",
        "58 Lê Thánh Tôn",
        "ben-nghe",
        ("counterfeit", "major", "Nước mắm giả nhãn hiệu Phú Quốc, 24 chai.", "referral"),
    ),
    (
        6,
        "planned",
        "supermarket",
        "Siêu thị Co.opXtra Quận 1",
        "168 Nguyễn Đình Chiểu",
        "da-kao",
        None,
    ),
    (
        4,
        "planned",
        "school_purchase",
        "Bếp ăn Trường Tiểu học Trần Hưng Đạo",
        "2 Trần Hưng Đạo",
        "cau-ong-lanh",
        ("missing_origin_label", "minor", "Rau củ nhập về không có nhãn xuất xứ.", "none"),
    ),
    (2, "planned", "market_stall", "Sạp vải số 12, chợ Bến Thành", "Lê Lợi", "ben-thanh", None),
    (
        12,
        "planned",
        "agency_purchase",
        "Mua sắm văn phòng phẩm của UBND phường Bến Nghé",
        "29 Nguyễn Thị Minh Khai",
        "ben-nghe",
        None,
    ),
]
ITEM_FOR_KIND = {
    "counterfeit": "no_counterfeit",
    "missing_origin_label": "origin_labelled",
    "relabelled_foreign": "no_relabelled_foreign",
    "prices_not_shown": "prices_shown",
    "poor_display": "vn_goods_displayed",
    "unknown_origin": "no_smuggled_or_unknown_origin",
}
LIFTED_AFTER = dt.timedelta(days=7)


async def _user(email: str) -> dict[str, int]:
    row = await Account.select(Account.id, Account.user).where(Account.user.email == email).first()
    return {"account": row["id"], "user": row["user"]}


async def _team(name: str, lead: int, *others: int) -> int:
    team = InspectionTeam(name=name)
    await team.save().run()
    for user in (lead, *others):
        await TeamMember(team=team.id, user=user, is_lead=user == lead).save().run()
    await InspectionLog(team=team.id, action="team_created", by_user=lead).save().run()
    return team.id


async def _inspect(
    *,
    team: int,
    by: int,
    kind: str,
    place: dict[str, Any],
    started: dt.datetime,
    failed: str | None = None,
) -> int:
    """A completed inspection: every item answered, `failed` (if any) the one not passed."""
    inspection = Inspection(
        team=team,
        kind=kind,
        scheduled_for=started if kind == "planned" else None,
        status="completed",
        started_at=started,
        completed_at=started + dt.timedelta(minutes=25),
        created_by=by,
        created_at=started - dt.timedelta(days=3 if kind == "planned" else 0),
        **place,
    )
    await inspection.save().run()
    for minute, item in enumerate(CHECKLIST, start=2):
        answer = {
            "inspection": inspection.id,
            "item": item,
            "result": "fail" if item == failed else "pass",
            "recorded_by": by,
            "recorded_at": started + dt.timedelta(minutes=minute),
        }
        await ChecklistResult(**answer).save().run()
        await ChecklistAnswer(**answer).save().run()
    for action, at in (
        ("planned" if kind == "planned" else "opened", inspection.created_at),
        ("started", started),
        ("completed", inspection.completed_at),
    ):
        if not (kind == "surprise" and action == "started"):
            await (
                InspectionLog(inspection=inspection.id, action=action, by_user=by, at=at)
                .save()
                .run()
            )
    return inspection.id


async def _find(
    inspection: int,
    business: int | None,
    spec: tuple[str, str, str, str],
    by: dict[str, int],
    at: dt.datetime,
    lifted_by: dict[str, int] | None = None,
) -> None:
    """A finding; a warning or suspension also in the business's vetting history, and a
    suspension lifted a week later when `lifted_by` (an organizer) is given."""
    kind, severity, description, follow_up = spec
    lift_reason = "Đã thu hồi toàn bộ hàng vi phạm và cam kết bằng văn bản."
    await (
        Finding(
            inspection=inspection,
            business=business,
            kind=kind,
            severity=severity,
            description=description,
            follow_up=follow_up,
            referred_to=QLTT if follow_up == "referral" else "",
            created_by=by["user"],
            created_at=at,
            lifted_at=at + LIFTED_AFTER if lifted_by else None,
            lifted_by=lifted_by["user"] if lifted_by else None,
            lift_reason=lift_reason if lifted_by else "",
        )
        .save()
        .run()
    )
    if business is None or follow_up not in {"warning", "suspension"}:
        return
    # The vetting history the same decision makes in the app (vendors.vetting).
    action, to_status = ("warn", "verified") if follow_up == "warning" else ("suspend", "suspended")
    await (
        BusinessStatusChange(
            business=business,
            action=action,
            from_status="verified",
            to_status=to_status,
            reason=f"Kết quả kiểm tra số {inspection}: {description}",
            by_account=by["account"],
            at=at,
        )
        .save()
        .run()
    )
    if lifted_by is not None:
        await (
            BusinessStatusChange(
                business=business,
                action="reinstate",
                from_status="suspended",
                to_status="verified",
                reason=lift_reason,
                by_account=lifted_by["account"],
                at=at + LIFTED_AFTER,
            )
            .save()
            .run()
        )
        return
    await Business.update({Business.status: to_status}).where(Business.id == business).run()


async def _stalls(fair_id: int) -> list[dict[str, Any]]:
    """The fair's stalls, one per business (the first of a double stall)."""
    rows = (
        await Assignment.select(
            Assignment.stall,
            Assignment.stall.code,
            Assignment.application.business,
            Assignment.application.business.email,
            Assignment.fair.title,
            Assignment.fair.starts_at,
            Assignment.fair.site.address,
            Assignment.fair.site.ward,
        )
        .where(Assignment.fair == fair_id)
        .order_by(Assignment.stall.code)
        .run()
    )
    seen: set[int] = set()
    firsts = []
    for row in rows:
        if row["application.business"] not in seen:
            seen.add(row["application.business"])
            firsts.append(row)
    return firsts


def _stall_place(row: dict[str, Any], fair_id: int) -> dict[str, Any]:
    return {
        "place_kind": "fair_stall",
        "fair": fair_id,
        "stall": row["stall"],
        "business": row["application.business"],
        "place_name": f"{row['fair.title']} — gian {row['stall.code']}",
        "address": row["fair.site.address"],
        "ward": row["fair.site.ward"],
    }


async def load_inspections(fair_ids: dict[str, int]) -> None:
    from tickets.services import sync_business

    inspector = await _user("kiemtra@demo.vn")
    organizer = await _user("bantochuc@demo.vn")
    first = await _team("Đoàn kiểm tra số 1 — Ban Chỉ đạo quận 1", inspector["user"])
    second = await _team("Đoàn kiểm tra liên ngành quận 1", organizer["user"], inspector["user"])
    # Businesses holding a stall at today's or the next fair keep trading in the demo.
    upcoming = {
        r["application.business"] for key in ("0", "10") for r in await _stalls(fair_ids[key])
    }
    suspended: int | None = None
    # Past fairs: the first stalls of each, one or two with a finding.
    findings_at = {
        "-56": (
            "unknown_origin",
            "major",
            "Bánh kẹo không rõ nguồn gốc bày lẫn với hàng Việt.",
            "suspension",
        ),
        "-28": ("prices_not_shown", "minor", "Không niêm yết giá các mặt hàng.", "warning"),
        "-14": (
            "relabelled_foreign",
            "critical",
            "Áo thun nhập khẩu bị cắt nhãn gốc, gắn nhãn “Made in Vietnam”.",
            "suspension",
        ),
    }
    for key, spec in findings_at.items():
        rows = [
            r
            for r in await _stalls(fair_ids[key])
            if r["application.business.email"] != DEMO_BUSINESS
        ]
        # The suspended business is one that holds no stall at the coming fairs.
        culprit = (
            next((r for r in rows if r["application.business"] not in upcoming), rows[0])
            if spec[3] == "suspension"
            else rows[0]
        )
        for number, row in enumerate([culprit, *[r for r in rows if r is not culprit][:3]]):
            started = row["fair.starts_at"] + dt.timedelta(hours=1, minutes=35 * number)
            faulty = row is culprit
            inspection = await _inspect(
                team=first,
                by=inspector["user"],
                kind="planned",
                place=_stall_place(row, fair_ids[key]),
                started=started,
                failed=ITEM_FOR_KIND[spec[0]] if faulty else None,
            )
            if faulty:
                await _find(
                    inspection,
                    row["application.business"],
                    spec,
                    inspector,
                    started + dt.timedelta(minutes=15),
                    lifted_by=organizer if key == "-56" else None,
                )
                if key == "-14":
                    suspended = row["application.business"]
    # Places outside the fairs, kept inside this year so this year's report counts them.
    today = today_local()
    rows = await Ward.select(Ward.id, Ward.slug, Ward.name).run()
    wards = {r["slug"]: r["id"] for r in rows}
    ward_names = {r["slug"]: r["name"] for r in rows}
    for days_ago, kind, place_kind, name, address, ward, spec in OTHER_PLACES:
        day = max(today - dt.timedelta(days=days_ago), dt.date(today.year, 1, 1))
        started = dt.datetime.combine(day, dt.time(9, 30), tzinfo=LOCAL_TZ)
        if started + dt.timedelta(minutes=30) > now_utc():
            started = now_utc() - dt.timedelta(hours=1)
        inspection = await _inspect(
            team=second,
            by=organizer["user"] if kind == "planned" else inspector["user"],
            kind=kind,
            place={
                "place_kind": place_kind,
                "place_name": name,
                "address": f"{address}, {ward_names[TODAYS_WARD[ward]]}",
                "ward": wards[TODAYS_WARD[ward]],
            },
            started=started,
            failed=ITEM_FOR_KIND[spec[0]] if spec else None,
        )
        if spec:
            await _find(inspection, None, spec, inspector, started + dt.timedelta(minutes=20))
    # Today's fair: stall inspections planned for this afternoon, for the phone walk-through.
    today_fair = await Fair.select(Fair.starts_at).where(Fair.id == fair_ids["0"]).first().run()
    for number, row in enumerate(
        [
            r
            for r in await _stalls(fair_ids["0"])
            if r["application.business.email"] != DEMO_BUSINESS
        ][:3]
    ):
        await (
            Inspection(
                team=first,
                kind="planned",
                scheduled_for=today_fair["starts_at"] + dt.timedelta(hours=7, minutes=30 * number),
                status="planned",
                created_by=organizer["user"],
                **_stall_place(row, fair_ids["0"]),
            )
            .save()
            .run()
        )
    if suspended is not None:
        await sync_business(suspended)  # its passes are revoked, as the app would do
