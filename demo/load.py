"""Load the demo data into an empty database (never when DEMO=0 or when data exists)."""

from __future__ import annotations

import datetime as dt
import random

from core.accounts import create_account
from core.database import write_txn
from core.roles import Role
from core.settings import get_settings
from core.tables import Account, Ward
from core.text import clean, name_key
from core.timezone import today_local
from demo.businesses import BUSINESSES, PRODUCTS, phone_for, tax_code_for
from demo.fairs import allocate_season, load_applications, load_fairs
from demo.inspections import load_inspections
from demo.maps import load_maps
from demo.places import (
    BODY_WARDS,
    CATEGORIES,
    CITY_SITES,
    OLD_DISTRICT,
    OLD_WARDS,
    SITES,
    TODAYS_WARD,
)
from events.reorganization import CITY_BODY_SLUG, city_body, load_units, ward_body
from events.tables import Site
from vendors.businesses import search_key
from vendors.documents import store_document
from vendors.identifiers import normalize_phone
from vendors.tables import Business, BusinessCategory, Category, DocumentKind, Product

DEMO_PASSWORD = "demo12345"

GATE_EMAIL = "cong@demo.vn"
STAFF = [
    # e-mail, role, name, body (the ward of its committee; None: the city's steering committee)
    ("bantochuc@demo.vn", Role.ORGANIZER, "Nguyễn Thị Thanh Hương", None),
    ("phuong.benthanh@demo.vn", Role.ORGANIZER, "Trần Minh Khoa", "ben-thanh"),
    ("phuong.saigon@demo.vn", Role.ORGANIZER, "Võ Thị Bích Trâm", "sai-gon"),
    (GATE_EMAIL, Role.GATE_STAFF, "Lê Văn Phúc", "ben-thanh"),
    ("kiemtra@demo.vn", Role.INSPECTOR, "Phạm Thị Ngọc Ánh", None),
]

FOOD_CATEGORIES = {slug for slug, _, _, is_food in CATEGORIES if is_food}


def demo_certificate(business: str) -> bytes:
    """A one-page PDF standing in for a scanned certificate."""
    from io import BytesIO

    from anyascii import anyascii
    from reportlab.pdfgen.canvas import Canvas

    buffer = BytesIO()
    canvas = Canvas(buffer)
    # The built-in PDF fonts cannot draw Vietnamese: this stand-in is written without marks.
    canvas.drawString(72, 760, "Giay chung nhan co so du dieu kien an toan thuc pham (demo)")
    canvas.drawString(72, 740, anyascii(business))
    canvas.save()
    return buffer.getvalue()


_SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Hoài"]
_GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hạnh",
    "Hiếu",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nhung",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Vy",
]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def todays_address(address: str, old_ward: str) -> str:
    """A demo address of the old District 1, written in today's ward."""
    old_name = dict((slug, name) for slug, name, _ in OLD_WARDS)[old_ward]
    return address.replace(f"Phường {old_name}, {OLD_DISTRICT}", _WARD_NAMES[TODAYS_WARD[old_ward]])


_WARD_NAMES: dict[str, str] = {}


async def _load_places() -> tuple[dict[str, int], dict[str, int]]:
    """Today's wards (from the units the migration loaded), the ten old wards of District 1
    for the history, the bodies, the sites and the goods categories."""
    async with write_txn(Ward._meta.db):
        await load_units()
        for slug, name, _ in OLD_WARDS:
            await (
                Ward(
                    slug=f"{slug}-quan-1",
                    name=f"Phường {name}",
                    district=OLD_DISTRICT,
                    active=False,
                )
                .save()
                .run()
            )
        rows = await Ward.select(Ward.id, Ward.slug, Ward.name).run()
        ward_ids = {r["slug"]: r["id"] for r in rows}
        _WARD_NAMES.update({r["slug"]: r["name"] for r in rows})
        await city_body()
        bodies = {slug: await ward_body(ward_ids[slug]) for slug in BODY_WARDS}
        places = [
            (*site[:2], todays_address(site[2], site[3]), TODAYS_WARD[site[3]], *site[4:])
            for site in SITES
        ] + CITY_SITES
        for slug, name, address, ward, setting, lat, lon, capacity, description in places:
            await (
                Site(
                    slug=slug,
                    name=name,
                    address=address,
                    ward=ward_ids[ward],
                    organizer=bodies[ward],
                    setting=setting,
                    lat=lat,
                    lon=lon,
                    capacity=capacity,
                    description=description,
                )
                .save()
                .run()
            )
        for position, (slug, vi, en, is_food) in enumerate(CATEGORIES):
            await (
                Category(slug=slug, name_vi=vi, name_en=en, is_food=is_food, position=position)
                .save()
                .run()
            )
    categories = {
        r["slug"]: r["id"] for r in await Category.select(Category.id, Category.slug).run()
    }
    return ward_ids, categories


