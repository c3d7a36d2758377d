"""Findings (violations) and their follow-up. A warning or a suspension goes through the
vetting actions of vendors.vetting, so the business's history, its e-mail and the revocation
of its passes happen exactly as for a vetting officer's decision; lifting a suspension
reinstates the business the same way. Organizers lift suspensions."""

from __future__ import annotations

from typing import Any

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.roles import Right
from core.text import clean
from core.timezone import now_utc
from events.tables import Assignment
from inspections import history
from inspections.checklist import VIOLATION_KINDS, label
from inspections.schemas import FindingIn, FindingOut, FollowUpIn
from inspections.services import accessible, ensure_access, load, require_status
from inspections.tables import Finding, FollowUp, InspectionStatus
from inspections.teams import is_lead, team_ids_of
from vendors import vetting
from vendors.tables import Business, BusinessStatus

FINDING_COLUMNS = (*Finding.all_columns(), Finding.business.legal_name, Finding.inspection.team)


def finding_out(row: dict[str, Any], names: dict[int, str], language: str) -> FindingOut:
    return FindingOut(
        id=row["id"],
        inspection_id=row["inspection"],
        business_id=row["business"],
        business_name=row["business.legal_name"],
        kind=row["kind"],
        kind_label=label(VIOLATION_KINDS, row["kind"], language),
        severity=row["severity"],
        description=row["description"],
        follow_up=row["follow_up"],
        referred_to=row["referred_to"],
        created_by=names.get(row["created_by"]),
        created_at=row["created_at"],
        lifted_at=row["lifted_at"],
        lifted_by=names.get(row["lifted_by"]),
        lift_reason=row["lift_reason"],
    )


async def _out(rows: list[dict[str, Any]], language: str) -> list[FindingOut]:
    names = await history.people([r["created_by"] for r in rows] + [r["lifted_by"] for r in rows])
    return [finding_out(r, names, language) for r in rows]


async def findings_of(inspection_id: int, language: str) -> list[FindingOut]:
    rows = (
        await Finding.select(*FINDING_COLUMNS)
        .where(Finding.inspection == inspection_id)
        .order_by(Finding.id)
        .run()
    )
    return await _out(rows, language)


async def _load(finding_id: int) -> dict[str, Any]:
    row = await Finding.select(*FINDING_COLUMNS).where(Finding.id == finding_id).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy vi phạm.", "No such finding.")
    return row


async def list_findings(
    principal: Principal,
    *,
    follow_up: str | None = None,
    business_id: int | None = None,
    open_suspensions: bool = False,
    language: str = "vi",
) -> list[FindingOut]:
    query = Finding.select(*FINDING_COLUMNS)
    where = []
    if not principal.can(Right.MANAGE_INSPECTIONS):
        teams = sorted(await team_ids_of(principal.user_id)) or [0]
        where.append(Finding.inspection.team.is_in(teams))
    if follow_up:
        where.append(Finding.follow_up == follow_up)
    if business_id is not None:
        where.append(Finding.business == business_id)
    if open_suspensions:
        where.append(Finding.follow_up == FollowUp.SUSPENSION.value)
        where.append(Finding.lifted_at.is_null())
    if where:
        query = query.where(*where)
    return await _out(await query.order_by(Finding.id, ascending=False).run(), language)


async def subject_business(inspection: dict[str, Any]) -> int | None:
    """The business inspected: the one the inspection names, else the holder of the inspected
    stall at that fair."""
    if inspection["business"] is not None:
        return inspection["business"]
    if inspection["fair"] is None or inspection["stall"] is None:
        return None
    holder = (
        await Assignment.select(Assignment.application.business)
        .where((Assignment.fair == inspection["fair"]) & (Assignment.stall == inspection["stall"]))
        .first()
        .run()
    )
    return holder["application.business"] if holder else None


