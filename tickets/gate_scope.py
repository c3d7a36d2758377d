"""Where an account may check passes in: the one rule every check-in view asks.

Organizers check in everywhere; ward officers at their wards' fairs; gate staff only at the
fairs they are assigned to, one by one or through the site that holds them.
"""

from __future__ import annotations

from typing import Any

from core.accounts import Principal
from core.database import is_unique_violation
from core.errors import AppError
from core.guards import ensure_body
from core.roles import Role
from core.tables import Account
from tickets.tables import GateAssignment

NOT_ASSIGNED = ("Bạn không được phân công ở phiên chợ này.", "You are not assigned to this fair.")


async def assigned_places(account_id: int) -> tuple[set[int], set[int]]:
    """The fair ids and the site ids a gate-staff account is assigned to."""
    rows = (
        await GateAssignment.select(GateAssignment.fair, GateAssignment.site)
        .where(GateAssignment.account == account_id)
        .run()
    )
    return {r["fair"] for r in rows if r["fair"]}, {r["site"] for r in rows if r["site"]}


async def may_check_in(
    principal: Principal, fair_id: int, site_id: int, organizer_id: int | None
) -> bool:
    if not principal.acts_for_body(organizer_id):
        return False
    if principal.role != Role.GATE_STAFF:
        return True
    fairs, sites = await assigned_places(principal.account_id)
    return fair_id in fairs or site_id in sites


async def ensure_gate_scope(principal: Principal, fair: dict[str, Any]) -> None:
    """fair: a row with "id", "site" and "site.organizer" (events.fair_rows.fair_row)."""
    ensure_body(principal, fair["site.organizer"])
    if not await may_check_in(principal, fair["id"], fair["site"], fair["site.organizer"]):
        raise AppError(403, *NOT_ASSIGNED)


async def gate_account(account_id: int) -> dict[str, Any]:
    row = (
        await Account.select(Account.id, Account.role, Account.full_name, Account.user.email)
        .where(Account.id == account_id)
        .first()
        .run()
    )
    if row is None:
        raise AppError(
            422, "Không có tài khoản này.", "No such account.", extra={"field": "account_id"}
        )
    if row["role"] != Role.GATE_STAFF.value:
        raise AppError(
            422,
            "Chỉ phân công được tài khoản nhân viên cổng.",
            "Only gate-staff accounts can be assigned.",
            extra={"field": "account_id"},
        )
    return row


async def assign(
    principal: Principal, account_id: int, *, fair_id: int | None = None, site_id: int | None = None
) -> None:
    """Assign once: assigning again is no error, and the first assignment stays."""
    if (fair_id is None) == (site_id is None):
        raise ValueError("exactly one of fair_id and site_id")
    await gate_account(account_id)
    try:
        await (
            GateAssignment(
                account=account_id, fair=fair_id, site=site_id, created_by=principal.account_id
            )
            .save()
            .run()
        )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise


async def unassign(
    account_id: int, *, fair_id: int | None = None, site_id: int | None = None
) -> bool:
    where = GateAssignment.account == account_id
    where &= (
        GateAssignment.fair == fair_id if fair_id is not None else GateAssignment.site == site_id
    )
    found = await GateAssignment.exists().where(where).run()
    if found:
        await GateAssignment.delete().where(where).run()
    return found


async def staff_of(
    *, fair_id: int | None = None, site_id: int | None = None
) -> list[dict[str, Any]]:
    """The assignments that cover a fair (its own and its site's), or a site's own."""
    where = GateAssignment.site == site_id
    if fair_id is not None:
        where = GateAssignment.fair == fair_id
        if site_id is not None:
            where |= GateAssignment.site == site_id
    rows = (
        await GateAssignment.select(
            GateAssignment.account,
            GateAssignment.fair,
            GateAssignment.site,
            GateAssignment.created_at,
            GateAssignment.account.full_name,
            GateAssignment.account.user.email,
        )
        .where(where)
        .order_by(GateAssignment.id)
        .run()
    )
    return [
        {
            "account_id": r["account"],
            "full_name": r["account.full_name"],
            "email": r["account.user.email"],
            "fair_id": r["fair"],
            "site_id": r["site"],
            "scope": "fair" if r["fair"] else "site",
            "created_at": r["created_at"].isoformat(),
        }
        for r in rows
    ]


async def gate_staff_accounts() -> list[dict[str, Any]]:
    return (
        await Account.select(Account.id, Account.full_name, Account.user.email)
        .where(Account.role == Role.GATE_STAFF.value)
        .order_by(Account.full_name)
        .run()
    )
