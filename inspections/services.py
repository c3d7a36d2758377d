"""Inspections: planning or opening one, the checklist answered item by item, notes,
completion and cancellation; who may see and act on which inspection."""

from __future__ import annotations

from typing import Any

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.roles import Right
from core.tables import Ward
from core.text import clean
from core.timezone import now_utc
from events.tables import Assignment, Fair, Stall
from inspections import history, photos
from inspections.checklist import CHECKLIST, EXPLAINED_BY, STATUS_LABELS, label
from inspections.schemas import (
    AnswerIn,
    ChecklistItemOut,
    InspectionIn,
    InspectionOut,
    InspectionSummary,
    LogOut,
)
from inspections.tables import (
    ChecklistAnswer,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionKind,
    InspectionLog,
    InspectionStatus,
    InspectionTeam,
    PlaceKind,
)
from inspections.teams import is_member, team_ids_of
from vendors.tables import Business

St = InspectionStatus
SUMMARY_COLUMNS = (
    *Inspection.all_columns(),
    Inspection.team.name,
    Inspection.ward.slug,
    Inspection.stall.code,
    Inspection.business.legal_name,
    Inspection.fair.site.organizer.as_alias("body"),
)


async def load(inspection_id: int) -> dict[str, Any]:
    row = await Inspection.select(*SUMMARY_COLUMNS).where(Inspection.id == inspection_id).first()
    if not row:
        raise AppError(404, "Không tìm thấy cuộc kiểm tra.", "No such inspection.")
    return row


async def ensure_access(principal: Principal, inspection: dict[str, Any]) -> None:
    """Organizers act on the inspections of their body (the city's on every one); an inspector
    only on those of their own teams."""
    if principal.can(Right.MANAGE_INSPECTIONS) and _in_scope(principal, inspection):
        return
    if await is_member(principal.user_id, inspection["team"]):
        return
    raise AppError(
        403,
        "Chỉ thành viên của đoàn kiểm tra này mới xem và ghi được cuộc kiểm tra.",
        "Only members of this inspection's team may see or record it.",
    )


def _in_scope(principal: Principal, inspection: dict[str, Any]) -> bool:
    """At one of the body's fairs; outside any fair, in the body's ward."""
    if inspection["fair"] is not None:
        return principal.acts_for_body(inspection["body"])
    return principal.acts_for_ward(inspection["ward"])


async def accessible(principal: Principal, inspection_id: int) -> dict[str, Any]:
    row = await load(inspection_id)
    await ensure_access(principal, row)
    return row


def require_status(row: dict[str, Any], *allowed: InspectionStatus) -> None:
    if row["status"] in {s.value for s in allowed}:
        return
    vi, en = STATUS_LABELS[row["status"]]
    hint_vi, hint_en = (
        (" Hãy bắt đầu cuộc kiểm tra trước.", " Start the inspection first.")
        if row["status"] == St.PLANNED.value
        else ("", "")
    )
    raise AppError(
        409,
        f"Cuộc kiểm tra đang ở trạng thái “{vi}”: không làm được việc này.{hint_vi}",
        f"The inspection is “{en}”: this cannot be done now.{hint_en}",
        extra={"current_status": row["status"]},
    )


def summary(row: dict[str, Any]) -> InspectionSummary:
    return InspectionSummary(**_summary_fields(row))


def _summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "team_id": row["team"],
        "team_name": row["team.name"],
        "kind": row["kind"],
        "place_kind": row["place_kind"],
        "place_name": row["place_name"],
        "address": row["address"],
        "ward_slug": row["ward.slug"],
        "fair_id": row["fair"],
        "stall_code": row["stall.code"],
        "business_id": row["business"],
        "business_name": row["business.legal_name"],
        "scheduled_for": row["scheduled_for"],
        "status": row["status"],
        "started_at": row["started_at"],
        "completed_at": row["completed_at"],
    }


# --- planning and opening ------------------------------------------------------------------


