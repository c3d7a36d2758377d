"""Vetting: the business status machine, with every change kept (who, when, why)."""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.guards import ensure_ward
from core.signals import announce, business_status_changed
from vendors.businesses import business_ward
from vendors.notifications import notify_business
from vendors.tables import Business, BusinessStatus, BusinessStatusChange

S = BusinessStatus


@dataclass(frozen=True)
class Action:
    name: str
    from_statuses: frozenset[BusinessStatus]
    to_status: BusinessStatus | None  # None: the status stays (a warning)
    needs_reason: bool
    mail: str | None  # e-mail template sent to the business, if any
    label_vi: str
    label_en: str


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "verify",
            frozenset({S.PENDING, S.CHANGES_REQUESTED}),
            S.VERIFIED,
            False,
            "business_verified",
            "xác minh",
            "verify",
        ),
        Action(
            "request_changes",
            frozenset({S.PENDING}),
            S.CHANGES_REQUESTED,
            True,
            "business_changes_requested",
            "yêu cầu bổ sung",
            "ask for changes",
        ),
        Action(
            "reject",
            frozenset({S.PENDING, S.CHANGES_REQUESTED}),
            S.REJECTED,
            True,
            "business_rejected",
            "từ chối",
            "reject",
        ),
        Action("warn", frozenset({S.VERIFIED}), None, True, "business_warned", "cảnh cáo", "warn"),
        Action(
            "suspend",
            frozenset({S.VERIFIED}),
            S.SUSPENDED,
            True,
            "business_suspended",
            "đình chỉ",
            "suspend",
        ),
        Action(
            "reinstate",
            frozenset({S.SUSPENDED}),
            S.VERIFIED,
            False,
            "business_reinstated",
            "khôi phục",
            "reinstate",
        ),
        # The business itself, after fixing what was asked.
        Action(
            "resubmit",
            frozenset({S.CHANGES_REQUESTED, S.REJECTED}),
            S.PENDING,
            False,
            None,
            "gửi lại hồ sơ",
            "resubmit",
        ),
    )
}

# The business resubmits its own profile; officers take every other action.
OFFICER_ACTIONS = frozenset(ACTIONS) - {"resubmit"}

STATUS_LABELS = {
    S.PENDING: ("chờ duyệt", "pending"),
    S.CHANGES_REQUESTED: ("cần bổ sung", "changes requested"),
    S.VERIFIED: ("đã xác minh", "verified"),
    S.REJECTED: ("bị từ chối", "rejected"),
    S.SUSPENDED: ("bị đình chỉ", "suspended"),
}


async def apply_action(
    principal: Principal, business_id: int, action_name: str, reason: str
) -> BusinessStatus:
    action = ACTIONS.get(action_name)
    if action is None:
        raise AppError(404, "Không có thao tác này.", "No such action.")
    if action_name != "resubmit":
        ensure_ward(principal, await business_ward(business_id))
    reason = reason.strip()
    if action.needs_reason and not reason:
        raise AppError(
            422,
            f"Hãy ghi lý do khi {action.label_vi}.",
            f"Give a reason to {action.label_en}.",
            extra={"field": "reason"},
        )
    async with write_txn(Business._meta.db):
        row = await Business.select(Business.status).where(Business.id == business_id).first().run()
        if not row:
            raise AppError(404, "Không tìm thấy doanh nghiệp.", "No such business.")
        current = BusinessStatus(row["status"])
        target = action.to_status or current
        refusal = _illegal(action, current)
        if current not in action.from_statuses:
            raise refusal
        # The condition on the current status makes two racing decisions resolve to one.
        changed = (
            await Business.update({Business.status: target.value})
            .where((Business.id == business_id) & (Business.status == current.value))
            .returning(Business.id)
            .run()
        )
        if not changed:
            raise refusal
        await (
            BusinessStatusChange(
                business=business_id,
                action=action.name,
                from_status=current.value,
                to_status=target.value,
                reason=reason,
                by_account=principal.account_id,
            )
            .save()
            .run()
        )
        if action.mail:
            await notify_business(business_id, action.mail, {"reason": reason})
        # Passes follow the status: a business re-verified after re-vetting gets back any that
        # a sync withdrew meanwhile, one rejected or asked for changes loses them.
        if target != current:
            await announce(business_status_changed, business_id=business_id)
    return target


def _illegal(action: Action, current: BusinessStatus) -> AppError:
    vi, en = STATUS_LABELS[current]
    return AppError(
        409,
        f"Không thể {action.label_vi} doanh nghiệp đang ở trạng thái “{vi}”.",
        f"A business that is “{en}” cannot be told to {action.label_en}.",
        extra={"current_status": current.value},
    )
