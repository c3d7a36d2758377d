"""A withdrawn business gives its stalls back: the assignment goes, the change is kept, and on a
published board the best waitlisted business that fits them is offered them at once."""

from __future__ import annotations

from allocation.runs import offer_freed_stalls
from core.database import write_txn
from core.signals import announce, board_changed
from events.tables import Assignment, AssignmentMove


async def release(application_id: int) -> list[str]:
    """The stall codes freed (none if the application held none)."""
    taken = (
        await Assignment.select(Assignment.fair, Assignment.stall.code)
        .where(Assignment.application == application_id)
        .run()
    )
    if not taken:
        return []
    fair = taken[0]["fair"]
    codes = sorted(t["stall.code"] for t in taken)
    async with write_txn(Assignment._meta.db):
        await Assignment.delete().where(Assignment.application == application_id).run()
        await (
            AssignmentMove(
                fair=fair,
                application=application_id,
                action="withdrawn",
                from_stalls=",".join(codes),
                reason="Doanh nghiệp rút đơn.",
            )
            .save()
            .run()
        )
    await offer_freed_stalls(fair, codes)
    # Passes follow the board: the withdrawn business's pass is revoked, a promoted one issued.
    await announce(board_changed, fair_id=fair)
    return codes
