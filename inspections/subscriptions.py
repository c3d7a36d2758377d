"""What inspections does when another domain announces something (core.signals)."""

from __future__ import annotations

from typing import Any

from core.signals import personal_data_wanted
from inspections.tables import Finding


async def _findings_kept(_: object, *, business_id: int) -> dict[str, Any]:
    findings = await Finding.select(
        Finding.id,
        Finding.kind,
        Finding.severity,
        Finding.description,
        Finding.follow_up,
        Finding.created_at,
        Finding.lifted_at,
    ).where(Finding.business == business_id)
    return {"inspection_findings": findings}


def connect() -> None:
    personal_data_wanted.connect(_findings_kept, weak=False)
