"""A city-sized stall map (6,000 stalls): imported whole and right, or refused whole with the
stalls at fault named. (How long it takes is measured in bench/, not here.)"""

from __future__ import annotations

import pytest

from core.roles import Role
from events.tables import Stall
from tests.factories import login, seed_basics

pytestmark = pytest.mark.anyio

COLUMNS, ROWS = 60, 100  # 6,000 stalls, 3 m wide, in 60 aisles of 100


def big_map() -> list[dict]:
    return [
        {
            "code": f"K{column:02d}{row:03d}",
            "zone": f"Dãy {column + 1}",
            "x": column * 5.0,  # an aisle of 2 m between two columns of stalls
            "y": row * 3.0,
            "width": 3,
            "depth": 3,
            "attributes": ["power"] if row % 10 == 0 else [],
        }
        for column in range(COLUMNS)
        for row in range(ROWS)
    ]


async def test_a_6000_stall_map_is_imported_whole(db, client):
    await seed_basics()
    await login(client, Role.ORGANIZER)
    stalls = big_map()
    response = await client.put(
        "/api/sites/site-ben-nghe/stalls", json={"stalls": stalls}, timeout=600
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"stalls": COLUMNS * ROWS}
    saved = await Stall.select(Stall.code, Stall.zone, Stall.power).where(
        Stall.site.slug == "site-ben-nghe"
    )
    assert len(saved) == COLUMNS * ROWS
    by_code = {r["code"]: r for r in saved}
    assert by_code["K59099"]["zone"] == "Dãy 60"
    assert by_code["K00010"]["power"] and not by_code["K00011"]["power"]


async def test_an_overlap_deep_in_a_big_map_is_found_and_named(db, client):
    await seed_basics()
    await login(client, Role.ORGANIZER)
    stalls = big_map()
    stalls[4321] = {**stalls[4321], "y": stalls[4321]["y"] + 1.5}  # onto its neighbour
    response = await client.put("/api/sites/site-ben-nghe/stalls", json={"stalls": stalls})
    assert response.status_code == 422
    problem = response.json()
    assert set(problem["stalls"]) == {stalls[4321]["code"], stalls[4322]["code"]}
    assert "chồng lên nhau" in problem["messages"]["vi"]
    assert await Stall.count().where(Stall.site.slug == "site-ben-nghe") == 0  # nothing saved
