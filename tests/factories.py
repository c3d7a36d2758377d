"""Data the tests start from: wards, sites and an account per role."""

from __future__ import annotations

import httpx

from core.accounts import create_account
from core.roles import Role
from core.tables import Organizer, Ward
from events.tables import Site

PASSWORD = "mat-khau-thu-123"

ROLE_EMAILS = {
    Role.ORGANIZER: "btc@test.vn",
    Role.WARD_OFFICER: "phuong@test.vn",
    Role.GATE_STAFF: "cong@test.vn",
    Role.INSPECTOR: "kiemtra@test.vn",
    Role.BUSINESS: "dn@test.vn",
}


async def seed_places() -> None:
    # A freshly migrated database holds today's units already (Tân Định among them).
    for slug, name in (("ben-nghe", "Bến Nghé"), ("tan-dinh", "Tân Định")):
        if not await Ward.exists().where(Ward.slug == slug).run():
            await Ward(slug=slug, name=name).save().run()
    wards = {
        r["slug"]: r["id"]
        for r in await Ward.select(Ward.id, Ward.slug)
        .where(Ward.slug.is_in(["ben-nghe", "tan-dinh"]))
        .run()
    }
    # Each ward's committee holds the fairs at its site.
    bodies = {}
    for slug, ward in wards.items():
        body = Organizer(slug=slug, name=f"Ủy ban nhân dân Phường {slug}", ward=ward)
        await body.save().run()
        bodies[slug] = body.id
    for slug, ward in (("site-ben-nghe", "ben-nghe"), ("site-tan-dinh", "tan-dinh")):
        await (
            Site(
                slug=slug,
                name=f"Địa điểm {slug}",
                address="1 Lê Lợi, Quận 1",
                ward=wards[ward],
                organizer=bodies[ward],
                setting="residential",
                lat=10.77,
                lon=106.70,
                capacity=10,
            )
            .save()
            .run()
        )


async def seed_accounts() -> None:
    for role, email in ROLE_EMAILS.items():
        await create_account(
            email=email,
            password=PASSWORD,
            role=role,
            full_name=f"Người {role.value}",
            ward_slugs=["ben-nghe"] if role == Role.WARD_OFFICER else [],
        )


async def login(client: httpx.AsyncClient, role: Role) -> None:
    response = await client.post(
        "/api/auth/login", json={"email": ROLE_EMAILS[role], "password": PASSWORD}
    )
    assert response.status_code == 200, response.text


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The token a page's form carries, as a browser would get it."""
    page = await client.get("/login")
    marker = 'name="_csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def seed_categories() -> None:
    from vendors.tables import Category

    for position, (slug, vi, en, food) in enumerate(
        (
            ("nong-san", "Nông sản, thực phẩm tươi", "Food and farm produce", True),
            ("may-mac", "May mặc, dệt may", "Garments and textiles", False),
            ("thu-cong", "Thủ công mỹ nghệ", "Handicrafts", False),
        )
    ):
        await Category(slug=slug, name_vi=vi, name_en=en, is_food=food, position=position).save()


async def make_business(
    email: str,
    legal_name: str,
    tax_code: str,
    ward_slug: str,
    status: str = "verified",
    language: str = "vi",
    *,
    address: str = "1 Lê Lợi",
    calendar_token: str | None = None,
    account_exists: bool = False,
) -> int:
    """A business with its account, as sign-up and vetting would leave it. With
    `account_exists`, the business account of that e-mail is there already (seed_accounts)."""
    from core.tables import Account
    from core.text import name_key
    from vendors.businesses import search_key
    from vendors.tables import Business, BusinessCategory, Category

    if account_exists:
        account = await Account.select(Account.id).where(Account.user.email == email).first()
        account_id = account["id"]
    else:
        principal = await create_account(
            email=email,
            password=PASSWORD,
            role=Role.BUSINESS,
            full_name="Đại diện",
            language=language,
        )
        account_id = principal.account_id
    ward = await Ward.select(Ward.id).where(Ward.slug == ward_slug).first()
    business = Business(
        account=account_id,
        legal_name=legal_name,
        name_key=name_key(legal_name),
        search_key=search_key(legal_name, "", tax_code, ""),
        kind="enterprise",
        tax_code=tax_code,
        phone="+84903123456",
        email=email,
        address=address,
        ward=ward["id"],
        status=status,
    )
    if calendar_token is not None:
        business.calendar_token = calendar_token
    await business.save()
    category = await Category.select(Category.id).where(Category.slug == "may-mac").first()
    await BusinessCategory(business=business.id, category=category["id"]).save()
    return business.id


async def make_fair(
    site_slug: str = "site-ben-nghe",
    days_ahead: int = 20,
    status: str = "published",
    window_open: bool = True,
) -> int:
    import datetime as dt

    from core.timezone import now_utc
    from events.tables import Fair

    now = now_utc().replace(second=0, microsecond=0)  # fairs start on the minute
    start = now + dt.timedelta(days=days_ahead)
    site = await Site.select(Site.id).where(Site.slug == site_slug).first()
    fair = Fair(
        title=f"Phiên chợ thử {days_ahead}",
        site=site["id"],
        setting="residential",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        applications_open_at=now - dt.timedelta(days=10),
        applications_close_at=now + dt.timedelta(days=5 if window_open else -1),
        withdrawal_cutoff_at=now + dt.timedelta(days=6 if window_open else -1),
        status=status,
    )
    await fair.save()
    return fair.id


