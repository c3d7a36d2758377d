"""Wards and sites: public lists, edits by organizers and by ward officers in their wards."""

from __future__ import annotations

import unicodedata

import pytest

from core.roles import Role
from events.tables import Site
from tests.factories import login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio

SITE = {
    "name": "Nhà văn hóa khu phố 2",
    "address": "5 Đinh Tiên Hoàng",
    "ward_slug": "tan-dinh",
    "setting": "school",
    "lat": 10.79,
    "lon": 106.69,
    "capacity": 20,
}


@pytest.fixture
async def seeded(db):
    await seed_places()
    await seed_accounts()


async def test_public_site_list_has_the_contract_fields(seeded, client):
    sites = (await client.get("/api/sites")).json()
    assert {s["slug"] for s in sites} == {"site-ben-nghe", "site-tan-dinh"}
    first = sites[0]
    for key in ("slug", "name", "address", "ward_slug", "setting", "lat", "lon"):
        assert key in first
    only_tan_dinh = (await client.get("/api/sites", params={"ward": "tan-dinh"})).json()
    assert [s["slug"] for s in only_tan_dinh] == ["site-tan-dinh"]


async def test_wards_are_listed_in_vietnamese_order(seeded, client):
    await login(client, Role.ORGANIZER)
    for name in ("Đa Kao", "Cô Giang", "Cầu Kho", "Dương Minh"):
        assert (await client.post("/api/wards", json={"name": name})).status_code == 201
    names = [w["name"] for w in (await client.get("/api/wards")).json()]
    assert names == ["Bến Nghé", "Cầu Kho", "Cô Giang", "Dương Minh", "Đa Kao", "Tân Định"]


async def test_site_text_is_stored_nfc(seeded, client):
    await login(client, Role.ORGANIZER)
    decomposed = unicodedata.normalize("NFD", "Chợ Phường Nguyễn Huệ")
    response = await client.post("/api/sites", json={**SITE, "name": decomposed})
    assert response.status_code == 201
    assert response.json()["slug"] == "cho-phuong-nguyen-hue"
    stored = await Site.select(Site.name).where(Site.slug == "cho-phuong-nguyen-hue").first()
    assert stored["name"] == unicodedata.normalize("NFC", "Chợ Phường Nguyễn Huệ")
    assert len(stored["name"]) == len("Chợ Phường Nguyễn Huệ")


async def test_duplicate_site_slug_is_a_clear_conflict(seeded, client):
    await login(client, Role.ORGANIZER)
    assert (await client.post("/api/sites", json=SITE)).status_code == 201
    again = await client.post("/api/sites", json=SITE)
    assert again.status_code == 409
    assert again.json()["messages"]["en"] == "A site with the slug “nha-van-hoa-khu-pho-2” exists."


async def test_unknown_ward_is_refused_with_the_field(seeded, client):
    await login(client, Role.ORGANIZER)
    response = await client.post("/api/sites", json={**SITE, "ward_slug": "phuong-ao"})
    assert response.status_code == 422
    assert response.json()["field"] == "ward_slug"


async def test_ward_officer_acts_only_in_their_own_ward(seeded, client):
    await login(client, Role.WARD_OFFICER)  # assigned Bến Nghé
    other = await client.post("/api/sites", json=SITE)
    assert other.status_code == 403
    own = await client.post("/api/sites", json={**SITE, "ward_slug": "ben-nghe"})
    assert own.status_code == 201
    foreign_edit = await client.patch("/api/sites/site-tan-dinh", json={"capacity": 1})
    assert foreign_edit.status_code == 403
    move_out = await client.patch("/api/sites/site-ben-nghe", json={"ward_slug": "tan-dinh"})
    assert move_out.status_code == 403
    site = await Site.select(Site.capacity).where(Site.slug == "site-tan-dinh").first()
    assert site["capacity"] == 10


async def test_organizer_edits_a_site_and_only_given_fields_change(seeded, client):
    await login(client, Role.ORGANIZER)
    response = await client.patch(
        "/api/sites/site-tan-dinh", json={"capacity": 25, "setting": "market"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["capacity"], body["setting"], body["address"]) == (
        25,
        "market",
        "1 Lê Lợi, Quận 1",
    )


async def test_out_of_range_coordinates_are_refused(seeded, client):
    await login(client, Role.ORGANIZER)
    response = await client.post("/api/sites", json={**SITE, "lat": 123.0})
    assert response.status_code == 400
    assert response.json()["errors"][0]["key"] == "lat"