async def _business_exists(business_id: int) -> None:
    if not await Business.exists().where(Business.id == business_id):
        raise AppError(
            422,
            "Không có doanh nghiệp này.",
            "No such business.",
            extra={"field": "business_id"},
        )


async def _fair_stall_place(data: InspectionIn) -> dict[str, Any]:
    """A stall at a fair: the ward and address of the fair's site, the business holding it."""
    if data.fair_id is None or not data.stall_code:
        raise AppError(
            422,
            "Kiểm tra gian hàng tại phiên chợ cần có phiên chợ và mã gian hàng.",
            "A stall at a fair needs the fair and the stall code.",
            extra={"field": "stall_code" if data.fair_id else "fair_id"},
        )
    fair = (
        await Fair.select(
            Fair.id,
            Fair.title,
            Fair.site,
            Fair.site.ward,
            Fair.site.address,
            Fair.site.organizer.as_alias("body"),
        )
        .where(Fair.id == data.fair_id)
        .first()
    )
    if not fair:
        raise AppError(422, "Không có phiên chợ này.", "No such fair.", extra={"field": "fair_id"})
    code = clean(data.stall_code).upper()
    stall = (
        await Stall.select(Stall.id)
        .where((Stall.site == fair["site"]) & (Stall.code == code))
        .first()
    )
    if not stall:
        raise AppError(
            422,
            f"Phiên chợ này không có gian hàng {code}.",
            f"This fair has no stall {code}.",
            extra={"field": "stall_code"},
        )
    holder = (
        await Assignment.select(Assignment.application.business)
        .where((Assignment.fair == fair["id"]) & (Assignment.stall == stall["id"]))
        .first()
    )
    return {
        "fair": fair["id"],
        "stall": stall["id"],
        "business": data.business_id or (holder["application.business"] if holder else None),
        "place_name": clean(data.place_name) or f"{fair['title']} — gian {code}",
        "address": clean(data.address) or fair["site.address"],
        "ward": fair["site.ward"],
        "body": fair["body"],
    }


async def _other_place(data: InspectionIn) -> dict[str, Any]:
    if data.fair_id is not None or data.stall_code:
        raise AppError(
            422,
            "Chỉ kiểm tra gian hàng tại phiên chợ mới ghi phiên chợ và mã gian hàng.",
            "Only an inspection of a stall at a fair names a fair and a stall.",
            extra={"field": "place_kind"},
        )
    if not clean(data.place_name):
        raise AppError(
            422,
            "Hãy ghi tên nơi được kiểm tra.",
            "Give the name of the place inspected.",
            extra={"field": "place_name"},
        )
    ward_id = None
    if data.ward_slug:
        ward = await Ward.select(Ward.id).where(Ward.slug == data.ward_slug).first()
        if not ward:
            raise AppError(
                422, "Không có phường này.", "No such ward.", extra={"field": "ward_slug"}
            )
        ward_id = ward["id"]
    return {
        "fair": None,
        "stall": None,
        "business": data.business_id,
        "place_name": clean(data.place_name),
        "address": clean(data.address),
        "ward": ward_id,
    }


