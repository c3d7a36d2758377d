"""Gate staff check passes in only where they are assigned: to a fair, or to every fair of a
site. Ward officers assign them for their own wards; organizers anywhere."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from core.accounts import create_account
from core.roles import Role
from tests.conftest import client_from
from tests.factories import PASSWORD, csrf_token, login, make_fair, seed_basics
from tickets.codes import Kind
from tickets.services import issue_staff_pass
from tickets.tables import Arrival, GateAssignment, Pass, Scan

pytestmark = pytest.mark.anyio

NEW_GATE = "cong.moi@test.vn"


@pytest.fixture
async def world(db) -> dict[str, int]:
    """The test world, a gate-staff account assigned nowhere, and today's fairs at both sites."""
    await seed_basics()
    staff = await create_account(
        email=NEW_GATE, password=PASSWORD, role=Role.GATE_STAFF, full_name="Cổng mới"
    )
    here = await make_fair("site-ben-nghe", days_ahead=0)
    also_here = await make_fair("site-ben-nghe", days_ahead=0)
    elsewhere = await make_fair("site-tan-dinh", days_ahead=0)
    return {"account": staff.account_id, "here": here, "also": also_here, "away": elsewhere}


async def code_at(fair_id: int) -> str:
    pass_id = await issue_staff_pass(None, fair_id, "Bảo vệ Nguyễn Văn An", Kind.STAFF)
    row = await Pass.select(Pass.code).where(Pass.id == pass_id).first()
    return row["code"]


