"""The committee's PDF report for one ward, one site and a period with nothing in it (both
databases): the text of the PDF holds that part's figures and names, and not the others'."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata

import pytest

from core.roles import Role
from core.timezone import today_local
from tests.factories import login, seed_basics
from tests.report_season import SITES, create_season, expected

pytestmark = pytest.mark.anyio

H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
NO_DATA = "Không có số liệu trong kỳ."
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext not installed (poppler-utils): the PDF's text cannot be read",
)


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=body,
        capture_output=True,
        check=True,
    )
    text = unicodedata.normalize("NFC", result.stdout.decode())
    # Without page numbers and page breaks, a table's title and its body read as one.
    return re.sub(r"(?m)^\s*-\s*\d+\s*-\s*$|\f", "", text)


def labelled(want: dict) -> dict[str, int]:
    """The whole-number figures of the report by the label they are printed under."""
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
        "Tổng số đơn đăng ký": sum(apps.values()),
        "Đơn được duyệt": apps["approved"],
        "Đơn chờ xét duyệt": apps["submitted"],
        "Số gian hàng bố trí": want["stalls_offered"],
        "Số gian hàng có doanh nghiệp": want["stalls_filled"],
        "Số thẻ gian hàng đã cấp": want["passes"],
        "Lượt doanh nghiệp có mặt": want["arrivals"],
        "Lượt doanh nghiệp vắng mặt": want["no_shows"],
        "Số cuộc kiểm tra đã hoàn thành": want["inspections"],
        "Số vi phạm phát hiện": want["findings"],
        "Số trường hợp cảnh cáo": follow["warning"],
        "Số trường hợp được gỡ đình chỉ": want["lifted"],
    }


def printed(text: str, label: str) -> int:
    found = re.findall(rf"(?m)^\s*{re.escape(label)}\s+([\d.]+)\s*$", text)
    assert len(found) == 1, (label, found)
    return int(found[0].replace(".", ""))


def table_rows(text: str, title: str, names: list[str]) -> list[str]:
    """Which of `names` begin a row of the table under `title` (up to the next heading)."""
    start = text.index(f"\n{title}\n")
    following = [text.find(f"\n{t}\n", start + 1) for t in ("Theo địa điểm", "Theo khu vực")]
    end = min([i for i in following if i > 0] or [len(text)])
    part = text[start:end]
    return [n for n in names if re.search(rf"(?m)^\s*{re.escape(n)}\s+\d", part)]


async def get_pdf(client, query: str):
    response = await client.get(f"/api/reports?{query}&format=pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response


@pytest.fixture
async def season(db, client):
    await create_season()
    await login(client, Role.ORGANIZER)


@needs_pdftotext
async def test_a_wards_report_holds_its_own_figures_and_not_the_districts(season, client):
    response = await get_pdf(client, "period=2026-H1&ward=ben-nghe")
    assert 'filename="bao-cao-2026-H1-ben-nghe.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)

    assert "(Từ ngày 01/01/2026 đến ngày 30/06/2026; phạm vi: phường Bến Nghé)" in text
    own, district = labelled(expected(*H1, ("ward", "ben-nghe"))), labelled(expected(*H1))
    differing = [label for label in own if own[label] != district[label]]
    assert len(differing) >= 5, differing  # else the district's numbers would pass too
    for label, value in own.items():
        assert printed(text, label) == value, label

    # Its fairs were at its own sites only: no row for another ward or its sites.
    assert table_rows(text, "Theo phường", ["Bến Nghé", "Tân Định", "Đa Kao"]) == ["Bến Nghé"]
    for _, name, ward, _, _ in SITES:
        assert (name in text) == (ward == "ben-nghe"), name
    assert "- Ủy ban nhân dân Phường Bến Nghé;" in text
    assert "10 phường" not in text


@needs_pdftotext
async def test_a_sites_report_holds_that_sites_fairs_only(season, client):
    response = await get_pdf(client, "period=2026-H1&site=cho-ben-nghe")
    assert 'filename="bao-cao-2026-H1-cho-ben-nghe.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)

    assert "phạm vi: địa điểm: Chợ Bến Nghé)" in text
    own = labelled(expected(*H1, ("site", "cho-ben-nghe")))
    ward = labelled(expected(*H1, ("ward", "ben-nghe")))
    assert [own[k] for k in ("Số phiên chợ đã tổ chức", "Số gian hàng bố trí")] != [
        ward[k] for k in ("Số phiên chợ đã tổ chức", "Số gian hàng bố trí")
    ]
    for label, value in own.items():
        assert printed(text, label) == value, label
    names = [name for _, name, _, _, _ in SITES]
    assert table_rows(text, "Theo địa điểm", names) == ["Chợ Bến Nghé"]
    for name in names:
        assert (name in text) == (name == "Chợ Bến Nghé"), name


@needs_pdftotext
async def test_a_ward_officers_report_is_their_wards(db, client):
    await create_season()
    await login(client, Role.WARD_OFFICER)  # Bến Nghé only
    text = pdf_text((await get_pdf(client, "period=2026-H1")).content)
    assert "phạm vi: phường Bến Nghé)" in text
    own = labelled(expected(*H1, ("ward", "ben-nghe")))
    assert printed(text, "Số phiên chợ đã tổ chức") == own["Số phiên chợ đã tổ chức"]
    assert "Trường Tiểu học Tân Định" not in text


def assert_says_nothing_happened(text: str) -> None:
    for label in labelled(expected(dt.date(2000, 1, 1), dt.date(2000, 1, 1))):
        assert printed(text, label) == 0, label
    # Every table with nothing to list says so, in Vietnamese.
    for title in (
        "Theo địa điểm",
        "Ngành hàng tại các phiên chợ đã tổ chức",
        "Vi phạm theo loại",
        "Doanh nghiệp tham gia nhiều phiên chợ, không vi phạm",
    ):
        assert re.search(rf"{re.escape(title)}\s+{re.escape(NO_DATA)}", text), title
    assert text.count(NO_DATA) >= 8
    assert "T/M BAN CHỈ ĐẠO" in text  # the document is whole, to its signature


@needs_pdftotext
async def test_a_period_with_nothing_in_it_gives_a_whole_report_that_says_so(db, client):
    await seed_basics()
    await login(client, Role.ORGANIZER)
    this_year = today_local().year
    response = await get_pdf(client, f"period={this_year}")
    assert f'filename="bao-cao-{this_year}.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert f"Kết quả tổ chức Phiên chợ hàng Việt năm {this_year}" in text
    assert "phạm vi: toàn thành phố)" in text
    assert_says_nothing_happened(text)


@needs_pdftotext
async def test_a_period_before_the_season_counts_none_of_it(season, client):
    text = pdf_text((await get_pdf(client, "period=2024")).content)
    assert "(Từ ngày 01/01/2024 đến ngày 31/12/2024; phạm vi: toàn thành phố)" in text
    assert_says_nothing_happened(text)
    for _, name, _, _, _ in SITES:
        assert name not in text, name
    assert "Công ty TNHH Lụa Bến Nghé" not in text


@needs_pdftotext
async def test_a_ward_without_fairs_in_the_period_says_so(season, client):
    text = pdf_text((await get_pdf(client, "period=2026-H1&ward=da-kao")).content)
    assert "phạm vi: phường Đa Kao)" in text
    assert printed(text, "Số phiên chợ đã tổ chức") == 0
    assert re.search(rf"Theo địa điểm\s+{re.escape(NO_DATA)}", text)
    for _, name, _, _, _ in SITES:
        assert name not in text, name
