"""The one way to load a fair with its site: every page, API, PDF and mail that needs a fair
gets the same row (the fair's columns, and its site's ward, name, slug and address)."""

from __future__ import annotations

from typing import Any

from core.errors import AppError
from events.tables import Fair, FairStatus

NOT_FOUND = ("Không tìm thấy phiên chợ.", "No such fair.")


async def fair_row(fair_id: int, *, published_only: bool = False) -> dict[str, Any]:
    """The fair, or a 404; with `published_only`, a draft is a 404 too (what the public and
    businesses may not see yet)."""
    row = (
        await Fair.select(
            Fair.all_columns(),
            Fair.site.ward,
            Fair.site.name,
            Fair.site.slug,
            Fair.site.address,
        )
        .where(Fair.id == fair_id)
        .first()
        .run()
    )
    if not row or (published_only and row["status"] == FairStatus.DRAFT.value):
        raise AppError(404, *NOT_FOUND)
    return row
