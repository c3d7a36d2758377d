"""The allocation run on real fair data: rules hold, pins survive, publishing tells businesses,
and a withdrawal hands the freed stall to the right waitlisted business."""

from __future__ import annotations

import pytest

from core.mail import OutboxEmail
from core.roles import Role
from events.tables import Application, ApplicationProduct, Assignment, Stall
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
    seed_stalls,
)

pytestmark = pytest.mark.anyio

CODES = [
    "0300588569",
    "0100109106",
    "0101248141",
    "0300583659",
    "0301175691",
    "0100233583",
    "0302035520",
    "0100100079",
    "0300100037",
    "0100686209",
]


@pytest.fixture
async def fair_with_applicants(db):
    await seed_basics()
    await seed_stalls(capacity=12)
    fair = await make_fair()
    applications = []
    for number, code in enumerate(CODES[:8]):
        business = await make_business(
            f"a{number}@dn.vn", f"Công ty Phân Gian {number}", code, "ben-nghe"
        )
        product = await make_product(business)
        application = Application(
            business=business,
            fair=fair,
            status="approved",
            stalls_requested=2 if number == 0 else 1,
            needs_power=number == 1,
        )
        await application.save()
        await ApplicationProduct(application=application.id, product=product).save()
        applications.append(application.id)
    return fair, applications


# Every test business sells garments: lift the per-category cap so that all of them fit.
ALL_FIT = {"weights": {"category_cap": 1.0}}


async def board(client, fair):
    return (await client.get(f"/api/fairs/{fair}/allocation")).json()


async def test_run_assigns_everyone_by_the_rules_with_reasons(fair_with_applicants, client):
    fair, applications = fair_with_applicants
    await login(client, Role.ORGANIZER)
    run = await client.post(f"/api/fairs/{fair}/allocation/run", json=ALL_FIT)
    assert run.status_code == 200, run.text
    result = run.json()
    assert result["assigned"] == 8 and result["left_out"] == 0
    assert result["objective"] >= result["baseline_objective"]
    summary = await board(client, fair)
    # The run is kept: the board shows it again later, with who ran it and when.
    kept = summary["last_run"]
    assert {k: kept[k] for k in ("run_id", "objective", "baseline_objective", "assigned")} == {
        k: result[k] for k in ("run_id", "objective", "baseline_objective", "assigned")
    }
    assert kept["ran_by"] == f"Người {Role.ORGANIZER.value}"
    assert kept["weights"]["category_cap"] == 1.0
    page = await client.get(f"/console/fairs/{fair}/board", headers={"accept": "text/html"})
    assert "Kết quả phân gian tự động" in page.text and "Chạy lúc" in page.text
    stalls = {r["code"]: r for r in await Stall.select()}
    held = [c for item in summary["assignments"] for c in item["stall_codes"]]
    assert len(held) == len(set(held)) == 9
    for item in summary["assignments"]:
        assert item["reasons"], item
        assert all(r["vi"] and r["en"] for r in item["reasons"])
        if item["application_id"] == applications[0]:
            first, second = sorted(item["stall_codes"])
            assert stalls[first]["joinable"] and stalls[second]["joinable"]
            assert stalls[first]["y"] == stalls[second]["y"]
            assert abs(stalls[first]["x"] - stalls[second]["x"]) == stalls[first]["width"]
        if item["application_id"] == applications[1]:
            assert stalls[item["stall_codes"][0]]["power"]


async def test_pins_survive_a_rerun_and_bad_weights_are_refused(fair_with_applicants, client):
    fair, applications = fair_with_applicants
    await login(client, Role.ORGANIZER)
    pinned = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": applications[5], "stall_codes": ["A06"], "pinned": True},
    )
    assert pinned.status_code == 201, pinned.text
    for weights in ({}, {"category_spread": 10.0, "fairness": 0.0, "category_cap": 1.0}):
        run = await client.post(f"/api/fairs/{fair}/allocation/run", json={"weights": weights})
        assert run.status_code == 200, run.text
        pinned = await Assignment.select(Assignment.stall.code).where(
            Assignment.application == applications[5]
        )
        assert [p["stall.code"] for p in pinned] == ["A06"]
    bad = await client.post(f"/api/fairs/{fair}/allocation/run", json={"weights": {"luck": 1}})
    assert bad.status_code == 422 and "luck" in bad.json()["messages"]["en"]


