"""Demo data and the command line, as a new installer meets them."""

from __future__ import annotations

import pytest

from core.accounts import User
from core.roles import Role
from core.tables import Account, Organizer, Ward
from demo.load import DEMO_PASSWORD, load_demo
from events.tables import Fair, Site
from tests.conftest import run_cli
from vendors.tables import Business, Product

pytestmark = pytest.mark.anyio

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def enterprise_code_is_valid(code: str) -> bool:
    """The mod-11 rule of the tax authority, written out again independently of the demo."""
    if len(code) != 10 or not code.isdigit():
        return False
    remainder = sum(int(code[i]) * WEIGHTS[i] for i in range(9)) % 11
    return 10 - remainder == int(code[9])


def test_tax_code_oracle_accepts_a_real_code_and_rejects_a_changed_digit():
    assert enterprise_code_is_valid("0100109106")
    assert not enterprise_code_is_valid("0100109107")


async def test_demo_loads_the_plan_sites_and_accounts_for_every_role(db, client):
    message = await load_demo()
    assert "Demo data loaded" in message
    # Today's 168 units, and the ten old wards of District 1 kept for their fairs.
    assert await Ward.count().where(Ward.active == True) == 168  # noqa: E712
    assert await Ward.count().where(Ward.district == "Quận 1") == 10
    nguyen_du = (
        await Site.select(Site.address, Site.ward.name, Site.organizer.name)
        .where(Site.slug == "clb-nguyen-du")
        .first()
    )
    assert nguyen_du["address"].startswith("116 Nguyễn Du, Phường Bến Thành")
    assert nguyen_du["ward.name"] == "Phường Bến Thành"
    assert nguyen_du["organizer.name"] == "Ủy ban nhân dân Phường Bến Thành"
    assert await Site.count().where(Site.name == "Trung tâm Văn hóa Quận 1") == 1
    wards_with_a_site = {r["ward.slug"] for r in await Site.select(Site.ward.slug)}
    assert wards_with_a_site == {"sai-gon", "tan-dinh", "ben-thanh", "cau-ong-lanh", "binh-thanh"}
    bodies = {r["slug"]: r["ward"] for r in await Organizer.select(Organizer.slug, Organizer.ward)}
    assert len(bodies) == 6 and bodies["ban-chi-dao-thanh-pho"] is None
    held = await Fair.select(Fair.held_in_ward.name).where(Fair.held_in_ward.is_not_null())
    assert {r["held_in_ward.name"] for r in held} == {"Phường Bến Thành", "Phường Bến Nghé"}
    roles = {r["role"] for r in await Account.select(Account.role)}
    assert roles == {role.value for role in Role} - {Role.WARD_OFFICER.value}
    staff = {
        r["user.email"]: r["organizer.slug"]
        for r in await Account.select(Account.user.email, Account.organizer.slug).where(
            Account.role != Role.BUSINESS.value
        )
    }
    assert staff == {
        "bantochuc@demo.vn": "ban-chi-dao-thanh-pho",
        "phuong.benthanh@demo.vn": "ben-thanh",
        "phuong.saigon@demo.vn": "sai-gon",
        "cong@demo.vn": "ben-thanh",
        "kiemtra@demo.vn": "ban-chi-dao-thanh-pho",
    }
    for email in (
        "bantochuc@demo.vn",
        "phuong.benthanh@demo.vn",
        "phuong.saigon@demo.vn",
        "cong@demo.vn",
        "kiemtra@demo.vn",
        "doanhnghiep1@demo.vn",
    ):
        response = await client.post(
            "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, email
    me = (await client.get("/api/auth/me")).json()
    assert me["role"] == "business"


async def test_demo_businesses_look_real(db):
    await load_demo()
    businesses = await Business.select(Business.tax_code, Business.kind, Business.status)
    assert len(businesses) >= 40
    for business in businesses:
        code = business["tax_code"]
        if business["kind"] in {"enterprise", "cooperative"}:
            assert enterprise_code_is_valid(code), code
        elif business["kind"] == "branch":
            head, suffix = code.split("-")
            assert enterprise_code_is_valid(head) and len(suffix) == 3, code
        else:
            assert len(code) == 12 and code.isdigit() and code.startswith("079"), code
    statuses = {b["status"] for b in businesses}
    assert {"verified", "pending", "suspended", "changes_requested"} <= statuses
    assert len({b["tax_code"] for b in businesses}) == len(businesses)
    categories = {r["category"] for r in await Product.select(Product.category)}
    assert len(categories) >= 10


async def test_demo_is_not_loaded_twice(db):
    await load_demo()
    message = await load_demo()
    assert "left as it is" in message
    assert await Business.count() == 40


async def test_demo_off_loads_nothing(db):
    result = run_cli("demo", database_url=db.url, extra_env={"DEMO": "0"})
    assert result.returncode == 0
    assert "Demo data not loaded" in result.stdout
    # An empty database, where DEMO=1 would load everything: it stays empty.
    for table in (Ward, Site, Account, Business, Product):
        assert await table.count() == 0, table


async def test_cli_creates_the_first_organizer_who_can_then_sign_in(db, client):
    await Ward(slug="ben-nghe", name="Bến Nghé").save()
    result = run_cli(
        "create-account",
        "--email",
        "Truong.Ban@quan1.gov.vn",
        "--role",
        "organizer",
        "--name",
        "Trưởng Ban",
        "--password-stdin",
        database_url=db.url,
        stdin="mot-mat-khau-dai\n",
    )
    assert result.returncode == 0, result.stderr
    assert "truong.ban@quan1.gov.vn" in result.stdout
    user = (
        await User.select(User.admin, User.password)
        .where(User.username == "truong.ban@quan1.gov.vn")
        .first()
    )
    assert user["admin"] is True and user["password"].startswith("$argon2id$")
    response = await client.post(
        "/api/auth/login",
        json={"email": "truong.ban@quan1.gov.vn", "password": "mot-mat-khau-dai"},
    )
    assert response.status_code == 200
    assert response.json()["role"] == "organizer"


async def test_cli_explains_what_is_wrong(db):
    short = run_cli(
        "create-account",
        "--email",
        "a@b.vn",
        "--role",
        "gate_staff",
        "--name",
        "A",
        "--password-stdin",
        database_url=db.url,
        stdin="123\n",
    )
    assert short.returncode == 2
    assert "at least 8 characters" in short.stderr
    no_ward = run_cli(
        "create-account",
        "--email",
        "p@b.vn",
        "--role",
        "ward_officer",
        "--name",
        "P",
        "--password-stdin",
        database_url=db.url,
        stdin="mat-khau-du-dai\n",
    )
    assert no_ward.returncode == 2
    assert "ward officer must be assigned" in no_ward.stderr


async def test_migrations_run_again_change_nothing(db):
    await Ward(slug="ben-nghe", name="Bến Nghé").save()
    applied = "SELECT app_name, name FROM migration ORDER BY id"
    before = await Ward.raw(applied)
    result = run_cli("migrate", database_url=db.url)
    assert result.returncode == 0
    assert "Running" not in result.stdout
    apps = {row["app_name"] for row in before}
    assert result.stdout.count("No migrations need to be run") == len(apps) > 0
    assert await Ward.raw(applied) == before
    assert await Ward.select(Ward.slug, Ward.name) == [{"slug": "ben-nghe", "name": "Bến Nghé"}]
