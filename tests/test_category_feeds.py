"""/calendar/categories/{slug}.ics: the fairs where businesses of one goods category hold a
stall on a published board, read with a real iCalendar parser."""

from __future__ import annotations

import icalendar
import pytest

from core.timezone import now_utc
from events.tables import Application, ApplicationProduct, Assignment, Fair, Stall
from tests.factories import make_business, make_fair, make_product, seed_basics, seed_stalls
from vendors.tables import BusinessCategory, Category, Product

pytestmark = pytest.mark.anyio


async def hold_stall(fair: int, business: int, product: int, code: str) -> None:
    application = Application(business=business, fair=fair, status="approved")
    await application.save()
    await ApplicationProduct(application=application.id, product=product).save()
    stall = await Stall.select(Stall.id).where(Stall.code == code).first()
    await Assignment(fair=fair, stall=stall["id"], application=application.id).save()


async def publish(fair: int) -> None:
    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair)


@pytest.fixture
async def fairs(db):
    await seed_basics()
    await seed_stalls(capacity=6)
    garments = await make_business("may@dn.vn", "Công ty May Áo Dài", "0300588569", "ben-nghe")
    crafts = await make_business("gom@dn.vn", "Hợp tác xã Gốm Lái Thiêu", "0100109106", "ben-nghe")
    thu_cong = await Category.select(Category.id).where(Category.slug == "thu-cong").first()
    await BusinessCategory.update({BusinessCategory.category: thu_cong["id"]}).where(
        BusinessCategory.business == crafts
    )
    vase = await make_product(crafts, "Bình gốm Lái Thiêu")
    await Product.update({Product.category: thu_cong["id"]}).where(Product.id == vase)
    published = await make_fair(days_ahead=10)
    unpublished = await make_fair(days_ahead=11)
    craft_fair = await make_fair(days_ahead=12)
    empty = await make_fair(days_ahead=13)
    await hold_stall(published, garments, await make_product(garments), "A01")
    await hold_stall(unpublished, garments, await make_product(garments, "Áo dài lụa"), "A01")
    await hold_stall(craft_fair, crafts, vase, "A02")
    for fair in (published, craft_fair, empty):
        await publish(fair)
    return {"published": published, "unpublished": unpublished, "craft": craft_fair}


def uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def uid(fair: int) -> str:
    return f"fair-{fair}@phien-cho-hang-viet.quan1"


async def test_a_category_feed_holds_exactly_the_fairs_with_its_stalls(fairs, client):
    garments = await client.get("/calendar/categories/may-mac.ics")
    assert garments.status_code == 200
    assert garments.headers["content-type"] == "text/calendar; charset=utf-8"
    assert uids(garments.content) == {uid(fairs["published"])}
    crafts = await client.get("/calendar/categories/thu-cong.ics")
    assert uids(crafts.content) == {uid(fairs["craft"])}
    produce = await client.get("/calendar/categories/nong-san.ics")
    assert produce.status_code == 200 and uids(produce.content) == set()

    calendar = icalendar.Calendar.from_ical(crafts.content)
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"])
    assert str(calendar["NAME"]) == "Phiên chợ hàng Việt — Thủ công mỹ nghệ"
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar


async def test_publishing_a_board_adds_its_fair_to_the_feed(fairs, client, app):
    before = await client.get("/calendar/categories/may-mac.ics")
    await publish(fairs["unpublished"])
    await app.stores.get("response_cache").delete_all()  # as if CHANGE_TTL had passed
    after = await client.get("/calendar/categories/may-mac.ics")
    assert uids(after.content) == {uid(fairs["published"]), uid(fairs["unpublished"])}
    assert after.headers["etag"] != before.headers["etag"]


async def test_an_unknown_category_is_a_clear_404(fairs, client):
    for path in ("/calendar/categories/khong-co.ics", "/calendar/categories/may-mac"):
        missing = await client.get(path)
        assert missing.status_code == 404, path
