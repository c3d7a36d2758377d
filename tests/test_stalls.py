"""Stall maps and the allocation board: geometry, import/export, the public map, moves."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from core.roles import Role
from events.stallmap import Box, adjacency
from events.tables import Application, Assignment, AssignmentMove
from tests.conftest import client_from
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
    seed_stalls,
)
from tests.pdfs import needs_poppler, pdf_pages

pytestmark = pytest.mark.anyio


def test_adjacency_comes_from_the_geometry():
    boxes = [
        Box("A01", 0, 0, 3, 3),
        Box("A02", 3, 0, 3, 3),
        Box("A03", 6.02, 0, 3, 3),
        Box("B01", 0, 3, 3, 3),
        Box("C01", 20, 20, 3, 3),
        Box("D01", 3, 3, 3, 3),
    ]
    neighbours = adjacency(boxes)
    assert neighbours["A01"] == {"A02", "B01"}
    assert neighbours["A02"] == {"A01", "A03", "D01"}  # 2 cm apart still touch
    assert neighbours["C01"] == set()
    assert "D01" not in neighbours["A01"]  # corners touching are not neighbours


@pytest.fixture
async def world(db):
    await seed_basics()
    await seed_stalls(capacity=20)


async def test_map_round_trips_through_csv_and_json(world, client):
    exported = await client.get("/api/sites/site-ben-nghe/stalls", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 20 and rows[0]["code"] == "A01"
    await login(client, Role.ORGANIZER)
    rows[0]["attributes"] = "power;water"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=rows[0].keys())
    writer.writeheader()
    writer.writerows(rows)
    imported = await client.put("/api/sites/site-ben-nghe/stalls", json={"csv": buffer.getvalue()})
    assert imported.json() == {"stalls": 20}
    as_json = (await client.get("/api/sites/site-ben-nghe/stalls")).json()
    assert as_json[0]["attributes"] == ["power", "water"]
    again = await client.put("/api/sites/site-ben-nghe/stalls", json={"stalls": as_json})
    assert again.status_code == 200
    assert (await client.get("/api/sites/site-ben-nghe/stalls")).json() == as_json


@pytest.mark.parametrize(
    ("stalls", "words"),
    [
        ([{"code": "A01", "x": 0, "y": 0}, {"code": "a01", "x": 5, "y": 0}], "appears twice"),
        ([{"code": "A01", "x": 0, "y": 0}, {"code": "A02", "x": 1, "y": 1}], "overlap"),
        ([{"code": "A01", "x": "trái", "y": 0}], "must be a number"),
        ([{"code": "A01", "x": 0, "y": 0, "attributes": ["wifi"]}], "unknown attributes"),
    ],
)
async def test_bad_maps_are_refused_and_the_old_one_kept(world, client, stalls, words):
    await login(client, Role.ORGANIZER)
    response = await client.put("/api/sites/site-ben-nghe/stalls", json={"stalls": stalls})
    assert response.status_code == 422
    assert words in response.json()["messages"]["en"]
    assert isinstance(response.json()["status"], int)
    assert len((await client.get("/api/sites/site-ben-nghe/stalls")).json()) == 20


@pytest.fixture
async def approved(world):
    fair = await make_fair()
    ids = []
    for number, code in enumerate(("0300588569", "0100109106", "0101248141")):
        business = await make_business(
            f"b{number}@dn.vn", f"Công ty Mẫu {number}", code, "ben-nghe"
        )
        product = await make_product(business)
        application = Application(business=business, fair=fair, status="approved")
        await application.save()
        from events.tables import ApplicationProduct

        await ApplicationProduct(application=application.id, product=product).save()
        ids.append(application.id)
    return fair, ids


async def test_public_map_shows_businesses_only_once_published(approved, client):
    fair, (first, *_) = approved
    await login(client, Role.ORGANIZER)
    assert (
        await client.post(
            f"/api/fairs/{fair}/assignments", json={"application_id": first, "stall_codes": ["A03"]}
        )
    ).status_code == 201
    board = {s["code"]: s for s in (await client.get(f"/api/fairs/{fair}/board")).json()}
    assert board["A03"]["state"] == "pinned"
    assert board["A03"]["business"]["name"] == "Công ty Mẫu 0"
    await client.post("/api/auth/logout")
    public = {s["code"]: s for s in (await client.get(f"/api/fairs/{fair}/stalls")).json()}
    assert public["A03"]["state"] == "open" and public["A03"]["business"] is None
    for key in ("code", "zone", "x", "y", "width", "depth", "attributes", "state", "business"):
        assert key in public["A01"]
    svg = await client.get(f"/api/fairs/{fair}/map")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<title>A03</title>" in svg.text


async def test_moves_are_audited_and_double_stalls_must_be_joinable_neighbours(approved, client):
    fair, (first, second, _) = approved
    await Application.update({Application.stalls_requested: 2}).where(Application.id == second)
    await login(client, Role.ORGANIZER)
    await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": first, "stall_codes": ["A01"], "reason": "Gần cổng"},
    )
    moved = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": first, "stall_codes": ["A04"], "reason": "Đổi theo yêu cầu"},
    )
    assert moved.status_code == 201
    moves = await AssignmentMove.select().order_by(AssignmentMove.id)
    assert [(m["action"], m["from_stalls"], m["to_stalls"]) for m in moves] == [
        ("assign", "", "A01"),
        ("move", "A01", "A04"),
    ]
    assert moves[1]["reason"] == "Đổi theo yêu cầu" and moves[1]["by_account"] is not None
    apart = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": second, "stall_codes": ["A06", "A09"]},
    )
    assert apart.status_code == 422
    together = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": second, "stall_codes": ["A06", "A07"]},
    )
    assert together.status_code == 201
    taken = await client.post(
        f"/api/fairs/{fair}/assignments", json={"application_id": first, "stall_codes": ["A07"]}
    )
    assert taken.status_code == 409


async def test_closed_stalls_cannot_be_given(approved, client):
    fair, (first, *_) = approved
    await login(client, Role.ORGANIZER)
    closed = await client.put(f"/api/fairs/{fair}/closed-stalls", json={"codes": ["A05"]})
    assert closed.json() == {"closed": ["A05"]}
    refused = await client.post(
        f"/api/fairs/{fair}/assignments", json={"application_id": first, "stall_codes": ["A05"]}
    )
    assert refused.status_code == 409
    states = {s["code"]: s["state"] for s in (await client.get(f"/api/fairs/{fair}/stalls")).json()}
    assert states["A05"] == "closed"


async def test_fifty_organizers_racing_for_one_stall_leave_one_assignment(world, app):
    fair = await make_fair()
    applications = []
    for number in range(50):
        code = f"03{number:07d}"
        check = (
            10
            - sum(int(d) * w for d, w in zip(code, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True))
            % 11
        )
        if check == 10:
            code = f"03{number + 100:07d}"
            check = (
                10
                - sum(
                    int(d) * w for d, w in zip(code, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True)
                )
                % 11
            )
        business = await make_business(
            f"r{number}@dn.vn", f"Công ty Đua {number}", code + str(check % 10), "ben-nghe"
        )
        application = Application(business=business, fair=fair, status="approved")
        await application.save()
        applications.append(application.id)
    async with client_from(app, "192.0.2.50") as organizer:
        await organizer.post("/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD})
        results = await asyncio.gather(
            *(
                organizer.post(
                    f"/api/fairs/{fair}/assignments",
                    json={"application_id": a, "stall_codes": ["B01"]},
                )
                for a in applications
            )
        )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1 and statuses.count(409) == 49
    assert await Assignment.count().where(Assignment.fair == fair) == 1


async def _printed_map(approved, client) -> bytes:
    fair, (first, *_) = approved
    await login(client, Role.ORGANIZER)
    await client.post(
        f"/api/fairs/{fair}/assignments", json={"application_id": first, "stall_codes": ["A01"]}
    )
    response = await client.get(f"/api/fairs/{fair}/map.pdf")
    assert response.headers["content-type"] == "application/pdf"
    return response.content


async def test_printed_map_is_one_a3_landscape_sheet_with_its_font(approved, client):
    pdf = await _printed_map(approved, client)
    assert b"/FontFile2" in pdf  # the TrueType font is embedded
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    assert [round(v, 2) for v in pages[0][2:4]] == [1190.55, 841.89]  # A3, wider than tall


@needs_poppler
async def test_printed_map_names_the_businesses_in_vietnamese(approved, client, tmp_path):
    import subprocess

    path = tmp_path / "map.pdf"
    path.write_bytes(await _printed_map(approved, client))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Công ty Mẫu 0" in text and "May mặc, dệt may" in text


async def test_two_businesses_swap_stalls_in_one_step(approved, client):
    fair, (first, second, _) = approved
    await login(client, Role.ORGANIZER)
    for application, code in ((first, "A01"), (second, "A04")):
        await client.post(
            f"/api/fairs/{fair}/assignments",
            json={"application_id": application, "stall_codes": [code]},
        )
    swapped = await client.post(
        f"/api/fairs/{fair}/assignments/swap",
        json={"application_ids": [first, second], "reason": "Hai bên đồng ý"},
    )
    assert swapped.status_code == 200, swapped.text
    held = {
        r["application"]: r["stall.code"]
        for r in await Assignment.select(Assignment.application, Assignment.stall.code)
    }
    assert held == {first: "A04", second: "A01"}
    moves = await AssignmentMove.select().where(AssignmentMove.action == "swap")
    assert {(m["from_stalls"], m["to_stalls"]) for m in moves} == {("A01", "A04"), ("A04", "A01")}
