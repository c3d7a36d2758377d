"""A verified business that changes what vetting checked goes back to vetting, and the officers
see what changed; contact details it changes stay its own business."""

from __future__ import annotations

import pytest

from core.roles import Role
from tests.factories import PASSWORD, login, make_business, seed_world
from vendors.tables import Business, BusinessStatusChange

pytestmark = pytest.mark.anyio

OLD_NAME = "Công ty TNHH Dệt may Bến Nghé"


@pytest.fixture
async def world(db, client):
    ids = await seed_world()
    await login(client, Role.BUSINESS)
    return ids


async def sign_in_as(client, role: Role) -> None:
    await client.post("/api/auth/logout")
    await login(client, role)


async def status_of(business_id: int) -> str:
    row = await Business.select(Business.status).where(Business.id == business_id).first()
    return row["status"]


async def history_of(business_id: int) -> list[dict]:
    return await BusinessStatusChange.select().where(BusinessStatusChange.business == business_id)


@pytest.mark.parametrize(
    ("patch", "field", "old", "new", "label"),
    [
        (
            {"legal_name": "Công ty TNHH Dệt may Sài Gòn"},
            "legal_name",
            OLD_NAME,
            "Công ty TNHH Dệt may Sài Gòn",
            "Tên theo giấy đăng ký",
        ),
        ({"ward_slug": "tan-dinh"}, "ward_slug", "ben-nghe", "tan-dinh", "Phường"),
        (
            {"category_slugs": ["thu-cong", "may-mac"]},
            "category_slugs",
            "may-mac",
            "may-mac, thu-cong",
            "Ngành hàng",
        ),
    ],
)
async def test_changing_a_vetted_field_sends_the_business_back_to_vetting(
    world, client, patch, field, old, new, label
):
    changed = await client.patch("/api/businesses/me", json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "pending"
    [row] = changed.json()["history"]
    assert (row["action"], row["from_status"], row["to_status"]) == ("revet", "verified", "pending")
    assert row["changes"] == [{"field": field, "old": old, "new": new}]
    assert row["by"] == "Người business"
    assert "cần xác minh lại" in row["reason"]

    # The organizers see it in their API, among the businesses waiting, and on the console page.
    await sign_in_as(client, Role.ORGANIZER)
    detail = (await client.get(f"/api/businesses/{world['business_id']}")).json()
    assert detail["status"] == "pending"
    assert detail["history"][-1]["changes"] == [{"field": field, "old": old, "new": new}]
    waiting = (await client.get("/api/businesses", params={"status": "pending"})).json()
    assert world["business_id"] in [b["id"] for b in waiting]
    page = await client.get(f"/console/businesses/{world['business_id']}")
    assert page.status_code == 200
    assert f"{label}: {old} → {new}" in page.text


async def test_in_re_vetting_it_keeps_its_pass_but_cannot_apply_until_verified_again(world, client):
    await client.patch("/api/businesses/me", json={"legal_name": "Công ty TNHH Dệt may Sài Gòn"})
    refused = await client.post(
        f"/api/fairs/{world['other_fair_id']}/applications",
        json={"product_ids": [world["product_id"]]},
    )
    assert refused.status_code == 403
    # What was granted before stays: the approved application and its pass.
    passes = (await client.get("/api/me/passes")).json()
    assert [p["status"] for p in passes] == ["active"]
    mine = (await client.get("/api/me/applications")).json()
    assert [a["status"] for a in mine] == ["approved"]

    await sign_in_as(client, Role.ORGANIZER)
    verified = await client.post(f"/api/businesses/{world['business_id']}/verify", json={})
    assert verified.json()["status"] == "verified"
    assert [h["action"] for h in verified.json()["history"]] == ["revet", "verify"]
    await sign_in_as(client, Role.BUSINESS)
    assert [p["status"] for p in (await client.get("/api/me/passes")).json()] == ["active"]
    applied = await client.post(
        f"/api/fairs/{world['other_fair_id']}/applications",
        json={"product_ids": [world["product_id"]]},
    )
    assert applied.status_code == 201, applied.text


async def test_contact_details_and_unchanged_values_need_no_re_vetting(world, client):
    # As the profile form sends it: every field, only the phone and the address new.
    same = {
        "legal_name": OLD_NAME,
        "trade_name": "Dệt may BN",
        "representative": "Bà Lê Thị Hoa",
        "phone": "0909 123 456",
        "address": "5 Lê Thánh Tôn",
        "ward_slug": "ben-nghe",
        "club_ward_slug": "tan-dinh",
        "category_slugs": ["may-mac"],
    }
    changed = await client.patch("/api/businesses/me", json=same)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "verified"
    assert changed.json()["address"] == "5 Lê Thánh Tôn"
    assert changed.json()["history"] == []
    assert await status_of(world["business_id"]) == "verified"
    assert await history_of(world["business_id"]) == []
    # The tax code is not the business's to change.
    tax = await client.patch("/api/businesses/me", json={"tax_code": "0101248141"})
    assert tax.status_code == 400
    assert (await client.get("/api/businesses/me")).json()["tax_code"] == "0300588569"


@pytest.mark.parametrize("status", ["pending", "changes_requested"])
async def test_a_business_still_being_vetted_edits_without_history(db, client, status):
    await seed_world()
    business_id = await make_business(
        "moi@dn.vn", "Công ty Mới Đăng Ký", "0100109106", "ben-nghe", status=status
    )
    await client.post("/api/auth/login", json={"email": "moi@dn.vn", "password": PASSWORD})
    changed = await client.patch(
        "/api/businesses/me",
        json={"legal_name": "Công ty Mới Đăng Ký Xong", "ward_slug": "tan-dinh"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["legal_name"] == "Công ty Mới Đăng Ký Xong"
    assert changed.json()["status"] == status
    assert await history_of(business_id) == []


async def test_a_suspended_business_stays_suspended_and_its_change_is_in_the_history(world, client):
    await Business.update({Business.status: "suspended"}).where(Business.id == world["business_id"])
    changed = await client.patch("/api/businesses/me", json={"ward_slug": "tan-dinh"})
    assert changed.json()["status"] == "suspended"
    [row] = changed.json()["history"]
    assert (row["action"], row["from_status"], row["to_status"]) == (
        "profile_changed",
        "suspended",
        "suspended",
    )
    assert row["changes"] == [{"field": "ward_slug", "old": "ben-nghe", "new": "tan-dinh"}]
    assert await status_of(world["business_id"]) == "suspended"


async def test_refused_after_re_vetting_it_loses_its_pass(world, client):
    await client.patch("/api/businesses/me", json={"legal_name": "Công ty TNHH Dệt may Sài Gòn"})
    await sign_in_as(client, Role.ORGANIZER)
    rejected = await client.post(
        f"/api/businesses/{world['business_id']}/reject",
        json={"reason": "Tên mới không khớp giấy đăng ký kinh doanh."},
    )
    assert rejected.json()["status"] == "rejected"
    await sign_in_as(client, Role.BUSINESS)
    assert [p["status"] for p in (await client.get("/api/me/passes")).json()] == ["revoked"]
