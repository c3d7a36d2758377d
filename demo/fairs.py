"""A season of demo fairs around today, and applications in every status."""

from __future__ import annotations

import datetime as dt
import random

from core.tables import Ward
from core.text import clean
from core.timezone import LOCAL_TZ, today_local
from events.tables import (
    Application,
    ApplicationProduct,
    ApplicationStatus,
    ApplicationStatusChange,
    Fair,
    FairStatus,
    Site,
)
from vendors.tables import Business, Product

# days from today, site, title, status, hours
SEASON = [
    (-56, "clb-nguyen-du", "Phiên chợ hàng Việt tháng trước", FairStatus.COMPLETED, (7, 12)),
    (-28, "cho-tan-dinh", "Phiên chợ hàng Việt chợ Tân Định", FairStatus.COMPLETED, (7, 12)),
    (
        -14,
        "cong-vien-23-thang-9",
        "Phiên chợ hàng Việt Công viên 23/9",
        FairStatus.COMPLETED,
        (16, 21),
    ),
    (0, "clb-nguyen-du", "Phiên chợ hàng Việt tại CLB Nguyễn Du", FairStatus.PUBLISHED, (7, 21)),
    (
        10,
        "trung-tam-van-hoa-quan-1",
        "Phiên chợ hàng Việt Trung tâm Văn hóa Quận 1",
        FairStatus.PUBLISHED,
        (7, 12),
    ),
    (
        17,
        "truong-thpt-trung-vuong",
        "Phiên chợ hàng Việt vào trường học",
        FairStatus.PUBLISHED,
        (7, 11),
    ),
    (
        24,
        "kdc-tran-dinh-xu",
        "Phiên chợ hàng Việt khu dân cư Cầu Kho",
        FairStatus.CANCELLED,
        (7, 12),
    ),
    (
        31,
        "cong-vien-le-van-tam",
        "Phiên chợ hàng Việt Công viên Lê Văn Tám",
        FairStatus.PUBLISHED,
        (16, 21),
    ),
    (45, "cho-dan-sinh", "Phiên chợ hàng Việt chợ Dân Sinh", FairStatus.DRAFT, (7, 12)),
    (21, "cho-ba-chieu", "Phiên chợ hàng Việt chợ Bà Chiểu", FairStatus.PUBLISHED, (7, 12)),
]

