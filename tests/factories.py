"""Data the tests start from: wards, sites and an account per role."""

from __future__ import annotations

import httpx

from core.accounts import create_account
from core.roles import Role
from core.tables import Ward
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
    for slug, name in (("ben-nghe", "Bến Nghé"), ("tan-dinh", "Tân Định")):
        await Ward(slug=slug, name=name).save().run()
    wards = {r["slug"]: r["id"] for r in await Ward.select(Ward.id, Ward.slug).run()}
    for slug, ward in (("site-ben-nghe", "ben-nghe"), ("site-tan-dinh", "tan-dinh")):
        await (
            Site(
                slug=slug,
                name=f"Địa điểm {slug}",
                address="1 Lê Lợi, Quận 1",
                ward=wards[ward],
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