async def make_product(business_id: int, name: str = "Áo sơ mi cotton") -> int:
    from vendors.tables import Category, Product

    category = await Category.select(Category.id).where(Category.slug == "may-mac").first()
    product = Product(
        business=business_id,
        name=name,
        category=category["id"],
        made_in="TP. Hồ Chí Minh",
        made_in_vietnam=True,
    )
    await product.save()
    return product.id


async def seed_basics() -> None:
    """Two wards with a site each, three goods categories and an account per role."""
    await seed_places()
    await seed_categories()
    await seed_accounts()
    # The gate staff of the test world checks in at Bến Nghé's fairs; tests of other wards or of
    # an unassigned account make their own.
    await assign_gate("site-ben-nghe")


async def assign_gate(site_slug: str, email: str = ROLE_EMAILS[Role.GATE_STAFF]) -> None:
    from core.tables import Account
    from tickets.tables import GateAssignment

    account = await Account.select(Account.id).where(Account.user.email == email).first()
    site = await Site.select(Site.id).where(Site.slug == site_slug).first()
    await GateAssignment(account=account["id"], site=site["id"]).save()


async def seed_stalls(site_slug: str = "site-ben-nghe", capacity: int = 20) -> None:
    from demo.maps import layout
    from events.stallmap import replace_map

    site = await Site.select(Site.id).where(Site.slug == site_slug).first()
    await replace_map(site["id"], layout(capacity))


async def seed_world() -> dict[str, int]:
    """Places, an account per role, the business of dn@test.vn with a product, a document and
    an application, and a second business in another ward."""
    from events.schemas import ApplicationIn
    from vendors.documents import store_document

    await seed_basics()
    calendar_token = "t" * 32
    business_id = await make_business(
        ROLE_EMAILS[Role.BUSINESS],
        "Công ty TNHH Dệt may Bến Nghé",
        "0300588569",
        "ben-nghe",
        address="3 Lê Thánh Tôn",
        calendar_token=calendar_token,
        account_exists=True,
    )
    product = await make_product(business_id)
    document = await store_document(
        business_id, "registration_certificate", "gcn.pdf", PDF_BYTES, None
    )
    fair = await make_fair()
    other_fair = await make_fair(days_ahead=30)
    draft_fair = await make_fair(days_ahead=40, status="draft")
    past_fair = await make_fair(days_ahead=-3, window_open=False)
    from events.applications import apply

    application = await apply(business_id, fair, ApplicationIn(product_ids=[product]))
    await seed_stalls()
    from events.tables import Application, Assignment, Stall

    await Application.update({Application.status: "approved"}).where(
        Application.id == application.id
    )
    stall = await Stall.select(Stall.id).where(Stall.code == "A02").first()
    await Assignment(fair=fair, stall=stall["id"], application=application.id).save()
    from core.timezone import now_utc
    from events.tables import Fair
    from tickets.services import sync_passes
    from tickets.tables import Pass

    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair)
    await sync_passes(fair)
    issued = await Pass.select(Pass.id, Pass.code).where(Pass.fair == fair).first()
    other = await make_business("khac@test.vn", "Công ty Tân Định Xanh", "0101248141", "tan-dinh")
    from core.tables import Account

    gate = (
        await Account.select(Account.id)
        .where(Account.user.email == ROLE_EMAILS[Role.GATE_STAFF])
        .first()
    )
    return {
        "gate_account_id": gate["id"],
        "business_id": business_id,
        "product_id": product,
        "document_id": document.id,
        "fair_id": fair,
        "other_fair_id": other_fair,
        "draft_fair_id": draft_fair,
        "past_fair_id": past_fair,
        "application_id": application.id,
        "calendar_token": calendar_token,
        "pass_id": issued["id"],
        "pass_code": issued["code"],
        "other_business_id": other,
    }


async def make_fair_between(starts_at, ends_at, site_slug: str = "site-ben-nghe") -> int:
    """A published fair at the given moments, its application window around now."""
    import datetime as dt

    from core.timezone import now_utc
    from events.tables import Fair

    now = now_utc()
    site = await Site.select(Site.id).where(Site.slug == site_slug).first()
    fair = Fair(
        title=f"Phiên chợ {starts_at:%d/%m}",
        site=site["id"],
        setting="residential",
        starts_at=starts_at,
        ends_at=ends_at,
        applications_open_at=now - dt.timedelta(days=10),
        applications_close_at=now + dt.timedelta(days=5),
        withdrawal_cutoff_at=now + dt.timedelta(days=6),
        status="published",
    )
    await fair.save()
    return fair.id


async def issue_business_pass(
    fair_id: int, business_id: int, stall_code: str = "A01"
) -> dict[str, object]:
    """An approved application of the business on the fair's published board, and its pass.
    The site's stall map must exist (seed_stalls)."""
    from core.timezone import now_utc
    from events.tables import Application, Assignment, Fair, Stall
    from tickets.services import sync_passes
    from tickets.tables import Pass

    application = Application(business=business_id, fair=fair_id, status="approved")
    await application.save()
    stall = await Stall.select(Stall.id).where(Stall.code == stall_code).first()
    await Assignment(fair=fair_id, stall=stall["id"], application=application.id).save()
    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair_id)
    await sync_passes(fair_id)
    return (
        await Pass.select()
        .where((Pass.application == application.id) & (Pass.status == "active"))
        .first()
    )