async def test_publishing_tells_each_business_and_opens_the_public_map(
    fair_with_applicants, client
):
    fair, _ = fair_with_applicants
    await login(client, Role.ORGANIZER)
    empty = await client.post(f"/api/fairs/{fair}/allocation/publish")
    assert empty.status_code == 409
    await client.post(f"/api/fairs/{fair}/allocation/run", json=ALL_FIT)
    published = await client.post(f"/api/fairs/{fair}/allocation/publish")
    assert published.json()["published_at"]
    subjects = [m["subject"] for m in await OutboxEmail.select(OutboxEmail.subject)]
    assert len(subjects) == 8
    assert all(s.startswith("Gian hàng của doanh nghiệp tại") for s in subjects)
    await client.post("/api/auth/logout")
    public = (await client.get(f"/api/fairs/{fair}/stalls")).json()
    assert sum(1 for s in public if s["business"]) == 9


async def test_a_withdrawal_hands_the_stall_to_the_waitlisted_business_that_fits(
    fair_with_applicants, client
):
    fair, applications = fair_with_applicants
    needs_water = await make_business("w1@dn.vn", "Công ty Cần Nước", CODES[8], "ben-nghe")
    fits = await make_business("w2@dn.vn", "Công ty Vừa Gian", CODES[9], "ben-nghe")
    waiting = []
    for business, water in ((needs_water, True), (fits, False)):
        application = Application(
            business=business, fair=fair, status="waitlisted", needs_water=water
        )
        await application.save()
        await ApplicationProduct(
            application=application.id, product=await make_product(business)
        ).save()
        waiting.append(application.id)
    leaving = applications[3]
    await login(client, Role.ORGANIZER)
    # A stall without water: only the business that needs none fits it.
    await client.post(
        f"/api/fairs/{fair}/assignments", json={"application_id": leaving, "stall_codes": ["A05"]}
    )
    await client.post(f"/api/fairs/{fair}/allocation/run", json=ALL_FIT)
    await client.post(f"/api/fairs/{fair}/allocation/publish")
    await client.post("/api/auth/logout")
    freed = await Assignment.select(Assignment.stall.code).where(Assignment.application == leaving)
    await client.post("/api/auth/login", json={"email": "a3@dn.vn", "password": PASSWORD})
    assert (await client.post(f"/api/applications/{leaving}/withdraw")).status_code == 200
    promoted = await Assignment.select(Assignment.application, Assignment.stall.code).where(
        Assignment.stall.code == freed[0]["stall.code"]
    )
    assert [p["application"] for p in promoted] == [waiting[1]]
    statuses = {
        r["id"]: r["status"]
        for r in await Application.select(Application.id, Application.status).where(
            Application.id.is_in(waiting)
        )
    }
    assert statuses == {waiting[0]: "waitlisted", waiting[1]: "approved"}


async def test_a_business_that_did_not_come_last_time_counts_a_no_show(fair_with_applicants):
    from allocation.runs import solver_requests
    from events.fair_rows import fair_row
    from events.tables import Fair
    from tickets.services import sync_passes

    fair, applications = fair_with_applicants
    past = await make_fair(days_ahead=-7, window_open=False)
    business = (
        await Application.select(Application.business)
        .where(Application.id == applications[2])
        .first()
    )["business"]
    earlier = Application(business=business, fair=past, status="approved")
    await earlier.save()
    stall = await Stall.select(Stall.id).where(Stall.code == "A01").first()
    await Assignment(fair=past, stall=stall["id"], application=earlier.id).save()
    await Fair.update({Fair.allocation_published_at: Fair.updated_at}).where(Fair.id == past)
    await sync_passes(past)
    await Fair.update({Fair.status: "completed"}).where(Fair.id == past)
    requests = {r.application_id: r for r in await solver_requests(await fair_row(fair))}
    assert requests[applications[2]].no_shows == 1
    assert requests[applications[3]].no_shows == 0


