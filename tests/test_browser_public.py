"""A resident on a phone: from the home page to a coming fair (its day, place, map, stall map and
who sells what, searched without diacritics), then the calendar subscription, fetched and parsed;
and the language switch, remembered from page to page. Every page passes check_page()."""

from __future__ import annotations

import re

import httpx
import pytest
from icalendar import Calendar

from tests.browser import check_page, needs_chromium, open_page
from tests.demo_fairs import ORGANIZER, allocate_and_publish, apply_with, approve, new_fair, session

pytestmark = needs_chromium
DAY = re.compile(r"^(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d\d/\d\d/\d{4}$")
POTTERS = ("doanhnghiep3@demo.vn", "doanhnghiep33@demo.vn")  # Gốm Mười Tư, Gốm Minh Châu
WEAVER = "doanhnghiep16@demo.vn"  # Lụa Tơ Vàng


@pytest.fixture(scope="module")
def potters_fair(demo_site) -> tuple[int, str]:
    """A fair of this test's own, with two potters and a silk weaver on the published map."""
    with session(demo_site.base, ORGANIZER) as organizer:
        fair_id = new_fair(organizer, "kdc-tran-dinh-xu", "Phiên chợ gốm và lụa")
        applications = [apply_with(demo_site.base, email, fair_id) for email in POTTERS]
        applications.append(apply_with(demo_site.base, WEAVER, fair_id, avoid="gom"))
        approve(organizer, fair_id, applications)
        allocate_and_publish(organizer, fair_id)
        title = organizer.get(f"/api/fairs/{fair_id}").json()["title"]
    return fair_id, title


def test_resident_finds_a_fair_and_subscribes_to_its_calendar(browser, demo_site, potters_fair):
    fair_id, title = potters_fair
    page = open_page(browser)
    page.goto(f"{demo_site.base}/")
    check_page(page, "public-home")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"{demo_site.base}/fairs/{fair_id}")
    assert page.locator("h1").inner_text() == title
    assert DAY.match(page.locator(".when strong").inner_text())
    assert "Khu dân cư đường Trần Đình Xu" in page.locator(".facts").inner_text()
    map_link = page.locator("a.map-link").get_attribute("href")
    assert map_link.startswith("https://www.openstreetmap.org/?mlat=")
    assert page.locator(".fair-map svg .stall").count() == 14
    assert page.locator(".fair-map svg .stall.state-assigned").count() == 3
    directory = page.locator("#directory")
    assert "Gốm Lái Thiêu Mười Tư" in directory.inner_text()
    assert "Lụa Bảo Lộc Tơ Vàng" in directory.inner_text()
    check_page(page, "public-fair")

    with page.expect_response(lambda r: "q=gom" in r.url):
        page.fill("#q", "gom")
    page.wait_for_function(
        "!document.querySelector('#directory').innerText.includes('Lụa Bảo Lộc')"
    )
    found = page.locator("#directory").inner_text()
    assert "Gốm Lái Thiêu Mười Tư" in found and "Gốm Bát Tràng Minh Châu" in found
    assert "Tìm thấy 2 doanh nghiệp." in found
    check_page(page, "public-fair-search")

    webcal = page.locator("a.subscribe-webcal").get_attribute("href")
    https = page.locator("input.subscribe-https").input_value()
    assert webcal.startswith("webcal://") and https.startswith("http")
    assert webcal.split("://", 1)[1] == https.split("://", 1)[1]
    feed = httpx.get(https, timeout=30)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = [e for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert title in {str(e["SUMMARY"]) for e in events}
    page.context.close()


def test_language_switch_is_remembered_across_pages(browser, demo_site, potters_fair):
    fair_id, _ = potters_fair
    page = open_page(browser)
    page.goto(f"{demo_site.base}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Upcoming fairs").count() == 1
    check_page(page, "public-home-en")
    page.goto(f"{demo_site.base}/fairs/{fair_id}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Who sells what").count() == 1
    assert re.match(r"^\w+day, \d\d/\d\d/\d{4}$", page.locator(".when strong").inner_text())
    check_page(page, "public-fair-en")
    page.goto(f"{demo_site.base}/sites/kdc-tran-dinh-xu")
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, "public-site-en")
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_load_state()
    page.goto(f"{demo_site.base}/wards/sai-gon")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Phiên chợ sắp tới").count() == 1
    check_page(page, "public-ward")
    page.context.close()