async def open_inspection(principal: Principal, data: InspectionIn) -> InspectionSummary:
    """Organizers plan inspections; a member of the team opens a surprise one on the spot
    (it starts at once)."""
    team = (
        await InspectionTeam.select(InspectionTeam.active)
        .where(InspectionTeam.id == data.team_id)
        .first()
    )
    if not team:
        raise AppError(
            422,
            "Không có đoàn kiểm tra này.",
            "No such inspection team.",
            extra={"field": "team_id"},
        )
    if not team["active"]:
        raise AppError(
            409,
            "Đoàn kiểm tra này đã ngừng hoạt động.",
            "This inspection team is no longer active.",
        )
    organizer = principal.can(Right.MANAGE_INSPECTIONS)
    if data.kind == InspectionKind.PLANNED:
        if not organizer:
            raise AppError(
                403,
                "Chỉ ban tổ chức lên kế hoạch kiểm tra; đoàn kiểm tra có thể mở kiểm tra đột xuất.",
                "Only organizers plan inspections; a team may open a surprise inspection.",
            )
        if data.scheduled_for is None:
            raise AppError(
                422,
                "Kiểm tra theo kế hoạch cần có thời gian dự kiến.",
                "A planned inspection needs the time it is scheduled for.",
                extra={"field": "scheduled_for"},
            )
    elif not organizer and not await is_member(principal.user_id, data.team_id):
        raise AppError(
            403,
            "Bạn chỉ mở được cuộc kiểm tra cho đoàn mình tham gia.",
            "You can open inspections only for a team you belong to.",
        )
    if data.scheduled_for is not None and data.scheduled_for.tzinfo is None:
        raise AppError(
            422,
            "Thời gian cần có múi giờ, ví dụ 2026-12-01T08:00:00+07:00.",
            "The time needs an offset, e.g. 2026-12-01T08:00:00+07:00.",
            extra={"field": "scheduled_for"},
        )
    if data.business_id is not None:
        await _business_exists(data.business_id)
    if data.place_kind == PlaceKind.FAIR_STALL:
        place = await _fair_stall_place(data)
    else:
        place = await _other_place(data)
    # A body's organizer plans inspections of its own fairs and ward only.
    if principal.can(Right.MANAGE_INSPECTIONS) and not _in_scope(
        principal, {"fair": place.get("fair"), "body": place.pop("body", None), **place}
    ):
        raise AppError(
            403,
            "Bạn chỉ lên kế hoạch kiểm tra ở phiên chợ và phường của đơn vị mình.",
            "You may only plan inspections at your own body's fairs and ward.",
        )
    surprise = data.kind == InspectionKind.SURPRISE
    now = now_utc()
    async with write_txn(Inspection._meta.db):
        inspection = Inspection(
            team=data.team_id,
            kind=data.kind.value,
            place_kind=data.place_kind.value,
            scheduled_for=data.scheduled_for,
            status=(St.IN_PROGRESS if surprise else St.PLANNED).value,
            started_at=now if surprise else None,
            notes=clean(data.notes),
            created_by=principal.user_id,
            created_at=now,
            **place,
        )
        await inspection.save().run()
        await history.record(
            principal.user_id, "opened" if surprise else "planned", inspection_id=inspection.id
        )
    return summary(await load(inspection.id))


# --- reading -------------------------------------------------------------------------------


async def list_inspections(
    principal: Principal,
    *,
    fair_id: int | None = None,
    status: str | None = None,
    ward_slug: str | None = None,
    team_id: int | None = None,
    business_id: int | None = None,
) -> list[InspectionSummary]:
    query = Inspection.select(*SUMMARY_COLUMNS)
    where = []
    if not principal.can(Right.MANAGE_INSPECTIONS):
        where.append(Inspection.team.is_in(sorted(await team_ids_of(principal.user_id)) or [0]))
    elif not principal.city_wide:
        bodies = sorted(principal.organizer_ids) or [-1]
        wards = sorted(principal.ward_ids) or [-1]
        where.append(
            Inspection.fair.site.organizer.is_in(bodies)
            | (Inspection.fair.is_null() & Inspection.ward.is_in(wards))
        )
    if fair_id is not None:
        where.append(Inspection.fair == fair_id)
    if status:
        where.append(Inspection.status == status)
    if ward_slug:
        where.append(Inspection.ward.slug == ward_slug)
    if team_id is not None:
        where.append(Inspection.team == team_id)
    if business_id is not None:
        where.append(Inspection.business == business_id)
    if where:
        query = query.where(*where)
    rows = await query.order_by(Inspection.id, ascending=False).run()
    return [summary(r) for r in rows]