async def test_after_publishing_every_change_tells_the_business_and_moves_its_pass(
    fair_with_applicants, client
):
    from tickets.tables import Pass

    fair, applications = fair_with_applicants
    await login(client, Role.ORGANIZER)
    await client.post(f"/api/fairs/{fair}/allocation/run", json=ALL_FIT)

    async def held() -> dict[int, list[str]]:
        return {
            i["application_id"]: sorted(i["stall_codes"])
            for i in (await board(client, fair))["assignments"]
        }

    async def free() -> list[str]:
        taken = {c for codes in (await held()).values() for c in codes}
        return sorted(s["code"] for s in await Stall.select(Stall.code) if s["code"] not in taken)

    async def mails_since(count: int) -> list[dict]:
        rows = await OutboxEmail.select().order_by(OutboxEmail.id)
        return rows[count:]

    async def active_passes() -> dict[int, str]:
        rows = await Pass.select(Pass.application, Pass.stalls).where(
            (Pass.fair == fair) & (Pass.status == "active")
        )
        return {r["application"]: r["stalls"] for r in rows}

    # Before publishing, moves are the organizers' business only.
    moved = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": applications[3], "stall_codes": [(await free())[0]]},
    )
    assert moved.status_code == 201, moved.text
    assert await OutboxEmail.count() == 0

    await client.post(f"/api/fairs/{fair}/allocation/publish")
    sent = await OutboxEmail.count()
    assert sent == 8

    # A move: the business is told its new stall and its old one, and its pass follows.
    before = (await held())[applications[2]]
    target = (await free())[0]
    moved = await client.post(
        f"/api/fairs/{fair}/assignments",
        json={
            "application_id": applications[2],
            "stall_codes": [target],
            "reason": "Gần nguồn nước",
        },
    )
    assert moved.status_code == 201, moved.text
    [mail] = await mails_since(sent)
    assert mail["recipient"] == "a2@dn.vn"
    assert mail["kind"] == "stall_changed"
    assert mail["subject"].endswith(f"đã đổi: {target}")
    assert f"Gian cũ: {before[0]}" in mail["body_text"]
    assert "Lý do: Gần nguồn nước" in mail["body_text"]
    assert (await active_passes())[applications[2]] == target
    sent += 1

    # A swap: both businesses are told.
    first, second = applications[3], applications[4]
    stalls = await held()
    swapped = await client.post(
        f"/api/fairs/{fair}/assignments/swap", json={"application_ids": [first, second]}
    )
    assert swapped.status_code == 200, swapped.text
    mails = await mails_since(sent)
    assert sorted(m["recipient"] for m in mails) == ["a3@dn.vn", "a4@dn.vn"]
    by_recipient = {m["recipient"]: m for m in mails}
    assert by_recipient["a3@dn.vn"]["subject"].endswith(", ".join(stalls[second]))
    passes = await active_passes()
    assert passes[first] == ",".join(stalls[second])
    assert passes[second] == ",".join(stalls[first])
    sent += 2

    # Taking a stall back: the business is told why, and its pass stops working.
    taken = await client.post(
        f"/api/fairs/{fair}/assignments/{applications[5]}/unassign",
        json={"reason": "Không đủ giấy tờ an toàn thực phẩm"},
    )
    assert taken.status_code == 200, taken.text
    [mail] = await mails_since(sent)
    assert mail["kind"] == "stall_withdrawn" and mail["recipient"] == "a5@dn.vn"
    assert "Lý do: Không đủ giấy tờ an toàn thực phẩm" in mail["body_text"]
    assert applications[5] not in await active_passes()
    sent += 1

    # A fresh run of the published board: the passes follow it, and exactly the businesses
    # whose stalls changed are told.
    before = await held()
    run = await client.post(
        f"/api/fairs/{fair}/allocation/run",
        json={"weights": {"category_cap": 1.0, "category_spread": 10.0}},
    )
    assert run.status_code == 200, run.text
    after = await held()
    changed = {a for a in set(before) | set(after) if before.get(a) != after.get(a)}
    assert changed  # unpinned stalls were redone, and the unassigned business is back
    mails = await mails_since(sent)
    owners = {
        r["id"]: r["business.email"]
        for r in await Application.select(Application.id, Application.business.email)
    }
    assert sorted(m["recipient"] for m in mails) == sorted(owners[a] for a in changed)
    passes = await active_passes()
    assert set(passes) == set(after)
    for application, codes in after.items():
        assert passes[application].split(",") == codes