@asynccontextmanager
async def as_gate(app):
    async with client_from(app, "203.0.113.20") as client:
        response = await client.post(
            "/api/auth/login", json={"email": NEW_GATE, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield client


async def check_in(client, code: str):
    return await client.post(
        "/api/checkin", json={"code": code, "gate": "Cổng 1", "device_id": "g"}
    )


async def assign(app, path: str, account_id: int, role: Role = Role.ORGANIZER):
    async with client_from(app, "203.0.113.21") as organizer:
        await login(organizer, role)
        return await organizer.post(path, json={"account_id": account_id})


async def test_unassigned_gate_staff_is_refused_and_nothing_is_recorded(app, world):
    code = await code_at(world["here"])
    async with as_gate(app) as gate:
        response = await check_in(gate, code)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "không được phân công" in response.text
        state = await gate.get(f"/api/checkin/fairs/{world['here']}")
        assert state.status_code == 403
        assert (await gate.get("/api/checkin/fairs")).json() == []
        english = await gate.post(
            "/api/checkin",
            json={"code": code, "device_id": "g"},
            headers={"accept-language": "en"},
        )
        assert "not assigned" in english.text
    assert await Scan.count() == 0
    assert await Arrival.count() == 0


async def test_assigned_to_the_fair_checks_in_there_only(app, world):
    assert (
        await assign(app, f"/api/fairs/{world['here']}/gate-staff", world["account"])
    ).status_code == 201
    async with as_gate(app) as gate:
        accepted = await check_in(gate, await code_at(world["here"]))
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["result"] == "accepted"
        state = (await gate.get(f"/api/checkin/fairs/{world['here']}")).json()
        assert state["arrived"] == 1
        assert [f["id"] for f in (await gate.get("/api/checkin/fairs")).json()] == [world["here"]]
        # Another fair at the same site is not covered by an assignment to one fair.
        assert (await check_in(gate, await code_at(world["also"]))).status_code == 403


async def test_assigned_to_the_site_covers_its_fairs_and_no_other_site(app, world):
    response = await assign(app, "/api/sites/site-ben-nghe/gate-staff", world["account"])
    assert response.status_code == 201, response.text
    assert [s["scope"] for s in response.json() if s["account_id"] == world["account"]] == ["site"]
    listed = await assign(app, f"/api/fairs/{world['also']}/gate-staff", world["account"])
    assert listed.status_code == 201
    async with as_gate(app) as gate:
        for fair in ("here", "also"):
            answer = await check_in(gate, await code_at(world[fair]))
            assert answer.json()["result"] == "accepted", answer.text
            assert (await gate.get(f"/api/checkin/fairs/{world[fair]}")).status_code == 200
        assert (await check_in(gate, await code_at(world["away"]))).status_code == 403
        assert (await gate.get(f"/api/checkin/fairs/{world['away']}")).status_code == 403
        today = {f["id"] for f in (await gate.get("/api/checkin/fairs")).json()}
        assert today == {world["here"], world["also"]}


async def test_removing_the_assignment_ends_it(app, world):
    await assign(app, "/api/sites/site-ben-nghe/gate-staff", world["account"])
    code = await code_at(world["here"])
    async with client_from(app, "203.0.113.21") as organizer:
        await login(organizer, Role.ORGANIZER)
        listed = (await organizer.get(f"/api/fairs/{world['here']}/gate-staff")).json()
        assert world["account"] in {s["account_id"] for s in listed}
        gone = await organizer.delete(f"/api/sites/site-ben-nghe/gate-staff/{world['account']}")
        assert gone.status_code == 204
        again = await organizer.delete(f"/api/sites/site-ben-nghe/gate-staff/{world['account']}")
        assert again.status_code == 404
    async with as_gate(app) as gate:
        assert (await check_in(gate, code)).status_code == 403
    assert await Arrival.count() == 0


async def test_ward_officer_assigns_for_own_wards_only(app, world):
    own = await assign(
        app, f"/api/fairs/{world['here']}/gate-staff", world["account"], Role.WARD_OFFICER
    )
    assert own.status_code == 201, own.text
    site = await assign(
        app, "/api/sites/site-ben-nghe/gate-staff", world["account"], Role.WARD_OFFICER
    )
    assert site.status_code == 201
    other = await assign(
        app, f"/api/fairs/{world['away']}/gate-staff", world["account"], Role.WARD_OFFICER
    )
    assert other.status_code == 403
    other_site = await assign(
        app, "/api/sites/site-tan-dinh/gate-staff", world["account"], Role.WARD_OFFICER
    )
    assert other_site.status_code == 403
    assert await GateAssignment.count().where(GateAssignment.account == world["account"]) == 2


async def test_only_gate_staff_accounts_can_be_assigned(app, world):
    from core.tables import Account

    inspector = await Account.select(Account.id).where(Account.role == "inspector").first()
    response = await assign(app, f"/api/fairs/{world['here']}/gate-staff", inspector["id"])
    assert response.status_code == 422
    assert "nhân viên cổng" in response.text and "gate-staff" in response.text
    missing = await assign(app, f"/api/fairs/{world['here']}/gate-staff", 999999)
    assert missing.status_code == 422
    assert await GateAssignment.count().where(GateAssignment.account == inspector["id"]) == 0


async def test_console_fair_page_assigns_and_removes_gate_staff(app, world):
    async with client_from(app, "203.0.113.21") as organizer:
        await login(organizer, Role.ORGANIZER)
        page = await organizer.get(f"/console/fairs/{world['here']}")
        assert "Nhân viên cổng" in page.text and "Cổng mới" in page.text
        token = await csrf_token(organizer)
        added = await organizer.post(
            f"/console/fairs/{world['here']}/gate-staff",
            data={"account_id": str(world["account"]), "scope": "fair", "_csrf_token": token},
        )
        assert added.status_code == 303, added.text
        assert await GateAssignment.exists().where(
            (GateAssignment.account == world["account"]) & (GateAssignment.fair == world["here"])
        )
        wrong = await organizer.post(
            f"/console/fairs/{world['here']}/gate-staff",
            data={"account_id": "", "scope": "fair", "_csrf_token": token},
        )
        assert wrong.status_code == 422 and "Hãy chọn một nhân viên cổng" in wrong.text
        removed = await organizer.post(
            f"/console/fairs/{world['here']}/gate-staff/{world['account']}/remove",
            data={"scope": "fair", "_csrf_token": token},
        )
        assert removed.status_code == 303
        assert not await GateAssignment.exists().where(GateAssignment.account == world["account"])
