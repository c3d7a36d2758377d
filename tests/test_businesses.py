"""Business sign-up, tax codes, phones, duplicates, NFC, products, documents and IDOR."""

from __future__ import annotations

import unicodedata

import pytest

from core.roles import Role
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    login,
    make_business,
    make_product,
    seed_accounts,
    seed_categories,
    seed_places,
)
from vendors.tables import Business, Document, Product

pytestmark = pytest.mark.anyio

SIGN_UP = {
    "email": "lien.he@gomviet.vn",
    "password": "mat-khau-gom-1",
    "legal_name": "Công ty TNHH Gốm Việt Bến Nghé",
    "kind": "enterprise",
    "tax_code": "0300588569",
    "phone": "0903 123 456",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "category_slugs": ["thu-cong"],
    "representative": "Lê Thị Hoa",
}


@pytest.fixture
async def places(db):
    await seed_places()
    await seed_categories()


async def sign_up(client, **changes):
    return await client.post("/api/businesses", json={**SIGN_UP, **changes})


async def test_sign_up_creates_a_pending_business_that_can_sign_in(places, client):
    response = await sign_up(client)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["phone"] == "0903 123 456"
    stored = await Business.select(Business.phone).first()
    assert stored["phone"] == "+84903123456"
    await client.post(
        "/api/auth/login", json={"email": SIGN_UP["email"], "password": SIGN_UP["password"]}
    )
    me = (await client.get("/api/businesses/me")).json()
    assert me["legal_name"] == SIGN_UP["legal_name"]
    assert [c["slug"] for c in me["categories"]] == ["thu-cong"]


@pytest.mark.parametrize(
    ("kind", "code", "stored"),
    [
        ("enterprise", "0300588569", "0300588569"),  # Vinamilk
        ("enterprise", "0100109106", "0100109106"),  # Viettel
        ("enterprise", "0101248141", "0101248141"),  # FPT
        ("cooperative", "0300583659", "0300583659"),  # a 10-digit code, as cooperatives have
        ("branch", "0100109106-001", "0100109106-001"),
        ("branch", "0100109106 001", "0100109106-001"),
        ("household", "079203012345", "079203012345"),
    ],
)
async def test_valid_tax_codes_of_each_kind(places, client, kind, code, stored):
    response = await sign_up(client, kind=kind, tax_code=code)
    assert response.status_code == 201, response.text
    assert response.json()["tax_code"] == stored


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("enterprise", "0100109107", "check digit"),
        ("enterprise", "030058856", "exactly 10 digits"),
        ("enterprise", "03005885690", "exactly 10 digits"),
        ("branch", "0100109106", "13 digits"),
        ("branch", "0100109107-001", "check digit"),
        ("branch", "0100109106-000", "between 001 and 999"),
        ("household", "0792030123", "12-digit personal ID"),
        ("household", "999203012345", "province code"),
    ],
)
async def test_invalid_tax_codes_are_explained(places, client, kind, code, words):
    response = await sign_up(client, kind=kind, tax_code=code)
    assert response.status_code == 422
    body = response.json()
    assert words in body["messages"]["en"]
    assert body["field"] == "tax_code"
    assert body["detail"]  # and in Vietnamese
    assert await Business.count() == 0


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("0903123456", "+84903123456"),
        ("090 312 3456", "+84903123456"),
        ("+84 903 123 456", "+84903123456"),
        ("84903123456", "+84903123456"),
        ("0703123456", "+84703123456"),
        ("0389123456", "+84389123456"),
        ("028 3822 1234", "+842838221234"),
    ],
)
async def test_valid_phone_forms(places, client, phone, stored):
    response = await sign_up(client, phone=phone)
    assert response.status_code == 201, response.text
    assert (await Business.select(Business.phone).first())["phone"] == stored


@pytest.mark.parametrize(
    "phone",
    ["0123456789", "090312345", "1900 1234", "+1 212 555 0100", "không có", "0903 123 4567 8"],
)
async def test_invalid_phones(places, client, phone):
    response = await sign_up(client, phone=phone)
    assert response.status_code == 422
    assert response.json()["field"] == "phone"


async def test_nfd_input_is_stored_nfc(places, client):
    name = "Công ty TNHH Nguyễn Phước Thủy"
    response = await sign_up(
        client,
        legal_name=unicodedata.normalize("NFD", name),
        address=unicodedata.normalize("NFD", "5 Nguyễn Huệ"),
    )
    assert response.status_code == 201
    stored = await Business.select(Business.legal_name, Business.address).first()
    assert stored["legal_name"] == name
    assert unicodedata.is_normalized("NFC", stored["address"])


async def test_duplicate_tax_code_is_refused_clearly(places, client):
    assert (await sign_up(client)).status_code == 201
    again = await sign_up(client, email="khac@gomviet.vn", legal_name="Công ty Khác")
    assert again.status_code == 409
    assert again.json()["messages"]["en"].startswith("Tax code 0300588569 is already registered")
    assert again.json()["field"] == "tax_code"


async def test_duplicate_name_with_other_tone_placement_is_refused(places, client):
    assert (await sign_up(client, legal_name="Hợp tác xã Hòa Thủy")).status_code == 201
    again = await sign_up(
        client, legal_name="HỢP TÁC XÃ HOÀ THUỶ", email="b@b.vn", tax_code="0100109106"
    )
    assert again.status_code == 409
    assert again.json()["field"] == "legal_name"
    different = await sign_up(
        client, legal_name="Hợp tác xã Hoa Thủy", email="c@c.vn", tax_code="0101248141"
    )
    assert different.status_code == 201