async def _load_businesses(
    rng: random.Random, ward_ids: dict[str, int], category_ids: dict[str, int]
) -> None:
    for number, spec in enumerate(BUSINESSES, start=1):
        trade, legal, kind, ward, categories, made_in, hvncl, status, club = spec
        representative = _person(rng)
        email = f"doanhnghiep{number}@demo.vn"
        tax_code = tax_code_for(kind, rng)
        principal = await create_account(
            email=email,
            password=DEMO_PASSWORD,
            role=Role.BUSINESS,
            full_name=representative,
            phone=phone_for(rng),
        )
        async with write_txn(Business._meta.db):
            business = Business(
                account=principal.account_id,
                legal_name=clean(legal),
                trade_name=clean(trade),
                name_key=name_key(legal),
                search_key=search_key(legal, trade, tax_code, representative),
                kind=kind,
                tax_code=tax_code,
                representative=representative,
                phone=normalize_phone(phone_for(rng)),
                email=email,
                address=f"{rng.randint(2, 240)} {rng.choice(_STREETS[ward])}, "
                f"{_WARD_NAMES[TODAYS_WARD[ward]]}, TP. Hồ Chí Minh",
                ward=ward_ids[TODAYS_WARD[ward]],
                club_ward=ward_ids[TODAYS_WARD[club]] if club else None,
                status=status,
            )
            await business.save().run()
            if any(slug in FOOD_CATEGORIES for slug in categories):
                await store_document(
                    business.id,
                    DocumentKind.FOOD_SAFETY_CERTIFICATE.value,
                    "giay-chung-nhan-attp.pdf",
                    demo_certificate(legal),
                    today_local() + dt.timedelta(days=365),
                )
            for slug in categories:
                await (
                    BusinessCategory(business=business.id, category=category_ids[slug]).save().run()
                )
                for name in rng.sample(PRODUCTS[slug], k=min(2, len(PRODUCTS[slug]))):
                    await (
                        Product(
                            business=business.id,
                            name=name,
                            category=category_ids[slug],
                            brand=trade,
                            producer=legal,
                            made_in=made_in,
                            made_in_vietnam=True,
                            hvncl_year=hvncl,
                            hvncl_expires=dt.date(hvncl + 1, 12, 31) if hvncl else None,
                        )
                        .save()
                        .run()
                    )


_STREETS = {
    "ben-nghe": ["Lê Thánh Tôn", "Nguyễn Thị Minh Khai", "Mạc Đĩnh Chi", "Hai Bà Trưng"],
    "ben-thanh": ["Lê Lai", "Nguyễn Trãi", "Lý Tự Trọng", "Trương Định"],
    "cau-kho": ["Trần Đình Xu", "Trần Hưng Đạo", "Nguyễn Cảnh Chân"],
    "cau-ong-lanh": ["Nguyễn Thái Học", "Yersin", "Cô Giang"],
    "co-giang": ["Cô Bắc", "Cô Giang", "Đề Thám"],
    "da-kao": ["Đinh Tiên Hoàng", "Nguyễn Huy Tự", "Trần Quang Khải"],
    "nguyen-cu-trinh": ["Nguyễn Cư Trinh", "Trần Đình Xu", "Nguyễn Trãi"],
    "nguyen-thai-binh": ["Yersin", "Ký Con", "Nguyễn Công Trứ"],
    "pham-ngu-lao": ["Bùi Viện", "Đề Thám", "Phạm Ngũ Lão", "Cống Quỳnh"],
    "tan-dinh": ["Hai Bà Trưng", "Trần Quang Khải", "Trần Nhật Duật"],
}


async def _assign_gate_staff(ward_ids: dict[str, int]) -> None:
    """cong@demo.vn is Bến Thành's gate staff: every site of the ward, the Nguyễn Du club with
    its fair of today among them, so that check-in can be tried at once."""
    from tickets.tables import GateAssignment

    account = await Account.select(Account.id).where(Account.user.email == GATE_EMAIL).first()
    sites = await Site.select(Site.id).where(Site.ward == ward_ids["ben-thanh"]).run()
    for site in sites:
        await GateAssignment(account=account["id"], site=site["id"]).save().run()


async def load_demo() -> str:
    """Load everything, or explain why nothing was loaded."""
    settings = get_settings()
    if settings.demo_refused:
        return settings.demo_refused
    if not settings.demo:
        return "DEMO=0: không nạp dữ liệu mẫu. / Demo data not loaded."
    # Today's units are there from the first migration: data means accounts or sites.
    if await Account.count().run() > 0 or await Site.count().run() > 0:
        return "Cơ sở dữ liệu đã có dữ liệu: giữ nguyên. / The database has data: left as it is."
    rng = random.Random(172)  # the plan's number: the same demo on every machine
    ward_ids, category_ids = await _load_places()
    # The staff's phones come from a generator of their own, and the main one moves on as it
    # did for the four staff of the District 1 demo: the businesses, applications and
    # inspections drawn after stay what they were (the browser tests name some of them).
    staff_rng = random.Random(17)
    for _ in range(4):
        phone_for(rng)
    for email, role, name, body in STAFF:
        await create_account(
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            full_name=name,
            phone=phone_for(staff_rng),
            organizer_slug=body or CITY_BODY_SLUG,
        )
    await _assign_gate_staff(ward_ids)
    await _load_businesses(rng, ward_ids, category_ids)
    await load_maps()
    fair_ids = await load_fairs()
    await load_applications(rng, fair_ids)
    await allocate_season(fair_ids)
    await load_inspections(fair_ids)
    return (
        f"Đã nạp dữ liệu mẫu / Demo data loaded: {len(BODY_WARDS) + 1} ban tổ chức / bodies, "
        f"{len(SITES) + len(CITY_SITES)} địa điểm / sites, "
        f"{len(BUSINESSES)} doanh nghiệp; mật khẩu / password: {DEMO_PASSWORD}"
    )