async def detail(principal: Principal, inspection_id: int, language: str) -> InspectionOut:
    from inspections.findings import findings_of

    row = await accessible(principal, inspection_id)
    answers = {
        r["item"]: r
        for r in await ChecklistResult.select()
        .where(ChecklistResult.inspection == inspection_id)
        .run()
    }
    log = (
        await InspectionLog.select()
        .where(InspectionLog.inspection == inspection_id)
        .order_by(InspectionLog.id)
        .run()
    )
    names = await history.people(
        [row["created_by"], *(a["recorded_by"] for a in answers.values())]
        + [entry["by_user"] for entry in log]
    )
    checklist = [
        ChecklistItemOut(
            item=item,
            label=label(CHECKLIST, item, language),
            result=answers[item]["result"] if item in answers else None,
            notes=answers[item]["notes"] if item in answers else "",
            recorded_by=names.get(answers[item]["recorded_by"]) if item in answers else None,
            recorded_at=answers[item]["recorded_at"] if item in answers else None,
        )
        for item in CHECKLIST
    ]
    return InspectionOut(
        **_summary_fields(row),
        notes=row["notes"],
        created_by=names.get(row["created_by"]),
        created_at=row["created_at"],
        checklist=checklist,
        photos=await photos.photos_of(inspection_id),
        findings=await findings_of(inspection_id, language),
        log=[
            LogOut(action=e["action"], detail=e["detail"], by=names.get(e["by_user"]), at=e["at"])
            for e in log
        ],
    )


# --- the visit -----------------------------------------------------------------------------


async def _move(
    principal: Principal,
    inspection_id: int,
    frm: set[InspectionStatus],
    to: InspectionStatus,
    values: dict,
    action: str,
    detail: str = "",
) -> None:
    """A status change that two racing phones cannot both make."""
    async with write_txn(Inspection._meta.db):
        changed = (
            await Inspection.update({Inspection.status: to.value, **values})
            .where(
                (Inspection.id == inspection_id) & Inspection.status.is_in([s.value for s in frm])
            )
            .returning(Inspection.id)
            .run()
        )
        if not changed:
            require_status(await load(inspection_id), *frm)
        await history.record(principal.user_id, action, inspection_id=inspection_id, detail=detail)


async def start(principal: Principal, inspection_id: int) -> InspectionSummary:
    row = await accessible(principal, inspection_id)
    require_status(row, St.PLANNED)
    await _move(
        principal,
        inspection_id,
        {St.PLANNED},
        St.IN_PROGRESS,
        {Inspection.started_at: now_utc()},
        "started",
    )
    return summary(await load(inspection_id))


async def answer(
    principal: Principal, inspection_id: int, item: str, data: AnswerIn
) -> ChecklistItemOut:
    """Record one item's answer. Sending the same answer again changes nothing (a phone
    retrying on a poor connection); a different answer replaces it, and both stay in the
    answer history."""
    if item not in CHECKLIST:
        raise AppError(404, "Không có mục kiểm tra này.", "No such checklist item.")
    row = await accessible(principal, inspection_id)
    require_status(row, St.IN_PROGRESS)
    notes = clean(data.notes)
    now = now_utc()
    async with write_txn(ChecklistResult._meta.db):
        current = (
            await ChecklistResult.select()
            .where((ChecklistResult.inspection == inspection_id) & (ChecklistResult.item == item))
            .first()
            .run()
        )
        if not (current and current["result"] == data.result.value and current["notes"] == notes):
            await (
                ChecklistResult.insert(
                    ChecklistResult(
                        inspection=inspection_id,
                        item=item,
                        result=data.result.value,
                        notes=notes,
                        recorded_by=principal.user_id,
                        recorded_at=now,
                    )
                )
                .on_conflict(
                    target=(ChecklistResult.inspection, ChecklistResult.item),
                    action="DO UPDATE",
                    values=[
                        ChecklistResult.result,
                        ChecklistResult.notes,
                        ChecklistResult.recorded_by,
                        ChecklistResult.recorded_at,
                    ],
                )
                .run()
            )
            await (
                ChecklistAnswer(
                    inspection=inspection_id,
                    item=item,
                    result=data.result.value,
                    notes=notes,
                    recorded_by=principal.user_id,
                    recorded_at=now,
                )
                .save()
                .run()
            )
    saved = (
        await ChecklistResult.select()
        .where((ChecklistResult.inspection == inspection_id) & (ChecklistResult.item == item))
        .first()
    )
    names = await history.people([saved["recorded_by"]])
    return ChecklistItemOut(
        item=item,
        label=label(CHECKLIST, item, principal.language),
        result=saved["result"],
        notes=saved["notes"],
        recorded_by=names.get(saved["recorded_by"]),
        recorded_at=saved["recorded_at"],
    )


