"""The businesses' pages on both databases: sign-up and product forms keep what was typed and
name the field to fix; applying and withdrawing; a business sees only its own data."""

from __future__ import annotations

import unicodedata

import pytest

from core.privacy import NOTICE_VERSION
from core.roles import Role
from tests.factories import PASSWORD, PDF_BYTES, csrf_token, login, seed_basics, seed_world

pytestmark = pytest.mark.anyio

SIGN_UP = {
    "email": "gom.moi@test.vn",
    "password": "mat-khau-gom-1",
    "legal_name": "Hộ kinh doanh Gốm Mới",
    "kind": "enterprise",
    "tax_code": "0300583650",  # the check digit of 0300583659 is 9
    "phone": "0903 123 456",
    "address": "9 Hai Bà Trưng",
    "ward_slug": "tan-dinh",
    "category_slugs[]": ["thu-cong", "may-mac"],
    "consent_version": NOTICE_VERSION,
}


async def _post(client, url: str, data: dict, **kwargs):
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client)}, **kwargs)


async def test_sign_up_keeps_what_was_typed_and_names_the_tax_code(db, client):
    await seed_basics()
    refused = await _post(client, "/register", SIGN_UP)
    assert refused.status_code == 422
    html = refused.text
    assert 'id="tax_code-error"' in html and "chữ số kiểm tra" in html
    assert 'aria-invalid="true" aria-describedby="tax_code-error' in html
    for typed in ("gom.moi@test.vn", "Hộ kinh doanh Gốm Mới", "9 Hai Bà Trưng", "0300583650"):
        assert f'value="{typed}"' in html
    assert 'value="thu-cong" checked' in html and 'value="may-mac" checked' in html
    assert 'value="tan-dinh" selected' in html
    assert "mat-khau-gom-1" not in html  # a password is never sent back

    decomposed = unicodedata.normalize("NFD", "Hộ kinh doanh Gốm Mới")
    accepted = await _post(
        client, "/register", {**SIGN_UP, "tax_code": "0300583659", "legal_name": decomposed}
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/business?welcome=1"
    overview = await client.get("/business?welcome=1")  # signed in by the sign-up
    assert overview.status_code == 200 and "Hộ kinh doanh Gốm Mới" in overview.text
    from vendors.tables import Business

    row = await Business.select(Business.legal_name, Business.status).first()
    assert row == {"legal_name": "Hộ kinh doanh Gốm Mới", "status": "pending"}
    assert unicodedata.is_normalized("NFC", row["legal_name"])


async def test_sign_up_names_missing_categories_but_not_a_taken_email(db, client):
    await seed_basics()
    data = {k: v for k, v in SIGN_UP.items() if k != "category_slugs[]"}
    no_category = await _post(client, "/register", {**data, "tax_code": "0300583659"})
    assert no_category.status_code == 422
    assert 'id="category_slugs-error"' in no_category.text
    taken = await _post(
        client,
        "/register",
        {**SIGN_UP, "tax_code": "0300583659", "email": "dn@test.vn"},
    )
    # Saying "taken" would tell anyone which addresses have an account.
    assert taken.status_code == 200 and 'id="email-error"' not in taken.text
    assert "Chúng tôi đã gửi thư đến địa chỉ email này" in taken.text


async def test_product_form_names_the_field_and_then_saves(db, client):
    await seed_world()
    await login(client, Role.BUSINESS)
    product = {"name": "Khăn lụa", "category_slug": "may-mac", "made_in": "Lâm Đồng"}
    unticked = await _post(client, "/business/products/new", product)
    assert unticked.status_code == 422
    assert 'id="made_in_vietnam-error"' in unticked.text
    assert 'value="Khăn lụa"' in unticked.text and 'value="may-mac" selected' in unticked.text
    bad_year = await _post(
        client,
        "/business/products/new",
        {**product, "made_in_vietnam": "true", "hvncl_year": "năm ngoái"},
    )
    assert bad_year.status_code == 422 and 'id="hvncl_year-error"' in bad_year.text
    saved = await _post(client, "/business/products/new", {**product, "made_in_vietnam": "true"})
    assert saved.status_code == 303
    listing = await client.get("/business/products")
    assert "Khăn lụa" in listing.text and "Lâm Đồng" in listing.text


async def test_apply_follow_and_withdraw(db, client):
    ids = await seed_world()
    await login(client, Role.BUSINESS)
    fairs = await client.get("/business/fairs")
    assert f'href="/business/fairs/{ids["other_fair_id"]}/apply"' in fairs.text
    url = f"/business/fairs/{ids['other_fair_id']}/apply"
    nothing = await _post(client, url, {"note": "Cần gần cổng"})
    assert nothing.status_code == 422 and 'id="product_ids-error"' in nothing.text
    assert "Cần gần cổng" in nothing.text
    sent = await _post(
        client, url, {"product_ids[]": [str(ids["product_id"])], "needs_power": "true"}
    )
    assert sent.status_code == 303
    follow = await client.get(sent.headers["location"])
    assert follow.status_code == 200
    assert 'class="status submitted"' in follow.text and "Áo sơ mi cotton" in follow.text
    assert "Cần điện" in follow.text
    application_id = int(sent.headers["location"].split("/")[-1].split("?")[0])
    again = await _post(client, url, {"product_ids[]": [str(ids["product_id"])]})
    assert again.status_code == 409 and "đã đăng ký phiên chợ này rồi" in again.text
    withdrawn = await _post(client, f"/business/applications/{application_id}/withdraw", {})
    assert withdrawn.status_code == 303
    page = await client.get(f"/business/applications/{application_id}")
    assert 'class="status withdrawn"' in page.text


async def test_a_business_sees_only_its_own_applications_and_products(db, client):
    ids = await seed_world()
    response = await client.post(
        "/api/auth/login", json={"email": "khac@test.vn", "password": PASSWORD}
    )
    assert response.status_code == 200
    application = f"/business/applications/{ids['application_id']}"
    assert (await client.get(application)).status_code == 404
    assert (await _post(client, f"{application}/withdraw", {})).status_code == 404
    assert (await client.get(f"/business/products/{ids['product_id']}")).status_code == 404
    deleted = await _post(client, f"/business/products/{ids['product_id']}/delete", {})
    assert deleted.status_code == 404
    from events.tables import Application
    from vendors.tables import Product

    assert await Product.exists().where(Product.id == ids["product_id"])
    still = await Application.select(Application.status).where(
        Application.id == ids["application_id"]
    )
    assert still == [{"status": "approved"}]
    overview = await client.get("/business")
    assert "Dệt may Bến Nghé" not in overview.text


async def test_pages_ask_strangers_to_sign_in_and_refuse_other_roles(db, client):
    await seed_world()
    anonymous = await client.get("/business/passes", headers={"accept": "text/html"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fbusiness%2Fpasses"
    await login(client, Role.ORGANIZER)
    assert (await client.get("/business", headers={"accept": "text/html"})).status_code == 403


async def test_passes_show_the_stall_on_the_map_and_the_pdf(db, client):
    ids = await seed_world()
    await login(client, Role.BUSINESS)
    page = await client.get("/business/passes")
    assert page.status_code == 200
    assert 'class="stall state-assigned mine" data-code="A02"' in page.text
    assert f'href="/api/passes/{ids["pass_id"]}/pdf"' in page.text
    pdf = await client.get(f"/api/passes/{ids['pass_id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


async def test_private_calendar_link_and_its_reset(db, client):
    ids = await seed_world()
    await login(client, Role.BUSINESS)
    old = f"/calendar/private/{ids['calendar_token']}.ics"
    assert old in (await client.get("/business")).text
    reset = await _post(client, "/business/calendar/reset", {})
    assert reset.status_code == 303
    page = (await client.get("/business?reset=1")).text
    assert old not in page and "/calendar/private/" in page
    assert (await client.get(old)).status_code == 404


async def test_document_upload_names_the_field_and_keeps_the_file(db, client):
    await seed_world()
    await login(client, Role.BUSINESS)
    token = await csrf_token(client)
    food = await client.post(
        "/business/documents",
        data={"kind": "food_safety_certificate", "_csrf_token": token},
        files={"file": ("attp.pdf", PDF_BYTES, "application/pdf")},
    )
    assert food.status_code == 422 and 'id="expires_on-error"' in food.text
    assert 'value="food_safety_certificate" selected' in food.text
    saved = await client.post(
        "/business/documents",
        data={"kind": "food_safety_certificate", "expires_on": "2030-01-31", "_csrf_token": token},
        files={"file": ("attp.pdf", PDF_BYTES, "application/pdf")},
    )
    assert saved.status_code == 303
    listing = (await client.get("/business/documents")).text
    assert "attp.pdf" in listing and "31/01/2030" in listing


async def test_profile_keeps_typed_values_on_error(db, client):
    await seed_world()
    await login(client, Role.BUSINESS)
    form = await client.get("/business/profile")
    assert 'value="Công ty TNHH Dệt may Bến Nghé"' in form.text
    refused = await _post(
        client,
        "/business/profile",
        {
            "legal_name": "Công ty TNHH Dệt may Bến Nghé",
            "trade_name": "Dệt BN",
            "phone": "12",
            "address": "3 Lê Thánh Tôn",
            "ward_slug": "ben-nghe",
            "category_slugs[]": ["may-mac"],
        },
    )
    assert refused.status_code == 422 and 'id="phone-error"' in refused.text
    assert 'value="Dệt BN"' in refused.text
