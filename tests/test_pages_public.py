"""The residents' pages on both databases: a fair's day, place, map and who sells what, with a
search that ignores diacritics; sites and wards with their fairs and calendars."""

from __future__ import annotations

import re

import pytest

from tests.factories import seed_world

pytestmark = pytest.mark.anyio


async def test_fair_page_shows_when_where_the_map_and_who_sells_what(db, client):
    ids = await seed_world()
    page = await client.get(f"/fairs/{ids['fair_id']}")
    assert page.status_code == 200
    html = page.text
    assert re.search(r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d\d/\d\d/\d{4}", html)
    assert "1 Lê Lợi, Quận 1" in html
    assert "https://www.openstreetmap.org/?mlat=10.77000&amp;mlon=106.70000" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'data-code="A02"' in html
    assert "Công ty TNHH Dệt may Bến Nghé" in html and "Áo sơ mi cotton" in html
    assert "webcal://" in html and f"/fairs/{ids['fair_id']}.ics" in html


async def test_vendor_search_ignores_diacritics_and_htmx_gets_the_directory_alone(db, client):
    ids = await seed_world()
    url = f"/fairs/{ids['fair_id']}"
    found = await client.get(url, params={"q": "det may ben nghe"}, headers={"HX-Request": "true"})
    assert found.status_code == 200
    assert found.text.lstrip().startswith('<div id="directory"')
    assert "<html" not in found.text
    assert "Công ty TNHH Dệt may Bến Nghé" in found.text
    missing = await client.get(url, params={"q": "gốm"}, headers={"HX-Request": "true"})
    assert "Dệt may Bến Nghé" not in missing.text
    assert "Không tìm thấy gian hàng nào khớp với “gốm”." in missing.text
    whole = await client.get(url, params={"q": "ao so mi"})  # without script: the whole page
    assert "<html" in whole.text and "Dệt may Bến Nghé" in whole.text


async def test_who_sells_where_stays_hidden_until_the_allocation_is_published(db, client):
    ids = await seed_world()
    from events.tables import Fair

    await Fair.update({Fair.allocation_published_at: None}).where(Fair.id == ids["fair_id"])
    html = (await client.get(f"/fairs/{ids['fair_id']}")).text
    assert "Dệt may Bến Nghé" not in html
    assert "Danh sách gian hàng sẽ có khi ban tổ chức công bố sơ đồ." in html


async def test_draft_and_unknown_fairs_are_not_found(db, client):
    ids = await seed_world()
    assert (await client.get(f"/fairs/{ids['draft_fair_id']}")).status_code == 404
    assert (await client.get("/fairs/999999")).status_code == 404
    assert (await client.get("/fairs/abc")).status_code == 404


async def test_site_and_ward_pages_list_coming_fairs_and_their_calendars(db, client):
    ids = await seed_world()
    site = await client.get("/sites/site-ben-nghe")
    assert site.status_code == 200
    assert f'href="/fairs/{ids["fair_id"]}"' in site.text
    assert f'href="/fairs/{ids["draft_fair_id"]}"' not in site.text
    assert f'href="/fairs/{ids["past_fair_id"]}"' not in site.text
    assert "/calendar/sites/site-ben-nghe.ics" in site.text
    ward = await client.get("/wards/ben-nghe")
    assert ward.status_code == 200
    assert (
        'href="/sites/site-ben-nghe"' in ward.text and "/calendar/wards/ben-nghe.ics" in ward.text
    )
    assert f'href="/fairs/{ids["other_fair_id"]}"' in ward.text
    other = await client.get("/wards/tan-dinh")
    assert f'href="/fairs/{ids["fair_id"]}"' not in other.text
    assert (await client.get("/sites/khong-co")).status_code == 404
    assert (await client.get("/wards/khong-co")).status_code == 404


async def test_pages_follow_the_language_switch(db, client):
    ids = await seed_world()
    switched = await client.get(f"/lang/en?next=/fairs/{ids['fair_id']}")
    assert switched.status_code == 303
    html = (await client.get(f"/fairs/{ids['fair_id']}")).text
    assert '<html lang="en">' in html
    assert re.search(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d\d/\d\d/\d{4}", html)
    assert "Who sells what" in html
