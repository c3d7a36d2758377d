"""Re-vetting: a verified business that changes what vetting checked goes back to "pending",
and its vetting history keeps what changed, old → new, who and when."""

from __future__ import annotations

import json
from typing import Any

from vendors.schemas import FieldChangeOut
from vendors.tables import Business, BusinessStatus, BusinessStatusChange

# What the officers checked when they verified the business; phone, address, trade name and
# representative are contact details they did not vouch for.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "legal_name": ("Tên theo giấy đăng ký", "Legal name"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "kind": ("Loại hình", "Kind of business"),
    "ward_slug": ("Phường", "Ward"),
    "category_slugs": ("Ngành hàng", "Goods categories"),
}


def vetted_values(business: Business, ward_slug: str, category_slugs: list[str]) -> dict[str, str]:
    return {
        "legal_name": business.legal_name,
        "tax_code": business.tax_code,
        "kind": business.kind,
        "ward_slug": ward_slug,
        "category_slugs": ", ".join(sorted(set(category_slugs))),
    }


def differences(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": field, "old": before[field], "new": after[field]}
        for field in FIELD_LABELS
        if before[field] != after[field]
    ]


async def record(business_id: int, changes: list[dict[str, str]], by_account: int | None) -> None:
    """Inside the transaction that saves the profile. Only a verified business goes back to
    vetting; a suspended one keeps its status and the change waits in the history for whoever
    reinstates it; a business still being vetted is checked on its current values anyway."""
    if not changes:
        return
    row = await Business.select(Business.status).where(Business.id == business_id).first().run()
    current = row["status"] if row else ""
    if current == BusinessStatus.VERIFIED.value:
        # Conditional on the status, so an officer's decision in between is not overwritten.
        moved = (
            await Business.update({Business.status: BusinessStatus.PENDING.value})
            .where(
                (Business.id == business_id) & (Business.status == BusinessStatus.VERIFIED.value)
            )
            .returning(Business.id)
            .run()
        )
        if not moved:
            return
        action, target = "revet", BusinessStatus.PENDING.value
    elif current == BusinessStatus.SUSPENDED.value:
        action, target = "profile_changed", current
    else:
        return
    names = ", ".join(FIELD_LABELS[c["field"]][0].lower() for c in changes)
    await (
        BusinessStatusChange(
            business=business_id,
            action=action,
            from_status=current,
            to_status=target,
            reason=f"Hồ sơ đã sửa ({names}): cần xác minh lại.",
            changes=json.dumps(changes, ensure_ascii=False),
            by_account=by_account,
        )
        .save()
        .run()
    )


def changes_out(raw: Any) -> list[FieldChangeOut]:
    return [FieldChangeOut(**c) for c in json.loads(raw)] if raw else []