async def ensure_subject(inspection: dict[str, Any], business_id: int) -> None:
    """A finding, and the warning or suspension it leads to, names only the business that was
    inspected: a team cannot act on a business it never visited."""
    subject = await subject_business(inspection)
    if business_id == subject:
        return
    if subject is None:
        raise AppError(
            422,
            "Cuộc kiểm tra này không gắn với doanh nghiệp nào, nên vi phạm không ghi tên doanh "
            "nghiệp được. Hãy mở cuộc kiểm tra cho chính doanh nghiệp đó.",
            "This inspection is of no business, so a finding cannot name one. Open an "
            "inspection of that business itself.",
            extra={"field": "business_id"},
        )
    raise AppError(
        422,
        "Vi phạm chỉ ghi cho doanh nghiệp được kiểm tra trong cuộc kiểm tra này, không ghi cho "
        "doanh nghiệp khác.",
        "A finding can only name the business inspected in this inspection, not another one.",
        extra={"field": "business_id", "inspected_business_id": subject},
    )


async def _check_follow_up(
    principal: Principal,
    inspection: dict[str, Any],
    business_id: int | None,
    follow_up: FollowUp,
    referred_to: str,
) -> None:
    if follow_up in (FollowUp.WARNING, FollowUp.SUSPENSION):
        if business_id is None:
            raise AppError(
                422,
                "Cảnh cáo hoặc đình chỉ cần có doanh nghiệp vi phạm.",
                "A warning or a suspension needs the business at fault.",
                extra={"field": "business_id"},
            )
        await ensure_subject(inspection, business_id)
    if follow_up == FollowUp.REFERRAL and not referred_to:
        raise AppError(
            422,
            "Hãy ghi cơ quan tiếp nhận, ví dụ Đội Quản lý thị trường số 1.",
            "Name the authority it is referred to, e.g. Đội Quản lý thị trường số 1.",
            extra={"field": "referred_to"},
        )
    # A suspension stops a business trading at every fair: the team's lead or an organizer
    # decides it, not any member.
    if (
        follow_up == FollowUp.SUSPENSION
        and not principal.can(Right.MANAGE_INSPECTIONS)
        and not await is_lead(principal.user_id, inspection["team"])
    ):
        raise AppError(
            403,
            "Chỉ trưởng đoàn hoặc ban tổ chức mới đình chỉ được doanh nghiệp.",
            "Only the team's lead or an organizer can suspend a business.",
        )


async def _apply_follow_up(
    principal: Principal,
    inspection: dict[str, Any],
    business_id: int | None,
    kind: str,
    description: str,
    follow_up: FollowUp,
) -> None:
    """Called inside the transaction that records the finding: both happen, or neither."""
    action = {FollowUp.WARNING: "warn", FollowUp.SUSPENSION: "suspend"}.get(follow_up)
    if action is None or business_id is None:
        return
    reason = (
        f"Kết quả kiểm tra số {inspection['id']} ({inspection['place_name']}): "
        f"{label(VIOLATION_KINDS, kind, 'vi')}. {description}"
    ).strip()
    await vetting.apply_action(principal, business_id, action, reason)


async def add_finding(principal: Principal, inspection_id: int, data: FindingIn) -> FindingOut:
    inspection = await accessible(principal, inspection_id)
    require_status(inspection, InspectionStatus.IN_PROGRESS)
    if data.kind not in VIOLATION_KINDS:
        raise AppError(
            422, "Không có loại vi phạm này.", "No such kind of violation.", extra={"field": "kind"}
        )
    business_id = (
        data.business_id if data.business_id is not None else await subject_business(inspection)
    )
    if business_id is not None and not await Business.exists().where(Business.id == business_id):
        raise AppError(
            422, "Không có doanh nghiệp này.", "No such business.", extra={"field": "business_id"}
        )
    if data.business_id is not None:
        await ensure_subject(inspection, data.business_id)
    description, referred_to = clean(data.description), clean(data.referred_to)
    await _check_follow_up(principal, inspection, business_id, data.follow_up, referred_to)
    async with write_txn(Finding._meta.db):
        finding = Finding(
            inspection=inspection_id,
            business=business_id,
            kind=data.kind,
            severity=data.severity.value,
            description=description,
            follow_up=data.follow_up.value,
            referred_to=referred_to if data.follow_up == FollowUp.REFERRAL else "",
            created_by=principal.user_id,
            created_at=now_utc(),
        )
        await finding.save().run()
        await _apply_follow_up(
            principal, inspection, business_id, data.kind, description, data.follow_up
        )
    return (await _out([await _load(finding.id)], principal.language))[0]