async def set_notes(principal: Principal, inspection_id: int, notes: str) -> InspectionSummary:
    row = await accessible(principal, inspection_id)
    require_status(row, St.PLANNED, St.IN_PROGRESS)
    async with write_txn(Inspection._meta.db):
        await (
            Inspection.update({Inspection.notes: clean(notes)})
            .where(Inspection.id == inspection_id)
            .run()
        )
        await history.record(principal.user_id, "notes", inspection_id=inspection_id)
    return summary(await load(inspection_id))


async def missing_for_completion(inspection_id: int) -> tuple[list[str], list[str]]:
    """The items not answered yet, and the failed items with neither a finding nor a note."""
    answers = {
        r["item"]: r
        for r in await ChecklistResult.select(
            ChecklistResult.item, ChecklistResult.result, ChecklistResult.notes
        )
        .where(ChecklistResult.inspection == inspection_id)
        .run()
    }
    kinds = {
        r["kind"]
        for r in await Finding.select(Finding.kind).where(Finding.inspection == inspection_id).run()
    }
    unanswered = [item for item in CHECKLIST if item not in answers]
    unexplained = [
        item
        for item, a in answers.items()
        if a["result"] == "fail" and not a["notes"] and not (EXPLAINED_BY[item] & kinds)
    ]
    return unanswered, unexplained


async def complete(principal: Principal, inspection_id: int) -> InspectionSummary:
    row = await accessible(principal, inspection_id)
    require_status(row, St.IN_PROGRESS)
    # The check and the change in one transaction: no answer slips in between.
    async with write_txn(Inspection._meta.db):
        await _complete(principal, inspection_id)
    return summary(await load(inspection_id))


async def _complete(principal: Principal, inspection_id: int) -> None:
    unanswered, unexplained = await missing_for_completion(inspection_id)
    if unanswered or unexplained:
        parts_vi, parts_en = [], []
        if unanswered:
            parts_vi.append(
                "chưa trả lời: " + "; ".join(label(CHECKLIST, i, "vi") for i in unanswered)
            )
            parts_en.append(
                "not answered: " + "; ".join(label(CHECKLIST, i, "en") for i in unanswered)
            )
        if unexplained:
            parts_vi.append(
                "mục không đạt cần ghi vi phạm hoặc ghi chú: "
                + "; ".join(label(CHECKLIST, i, "vi") for i in unexplained)
            )
            parts_en.append(
                "failed items need a finding or a note: "
                + "; ".join(label(CHECKLIST, i, "en") for i in unexplained)
            )
        raise AppError(
            422,
            "Chưa hoàn thành được cuộc kiểm tra — " + "; ".join(parts_vi) + ".",
            "The inspection cannot be completed yet — " + "; ".join(parts_en) + ".",
            extra={"unanswered_items": unanswered, "unexplained_failures": unexplained},
        )
    await _move(
        principal,
        inspection_id,
        {St.IN_PROGRESS},
        St.COMPLETED,
        {Inspection.completed_at: now_utc()},
        "completed",
    )


async def cancel(principal: Principal, inspection_id: int, reason: str) -> InspectionSummary:
    row = await load(inspection_id)
    require_status(row, St.PLANNED, St.IN_PROGRESS)
    reason = clean(reason)
    if not reason:
        raise AppError(
            422, "Hãy ghi lý do hủy.", "Give a reason for cancelling.", extra={"field": "reason"}
        )
    await _move(
        principal,
        inspection_id,
        {St.PLANNED, St.IN_PROGRESS},
        St.CANCELLED,
        {},
        "cancelled",
        reason,
    )
    return summary(await load(inspection_id))
