"""Vetting with its history, search, and the application state machine."""

from __future__ import annotations

import datetime as dt

import pytest

from core.roles import Role
from core.timezone import now_utc
from events.tables import Application, ApplicationStatusChange, Fair
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
)
from vendors.tables import Business, BusinessStatusChange

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(db):
    await seed_basics()
    return {
        "pending": await make_business(
            "cho@dn.vn", "Công ty Chờ Duyệt", "0300588569", "ben-nghe", status="pending"
        ),
        "verified": await make_business(
            "da@dn.vn", "Công ty Đã Xác Minh", "0100109106", "ben-nghe"
        ),
        "far": await make_business(
            "xa@dn.vn", "Công ty Tân Định", "0101248141", "tan-dinh", status="pending"
        ),
    }


async def act(client, business_id, action, reason=""):
    return await client.post(f"/api/businesses/{business_id}/{action}", json={"reason": reason})


async def test_vetting_keeps_who_when_and_why(world, client):
    await login(client, Role.ORGANIZER)
    asked = await act(client, world["pending"], "request-changes", "Thiếu giấy phép kinh doanh.")
    assert asked.status_code == 200 and asked.json()["status"] == "changes_requested"
    verified = await act(client, world["pending"], "verify")
    history = verified.json()["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("pending", "changes_requested"),
        ("changes_requested", "verified"),
    ]
    assert history[0]["reason"] == "Thiếu giấy phép kinh doanh."
    assert history[0]["by"] == "Người organizer"
    assert dt.datetime.fromisoformat(history[1]["at"]) <= dt.datetime.now(dt.UTC)


async def test_illegal_vetting_steps_are_refused(world, client):
    await login(client, Role.ORGANIZER)
    premature = await act(client, world["pending"], "suspend", "x")
    assert premature.status_code == 409
    assert premature.json()["current_status"] == "pending"
    assert premature.json()["messages"]["vi"] == (
        "Không thể đình chỉ doanh nghiệp đang ở trạng thái “chờ duyệt”."
    )
    assert (await act(client, world["verified"], "verify")).status_code == 409
    assert (await act(client, world["pending"], "reject")).status_code == 422  # no reason
    assert (await act(client, world["pending"], "resubmit")).status_code == 404
    assert (await act(client, world["pending"], "explode")).status_code == 404
    assert await BusinessStatusChange.count() == 0
    rows = await Business.select(Business.id, Business.status)
    assert {r["id"]: r["status"] for r in rows} == {
        world["pending"]: "pending",
        world["verified"]: "verified",
        world["far"]: "pending",
    }


async def test_warnings_and_suspension(world, client):
    await login(client, Role.ORGANIZER)
    warned = await act(client, world["verified"], "warn", "Hàng không ghi nhãn xuất xứ.")
    assert warned.json()["status"] == "verified" and warned.json()["warnings"] == 1
    suspended = await act(client, world["verified"], "suspend", "Tái phạm.")
    assert suspended.json()["status"] == "suspended"
    reinstated = await act(client, world["verified"], "reinstate")
    assert reinstated.json()["status"] == "verified"


async def test_business_resubmits_after_changes(world, client):
    await login(client, Role.ORGANIZER)
    await act(client, world["pending"], "request-changes", "Bổ sung địa chỉ xưởng.")
    await client.post("/api/auth/logout")
    await client.post("/api/auth/login", json={"email": "cho@dn.vn", "password": PASSWORD})
    await client.patch("/api/businesses/me", json={"address": "7 Pasteur, Bến Nghé"})
    again = await client.post("/api/businesses/me/resubmit")
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert again.json()["address"] == "7 Pasteur, Bến Nghé"
    assert [(h["action"], h["to_status"], h["by"]) for h in again.json()["history"]] == [
        ("request_changes", "changes_requested", "Người organizer"),
        ("resubmit", "pending", "Đại diện"),
    ]
    stored = await Business.select(Business.status, Business.address).where(
        Business.id == world["pending"]
    )
    assert stored == [{"status": "pending", "address": "7 Pasteur, Bến Nghé"}]


