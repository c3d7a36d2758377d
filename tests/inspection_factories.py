"""Inspection data on top of seed_world: a team led by the inspector, one inspection under way
(with a finding and a photo) and one planned, at the business's stall."""

from __future__ import annotations

from core.roles import Role
from core.tables import Account
from core.timezone import now_utc
from events.tables import Stall
from inspections.photos import storage_dir
from inspections.tables import Finding, Inspection, InspectionPhoto, InspectionTeam, TeamMember
from tests.factories import ROLE_EMAILS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def seed_inspections(ids: dict[str, int]) -> dict[str, int]:
    inspector = await Account.select(Account.user).where(
        Account.user.email == ROLE_EMAILS[Role.INSPECTOR]
    )
    user_id = inspector[0]["user"]
    team = InspectionTeam(name="Đoàn kiểm tra số 1")
    await team.save()
    await TeamMember(team=team.id, user=user_id, is_lead=True).save()
    stall = await Stall.select(Stall.id).where(Stall.code == "A02").first()
    inspections = []
    for status in ("in_progress", "planned"):
        inspection = Inspection(
            team=team.id,
            kind="planned",
            place_kind="fair_stall",
            fair=ids["fair_id"],
            stall=stall["id"],
            business=ids["business_id"],
            place_name="Gian A02",
            status=status,
            scheduled_for=now_utc(),
            started_at=now_utc() if status == "in_progress" else None,
            created_by=user_id,
        )
        await inspection.save()
        inspections.append(inspection.id)
    findings = []
    for follow_up in ("none", "suspension"):
        finding = Finding(
            inspection=inspections[0],
            business=ids["business_id"],
            kind="prices_not_shown",
            severity="minor",
            follow_up=follow_up,
            created_by=user_id,
        )
        await finding.save()
        findings.append(finding.id)
    name = f"{inspections[0]}-seed.png"
    (storage_dir() / name).write_bytes(PNG)
    photo = InspectionPhoto(
        inspection=inspections[0],
        file=name,
        content_type="image/png",
        size=len(PNG),
        uploaded_by=user_id,
    )
    await photo.save()
    return {
        "team_id": team.id,
        "inspector_user_id": user_id,
        "inspection_id": inspections[0],
        "planned_inspection_id": inspections[1],
        "finding_id": findings[0],
        "suspension_finding_id": findings[1],
        "photo_id": photo.id,
    }
