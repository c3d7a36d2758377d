"""Applications for stalls: a business applies within a fair's window; organizers decide.

A change others must follow is announced (core.signals): a withdrawal gives the stalls back
(allocation), a decision reaches the passes (tickets).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.accounts import Principal
from core.database import is_unique_violation, write_txn
from core.email_confirmation import ensure_confirmed
from core.errors import AppError
from core.guards import ensure_body
from core.signals import announce, application_decided, application_withdrawn
from core.text import clean
from core.timezone import local, now_utc
from events.fair_rows import fair_acted_on, fair_row
from events.refusals import ensure_not_refused
from events.schemas import (
    ApplicationIn,
    ApplicationOut,
    BulkDecisionIn,
    BulkDecisionResult,
    DecisionIn,
)
from events.tables import (
    Application,
    ApplicationProduct,
    ApplicationStatus,
    ApplicationStatusChange,
    FairStatus,
)
from vendors.documents import has_valid_food_certificate
from vendors.notifications import notify_business
from vendors.personal_data import ensure_consented
from vendors.products import PRODUCT_COLUMNS, product_out
from vendors.tables import Business, BusinessStatus, Product

A = ApplicationStatus
# What an organizer may change an application to, from each status.
DECISIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    A.SUBMITTED: frozenset({A.APPROVED, A.WAITLISTED, A.REJECTED}),
    A.WAITLISTED: frozenset({A.APPROVED, A.REJECTED}),
    A.APPROVED: frozenset({A.WAITLISTED, A.REJECTED}),
}
WITHDRAWABLE = frozenset({A.SUBMITTED, A.APPROVED, A.WAITLISTED})
STATUS_LABELS = {
    A.SUBMITTED: ("đã nộp", "submitted"),
    A.APPROVED: ("được duyệt", "approved"),
    A.WAITLISTED: ("trong danh sách chờ", "waitlisted"),
    A.REJECTED: ("bị từ chối", "rejected"),
    A.WITHDRAWN: ("đã rút", "withdrawn"),
}
NEEDS = ("needs_power", "needs_water", "food_handling", "needs_shade", "needs_accessible")


def _when(moment: dt.datetime) -> str:
    return local(moment).strftime("%H:%M %d/%m/%Y")


async def _fair(fair_id: int) -> dict[str, Any]:
    return await fair_row(fair_id, published_only=True)


async def application_out(application_id: int, language: str = "vi") -> ApplicationOut:
    row = (
        await Application.select(
            Application.all_columns(),
            Application.fair.title,
            Application.business.legal_name,
        )
        .where(Application.id == application_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
    products = (
        await Product.select(*PRODUCT_COLUMNS)
        .where(
            Product.id.is_in(
                ApplicationProduct.select(ApplicationProduct.product).where(
                    ApplicationProduct.application == application_id
                )
            )
        )
        .order_by(Product.id)
        .run()
    )
    return ApplicationOut(
        id=row["id"],
        fair_id=row["fair"],
        fair_title=row["fair.title"],
        business_id=row["business"],
        business_name=row["business.legal_name"],
        status=row["status"],
        reason=row["reason"],
        stalls_requested=row["stalls_requested"],
        needs=[n for n in NEEDS if row[n]],
        preferred_zones=row["preferred_zones"],
        preferred_stalls=row["preferred_stalls"],
        note=row["note"],
        products=[product_out(p, language) for p in products],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def apply(business_id: int, fair_id: int, data: ApplicationIn) -> ApplicationOut:
    fair = await _fair(fair_id)
    business = (
        await Business.select(Business.status, Business.account)
        .where(Business.id == business_id)
        .first()
        .run()
    )
    await ensure_confirmed(business["account"])
    await ensure_consented(business["account"])
    if business["status"] != BusinessStatus.VERIFIED.value:
        raise AppError(
            403,
            "Chỉ doanh nghiệp đã được xác minh (và không bị đình chỉ) mới đăng ký gian hàng.",
            "Only verified businesses (not suspended) can apply for stalls.",
        )
    await ensure_not_refused(fair["site.organizer"], business_id)
    now = now_utc()
    if fair["status"] != FairStatus.PUBLISHED.value:
        raise AppError(409, "Phiên chợ này không nhận đăng ký.", "This fair takes no applications.")
    if not fair["applications_open_at"] <= now <= fair["applications_close_at"]:
        raise AppError(
            409,
            f"Phiên chợ nhận đăng ký từ {_when(fair['applications_open_at'])} đến "
            f"{_when(fair['applications_close_at'])}.",
            f"Applications are taken from {_when(fair['applications_open_at'])} to "
            f"{_when(fair['applications_close_at'])}.",
        )
    product_ids = sorted(set(data.product_ids))
    products = (
        await Product.select(*PRODUCT_COLUMNS)
        .where((Product.id.is_in(product_ids or [0])) & (Product.business == business_id))
        .run()
    )
    if not product_ids or len(products) != len(product_ids):
        raise AppError(
            422,
            "Hãy chọn các sản phẩm sẽ bán, trong danh sách sản phẩm của bạn.",
            "Choose the products you will sell, from your own product list.",
            extra={"field": "product_ids"},
        )
    sells_food = any(p["category.is_food"] for p in products)
    if sells_food and not await has_valid_food_certificate(
        business_id, local(fair["ends_at"]).date()
    ):
        raise AppError(
            422,
            "Bán thực phẩm cần giấy chứng nhận an toàn thực phẩm còn hạn đến ngày phiên chợ.",
            "Selling food needs a food-safety certificate valid on the day of the fair.",
            extra={"field": "product_ids"},
        )
    values = {
        Application.stalls_requested: data.stalls_requested,
        Application.needs_power: data.needs_power,
        Application.needs_water: data.needs_water,
        Application.food_handling: data.food_handling or sells_food,
        Application.needs_shade: data.needs_shade,
        Application.needs_accessible: data.needs_accessible,
        Application.preferred_zones: clean(data.preferred_zones),
        Application.preferred_stalls: clean(data.preferred_stalls),
        Application.note: clean(data.note),
        Application.status: A.SUBMITTED.value,
        Application.reason: "",
        Application.updated_at: now,
    }
    try:
        async with write_txn(Application._meta.db):
            existing = (
                await Application.select(Application.id, Application.status)
                .where((Application.business == business_id) & (Application.fair == fair_id))
                .first()
                .run()
            )
            if existing and existing["status"] != A.WITHDRAWN.value:
                raise AppError(
                    409,
                    "Bạn đã đăng ký phiên chợ này rồi.",
                    "You have already applied to this fair.",
                    extra={"application_id": existing["id"]},
                )
            if existing:
                application_id = existing["id"]
                await Application.update(values).where(Application.id == application_id).run()
                await (
                    ApplicationProduct.delete()
                    .where(ApplicationProduct.application == application_id)
                    .run()
                )
            else:
                application = Application(
                    business=business_id,
                    fair=fair_id,
                    **{column._meta.name: value for column, value in values.items()},
                )
                await application.save().run()
                application_id = application.id
            for product_id in product_ids:
                await (
                    ApplicationProduct(application=application_id, product=product_id).save().run()
                )
            await (
                ApplicationStatusChange(
                    application=application_id,
                    from_status=existing["status"] if existing else "",
                    to_status=A.SUBMITTED.value,
                )
                .save()
                .run()
            )
    except AppError:
        raise
    except Exception as exc:
        if is_unique_violation(exc):
            raise AppError(
                409, "Bạn đã đăng ký phiên chợ này rồi.", "You have already applied to this fair."
            ) from exc
        raise
    return await application_out(application_id)


async def _change(
    application_id: int,
    allowed_from: frozenset[ApplicationStatus],
    target: ApplicationStatus,
    reason: str,
    by_account: int | None,
    verb: tuple[str, str],
) -> tuple[ApplicationStatus, int]:
    async with write_txn(Application._meta.db):
        row = (
            await Application.select(
                Application.status, Application.business, Application.fair.title
            )
            .where(Application.id == application_id)
            .first()
            .run()
        )
        if not row:
            raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
        current = ApplicationStatus(row["status"])
        changed = (
            current in allowed_from
            and await Application.update(
                {
                    Application.status: target.value,
                    Application.reason: reason,
                    Application.updated_at: now_utc(),
                }
            )
            .where((Application.id == application_id) & (Application.status == current.value))
            .returning(Application.id)
            .run()
        )
        if not changed:
            vi, en = STATUS_LABELS[current]
            raise AppError(
                409,
                f"Không thể {verb[0]} đơn đang ở trạng thái “{vi}”.",
                f"An application that is “{en}” cannot be {verb[1]}.",
                extra={"current_status": current.value},
            )
        await (
            ApplicationStatusChange(
                application=application_id,
                from_status=current.value,
                to_status=target.value,
                reason=reason,
                by_account=by_account,
            )
            .save()
            .run()
        )
        await notify_business(
            row["business"],
            "application_status",
            {
                "application_id": application_id,
                "fair_title": row["fair.title"],
                "status": target.value,
                "status_vi": STATUS_LABELS[target][0],
                "status_en": STATUS_LABELS[target][1],
                "reason": reason,
            },
        )
    return target, row["business"]


async def withdraw(business_id: int, application_id: int) -> ApplicationOut:
    row = (
        await Application.select(
            Application.business, Application.fair, Application.fair.withdrawal_cutoff_at
        )
        .where(Application.id == application_id)
        .first()
        .run()
    )
    if not row or row["business"] != business_id:
        raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
    cutoff = row["fair.withdrawal_cutoff_at"]
    if now_utc() > cutoff:
        raise AppError(
            409,
            f"Đã quá hạn rút đơn ({_when(cutoff)}). Hãy liên hệ ban tổ chức.",
            f"The withdrawal cut-off ({_when(cutoff)}) has passed. Contact the organizers.",
        )
    await _change(application_id, WITHDRAWABLE, A.WITHDRAWN, "", None, ("rút", "withdrawn"))
    # Its stalls go back to the board (allocation subscribes), and from there to the waitlist.
    await announce(application_withdrawn, application_id=application_id, fair_id=row["fair"])
    return await application_out(application_id)


async def _fair_body_of(application_id: int) -> int | None:
    row = (
        await Application.select(Application.fair.site.organizer)
        .where(Application.id == application_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
    return row["fair.site.organizer"]


async def decide(principal: Principal, application_id: int, data: DecisionIn) -> ApplicationOut:
    ensure_body(principal, await _fair_body_of(application_id))
    target = data.status
    if target not in {A.APPROVED, A.WAITLISTED, A.REJECTED}:
        raise AppError(
            422,
            "Quyết định phải là: duyệt, đưa vào danh sách chờ, hoặc từ chối.",
            "A decision is one of: approved, waitlisted, rejected.",
            extra={"field": "status"},
        )
    reason = clean(data.reason)
    if target == A.REJECTED and not reason:
        raise AppError(
            422,
            "Hãy ghi lý do từ chối.",
            "Give the reason for the rejection.",
            extra={"field": "reason"},
        )
    allowed = frozenset(s for s, targets in DECISIONS.items() if target in targets)
    await _change(
        application_id,
        allowed,
        target,
        reason,
        principal.account_id,
        ("chuyển sang trạng thái này", "moved to this status"),
    )
    await announce(
        application_decided, application_id=application_id, fair_id=await _fair_of(application_id)
    )
    return await application_out(application_id)


async def _fair_of(application_id: int) -> int:
    row = (
        await Application.select(Application.fair)
        .where(Application.id == application_id)
        .first()
        .run()
    )
    return row["fair"]


async def decide_many(
    principal: Principal, fair_id: int, data: BulkDecisionIn
) -> list[BulkDecisionResult]:
    await fair_acted_on(principal, fair_id)
    in_fair = {
        r["id"]
        for r in await Application.select(Application.id)
        .where((Application.fair == fair_id) & Application.id.is_in(data.application_ids))
        .run()
    }
    language = principal.language
    results = []
    for application_id in data.application_ids:
        if application_id not in in_fair:
            results.append(
                BulkDecisionResult(
                    application_id=application_id,
                    ok=False,
                    status="",
                    detail="No such application at this fair."
                    if language == "en"
                    else "Không có đơn này ở phiên chợ này.",
                )
            )
            continue
        try:
            out = await decide(principal, application_id, DecisionIn(data.status, data.reason))
            results.append(BulkDecisionResult(application_id, True, str(out.status)))
        except AppError as exc:
            results.append(
                BulkDecisionResult(
                    application_id,
                    False,
                    exc.extra.get("current_status", "") if isinstance(exc.extra, dict) else "",
                    exc.en if language == "en" else exc.vi,
                )
            )
    return results


async def list_for_business(business_id: int, language: str) -> list[ApplicationOut]:
    rows = (
        await Application.select(Application.id)
        .where(Application.business == business_id)
        .order_by(Application.id, ascending=False)
        .run()
    )
    return [await application_out(r["id"], language) for r in rows]


async def list_for_fair(
    principal: Principal, fair_id: int, status: str | None, language: str
) -> list[ApplicationOut]:
    await fair_acted_on(principal, fair_id)
    query = Application.select(Application.id).where(Application.fair == fair_id)
    if status:
        query = query.where(Application.status == status)
    rows = await query.order_by(Application.id).run()
    return [await application_out(r["id"], language) for r in rows]


async def owner_of(application_id: int) -> tuple[int, int | None]:
    row = (
        await Application.select(Application.business, Application.fair.site.organizer)
        .where(Application.id == application_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy đơn đăng ký.", "No such application.")
    return row["business"], row["fair.site.organizer"]


async def promote_waitlisted(application_id: int, reason: str) -> None:
    """A waitlisted application gets a freed stall: approved, recorded, and the business told.
    Runs inside the caller's transaction."""
    await _change(
        application_id,
        frozenset({A.WAITLISTED}),
        A.APPROVED,
        reason,
        None,
        ("duyệt", "approved"),
    )
