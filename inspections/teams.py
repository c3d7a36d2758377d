"""Inspection teams and their members. Organizers form teams; members are inspectors (or
organizers who go along), one or more of them leads."""

from __future__ import annotations

from core.accounts import Principal, normalize_email
from core.database import is_unique_violation, write_txn
from core.errors import AppError
from core.roles import RIGHTS, Right, Role
from core.tables import Account
from core.text import clean
from inspections.history import record
from inspections.schemas import MemberIn, MemberOut, TeamIn, TeamOut, TeamPatch
from inspections.tables import InspectionTeam, TeamMember

INSPECTING_ROLES = frozenset(r.value for r in Role if Right.INSPECT in RIGHTS[r])


async def team_ids_of(user_id: int) -> set[int]:
    rows = await TeamMember.select(TeamMember.team).where(TeamMember.user == user_id).run()
    return {r["team"] for r in rows}


async def is_member(user_id: int, team_id: int) -> bool:
    return await TeamMember.exists().where(
        (TeamMember.user == user_id) & (TeamMember.team == team_id)
    )


async def is_lead(user_id: int, team_id: int) -> bool:
    return await TeamMember.exists().where(
        (TeamMember.user == user_id) & (TeamMember.team == team_id) & (TeamMember.is_lead.eq(True))
    )


async def _team(team_id: int) -> dict:
    row = await InspectionTeam.select().where(InspectionTeam.id == team_id).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy đoàn kiểm tra.", "No such inspection team.")
    return row


async def team_out(team_id: int) -> TeamOut:
    return (await _teams_out([await _team(team_id)]))[0]


async def _teams_out(teams: list[dict]) -> list[TeamOut]:
    """Teams with their members, in two queries however many teams there are."""
    ids = [t["id"] for t in teams]
    members = (
        await TeamMember.select(
            TeamMember.team, TeamMember.user, TeamMember.is_lead, TeamMember.user.email
        )
        .where(TeamMember.team.is_in(ids or [0]))
        .order_by(TeamMember.id)
        .run()
    )
    names = {
        r["user"]: r["full_name"]
        for r in await Account.select(Account.user, Account.full_name)
        .where(Account.user.is_in(sorted({m["user"] for m in members}) or [0]))
        .run()
    }
    by_team: dict[int, list[MemberOut]] = {team_id: [] for team_id in ids}
    for m in members:
        by_team[m["team"]].append(
            MemberOut(
                user_id=m["user"],
                email=m["user.email"],
                full_name=names.get(m["user"], ""),
                is_lead=m["is_lead"],
            )
        )
    return [
        TeamOut(
            id=t["id"],
            name=t["name"],
            active=t["active"],
            created_at=t["created_at"],
            members=by_team[t["id"]],
        )
        for t in teams
    ]


async def list_teams(principal: Principal) -> list[TeamOut]:
    """Organizers see every team; an inspector the teams they belong to."""
    query = InspectionTeam.select().order_by(InspectionTeam.id)
    if not principal.can(Right.MANAGE_INSPECTIONS):
        own = sorted(await team_ids_of(principal.user_id))
        if not own:  # an inspector not yet in any team (and Piccolo refuses an empty IN)
            return []
        query = query.where(InspectionTeam.id.is_in(own))
    return await _teams_out(await query.run())


async def _inspector_user_id(email: str) -> int:
    row = (
        await Account.select(Account.user, Account.role)
        .where(Account.user.email == normalize_email(email))
        .first()
        .run()
    )
    if not row:
        raise AppError(
            422,
            f"Không có tài khoản với email {email}.",
            f"No account has the e-mail {email}.",
            extra={"field": "email"},
        )
    if row["role"] not in INSPECTING_ROLES:
        raise AppError(
            422,
            "Chỉ cán bộ kiểm tra hoặc ban tổ chức mới vào được đoàn kiểm tra.",
            "Only inspectors and organizers can be members of an inspection team.",
            extra={"field": "email"},
        )
    return row["user"]


async def _add(team_id: int, member: MemberIn) -> int:
    user_id = await _inspector_user_id(member.email)
    try:
        await TeamMember(team=team_id, user=user_id, is_lead=member.is_lead).save().run()
    except Exception as exc:
        if is_unique_violation(exc):
            raise AppError(
                409,
                f"{member.email} đã ở trong đoàn này.",
                f"{member.email} is already a member of this team.",
                extra={"field": "email"},
            ) from exc
        raise
    return user_id


async def create_team(principal: Principal, data: TeamIn) -> TeamOut:
    name = clean(data.name)
    if not name:
        raise AppError(
            422, "Hãy đặt tên cho đoàn.", "Give the team a name.", extra={"field": "name"}
        )
    async with write_txn(InspectionTeam._meta.db):
        team = InspectionTeam(name=name)
        await team.save().run()
        for member in data.members:
            await _add(team.id, member)
        members = ", ".join(m.email for m in data.members)
        await record(principal.user_id, "team_created", team_id=team.id, detail=members)
    return await team_out(team.id)


async def update_team(principal: Principal, team_id: int, data: TeamPatch) -> TeamOut:
    await _team(team_id)
    values: dict = {}
    if data.name is not None:
        if not clean(data.name):
            raise AppError(
                422, "Hãy đặt tên cho đoàn.", "Give the team a name.", extra={"field": "name"}
            )
        values[InspectionTeam.name] = clean(data.name)
    if data.active is not None:
        values[InspectionTeam.active] = data.active
    if values:
        async with write_txn(InspectionTeam._meta.db):
            await InspectionTeam.update(values).where(InspectionTeam.id == team_id).run()
            detail = ", ".join(f"{c._meta.name}={v}" for c, v in values.items())
            await record(principal.user_id, "team_changed", team_id=team_id, detail=detail)
    return await team_out(team_id)


async def add_member(principal: Principal, team_id: int, data: MemberIn) -> TeamOut:
    await _team(team_id)
    async with write_txn(TeamMember._meta.db):
        await _add(team_id, data)
        lead = " (trưởng đoàn)" if data.is_lead else ""
        await record(principal.user_id, "member_added", team_id=team_id, detail=data.email + lead)
    return await team_out(team_id)


async def remove_member(principal: Principal, team_id: int, user_id: int) -> TeamOut:
    await _team(team_id)
    async with write_txn(TeamMember._meta.db):
        removed = (
            await TeamMember.delete()
            .where((TeamMember.team == team_id) & (TeamMember.user == user_id))
            .returning(TeamMember.id)
            .run()
        )
        if not removed:
            raise AppError(404, "Người này không ở trong đoàn.", "No such member in this team.")
        await record(principal.user_id, "member_removed", team_id=team_id, detail=str(user_id))
    return await team_out(team_id)