async def test_unknown_category_and_ward_are_named(places, client):
    response = await sign_up(client, category_slugs=["vu-khi"])
    assert response.status_code == 422 and response.json()["field"] == "category_slugs"
    response = await sign_up(client, ward_slug="phuong-99")
    assert response.status_code == 422 and response.json()["field"] == "ward_slug"


@pytest.fixture
async def two_businesses(places):
    await seed_accounts()
    a = await make_business("a@dn.vn", "Công ty A Bến Nghé", "0300588569", "ben-nghe")
    b = await make_business("b@dn.vn", "Công ty B Tân Định", "0100109106", "tan-dinh")
    return a, b


async def as_business(client, email):
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200


async def test_products_need_the_made_in_vietnam_declaration(two_businesses, client):
    await as_business(client, "a@dn.vn")
    product = {
        "name": "Khăn lụa",
        "category_slug": "may-mac",
        "made_in": "Lâm Đồng",
        "made_in_vietnam": False,
    }
    refused = await client.post("/api/businesses/me/products", json=product)
    assert refused.status_code == 422 and refused.json()["field"] == "made_in_vietnam"
    accepted = await client.post(
        "/api/businesses/me/products",
        json={
            **product,
            "made_in_vietnam": True,
            "hvncl_year": 2025,
            "hvncl_expires": "2026-12-31",
        },
    )
    assert accepted.status_code == 201
    assert accepted.json()["hvncl_year"] == 2025


async def test_food_products_need_a_valid_food_safety_certificate(two_businesses, client):
    await as_business(client, "a@dn.vn")
    rice = {
        "name": "Gạo ST25",
        "category_slug": "nong-san",
        "made_in": "Sóc Trăng",
        "made_in_vietnam": True,
    }
    refused = await client.post("/api/businesses/me/products", json=rice)
    assert refused.status_code == 422
    assert "food-safety certificate" in refused.json()["messages"]["en"]
    upload = await client.post(
        "/api/businesses/me/documents",
        files={"file": ("attp.pdf", PDF_BYTES, "application/pdf")},
        data={"kind": "food_safety_certificate", "expires_on": "2099-01-01"},
        headers={"x-site-csrf": "1"},
    )
    assert upload.status_code == 201, upload.text
    assert (await client.post("/api/businesses/me/products", json=rice)).status_code == 201


async def test_documents_refuse_wrong_types_and_sizes(two_businesses, client):
    await as_business(client, "a@dn.vn")

    async def upload(name, content, claimed):
        return await client.post(
            "/api/businesses/me/documents",
            files={"file": (name, content, claimed)},
            data={"kind": "registration_certificate"},
            headers={"x-site-csrf": "1"},
        )

    exe = await upload("gcn.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert exe.status_code == 415
    assert exe.json()["messages"]["en"] == "Only PDF, JPEG or PNG files are accepted."
    html = await upload("gcn.png", b"<script>alert(1)</script>", "image/png")
    assert html.status_code == 415
    big = await upload("gcn.pdf", PDF_BYTES + b"0" * (5 * 1024 * 1024), "application/pdf")
    assert big.status_code == 413
    png = await upload("ảnh giấy phép.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
    assert png.status_code == 201
    assert png.json()["content_type"] == "image/png"
    assert await Document.count() == 1


async def test_a_business_never_reaches_another_business_data(two_businesses, client):
    a, b = two_businesses
    await as_business(client, "b@dn.vn")
    b_product = (
        await client.post(
            "/api/businesses/me/products",
            json={
                "name": "Áo dài",
                "category_slug": "may-mac",
                "made_in": "Huế",
                "made_in_vietnam": True,
            },
        )
    ).json()["id"]
    b_document = (
        await client.post(
            "/api/businesses/me/documents",
            files={"file": ("g.pdf", PDF_BYTES, "application/pdf")},
            data={"kind": "registration_certificate"},
            headers={"x-site-csrf": "1"},
        )
    ).json()["id"]
    await client.post("/api/auth/logout")
    await as_business(client, "a@dn.vn")
    assert (await client.get(f"/api/businesses/{b}")).status_code == 403
    assert (await client.get(f"/api/businesses/{b}/products")).status_code == 403
    assert (await client.get(f"/api/documents/{b_document}")).status_code == 404
    edit = await client.patch(f"/api/businesses/me/products/{b_product}", json={"name": "X"})
    assert edit.status_code == 404
    assert (await client.delete(f"/api/businesses/me/products/{b_product}")).status_code == 404
    own = await make_product(a)
    assert (await client.get("/api/businesses/me/products")).json()[0]["id"] == own
    stored = await Product.select(Product.name).where(Product.id == b_product).first()
    assert stored["name"] == "Áo dài"
    assert (
        await client.post(f"/api/businesses/{b}/suspend", json={"reason": "x"})
    ).status_code == 403


async def test_documents_are_served_to_the_owner_and_vetting_officers(two_businesses, client):
    await as_business(client, "a@dn.vn")
    uploaded = (
        await client.post(
            "/api/businesses/me/documents",
            files={"file": ("g.pdf", PDF_BYTES, "application/pdf")},
            data={"kind": "registration_certificate"},
            headers={"x-site-csrf": "1"},
        )
    ).json()
    own = await client.get(uploaded["url"])
    assert own.status_code == 200 and own.content == PDF_BYTES
    assert own.headers["x-content-type-options"] == "nosniff"
    await client.post("/api/auth/logout")
    await login(client, Role.WARD_OFFICER)  # Bến Nghé: the business's ward
    assert (await client.get(uploaded["url"])).status_code == 200
    await client.post("/api/auth/logout")
    await login(client, Role.GATE_STAFF)
    assert (await client.get(uploaded["url"])).status_code == 404
