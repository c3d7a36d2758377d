"""Text people typed (business, ward, site, category names, stall codes) never turns into a live
formula when an organizer opens an export in Excel or LibreOffice: it starts with a quote, and
the workbook stores it as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from core.roles import Role
from core.spreadsheet import safe_row
from core.timezone import today_local
from tests.factories import (
    issue_business_pass,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
    seed_stalls,
)

pytestmark = pytest.mark.anyio

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
SITE = '=HYPERLINK("http://x","Chợ Bến Nghé")'
OTHER_SITE = "+Sân trường Tân Định"
WARD = "\rPhường Bến Nghé"
OTHER_WARD = "@Phường Tân Định"
CATEGORY = "\tMay mặc, dệt may"
BUSINESS = "-Công ty Lụa Sài Gòn"
TYPED = (SITE, OTHER_SITE, WARD, OTHER_WARD, CATEGORY, BUSINESS)


async def _held_fair(site_slug: str, days_ago: int) -> int:
    from events.tables import Fair

    fair = await make_fair(site_slug, days_ahead=-days_ago, window_open=False)
    await Fair.update({Fair.status: "completed", Fair.title: "+Phiên chợ cuối tuần"}).where(
        Fair.id == fair
    )
    return fair


async def _seed_typed_names(client) -> None:
    """Two fairs held this month, a business with a stall and an arrival at one of them, and an
    inspection finding elsewhere, every name typed beginning with a character Excel reads."""
    from core.tables import Ward
    from events.tables import ApplicationProduct, Site
    from inspections.tables import Finding, Inspection, InspectionTeam
    from tickets.tables import Arrival
    from vendors.tables import Category

    await seed_basics()
    await Ward.update({Ward.name: WARD}).where(Ward.slug == "ben-nghe")
    await Ward.update({Ward.name: OTHER_WARD}).where(Ward.slug == "tan-dinh")
    await Site.update({Site.name: SITE}).where(Site.slug == "site-ben-nghe")
    await Site.update({Site.name: OTHER_SITE}).where(Site.slug == "site-tan-dinh")
    await Category.update({Category.name_vi: CATEGORY}).where(Category.slug == "may-mac")
    business = await make_business("lua@test.vn", BUSINESS, "0300588569", "ben-nghe")
    product = await make_product(business, "\tÁo dài lụa tơ tằm")
    await seed_stalls()
    await login(client, Role.ORGANIZER)
    stall_map = await client.put(
        "/api/sites/site-ben-nghe/stalls",
        json={
            "stalls": [
                {"code": "=A1", "zone": "@Khu A", "x": 0, "y": 0},
                {"code": "-B2", "zone": "+Khu B", "x": 10, "y": 0},
            ]
        },
    )
    assert stall_map.status_code == 200, stall_map.text
    fair = await _held_fair("site-ben-nghe", 3)
    await _held_fair("site-tan-dinh", 5)
    issued = await issue_business_pass(fair, business, stall_code="=A1")
    await ApplicationProduct(application=issued["application"], product=product).save()
    await Arrival(
        pass_=issued["id"], fair=fair, device_id="cong-1", scanned_at=dt.datetime.now(dt.UTC)
    ).save()
    team = InspectionTeam(name="=Đoàn kiểm tra")
    await team.save()
    ward = await Ward.select(Ward.id).where(Ward.slug == "tan-dinh").first()
    inspection = Inspection(
        team=team.id,
        kind="surprise",
        place_kind="market_stall",
        place_name="=Chợ tạm Tân Định",
        ward=ward["id"],
        status="completed",
        completed_at=dt.datetime.now(dt.UTC),
        notes="+ghi chú",
    )
    await inspection.save()
    await Finding(
        inspection=inspection.id,
        kind="prices_not_shown",
        severity="minor",
        description="=cmd|' /C calc'!A0",
        referred_to="@Quản lý thị trường",
    ).save()


def _report_query(fmt: str) -> str:
    today = today_local()
    return f"/api/reports?from={today - dt.timedelta(days=30)}&to={today}&format={fmt}"


def _unsafe(text: str) -> bool:
    return text.startswith(DANGEROUS)


async def test_report_csv_quotes_typed_text_and_keeps_it_readable(db, client):
    await _seed_typed_names(client)
    response = await client.get(_report_query("csv"))
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if _unsafe(cell)] == []
    for name in TYPED:
        assert "'" + name in cells, name
    commended = next(row for row in rows if row and row[0] == "'" + BUSINESS)
    assert commended == ["'" + BUSINESS, "'" + WARD, "1"]


async def test_report_workbook_stores_typed_text_as_text_not_formulas(db, client):
    await _seed_typed_names(client)
    response = await client.get(_report_query("xlsx"))
    assert response.status_code == 200, response.text
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert [text for text in texts if _unsafe(text)] == []
    # An XML reader gives a carriage return back as it is or as a line feed (the standard
    # library's parser and lxml differ): the same line break on screen, so either counts.
    texts = [text.replace("\r", "\n") for text in texts]
    for name in TYPED:
        assert ("'" + name).replace("\r", "\n") in texts, name
    sheet = next(s for s in book.worksheets if s.title.startswith("VII"))
    commended = next(row for row in sheet.iter_rows() if row[0].value == "'" + BUSINESS)
    values = [
        c.value.replace("\r", "\n") if isinstance(c.value, str) else c.value for c in commended[:3]
    ]
    assert values == ["'" + BUSINESS, "'\nPhường Bến Nghé", 1]
    assert [c.data_type for c in commended[:3]] == ["s", "s", "n"]


async def test_stall_map_csv_quotes_codes_and_reads_back_the_same_map(db, client):
    await _seed_typed_names(client)
    response = await client.get("/api/sites/site-ben-nghe/stalls?format=csv")
    assert response.status_code == 200, response.text
    exported = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert [cell for row in rows for cell in row.values() if _unsafe(cell)] == []
    assert sorted((r["code"], r["zone"], r["x"]) for r in rows) == [
        ("'-B2", "'+Khu B", "10.0"),
        ("'=A1", "'@Khu A", "0.0"),
    ]
    # Imported again, the file gives back the codes as they were typed.
    again = await client.put("/api/sites/site-ben-nghe/stalls", json={"csv": exported})
    assert again.status_code == 200, again.text
    stalls = (await client.get("/api/sites/site-ben-nghe/stalls")).json()
    assert sorted((s["code"], s["zone"]) for s in stalls) == [("-B2", "+Khu B"), ("=A1", "@Khu A")]


def test_numbers_the_app_computes_stay_numbers():
    assert safe_row([-3, -1.5, 0, "-3", "Bến Nghé", None]) == [-3, -1.5, 0, "'-3", "Bến Nghé", None]