async def test_ward_officer_vets_only_their_wards(world, client):
    await login(client, Role.WARD_OFFICER)  # Bến Nghé
    listed = (await client.get("/api/businesses")).json()
    assert {b["id"] for b in listed} == {world["pending"], world["verified"]}
    assert (await act(client, world["far"], "verify")).status_code == 404
    assert (await act(client, world["pending"], "verify")).status_code == 200


async def test_search_without_diacritics_and_in_vietnamese_order(world, client):
    await make_business("d@dn.vn", "Hợp tác xã Đông Hòa", "0300583659", "ben-nghe")
    await make_business("e@dn.vn", "Cơ sở Dũng Nguyễn Du", "0301175691", "ben-nghe")
    await login(client, Role.ORGANIZER)

    async def names(**params):
        found = await client.get("/api/businesses", params=params)
        return [b["legal_name"] for b in found.json()]

    assert await names(q="dong hoa") == ["Hợp tác xã Đông Hòa"]
    assert await names(q="nguyen du") == ["Cơ sở Dũng Nguyễn Du"]
    assert await names(q="0100109106") == ["Công ty Đã Xác Minh"]
    assert await names(status="pending") == ["Công ty Chờ Duyệt", "Công ty Tân Định"]
    # ô before ơ: "Công" sorts before "Cơ".
    assert await names(ward="ben-nghe") == [
        "Công ty Chờ Duyệt",
        "Công ty Đã Xác Minh",
        "Cơ sở Dũng Nguyễn Du",
        "Hợp tác xã Đông Hòa",
    ]
    assert await names(category="nong-san") == []


@pytest.fixture
async def fair_world(world):
    product = await make_product(world["verified"])
    fair = await make_fair()
    return {**world, "product": product, "fair": fair}


async def apply_as(client, email, fair, product, **extra):
    await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    return await client.post(
        f"/api/fairs/{fair}/applications", json={"product_ids": [product], **extra}
    )


async def test_application_lifecycle(fair_world, client):
    w = fair_world
    applied = await apply_as(
        client,
        "da@dn.vn",
        w["fair"],
        w["product"],
        stalls_requested=2,
        needs_power=True,
        preferred_zones="Khu A",
    )
    assert applied.status_code == 201, applied.text
    application = applied.json()
    assert (application["status"], application["stalls_requested"]) == ("submitted", 2)
    assert application["needs"] == ["needs_power"]
    twice = await client.post(
        f"/api/fairs/{w['fair']}/applications", json={"product_ids": [w["product"]]}
    )
    assert twice.status_code == 409
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    decided = await client.post(
        f"/api/applications/{application['id']}/decision", json={"status": "waitlisted"}
    )
    assert decided.json()["status"] == "waitlisted"
    approved = await client.post(
        f"/api/applications/{application['id']}/decision", json={"status": "approved"}
    )
    assert approved.json()["status"] == "approved"
    back = await client.post(
        f"/api/applications/{application['id']}/decision", json={"status": "submitted"}
    )
    assert back.status_code == 422
    await client.post("/api/auth/logout")
    await client.post("/api/auth/login", json={"email": "da@dn.vn", "password": PASSWORD})
    withdrawn = await client.post(f"/api/applications/{application['id']}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    again = await client.post(f"/api/applications/{application['id']}/withdraw")
    assert again.status_code == 409
    reapplied = await client.post(
        f"/api/fairs/{w['fair']}/applications", json={"product_ids": [w["product"]]}
    )
    assert reapplied.status_code == 201 and reapplied.json()["id"] == application["id"]
    changes = await ApplicationStatusChange.select(
        ApplicationStatusChange.from_status, ApplicationStatusChange.to_status
    ).order_by(ApplicationStatusChange.id)
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("", "submitted"),
        ("submitted", "waitlisted"),
        ("waitlisted", "approved"),
        ("approved", "withdrawn"),
        ("withdrawn", "submitted"),
    ]


async def test_organizer_decisions_that_are_refused(fair_world, client):
    w = fair_world
    application = (await apply_as(client, "da@dn.vn", w["fair"], w["product"])).json()
    await client.post(f"/api/applications/{application['id']}/withdraw")
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    on_withdrawn = await client.post(
        f"/api/applications/{application['id']}/decision", json={"status": "approved"}
    )
    assert on_withdrawn.status_code == 409
    assert on_withdrawn.json()["current_status"] == "withdrawn"
    no_reason = await client.post(
        f"/api/applications/{application['id']}/decision", json={"status": "rejected"}
    )
    assert no_reason.status_code == 422


