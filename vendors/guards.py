"""Who may see a business's data: the business itself, and officers who vet its ward."""

from __future__ import annotations

from core.accounts import Principal
from core.errors import AppError
from core.roles import Right
from vendors.businesses import business_id_for, business_ward


async def may_see_business(principal: Principal, business_id: int) -> None:
    """Raise 404 (not 403) so a stranger cannot even learn that the business exists."""
    if principal.can(Right.ACT_AS_BUSINESS):
        if await business_id_for(principal) == business_id:
            return
    elif principal.can(Right.VET_BUSINESSES) and principal.acts_for_ward(
        await business_ward(business_id)
    ):
        return
    raise AppError(404, "Không tìm thấy.", "Not found.")
