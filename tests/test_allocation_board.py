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
    from events.allocate import solver_requests
    from events.board import fair_row
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