async def test_who_may_apply_and_when(fair_world, client):
    w = fair_world
    pending_product = await make_product(w["pending"])
    refused = await apply_as(client, "cho@dn.vn", w["fair"], pending_product)
    assert refused.status_code == 403
    await client.post("/api/auth/logout")
    closed = await make_fair(days_ahead=40, window_open=False)
    late = await apply_as(client, "da@dn.vn", closed, w["product"])
    assert late.status_code == 409
    assert "Applications are taken from" in late.json()["messages"]["en"]
    draft = await make_fair(days_ahead=50, status="draft")
    assert (
        await client.post(f"/api/fairs/{draft}/applications", json={"product_ids": [w["product"]]})
    ).status_code == 404
    foreign = await make_product(w["far"])
    stolen = await client.post(
        f"/api/fairs/{w['fair']}/applications", json={"product_ids": [foreign]}
    )
    assert stolen.status_code == 422
    too_many = await client.post(
        f"/api/fairs/{w['fair']}/applications",
        json={"product_ids": [w["product"]], "stalls_requested": 3},
    )
    assert too_many.status_code == 400


async def test_withdrawal_after_cutoff_is_refused(fair_world, client):
    w = fair_world
    application = (await apply_as(client, "da@dn.vn", w["fair"], w["product"])).json()
    await Fair.update({Fair.withdrawal_cutoff_at: now_utc() - dt.timedelta(minutes=1)}).where(
        Fair.id == w["fair"]
    )
    late = await client.post(f"/api/applications/{application['id']}/withdraw")
    assert late.status_code == 409
    assert "cut-off" in late.json()["messages"]["en"]


async def test_suspended_business_cannot_apply(fair_world, client):
    w = fair_world
    await login(client, Role.ORGANIZER)
    await act(client, w["verified"], "suspend", "Hàng giả nhãn mác.")
    await client.post("/api/auth/logout")
    refused = await apply_as(client, "da@dn.vn", w["fair"], w["product"])
    assert refused.status_code == 403
    assert refused.json()["messages"]["en"] == (
        "Only verified businesses (not suspended) can apply for stalls."
    )
    assert await Application.count() == 0


async def test_bulk_decisions_report_each_result(fair_world, client):
    w = fair_world
    first = (await apply_as(client, "da@dn.vn", w["fair"], w["product"])).json()["id"]
    await client.post("/api/auth/logout")
    other = await make_business("f@dn.vn", "Công ty Thứ Tư", "0300583659", "ben-nghe")
    second = (await apply_as(client, "f@dn.vn", w["fair"], await make_product(other))).json()["id"]
    await client.post(f"/api/applications/{second}/withdraw")
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    results = (
        await client.post(
            f"/api/fairs/{w['fair']}/applications/decisions",
            json={"application_ids": [first, second, 999999], "status": "approved"},
        )
    ).json()
    assert [(r["application_id"], r["ok"]) for r in results] == [
        (first, True),
        (second, False),
        (999999, False),
    ]
    statuses = {
        r["id"]: r["status"] for r in await Application.select(Application.id, Application.status)
    }
    assert statuses == {first: "approved", second: "withdrawn"}


async def test_a_business_sees_only_its_own_applications(fair_world, client):
    w = fair_world
    mine = (await apply_as(client, "da@dn.vn", w["fair"], w["product"])).json()["id"]
    await client.post("/api/auth/logout")
    other = await make_business("g@dn.vn", "Công ty Khác Hẳn", "0300583659", "ben-nghe")
    await apply_as(client, "g@dn.vn", w["fair"], await make_product(other))
    assert (await client.get(f"/api/applications/{mine}")).status_code == 404
    assert (await client.post(f"/api/applications/{mine}/withdraw")).status_code == 404
    listed = (await client.get("/api/me/applications")).json()
    assert [a["business_id"] for a in listed] == [other]