async def set_follow_up(principal: Principal, finding_id: int, data: FollowUpIn) -> FindingOut:
    """A follow-up decided after the finding was recorded (once: a finding has one)."""
    finding = await _load(finding_id)
    inspection = await load(finding["inspection"])
    await ensure_access(principal, inspection)
    require_status(inspection, InspectionStatus.IN_PROGRESS, InspectionStatus.COMPLETED)
    if data.follow_up == FollowUp.NONE:
        raise AppError(
            422, "Hãy chọn biện pháp xử lý.", "Choose a follow-up.", extra={"field": "follow_up"}
        )
    referred_to = clean(data.referred_to)
    await _check_follow_up(principal, inspection, finding["business"], data.follow_up, referred_to)
    async with write_txn(Finding._meta.db):
        changed = (
            await Finding.update(
                {
                    Finding.follow_up: data.follow_up.value,
                    Finding.referred_to: referred_to if data.follow_up == FollowUp.REFERRAL else "",
                }
            )
            .where((Finding.id == finding_id) & (Finding.follow_up == FollowUp.NONE.value))
            .returning(Finding.id)
            .run()
        )
        if not changed:
            raise AppError(
                409,
                "Vi phạm này đã có biện pháp xử lý.",
                "This finding already has its follow-up.",
            )
        await _apply_follow_up(
            principal,
            inspection,
            finding["business"],
            finding["kind"],
            finding["description"],
            data.follow_up,
        )
        await history.record(
            principal.user_id,
            f"follow_up_{data.follow_up.value}",
            inspection_id=inspection["id"],
            detail=f"#{finding_id} {referred_to}",
        )
    return (await _out([await _load(finding_id)], principal.language))[0]


async def lift(principal: Principal, finding_id: int, reason: str) -> FindingOut:
    """Lift a suspension: the business is reinstated (its passes come back and it may apply
    again), and the finding keeps who lifted it, when and why."""
    finding = await _load(finding_id)
    if finding["follow_up"] != FollowUp.SUSPENSION.value:
        raise AppError(
            409,
            "Chỉ dỡ bỏ được vi phạm có biện pháp đình chỉ.",
            "Only a finding that led to a suspension can be lifted.",
        )
    reason = clean(reason)
    if not reason:
        raise AppError(
            422,
            "Hãy ghi lý do dỡ bỏ đình chỉ.",
            "Give a reason for lifting the suspension.",
            extra={"field": "reason"},
        )
    async with write_txn(Finding._meta.db):
        changed = (
            await Finding.update(
                {
                    Finding.lifted_at: now_utc(),
                    Finding.lifted_by: principal.user_id,
                    Finding.lift_reason: reason,
                }
            )
            .where((Finding.id == finding_id) & Finding.lifted_at.is_null())
            .returning(Finding.id)
            .run()
        )
        if not changed:
            raise AppError(409, "Đình chỉ này đã được dỡ bỏ.", "This suspension is already lifted.")
        business_id = finding["business"]
        status = (
            await Business.select(Business.status).where(Business.id == business_id).first().run()
        )
        # A business an officer has already reinstated stays as it is; the lift is recorded.
        if status and status["status"] == BusinessStatus.SUSPENDED.value:
            await vetting.apply_action(principal, business_id, "reinstate", reason)
        await history.record(
            principal.user_id,
            "suspension_lifted",
            inspection_id=finding["inspection"],
            detail=f"#{finding_id} {reason}",
        )
    return (await _out([await _load(finding_id)], principal.language))[0]
