"""Expired certificates (both databases): a food business whose food-safety certificate has run
out cannot add food or apply with it; a certificate counts through its last day in Ho Chi Minh
City, not in UTC; an HVNCL title past its date no longer shows or gives priority."""

from __future__ import annotations

import datetime as dt
import types

import pytest

import core.timezone
from core.timezone import local, start_of_local_day, today_local
from events.tables import Fair
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    csrf_token,
    make_business,
    make_fair,
    make_product,
    seed_basics,
)
from vendors.documents import store_document
from vendors.tables import Document

pytestmark = pytest.mark.anyio

EMAIL = "banhmi@test.vn"
RICE = {
    "name": "Gạo ST25",
    "category_slug": "nong-san",
    "made_in": "Sóc Trăng",
    "made_in_vietnam": True,
}
FOOD_REFUSED_VI = (
    "Sản phẩm thực phẩm cần giấy chứng nhận an toàn thực phẩm còn hạn. "
    "Hãy tải giấy chứng nhận lên trước."
)
FOOD_REFUSED_EN = (
    "Food products need a valid food-safety certificate. Upload the certificate first."
)
APPLY_REFUSED_VI = "Bán thực phẩm cần giấy chứng nhận an toàn thực phẩm còn hạn đến ngày phiên chợ."
APPLY_REFUSED_EN = "Selling food needs a food-safety certificate valid on the day of the fair."


def days_from_today(days: int) -> dt.date:
    return today_local() + dt.timedelta(days=days)


@pytest.fixture
async def business(db):
    await seed_basics()
    return await make_business(EMAIL, "Hộ kinh doanh Bánh mì Cô Giang", "0312345678", "ben-nghe")


async def sign_in(client) -> None:
    response = await client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def certificate_until(business_id: int, expires_on: dt.date) -> int:
    """A food-safety certificate on file until `expires_on`: uploaded while valid, then the
    days went by (an expired one is refused at upload)."""
    document = await store_document(
        business_id, "food_safety_certificate", "attp.pdf", PDF_BYTES, days_from_today(365)
    )
    await Document.update({Document.expires_on: expires_on}).where(Document.id == document.id)
    return document.id


async def food_product(business_id: int) -> int:
    """A food product added while the business's certificate was valid."""
    from vendors.tables import Category, Product

    category = await Category.select(Category.id).where(Category.slug == "nong-san").first()
    product = Product(
        business=business_id,
        name="Bánh mì Sài Gòn",
        category=category["id"],
        made_in="TP. Hồ Chí Minh",
        made_in_vietnam=True,
    )
    await product.save()
    return product.id


