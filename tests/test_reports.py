"""Reports to the steering committee: every figure against the season's known totals, on both
databases; the PDF's text, the CSV and the workbook carry the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest

from core.roles import Role
from reports.figures import build_report
from reports.period import Period, parse_period
from reports.scope import resolve_scope
from tests.conftest import run_cli
from tests.factories import login
from tests.report_season import CATEGORY_NAMES, create_season, expected

pytestmark = pytest.mark.anyio

H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
SCOPES = [
    ("district", ""),
    ("ward", "ben-nghe"),
    ("ward", "tan-dinh"),
    ("site", "site-ben-nghe"),
    ("setting", "market"),
    ("setting", "school"),
]


async def _report(first: dt.date, last: dt.date, scope: tuple[str, str]):
    kind, value = scope
    resolved = await resolve_scope(**({kind: value} if kind != "district" else {}))
    return await build_report(Period(first, last), resolved)


def _figures(report) -> dict:
    fairs, businesses, inspections = report.fairs, report.businesses, report.inspections
    return {
        "held": fairs.held,
        "cancelled": fairs.cancelled,
        "planned": fairs.planned,
        "stalls_offered": fairs.stalls_offered,
        "stalls_filled": fairs.stalls_filled,
        "passes": fairs.passes,
        "arrivals": fairs.arrivals,
        "no_shows": fairs.no_shows,
        "registered": businesses.registered,
        "verified": businesses.verified,
        "suspended": businesses.suspended,
        "taking_part": businesses.taking_part,
        "hvncl": businesses.hvncl,
        "applications": {k: v for k, v in report.applications.items() if v},
        "categories": {c.name: (c.businesses, c.products) for c in report.categories},
        "inspections": inspections.completed,
        "inspections_by_kind": inspections.by_kind,
        "inspections_by_place": inspections.by_place,
        "findings": inspections.findings,
        "by_violation": inspections.by_violation,
        "by_severity": inspections.by_severity,
        "follow_ups": inspections.follow_ups,
        "lifted": inspections.lifted,
        "commended_businesses": [(b.name, b.fairs) for b in report.commended_businesses],
        "commended_wards": sorted(w.name for w in report.commended_wards),
    }


def _plain(figures: dict) -> dict:
    return {k: dict(v) if hasattr(v, "most_common") else v for k, v in figures.items()}


async def test_the_first_half_year_counts_what_the_season_holds(db):
    await create_season()
    report = await _report(*H1, ("district", ""))
    want = _plain(expected(*H1))
    assert _figures(report) == want
    # The season's totals, counted by hand, so the generator itself is checked too.
    assert (want["held"], want["cancelled"], want["planned"]) == (5, 2, 1)
    assert (want["stalls_offered"], want["stalls_filled"]) == (12 + 11 + 10 + 8 + 6, 15)
    assert (want["passes"], want["arrivals"], want["no_shows"]) == (13, 10, 3)
    assert (want["registered"], want["verified"], want["suspended"]) == (4, 3, 1)
    assert (want["taking_part"], want["hvncl"]) == (6, 3)
    assert want["applications"] == {
        "approved": 16,
        "rejected": 1,
        "waitlisted": 1,
        "withdrawn": 2,
        "submitted": 4,
    }
    assert (want["inspections"], want["findings"], want["lifted"]) == (4, 4, 2)
    assert want["commended_businesses"] == [
        ("Công ty TNHH Lụa Bến Nghé", 3),
        ("Hợp tác xã Gạo Tân Định", 3),
        ("Công ty Bánh Tráng Trảng Bàng", 1),
    ]
    assert want["commended_wards"] == ["Tân Định"]


@pytest.mark.parametrize("scope", SCOPES[1:], ids=lambda s: f"{s[0]}={s[1]}")
async def test_every_scope_counts_its_own_part(db, scope):
    await create_season()
    report = await _report(*H1, scope)
    assert _figures(report) == _plain(expected(*H1, scope))


async def test_other_periods_count_by_local_dates(db):
    await create_season()
    for first, last in [
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
        (dt.date(2026, 7, 1), dt.date(2026, 7, 1)),
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 2, 15), dt.date(2026, 4, 12)),
    ]:
        report = await _report(first, last, ("district", ""))
        assert _figures(report) == _plain(expected(first, last)), (first, last)


async def test_breakdowns_add_up_to_the_totals(db):
    await create_season()
    report = await _report(*H1, ("district", ""))
    for lines in (report.by_month, report.by_ward, report.by_setting, report.by_site):
        for name in ("held", "cancelled", "stalls_offered", "stalls_filled", "arrivals"):
            assert sum(getattr(line, name) for line in lines) == getattr(report.fairs, name)
    months = {line.name: line for line in report.by_month}
    assert list(months) == [f"2026-{m:02d}" for m in range(1, 7)]
    assert months["2026-01"].held == months["2026-06"].held == months["2026-02"].cancelled == 1
    wards = {line.name: line.held for line in report.by_ward}
    assert wards == {"Bến Nghé": 3, "Tân Định": 2, "Đa Kao": 0}
    settings = {line.name: line.held for line in report.by_setting}
    assert settings == {"Địa bàn dân cư": 3, "Chợ": 1, "Trường học": 1}
    assert set(CATEGORY_NAMES.values()) == {c.name for c in report.categories}


def _labelled(want: dict) -> dict[str, float]:
    """The report's figures by the label they are printed under, from the season's plan."""
    apps, follow = want["applications"], want["follow_ups"]
    return {
        "Số phiên chợ đã tổ chức": want["held"],
        "Số phiên chợ bị hủy": want["cancelled"],
        "Số phiên chợ đã lên lịch, chưa tổ chức": want["planned"],
        "Doanh nghiệp đăng ký mới": want["registered"],
        "Doanh nghiệp được xác minh": want["verified"],
        "Doanh nghiệp bị đình chỉ": want["suspended"],
        "Doanh nghiệp có gian hàng tại phiên chợ": want["taking_part"],
        "Doanh nghiệp có sản phẩm đạt HVNCL": want["hvncl"],
        "Tỷ lệ doanh nghiệp có sản phẩm HVNCL": round(100 * want["hvncl"] / want["taking_part"], 1),
        "Tổng số đơn đăng ký": sum(apps.values()),
        "Đơn được duyệt": apps["approved"],
        "Đơn chờ xét duyệt": apps["submitted"],
        "Đơn không được duyệt": apps["rejected"],
        "Số gian hàng bố trí": want["stalls_offered"],
        "Số gian hàng có doanh nghiệp": want["stalls_filled"],
        "Số thẻ gian hàng đã cấp": want["passes"],
        "Lượt doanh nghiệp có mặt": want["arrivals"],
        "Lượt doanh nghiệp vắng mặt": want["no_shows"],
        "Số cuộc kiểm tra đã hoàn thành": want["inspections"],
        "Số vi phạm phát hiện": want["findings"],
        "Số trường hợp cảnh cáo": follow["warning"],
        "Số trường hợp đình chỉ": follow["suspension"],
        "Số trường hợp chuyển cơ quan chức năng": follow["referral"],
        "Số trường hợp được gỡ đình chỉ": want["lifted"],
    }


HEADINGS = [
    "ỦY BAN NHÂN DÂN",
    "THÀNH PHỐ HỒ CHÍ MINH",
    "BAN CHỈ ĐẠO CUỘC VẬN ĐỘNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "BÁO CÁO",
    "Kết quả tổ chức Phiên chợ hàng Việt 6 tháng đầu năm 2026",
    "(Từ ngày 01/01/2026 đến ngày 30/06/2026; phạm vi: toàn thành phố)",
    "I. PHIÊN CHỢ HÀNG VIỆT",
    "II. DOANH NGHIỆP THAM GIA",
    "III. ĐĂNG KÝ GIAN HÀNG",
    "IV. GIAN HÀNG VÀ ĐIỂM DANH",
    "V. NGÀNH HÀNG",
    "VI. KIỂM TRA VÀ XỬ LÝ VI PHẠM",
    "VII. ĐỀ NGHỊ KHEN THƯỞNG",
    "Biểu đồ 1. Số phiên chợ theo tháng",
    "Biểu đồ 2. Lượt doanh nghiệp có mặt và vắng mặt theo tháng",
    "Biểu đồ 4. Vi phạm theo loại",
    "Nơi nhận:",
    "- Ủy ban nhân dân các phường, xã, đặc khu;",
    "T/M BAN CHỈ ĐẠO",
]


def _pdf_text(body: bytes) -> str:
    import unicodedata

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(body)
        text = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
        ).stdout.decode()
    return unicodedata.normalize("NFC", text)


def _vi(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "%" if isinstance(value, float) else str(value)


async def test_the_pdf_is_the_committees_report_with_every_figure(db, client):
    await create_season()
    await login(client, Role.ORGANIZER)
    response = await client.get("/api/reports?from=2026-01-01&to=2026-06-30&format=pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="bao-cao-2026-H1.pdf"' in response.headers["content-disposition"]
    text = _pdf_text(response.content)
    for heading in HEADINGS:
        assert heading in text, heading
    want = expected(*H1)
    for label, value in _labelled(want).items():
        assert re.search(rf"(?m)^\s*{re.escape(label)}\s+{re.escape(_vi(value))}\s*$", text), label
    assert re.search(r"(?m)^\s*Hàng giả, hàng nhái\s+1\s*$", text)
    for name, fairs in want["commended_businesses"]:
        assert re.search(rf"{re.escape(name)}\s+\S.*\s{fairs}\s*$", text, re.M), name


async def test_the_csv_has_one_row_per_figure(db, client):
    await create_season()
    await login(client, Role.ORGANIZER)
    response = await client.get("/api/reports?period=2026-H1&format=csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="bao-cao-2026-H1.csv"' in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = {row[1]: row[2] for row in rows if len(row) == 4 and row[0][:1] in "IV"}
    for label, value in _labelled(expected(*H1)).items():
        assert float(figures[label]) == value, label
    assert ["II. DOANH NGHIỆP THAM GIA", "Doanh nghiệp đăng ký mới", "4", ""] in rows
    assert ["VI. KIỂM TRA VÀ XỬ LÝ VI PHẠM", "Vi phạm theo loại"] in rows


def _workbook_figures(book) -> dict[str, float]:
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if len(row) >= 2 and isinstance(row[0], str) and isinstance(row[1], int | float):
                found.setdefault(row[0], row[1])
    return found


async def test_the_workbook_holds_the_same_numbers(db, client):
    await create_season()
    await login(client, Role.ORGANIZER)
    response = await client.get("/api/reports?from=2026-01-01&to=2026-06-30&format=xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 7 and book.sheetnames[0].startswith("I. ")
    figures = _workbook_figures(book)
    for label, value in _labelled(expected(*H1)).items():
        assert figures[label] == value, label
    sheet = book.worksheets[0]
    header = next(r for r in sheet.iter_rows() if r[0].value == "Chỉ tiêu")
    assert header[0].font.b and header[1].font.b
    assert sheet.column_dimensions["A"].width > 20


async def test_the_command_line_writes_a_report_for_a_period(db, tmp_path):
    await create_season()
    out = tmp_path / "bao-cao.xlsx"
    result = run_cli(
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--format",
        "xlsx",
        "--ward",
        "ben-nghe",
        "--out",
        str(out),
        database_url=db.url,
    )
    assert result.returncode == 0, result.stderr
    figures = _workbook_figures(openpyxl.load_workbook(out))
    for label, value in _labelled(expected(*H1, ("ward", "ben-nghe"))).items():
        if label.startswith("Tỷ lệ"):
            continue
        assert figures[label] == value, label
    bad = run_cli("report", "--from", "2026-07-01", "--to", "2026-01-01", database_url=db.url)
    assert bad.returncode == 2 and "sau ngày kết thúc" in bad.stderr and "after" in bad.stderr


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("from=2026-01-01&to=2026-06-30&format=docx", 400, "format"),
        ("from=2026-07-01&to=2026-06-30", 400, "from"),
        ("from=2026-01-01", 400, "to"),
        ("", 400, "from"),
        ("from=2026-13-01&to=2026-12-31", 400, "from"),
        ("from=01/01/2026&to=2026-12-31", 400, "from"),
        ("period=2026-H3", 400, "period"),
        ("period=2026&from=2026-01-01", 400, "period"),
        ("period=2026&ward=khong-co", 404, "ward"),
        ("period=2026&setting=beach", 400, "setting"),
        ("period=2026&ward=ben-nghe&setting=market", 400, "setting"),
    ],
)
async def test_bad_requests_are_explained_in_both_languages(db, client, query, status, field):
    await create_season()
    await login(client, Role.ORGANIZER)
    response = await client.get(f"/api/reports?{query}")
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["field"] == field
    assert problem["messages"]["vi"] and problem["messages"]["en"]
    assert problem["messages"]["vi"] != problem["messages"]["en"]


async def test_ward_officers_see_their_own_ward_only(db, client):
    await create_season()
    await login(client, Role.WARD_OFFICER)  # Bến Nghé
    own = await client.get("/api/reports?period=2026-H1&format=csv")
    assert own.status_code == 200, own.text
    assert 'filename="bao-cao-2026-H1-ben-nghe.csv"' in own.headers["content-disposition"]
    assert "Phạm vi: Phường Bến Nghé" in own.content.decode("utf-8-sig")
    site = await client.get("/api/reports?period=2026-H1&format=csv&site=cho-ben-nghe")
    assert site.status_code == 200
    for query in ("ward=tan-dinh", "site=site-tan-dinh", "setting=market"):
        refused = await client.get(f"/api/reports?period=2026-H1&{query}")
        assert refused.status_code == 403, query
        assert refused.json()["messages"]["en"]


@pytest.mark.parametrize("role", [Role.GATE_STAFF, Role.INSPECTOR, Role.BUSINESS])
async def test_other_roles_get_no_report(db, client, role):
    await create_season()
    assert (await client.get("/api/reports?period=2026")).status_code == 401
    await login(client, role)
    assert (await client.get("/api/reports?period=2026")).status_code == 403


def test_half_years_quarters_and_years_name_their_files():
    assert parse_period(None, None, "2026-h1").label == "2026-H1"
    assert parse_period("2026-07-01", "2026-12-31", None).title_vi == "6 tháng cuối năm 2026"
    assert parse_period(None, None, "2026").title_vi == "năm 2026"
    assert parse_period(None, None, "2026-Q3").title_vi == "quý III năm 2026"
    odd = parse_period("2026-02-03", "2026-02-03", None)
    assert odd.label == "2026-02-03_2026-02-03"
    assert odd.start_utc.isoformat() == "2026-02-02T17:00:00+00:00"
    assert odd.end_utc.isoformat() == "2026-02-03T17:00:00+00:00"


async def test_a_completed_fair_keeps_the_stalls_it_offered_when_the_map_changes_later(
    db, client
):
    from core.timezone import local
    from demo.maps import layout
    from events.stallmap import replace_map
    from events.tables import Fair, Site
    from tests.factories import make_fair, seed_basics, seed_stalls

    await seed_basics()
    await seed_stalls(capacity=12)
    fair_id = await make_fair(days_ahead=-3, window_open=False)
    await login(client, Role.ORGANIZER)
    closed = await client.put(f"/api/fairs/{fair_id}/closed-stalls", json={"codes": ["A01"]})
    assert closed.status_code == 200, closed.text
    done = await client.post(f"/api/fairs/{fair_id}/complete")
    assert done.status_code == 200, done.text

    fair = await Fair.select(Fair.starts_at).where(Fair.id == fair_id).first()
    day = local(fair["starts_at"]).date()
    before = await _report(day, day, ("district", ""))
    assert (before.fairs.held, before.fairs.stalls_offered) == (1, 11)
    # The site grows to 20 stalls for later fairs: this fair still offered 11.
    site = await Site.select(Site.id).where(Site.slug == "site-ben-nghe").first()
    await replace_map(site["id"], layout(20))
    after = await _report(day, day, ("district", ""))
    assert after.fairs.stalls_offered == 11