# Fairs held before 1 July 2025, under the old wards of District 1 (day, site, title, old ward).
HISTORY = [
    (dt.date(2025, 3, 16), "clb-nguyen-du", "Phiên chợ hàng Việt quận 1 tháng 3", "ben-thanh"),
    (
        dt.date(2025, 5, 18),
        "trung-tam-van-hoa-quan-1",
        "Phiên chợ hàng Việt Trung tâm Văn hóa Quận 1",
        "ben-nghe",
    ),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


async def load_fairs() -> dict[str, int]:
    """Create the season; returns the ids of the fairs other demo parts build on."""
    today = today_local()
    sites = {r["slug"]: r for r in await Site.select(Site.id, Site.slug, Site.setting).run()}
    ids: dict[str, int] = {}
    for offset, site, title, status, (start, end) in SEASON:
        day = today + dt.timedelta(days=offset)
        fair = Fair(
            title=clean(title),
            site=sites[site]["id"],
            setting=sites[site]["setting"],
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            applications_open_at=_at(day - dt.timedelta(days=45), 0),
            applications_close_at=_at(day - dt.timedelta(days=3), 23),
            withdrawal_cutoff_at=_at(day - dt.timedelta(days=2), 23),
            description=clean(
                "Hàng Việt Nam chất lượng cao bán trực tiếp từ doanh nghiệp sản xuất, giá bình "
                "ổn, phục vụ người lao động và cư dân quanh khu vực."
            ),
            audience="Người dân, người lao động có thu nhập thấp",
            status=status.value,
            cancel_reason="Trùng lịch sửa chữa mặt đường."
            if status == FairStatus.CANCELLED
            else "",
            sequence=1 if status == FairStatus.CANCELLED else 0,
        )
        await fair.save().run()
        ids[f"{offset}"] = fair.id
    await _load_history(sites)
    return ids


async def _load_history(sites: dict[str, dict]) -> None:
    old_wards = {r["slug"]: r["id"] for r in await Ward.select(Ward.id, Ward.slug).run()}
    for day, site, title, old_ward in HISTORY:
        await (
            Fair(
                title=clean(title),
                site=sites[site]["id"],
                setting=sites[site]["setting"],
                starts_at=_at(day, 7),
                ends_at=_at(day, 12),
                applications_open_at=_at(day - dt.timedelta(days=45), 0),
                applications_close_at=_at(day - dt.timedelta(days=3), 23),
                withdrawal_cutoff_at=_at(day - dt.timedelta(days=2), 23),
                description=clean("Phiên chợ do Ban tổ chức Quận 1 tổ chức, trước ngày 1/7/2025."),
                status=FairStatus.COMPLETED.value,
                held_in_ward=old_wards[f"{old_ward}-quan-1"],
            )
            .save()
            .run()
        )


async def load_applications(rng: random.Random, fair_ids: dict[str, int]) -> None:
    verified = (
        await Business.select(Business.id)
        .where(Business.status == "verified")
        .order_by(Business.id)
        .run()
    )
    products: dict[int, list[int]] = {}
    for row in await Product.select(Product.id, Product.business).run():
        products.setdefault(row["business"], []).append(row["id"])
    statuses = [ApplicationStatus.APPROVED] * 6 + [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ]
    # Today's fair: twenty approved; the next fair: every status of the lifecycle.
    plans = [
        (fair_ids["0"], [ApplicationStatus.APPROVED] * 20),
        (fair_ids["10"], statuses * 2),
        (fair_ids["17"], [ApplicationStatus.SUBMITTED] * 6),
        # Past fairs: who took part, so that history (fairness, no-shows) has something to say.
        (fair_ids["-56"], [ApplicationStatus.APPROVED] * 14),
        (fair_ids["-28"], [ApplicationStatus.APPROVED] * 12),
        (fair_ids["-14"], [ApplicationStatus.APPROVED] * 16),
    ]
    for fair_id, wanted in plans:
        for business, status in zip(verified, wanted, strict=False):
            own = products.get(business["id"], [])
            application = Application(
                business=business["id"],
                fair=fair_id,
                stalls_requested=rng.choice([1, 1, 1, 2]),
                needs_power=rng.random() < 0.3,
                needs_water=rng.random() < 0.15,
                status=status.value,
                reason="Ngành hàng đã đủ gian hàng ở phiên này."
                if status == ApplicationStatus.REJECTED
                else "",
            )
            await application.save().run()
            for product_id in own[:3]:
                await (
                    ApplicationProduct(application=application.id, product=product_id).save().run()
                )
            await (
                ApplicationStatusChange(
                    application=application.id, from_status="", to_status="submitted"
                )
                .save()
                .run()
            )
            if status != ApplicationStatus.SUBMITTED:
                await (
                    ApplicationStatusChange(
                        application=application.id,
                        from_status="submitted",
                        to_status=status.value,
                        reason=application.reason,
                    )
                    .save()
                    .run()
                )


async def allocate_season(fair_ids: dict[str, int]) -> None:
    """Today's fair and the next one get an allocation; today's is published (the demo does not
    e-mail anyone: its businesses' addresses are not real)."""
    from allocation.runs import run_allocation
    from core.accounts import load_principal
    from core.tables import Account
    from events.tables import Fair

    organizer = await Account.select(Account.user).where(Account.role == "organizer").first().run()
    principal = await load_principal(organizer["user"])
    await _first_stall_for_the_demo_business(fair_ids["0"])
    from tickets.services import sync_passes

    for key in ("-56", "-28", "-14", "0", "10"):
        await run_allocation(principal, fair_ids[key])
    for key in ("-56", "-28", "-14", "0"):
        await (
            Fair.update({Fair.allocation_published_at: Fair.updated_at})
            .where(Fair.id == fair_ids[key])
            .run()
        )
        await sync_passes(fair_ids[key])
    await _past_arrivals([fair_ids[k] for k in ("-56", "-28", "-14")])


async def _past_arrivals(fair_ids: list[int]) -> None:
    """Most pass holders came through the gate at past fairs; a few did not (no-shows)."""
    from tickets.tables import Arrival, Pass

    for fair_id in fair_ids:
        for number, row in enumerate(
            await Pass.select(Pass.id, Pass.fair.starts_at)
            .where(Pass.fair == fair_id)
            .order_by(Pass.id)
            .run()
        ):
            if number % 7 == 6:
                continue
            await (
                Arrival(
                    pass_=row["id"],
                    fair=fair_id,
                    gate="Cổng chính",
                    device_id="demo",
                    scanned_at=row["fair.starts_at"],
                )
                .save()
                .run()
            )


async def _first_stall_for_the_demo_business(fair_id: int) -> None:
    """doanhnghiep1@demo.vn gets stall A01 at today's fair, pinned, so that the README's
    check-in walk-through always finds it there."""
    from events.tables import Assignment, Stall

    application = (
        await Application.select(Application.id, Application.fair.site)
        .where(
            (Application.fair == fair_id) & (Application.business.email == "doanhnghiep1@demo.vn")
        )
        .first()
        .run()
    )
    if not application:
        return
    await (
        Application.update({Application.stalls_requested: 1})
        .where(Application.id == application["id"])
        .run()
    )
    stall = (
        await Stall.select(Stall.id)
        .where((Stall.site == application["fair.site"]) & (Stall.code == "A01"))
        .first()
        .run()
    )
    await (
        Assignment(
            fair=fair_id,
            stall=stall["id"],
            application=application["id"],
            pinned=True,
            reasons='[{"code": "pinned", "vi": "Ban tổ chức xếp.", '
            '"en": "Placed by the organizers."}]',
        )
        .save()
        .run()
    )