def assert_problem(response, field: str, vi: str, en: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == field
    assert body["messages"] == {"vi": vi, "en": en}


async def add_rice(client):
    return await client.post("/api/businesses/me/products", json=RICE)


# Adding food --------------------------------------------------------------------------------


async def test_a_certificate_that_expired_yesterday_blocks_food_and_one_ending_today_does_not(
    business, client
):
    document = await certificate_until(business, days_from_today(-1))
    await sign_in(client)

    assert_problem(await add_rice(client), "category_slug", FOOD_REFUSED_VI, FOOD_REFUSED_EN)
    assert (await client.get("/api/businesses/me/products")).json() == []

    # Its last day is today: still valid until midnight in Ho Chi Minh City.
    await Document.update({Document.expires_on: days_from_today(0)}).where(Document.id == document)
    added = await add_rice(client)
    assert added.status_code == 201, added.text
    assert added.json()["is_food"] is True


async def test_an_expired_certificate_does_not_count_beside_other_documents_or_for_other_goods(
    business, client
):
    await certificate_until(business, days_from_today(-30))
    # A registration certificate valid for years is not a food-safety certificate.
    await store_document(
        business, "registration_certificate", "gcn.pdf", PDF_BYTES, days_from_today(3650)
    )
    await sign_in(client)

    assert_problem(await add_rice(client), "category_slug", FOOD_REFUSED_VI, FOOD_REFUSED_EN)
    shirts = {**RICE, "name": "Áo bà ba", "category_slug": "may-mac", "made_in": "Quận 1"}
    assert (await client.post("/api/businesses/me/products", json=shirts)).status_code == 201


async def test_a_product_cannot_be_turned_into_food_once_the_certificate_has_expired(
    business, client
):
    await certificate_until(business, days_from_today(-1))
    shirt = await make_product(business)
    await sign_in(client)

    changed = await client.patch(
        f"/api/businesses/me/products/{shirt}", json={"category_slug": "nong-san"}
    )
    assert_problem(changed, "category_slug", FOOD_REFUSED_VI, FOOD_REFUSED_EN)
    product = (await client.get("/api/businesses/me/products")).json()[0]
    assert product["category_slug"] == "may-mac"


# Uploading a certificate --------------------------------------------------------------------


async def upload_certificate(client, expires_on: dt.date):
    return await client.post(
        "/api/businesses/me/documents",
        files={"file": ("attp.pdf", PDF_BYTES, "application/pdf")},
        data={"kind": "food_safety_certificate", "expires_on": expires_on.isoformat()},
        headers={"x-site-csrf": "1"},
    )


async def test_an_already_expired_certificate_is_refused_at_upload_with_the_reason(
    business, client
):
    await sign_in(client)

    refused = await upload_certificate(client, days_from_today(-1))
    assert_problem(
        refused,
        "expires_on",
        "Giấy chứng nhận an toàn thực phẩm này đã hết hạn: hãy tải lên giấy chứng nhận còn hạn.",
        "This food-safety certificate has expired: upload one that is still valid.",
    )
    assert (await client.get("/api/businesses/me/documents")).json() == []

    accepted = await upload_certificate(client, days_from_today(0))
    assert accepted.status_code == 201, accepted.text
    assert (await add_rice(client)).status_code == 201


async def test_the_documents_page_says_an_expired_certificate_has_expired(business, client):
    await sign_in(client)
    token = await csrf_token(client)
    page = await client.post(
        "/business/documents",
        data={
            "kind": "food_safety_certificate",
            "expires_on": days_from_today(-1).isoformat(),
            "_csrf_token": token,
        },
        files={"file": ("attp.pdf", PDF_BYTES, "application/pdf")},
    )
    assert page.status_code == 422
    assert 'id="expires_on-error"' in page.text
    assert "Giấy chứng nhận an toàn thực phẩm này đã hết hạn" in page.text


# Applying to a fair -------------------------------------------------------------------------


async def apply_with(client, fair_id: int, product_ids: list[int]):
    return await client.post(
        f"/api/fairs/{fair_id}/applications", json={"product_ids": product_ids}
    )


async def test_food_goods_cannot_be_taken_to_a_fair_on_an_expired_certificate(business, client):
    await certificate_until(business, days_from_today(-1))
    bread = await food_product(business)
    shirt = await make_product(business)
    fair = await make_fair()
    await sign_in(client)

    with_food = await apply_with(client, fair, [shirt, bread])
    assert_problem(with_food, "product_ids", APPLY_REFUSED_VI, APPLY_REFUSED_EN)
    without_food = await apply_with(client, fair, [shirt])
    assert without_food.status_code == 201, without_food.text
    assert [p["id"] for p in without_food.json()["products"]] == [shirt]


async def fair_last_day(fair_id: int) -> dt.date:
    row = await Fair.select(Fair.ends_at).where(Fair.id == fair_id).first()
    return local(row["ends_at"]).date()


async def test_the_certificate_must_last_until_the_fair_day_not_only_today(business, client):
    document = await certificate_until(business, days_from_today(0))
    bread = await food_product(business)
    fair = await make_fair(days_ahead=20)
    last_day = await fair_last_day(fair)
    await sign_in(client)

    # Valid today, but it runs out the day before the fair ends.
    await Document.update({Document.expires_on: last_day - dt.timedelta(days=1)}).where(
        Document.id == document
    )
    assert_problem(
        await apply_with(client, fair, [bread]), "product_ids", APPLY_REFUSED_VI, APPLY_REFUSED_EN
    )

    await Document.update({Document.expires_on: last_day}).where(Document.id == document)
    accepted = await apply_with(client, fair, [bread])
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["needs"] == ["food_handling"]


async def test_the_apply_page_says_why_food_goods_were_refused(business, client):
    await certificate_until(business, days_from_today(-1))
    bread = await food_product(business)
    fair = await make_fair()
    await sign_in(client)
    token = await csrf_token(client)

    page = await client.post(
        f"/business/fairs/{fair}/apply",
        data={"product_ids[]": str(bread), "stalls_requested": "1", "_csrf_token": token},
    )
    assert page.status_code == 422
    assert APPLY_REFUSED_VI in page.text
    from events.tables import Application

    assert await Application.count().where(Application.business == business) == 0


# The day in Ho Chi Minh City ----------------------------------------------------------------


@pytest.fixture
def half_past_one_in_the_morning(monkeypatch) -> dt.date:
    """The clock at 01:30 in Ho Chi Minh City, when UTC is still on the day before (18:30)."""
    day = today_local()
    moment = start_of_local_day(day) + dt.timedelta(hours=1, minutes=30)
    assert moment.astimezone(dt.UTC).date() == day - dt.timedelta(days=1)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.astimezone(dt.UTC).replace(tzinfo=None)

    monkeypatch.setattr(
        core.timezone, "dt", types.SimpleNamespace(**{**vars(dt), "datetime": Clock})
    )
    assert today_local() == day
    return day


async def test_a_certificate_ending_on_the_utc_date_has_expired_in_ho_chi_minh_city(
    business, client, half_past_one_in_the_morning
):
    today = half_past_one_in_the_morning
    document = await certificate_until(business, today - dt.timedelta(days=1))
    await sign_in(client)

    # Yesterday in Ho Chi Minh City, though still "today" in UTC: expired.
    assert_problem(await add_rice(client), "category_slug", FOOD_REFUSED_VI, FOOD_REFUSED_EN)
    refused = await upload_certificate(client, today - dt.timedelta(days=1))
    assert refused.status_code == 422 and refused.json()["field"] == "expires_on"

    await Document.update({Document.expires_on: today}).where(Document.id == document)
    assert (await add_rice(client)).status_code == 201


# High-quality Vietnamese goods (HVNCL) -------------------------------------------------------


async def test_an_hvncl_title_past_its_date_no_longer_shows_or_gives_priority(business, client):
    from allocation.runs import solver_requests
    from events.fair_rows import fair_row
    from events.tables import Application, ApplicationProduct
    from vendors.tables import Product

    await sign_in(client)
    year = today_local().year - 1
    made = {}
    for name, expires in (("Nón lá hết hạn", -1), ("Nón lá còn hạn", 0)):
        response = await client.post(
            "/api/businesses/me/products",
            json={
                **RICE,
                "name": name,
                "category_slug": "thu-cong",
                "hvncl_year": year,
                "hvncl_expires": days_from_today(expires).isoformat(),
            },
        )
        assert response.status_code == 201, response.text
        made[name] = response.json()
    assert made["Nón lá hết hạn"]["hvncl_valid"] is False
    assert made["Nón lá còn hạn"]["hvncl_valid"] is True

    # The business's product list shows the title for the one still valid only.
    page = (await client.get("/business/products")).text
    assert "Nón lá hết hạn" in page and "Nón lá còn hạn" in page
    assert page.count(f"Hàng Việt Nam chất lượng cao {year}") == 1

    # The allocation's priority follows the same date: only the one still valid counts.
    fair = await make_fair()
    priority = {}
    for name, product in made.items():
        other = await make_business(
            f"{product['id']}@test.vn", f"Cơ sở {name}", f"03{product['id']:08d}", "ben-nghe"
        )
        await Product.update({Product.business: other}).where(Product.id == product["id"])
        application = Application(business=other, fair=fair, status="approved")
        await application.save()
        await ApplicationProduct(application=application.id, product=product["id"]).save()
        priority[name] = application.id
    requests = {r.application_id: r for r in await solver_requests(await fair_row(fair))}
    assert requests[priority["Nón lá hết hạn"]].hvncl is False
    assert requests[priority["Nón lá còn hạn"]].hvncl is True
