"""A change by hand on the board keeps the solver's hard rules: a move or a swap that would put
a business where a rule forbids it is refused with the rule named, and the board stays as it
was. (Before, a move checked only some of them, and the next automatic run failed on the pin.)"""

from __future__ import annotations

import pytest

from core.roles import Role
from events.tables import Application, ApplicationProduct, Assignment, Stall
from tests.factories import login, make_business, make_fair, make_product, seed_basics, seed_stalls

pytestmark = pytest.mark.anyio

CODES = ["0300588569", "0100109106", "0101248141", "0300583659", "0301175691", "0100233583"]
# A01 has nothing (no power, water, food or step-free access); A02 has everything.
BARE = {"power": False, "water": False, "food_allowed": False, "accessible": False}
FULL = dict.fromkeys(BARE, True)
NEEDS = {
    "food": {"food_handling": True},
    "power": {"needs_power": True},
    "water": {"needs_water": True},
    "access": {"needs_accessible": True},
}


@pytest.fixture
async def board(db):
    await seed_basics()
    await seed_stalls(capacity=12)  # the category cap: 25 % of 12 stalls = 3
    await Stall.update({getattr(Stall, k): v for k, v in BARE.items()}).where(Stall.code == "A01")
    await Stall.update({getattr(Stall, k): v for k, v in FULL.items()}).where(Stall.code == "A02")
    fair = await make_fair()
    ids = {}
    for number, (name, needs) in enumerate([*NEEDS.items(), ("plain", {}), ("plain2", {})]):
        business = await make_business(
            f"b{number}@dn.vn", f"Công ty Quy Tắc {number}", CODES[number], "ben-nghe"
        )
        application = Application(business=business, fair=fair, status="approved", **needs)
        await application.save()
        await ApplicationProduct(
            application=application.id, product=await make_product(business)
        ).save()
        ids[name] = application.id
    return fair, ids


async def place(client, fair: int, application: int, codes: list[str]):
    return await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": application, "stall_codes": codes, "pinned": True},
    )


async def held() -> list[tuple[int, str]]:
    rows = await Assignment.select(Assignment.application, Assignment.stall.code)
    return sorted((r["application"], r["stall.code"]) for r in rows)


@pytest.mark.parametrize(
    ("need", "rule", "english"),
    [
        ("food", "food_not_allowed", "does not allow food"),
        ("power", "no_power", "has no power"),
        ("water", "no_water", "has no water"),
        ("access", "not_accessible", "is not accessible"),
    ],
)
async def test_a_move_by_hand_onto_a_stall_that_lacks_what_is_needed_is_refused(
    board, client, need, rule, english
):
    fair, ids = board
    await login(client, Role.ORGANIZER)
    assert (await place(client, fair, ids[need], ["A02"])).status_code == 201
    before = await held()

    moved = await place(client, fair, ids[need], ["A01"])

    assert moved.status_code == 409, moved.text
    assert moved.json()["rules"] == [rule]
    assert f"Stall A01 {english}" in moved.json()["messages"]["en"]
    assert moved.json()["messages"]["vi"].startswith("Không xếp được như vậy")
    assert await held() == before
    # The same stall for a business that needs none of it is fine.
    assert (await place(client, fair, ids["plain"], ["A01"])).status_code == 201


async def test_a_swap_that_would_break_a_rule_is_refused_and_changes_nothing(board, client):
    fair, ids = board
    await login(client, Role.ORGANIZER)
    assert (await place(client, fair, ids["food"], ["A02"])).status_code == 201
    assert (await place(client, fair, ids["plain"], ["A01"])).status_code == 201
    before = await held()

    swapped = await client.post(
        f"/api/fairs/{fair}/assignments/swap",
        json={"application_ids": [ids["food"], ids["plain"]], "reason": "Đổi chỗ"},
    )

    assert swapped.status_code == 409, swapped.text
    assert swapped.json()["rules"] == ["food_not_allowed"]
    assert await held() == before


async def test_a_double_stall_must_be_two_joined_neighbours(board, client):
    fair, ids = board
    await login(client, Role.ORGANIZER)
    await Application.update({Application.stalls_requested: 2}).where(
        Application.id == ids["plain"]
    )
    apart = await place(client, fair, ids["plain"], ["A03", "A06"])
    assert apart.status_code == 422
    assert "neighbours that can be joined" in apart.json()["messages"]["en"]
    assert await held() == []
    assert (await place(client, fair, ids["plain"], ["A03", "A04"])).status_code == 201


async def test_a_move_past_the_category_cap_is_refused(board, client):
    fair, ids = board
    await login(client, Role.ORGANIZER)
    # Every business here sells garments: the cap of 3 stalls is reached by the third.
    for name, code in (("plain", "A04"), ("plain2", "A05"), ("power", "A03")):
        assert (await place(client, fair, ids[name], [code])).status_code == 201
    before = await held()

    fourth = await place(client, fair, ids["water"], ["A02"])

    assert fourth.status_code == 409, fourth.text
    assert fourth.json()["rules"] == ["category_cap"]
    assert "above its cap of 3" in fourth.json()["messages"]["en"]
    assert await held() == before
    # Moving one of the three within the cap is still fine.
    assert (await place(client, fair, ids["plain"], ["A06"])).status_code == 201
