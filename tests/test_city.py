"""The whole city: today's units with their official codes, organizing bodies, each body's
calendar and fairs, history before 1 July 2025, and an old District 1 install moved over."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import anyio
import icalendar
import pytest

from core.database import engine_from_url
from core.roles import Role
from core.tables import Organizer, Ward
from core.timezone import today_local
from events.reorganization import city_body, load_units
from events.tables import Fair, Site
from tests.conftest import PG_SKIP_REASON, PROJECT_ROOT, run_cli
from tests.factories import PASSWORD, make_fair, seed_accounts, seed_places

pytestmark = pytest.mark.anyio


async def test_every_unit_of_the_city_is_listed_with_its_official_code(client, db):
    await load_units()
    units = (await client.get("/api/wards")).json()
    assert len(units) == 168  # 113 wards, 54 communes, 1 special zone
    by_slug = {u["slug"]: u for u in units}
    assert by_slug["ben-thanh"] == {
        "slug": "ben-thanh",
        "name": "Phường Bến Thành",
        "code": "26743",
    }
    assert by_slug["sai-gon"]["code"] == "26740"
    assert by_slug["tan-dinh"]["code"] == "26737"
    assert by_slug["cau-ong-lanh"]["code"] == "26758"
    assert by_slug["con-dao"]["name"] == "Đặc khu Côn Đảo"
    codes = [u["code"] for u in units]
    assert len(set(codes)) == 168 and all(len(c) == 5 and c.isdigit() for c in codes)
    # Names as the law writes them, whitespace normalized (the package has "Phường  Rạch Dừa").
    assert all("  " not in u["name"] for u in units)
    assert {"Phường Rạch Dừa", "Xã Thạnh An", "Xã Thanh An"} <= {u["name"] for u in units}
    assert len({u["slug"] for u in units}) == 168
    # Loading again changes nothing.
    assert await load_units() == 0
    # Found without diacritics, or by code.
    found = (await client.get("/api/wards", params={"q": "ben thanh"})).json()
    assert "ben-thanh" in {u["slug"] for u in found} and len(found) < 5
    assert [u["slug"] for u in (await client.get("/api/wards?q=26758")).json()] == ["cau-ong-lanh"]
    assert (await client.get("/api/wards", params={"q": "Cầu Ông Lãnh"})).json()[0][
        "code"
    ] == "26758"


async def _two_bodies() -> dict[str, int]:
    """The two test wards' committees (seed_places) and the city's."""
    await seed_places()
    await seed_accounts()
    return {
        "city": await city_body(),
        **{r["slug"]: r["id"] for r in await Organizer.select(Organizer.id, Organizer.slug).run()},
    }


async def test_organizers_are_listed_and_each_has_its_calendar(client, db):
    await _two_bodies()
    own = await make_fair("site-ben-nghe", days_ahead=10)
    other = await make_fair("site-tan-dinh", days_ahead=12)
    bodies = (await client.get("/api/organizers")).json()
    assert bodies[0]["ward_code"] is None and bodies[0]["slug"] == "ban-chi-dao-thanh-pho"
    assert {b["slug"] for b in bodies[1:]} == {"ben-nghe", "tan-dinh"}

    fairs = (await client.get("/api/fairs", params={"organizer": "ben-nghe"})).json()
    assert [f["id"] for f in fairs] == [own]
    assert fairs[0]["organizer_slug"] == "ben-nghe"
    assert fairs[0]["organizer_name"] == "Ủy ban nhân dân Phường ben-nghe"

    response = await client.get("/calendar/organizers/tan-dinh.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "Phường tan-dinh" in str(calendar.get("X-WR-CALNAME"))
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == 1 and f"fair-{other}@" in uids[0]
    assert (await client.get("/calendar/organizers/khong-co.ics")).status_code == 404

    sites = (await client.get("/api/sites", params={"organizer": "tan-dinh"})).json()
    assert [s["slug"] for s in sites] == ["site-tan-dinh"]
    assert sites[0]["organizer_slug"] == "tan-dinh"


async def test_a_body_organizer_acts_on_its_own_fairs_and_the_city_on_all(client, db):
    from core.accounts import create_account

    await _two_bodies()
    await create_account(
        email="btc.bennghe@test.vn",
        password=PASSWORD,
        role=Role.ORGANIZER,
        full_name="Ban tổ chức Bến Nghé",
        organizer_slug="ben-nghe",
    )
    own = await make_fair("site-ben-nghe", days_ahead=10)
    other = await make_fair("site-tan-dinh", days_ahead=12)
    login = await client.post(
        "/api/auth/login", json={"email": "btc.bennghe@test.vn", "password": PASSWORD}
    )
    assert login.json()["organizer"] == {
        "slug": "ben-nghe",
        "name": "Ủy ban nhân dân Phường ben-nghe",
    }
    assert login.json()["city_wide"] is False
    headers = {"origin": "http://testserver"}
    refused = await client.post(
        f"/api/fairs/{other}/cancel", json={"reason": "Mưa bão"}, headers=headers
    )
    assert refused.status_code == 403
    assert "đơn vị mình" in refused.json()["messages"]["vi"]
    assert "organizing body" in refused.json()["messages"]["en"]
    assert (await client.get(f"/api/fairs/{other}/applications")).status_code == 403
    assert (await client.get(f"/api/fairs/{other}/passes")).status_code == 403
    assert (await Fair.select(Fair.status).where(Fair.id == other).first())["status"] != "cancelled"
    done = await client.post(
        f"/api/fairs/{own}/cancel", json={"reason": "Mưa bão"}, headers=headers
    )
    assert done.status_code == 200, done.text
    # The city's rights stay the city's: accounts, units, the admin.
    assert (await client.get("/api/accounts")).status_code == 403
    assert (await client.get("/admin/api/tables/")).status_code == 403
    assert (
        await client.post("/api/wards", json={"name": "Phường Mới"}, headers=headers)
    ).status_code == 403
    # A site it adds is its own.
    made = await client.post(
        "/api/sites",
        json={
            "name": "Nhà văn hóa mới",
            "address": "2 Lê Lợi",
            "ward_slug": "ben-nghe",
            "setting": "residential",
            "lat": 10.77,
            "lon": 106.70,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["organizer_slug"] == "ben-nghe"
    moved = await client.patch(
        "/api/sites/nha-van-hoa-moi", json={"organizer_slug": "tan-dinh"}, headers=headers
    )
    assert moved.status_code == 403

    await client.post("/api/auth/logout", headers=headers)
    await client.post("/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD})
    for fair in (own, other):
        assert (await client.get(f"/api/fairs/{fair}/applications")).status_code == 200


async def test_fairs_before_the_reorganization_show_where_they_were_held(client, db):
    await seed_places()
    old = Ward(slug="ben-nghe-quan-1", name="Phường Bến Nghé", district="Quận 1", active=False)
    await old.save()
    held = await make_fair("site-ben-nghe", days_ahead=-600, window_open=False)
    await Fair.update({Fair.held_in_ward: old.id}).where(Fair.id == held)
    now = await make_fair("site-ben-nghe", days_ahead=5)
    fair = (await client.get(f"/api/fairs/{held}")).json()
    assert fair["held_in"] == "Phường Bến Nghé, Quận 1"
    assert fair["ward_slug"] == "ben-nghe"  # where the site lies today
    assert (await client.get(f"/api/fairs/{now}")).json()["held_in"] is None
    page = await client.get(f"/fairs/{held}", headers={"accept": "text/html"})
    assert "Phường Bến Nghé, Quận 1" in page.text
    # The abolished ward is history, not a unit to pick.
    assert "ben-nghe-quan-1" not in {w["slug"] for w in (await client.get("/api/wards")).json()}


async def test_the_home_page_filters_by_body_and_puts_the_nearest_first(client, db):
    await seed_places()
    near = Ward(slug="gan", name="Phường Gần", code="99001", lat=10.90, lon=106.90)
    await near.save()
    await Site.update({Site.lat: 10.901, Site.lon: 106.901}).where(Site.slug == "site-tan-dinh")
    early = await make_fair("site-ben-nghe", days_ahead=3)
    late = await make_fair("site-tan-dinh", days_ahead=9)
    page = await client.get("/", headers={"accept": "text/html"})
    assert page.text.index(f'href="/fairs/{early}"') < page.text.index(f'href="/fairs/{late}"')
    page = await client.get("/?ward=gan", headers={"accept": "text/html"})
    assert page.text.index(f'href="/fairs/{late}"') < page.text.index(f'href="/fairs/{early}"')
    page = await client.get("/?organizer=ben-nghe", headers={"accept": "text/html"})
    assert f'href="/fairs/{early}"' in page.text and f'href="/fairs/{late}"' not in page.text
    assert "/calendar/organizers/ben-nghe.ics" in page.text


# An old District 1 install, moved forwards on each database.


def _database(name: str, tmp_path: Path) -> str:
    if name == "sqlite":
        return f"sqlite:///{tmp_path / 'district-one.sqlite3'}"
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP_REASON)
    from tests.live_server import derived_postgres_url, recreate_postgres_database

    url = derived_postgres_url(base, "district_one")
    recreate_postgres_database(url)
    return url


def _python(code: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _rows(url: str, sql: str) -> list[dict]:
    engine = engine_from_url(url)
    return await engine._run_in_new_connection(sql)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_a_district_one_install_moves_to_todays_units(database, tmp_path):
    # Off the event loop: making the PostgreSQL database runs a loop of its own.
    url = await anyio.to_thread.run_sync(_database, database, tmp_path)
    made = subprocess.run(
        [sys.executable, "-m", "tests.district_one_install"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    moved = run_cli("migrate", database_url=url)
    assert moved.returncode == 0, moved.stdout + moved.stderr

    wards = {r["slug"]: r for r in await _rows(url, "SELECT * FROM ward")}
    assert sum(1 for w in wards.values() if w["active"]) == 168
    # The old wards are kept as history, under their district, and yield their slugs.
    assert wards["ben-thanh-quan-1"]["name"] == "Phường Bến Thành"
    assert wards["ben-thanh-quan-1"]["district"] == "Quận 1"
    assert not wards["ben-thanh-quan-1"]["active"]
    assert wards["ben-thanh"]["code"] == "26743" and wards["ben-thanh"]["active"]
    by_id = {w["id"]: w["slug"] for w in wards.values()}

    sites = {r["slug"]: r for r in await _rows(url, "SELECT * FROM site")}
    bodies = {r["id"]: r for r in await _rows(url, "SELECT * FROM organizer")}
    assert by_id[sites["clb-nguyen-du"]["ward"]] == "ben-thanh"  # went whole
    assert bodies[sites["clb-nguyen-du"]["organizer"]]["slug"] == "ben-thanh"
    assert by_id[sites["trung-tam-van-hoa"]["ward"]] == "sai-gon"
    assert (
        bodies[sites["trung-tam-van-hoa"]["organizer"]]["name"] == "Ủy ban nhân dân Phường Sài Gòn"
    )
    # Đa Kao was split: a person decides; until then the site stays where it was.
    assert by_id[sites["cong-vien-le-van-tam"]["ward"]] == "da-kao-quan-1"
    assert sites["cong-vien-le-van-tam"]["organizer"] is None

    held = {r["id"]: r["held_in_ward"] for r in await _rows(url, "SELECT * FROM fair")}
    assert by_id[held[1]] == "ben-thanh-quan-1"
    assert by_id[held[2]] == "ben-nghe-quan-1"
    assert by_id[held[4]] == "da-kao-quan-1"
    assert held[3] is None and held[5] is None  # from 1 July 2025, local time

    businesses = {r["email"]: r for r in await _rows(url, "SELECT * FROM business")}
    assert by_id[businesses["dn1@d1.vn"]["ward"]] == "sai-gon"
    assert by_id[businesses["dn2@d1.vn"]["ward"]] == "da-kao-quan-1"
    officer = await _rows(url, "SELECT ward FROM account_ward WHERE account = 2")
    assert sorted(by_id[r["ward"]] for r in officer) == ["sai-gon", "tan-dinh"]
    city = next(b for b in bodies.values() if b["ward"] is None)
    organizer = await _rows(url, "SELECT organizer FROM account WHERE id = 1")
    assert organizer[0]["organizer"] == city["id"]

    # Nothing starts half-moved: the server refuses until the split ward's site is placed.
    start = (
        "import asyncio; from events.reorganization import ensure_moved; "
        "asyncio.run(ensure_moved())"
    )
    refused = _python(start, url)
    assert refused.returncode != 0 and "units pending" in refused.stderr
    pending = run_cli("units", "pending", database_url=url)
    assert pending.returncode == 0, pending.stderr
    assert "cong-vien-le-van-tam" in pending.stdout
    assert (
        "sai-gon (Phường Sài Gòn)" in pending.stdout
        and "tan-dinh (Phường Tân Định)" in pending.stdout
    )
    assert "dn2@d1.vn" not in pending.stdout and "Công ty số 2" in pending.stdout
    wrong = run_cli(
        "units", "decide", "site", "cong-vien-le-van-tam", "da-kao-quan-1", database_url=url
    )
    assert wrong.returncode == 2 and "in force" in wrong.stderr
    decided = run_cli(
        "units", "decide", "site", "cong-vien-le-van-tam", "tan-dinh", database_url=url
    )
    assert decided.returncode == 0, decided.stderr
    assert _python(start, url).returncode == 0
    site = (await _rows(url, "SELECT * FROM site WHERE slug = 'cong-vien-le-van-tam'"))[0]
    assert by_id[site["ward"]] == "tan-dinh"
    body = (await _rows(url, f"SELECT * FROM organizer WHERE id = {site['organizer']}"))[0]
    assert body["slug"] == "tan-dinh"
    # A fair held there before keeps its old ward.
    assert by_id[held[4]] == "da-kao-quan-1"


async def test_a_business_verified_once_applies_at_every_body_but_one_that_refused_it(client, db):
    from events.applications import apply
    from events.schemas import ApplicationIn
    from tests.factories import make_business, make_product, seed_categories

    await _two_bodies()
    await seed_categories()
    # Registered, and verified, in Bến Nghé; it sells at Tân Định's fairs too.
    business = await make_business("dn.khap@test.vn", "Công ty Khắp Nơi", "0312345678", "ben-nghe")
    product = await make_product(business, "Nước mắm Phú Quốc")
    home = await make_fair("site-ben-nghe", days_ahead=10)
    away = await make_fair("site-tan-dinh", days_ahead=12)
    assert (await apply(business, away, ApplicationIn(product_ids=[product]))).id

    # Bến Nghé's committee refuses it at its own fairs, saying why.
    await client.post("/api/auth/login", json={"email": "phuong@test.vn", "password": PASSWORD})
    headers = {"origin": "http://testserver"}
    refused = await client.post(
        "/api/organizers/ben-nghe/refusals",
        json={"business_id": business, "reason": "Hàng trưng bày không đúng đăng ký."},
        headers=headers,
    )
    assert refused.status_code == 201, refused.text
    blank = await client.post(
        "/api/organizers/ben-nghe/refusals",
        json={"business_id": business, "reason": "  "},
        headers=headers,
    )
    assert blank.status_code == 422 and blank.json()["messages"]["en"].startswith("Give the reason")
    # Not Tân Định's to refuse.
    other = await client.post(
        "/api/organizers/tan-dinh/refusals",
        json={"business_id": business, "reason": "Không rõ."},
        headers=headers,
    )
    assert other.status_code == 403

    from core.errors import AppError

    with pytest.raises(AppError) as caught:
        await apply(business, home, ApplicationIn(product_ids=[product]))
    assert caught.value.status_code == 403
    assert "Hàng trưng bày không đúng đăng ký." in caught.value.vi
    assert caught.value.extra == {"reason": "refused_by_body"}
    # Still verified, for the whole city.
    third = await make_fair("site-tan-dinh", days_ahead=20)
    assert (await apply(business, third, ApplicationIn(product_ids=[product]))).id

    lifted = await client.post(
        f"/api/organizers/ben-nghe/refusals/{business}/lift",
        json={"reason": "Đã khắc phục."},
        headers=headers,
    )
    assert lifted.status_code == 200 and lifted.json()["lift_reason"] == "Đã khắc phục."
    assert (await apply(business, home, ApplicationIn(product_ids=[product]))).id
    # The history is kept.
    listed = (await client.get("/api/organizers/ben-nghe/refusals")).json()
    assert [r["reason"] for r in listed] == ["Hàng trưng bày không đúng đăng ký."]
    assert listed[0]["lifted_at"] is not None


async def test_each_body_reports_to_the_city_which_rolls_them_up_by_body(client, db):
    from core.accounts import create_account

    await _two_bodies()
    await create_account(
        email="btc.tandinh@test.vn",
        password=PASSWORD,
        role=Role.ORGANIZER,
        full_name="Ban tổ chức Tân Định",
        organizer_slug="tan-dinh",
    )
    await make_fair("site-ben-nghe", days_ahead=-2, window_open=False)
    await make_fair("site-tan-dinh", days_ahead=-3, window_open=False)
    today = today_local()
    span = {"from": (today - dt.timedelta(days=10)).isoformat(), "to": today.isoformat()}
    query = {**span, "format": "csv"}
    await client.post("/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD})
    city = await client.get("/api/reports", params=query)
    assert city.status_code == 200, city.text
    text = city.content.decode("utf-8-sig")
    assert "Theo đơn vị tổ chức" in text
    assert "Ủy ban nhân dân Phường ben-nghe" in text and "Ủy ban nhân dân Phường tan-dinh" in text
    await client.post("/api/auth/logout", headers={"origin": "http://testserver"})

    await client.post(
        "/api/auth/login", json={"email": "btc.tandinh@test.vn", "password": PASSWORD}
    )
    own = await client.get("/api/reports", params=query)
    assert own.status_code == 200, own.text
    text = own.content.decode("utf-8-sig")
    assert "Ủy ban nhân dân Phường tan-dinh" in text
    assert "Ủy ban nhân dân Phường ben-nghe" not in text
    assert "tan-dinh" in own.headers["content-disposition"]
    other = await client.get("/api/reports", params={**query, "organizer": "ben-nghe"})
    assert other.status_code == 403
    whole = await client.get("/api/reports", params={**query, "organizer": "ban-chi-dao-thanh-pho"})
    assert whole.status_code == 403


async def test_a_body_organizer_sees_and_plans_the_inspections_of_its_own_body(client, db):
    from core.accounts import create_account
    from inspections.tables import Inspection, InspectionTeam

    await _two_bodies()
    await create_account(
        email="btc.bennghe@test.vn",
        password=PASSWORD,
        role=Role.ORGANIZER,
        full_name="Ban tổ chức Bến Nghé",
        organizer_slug="ben-nghe",
    )
    from tests.factories import seed_stalls

    await seed_stalls("site-tan-dinh")
    team = InspectionTeam(name="Đoàn liên ngành")
    await team.save()
    ids = {}
    for site in ("site-ben-nghe", "site-tan-dinh"):
        fair = await make_fair(site, days_ahead=5)
        ward = await Site.select(Site.ward).where(Site.slug == site).first()
        inspection = Inspection(
            team=team.id,
            kind="planned",
            place_kind="fair_stall",
            fair=fair,
            place_name=f"Gian A01 {site}",
            ward=ward["ward"],
            status="planned",
        )
        await inspection.save()
        ids[site] = (fair, inspection.id)
    await client.post(
        "/api/auth/login", json={"email": "btc.bennghe@test.vn", "password": PASSWORD}
    )
    listed = (await client.get("/api/inspections")).json()
    assert [i["id"] for i in listed] == [ids["site-ben-nghe"][1]]
    assert (await client.get(f"/api/inspections/{ids['site-tan-dinh'][1]}")).status_code == 403
    assert (await client.get(f"/api/inspections/{ids['site-ben-nghe'][1]}")).status_code == 200
    planned = await client.post(
        "/api/inspections",
        json={
            "team_id": team.id,
            "kind": "planned",
            "place_kind": "fair_stall",
            "fair_id": ids["site-tan-dinh"][0],
            "stall_code": "A01",
            "scheduled_for": "2030-01-01T08:00:00+07:00",
        },
        headers={"origin": "http://testserver"},
    )
    assert planned.status_code == 403, planned.text
    assert "đơn vị mình" in planned.json()["messages"]["vi"]
    assert await Inspection.count() == 2
