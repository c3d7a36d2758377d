"""Inspections: teams, the checklist answered from a phone, findings and their follow-up
(a suspension revokes passes and blocks applications until an organizer lifts it)."""

from __future__ import annotations

import pytest

from core.accounts import create_account
from core.roles import Role
from inspections.checklist import CHECKLIST
from inspections.tables import ChecklistAnswer, ChecklistResult
from tests.factories import PASSWORD, PDF_BYTES, ROLE_EMAILS, login, seed_world
from vendors.tables import BusinessStatusChange

pytestmark = pytest.mark.anyio

OTHER_INSPECTOR = "kiemtra2@test.vn"
MEMBER = "kiemtra3@test.vn"  # in the first team, not its lead
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


async def sign_in(client, email: str) -> None:
    await client.post("/api/auth/logout")
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def as_role(client, role: Role) -> None:
    await client.post("/api/auth/logout")
    await login(client, role)


@pytest.fixture
async def world(db, client):
    ids = await seed_world()
    for email in (OTHER_INSPECTOR, MEMBER):
        await create_account(
            email=email, password=PASSWORD, role=Role.INSPECTOR, full_name=f"Cán bộ {email}"
        )
    await login(client, Role.ORGANIZER)
    first = await client.post(
        "/api/inspection-teams",
        json={
            "name": "Đoàn kiểm tra số 1",
            "members": [
                {"email": ROLE_EMAILS[Role.INSPECTOR], "is_lead": True},
                {"email": MEMBER},
            ],
        },
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        "/api/inspection-teams",
        json={"name": "Đoàn kiểm tra số 2", "members": [{"email": OTHER_INSPECTOR}]},
    )
    assert second.status_code == 201, second.text
    planned = await client.post(
        "/api/inspections",
        json={
            "team_id": first.json()["id"],
            "kind": "planned",
            "place_kind": "fair_stall",
            "fair_id": ids["fair_id"],
            "stall_code": "a02",
            "scheduled_for": "2026-12-05T08:00:00+07:00",
        },
    )
    assert planned.status_code == 201, planned.text
    await client.post("/api/auth/logout")
    return {
        **ids,
        "team_id": first.json()["id"],
        "other_team_id": second.json()["id"],
        "inspection_id": planned.json()["id"],
    }


async def answer(client, inspection, item, result="pass", notes=""):
    return await client.put(
        f"/api/inspections/{inspection}/checklist/{item}", json={"result": result, "notes": notes}
    )


async def test_a_planned_stall_inspection_from_start_to_completion(world, client):
    inspection = world["inspection_id"]
    await login(client, Role.INSPECTOR)
    listed = (await client.get("/api/inspections")).json()
    assert [(i["id"], i["status"], i["stall_code"]) for i in listed] == [
        (inspection, "planned", "A02")
    ]
    # The stall's holder and the ward of the fair's site are filled in from the fair.
    assert listed[0]["business_id"] == world["business_id"]
    assert listed[0]["ward_slug"] == "ben-nghe"

    early = await answer(client, inspection, "prices_shown")
    assert early.status_code == 409
    assert "Start the inspection first" in early.json()["messages"]["en"]
    assert (await client.post(f"/api/inspections/{inspection}/start")).json()["status"] == (
        "in_progress"
    )

    for item in CHECKLIST:
        if item != "prices_shown":
            assert (await answer(client, inspection, item)).status_code == 200
    # The phone lost its connection and sent the same answer three times.
    for _ in range(3):
        sent = await answer(client, inspection, "origin_labelled")
        assert sent.status_code == 200
    rows = await ChecklistResult.select().where(ChecklistResult.inspection == inspection)
    assert len(rows) == len(CHECKLIST) - 1
    history = await ChecklistAnswer.select().where(ChecklistAnswer.inspection == inspection)
    assert len(history) == len(CHECKLIST) - 1

    refused = await client.post(f"/api/inspections/{inspection}/complete")
    assert refused.status_code == 422
    assert refused.json()["unanswered_items"] == ["prices_shown"]
    assert "Niêm yết giá" in refused.json()["messages"]["vi"]

    assert (await answer(client, inspection, "prices_shown", "fail")).status_code == 200
    unexplained = await client.post(f"/api/inspections/{inspection}/complete")
    assert unexplained.status_code == 422
    assert unexplained.json()["unexplained_failures"] == ["prices_shown"]

    finding = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={
            "kind": "prices_not_shown",
            "severity": "minor",
            "description": "Không niêm yết giá 5 mặt hàng.",
        },
    )
    assert finding.status_code == 201, finding.text
    assert finding.json()["business_id"] == world["business_id"]
    assert finding.json()["follow_up"] == "none"
    done = await client.post(f"/api/inspections/{inspection}/complete")
    assert done.status_code == 200, done.text
    assert done.json()["completed_at"] is not None
    # A completed inspection takes no more answers.
    assert (await answer(client, inspection, "food_safety", "fail")).status_code == 409

    # The follow-up decided afterwards: a referral to the market-management authority.
    referral = await client.post(
        f"/api/inspections/findings/{finding.json()['id']}/follow-up",
        json={"follow_up": "referral", "referred_to": "Đội Quản lý thị trường số 1"},
    )
    assert referral.status_code == 200, referral.text
    assert referral.json()["referred_to"] == "Đội Quản lý thị trường số 1"
    again = await client.post(
        f"/api/inspections/findings/{finding.json()['id']}/follow-up",
        json={"follow_up": "warning"},
    )
    assert again.status_code == 409

    detail = (await client.get(f"/api/inspections/{inspection}")).json()
    assert [e["action"] for e in detail["log"]] == [
        "planned",
        "started",
        "completed",
        "follow_up_referral",
    ]
    assert detail["log"][0]["by"] == "Người organizer"
    assert {c["recorded_by"] for c in detail["checklist"]} == {"Người inspector"}
    by_item = {c["item"]: c["result"] for c in detail["checklist"]}
    assert by_item["prices_shown"] == "fail" and by_item["origin_labelled"] == "pass"


async def test_a_changed_answer_replaces_the_result_and_stays_in_the_history(world, client):
    inspection = world["inspection_id"]
    await login(client, Role.INSPECTOR)
    await client.post(f"/api/inspections/{inspection}/start")
    await answer(client, inspection, "food_safety", "pass")
    changed = await answer(client, inspection, "food_safety", "fail", "Thịt không rõ nguồn gốc")
    assert changed.json()["result"] == "fail"
    rows = await ChecklistResult.select().where(ChecklistResult.inspection == inspection)
    assert [(r["item"], r["result"]) for r in rows] == [("food_safety", "fail")]
    history = await ChecklistAnswer.select().where(ChecklistAnswer.inspection == inspection)
    assert [r["result"] for r in history] == ["pass", "fail"]


async def test_a_surprise_inspection_of_a_shop_and_the_list_filters(world, client):
    await login(client, Role.INSPECTOR)
    shop = await client.post(
        "/api/inspections",
        json={
            "team_id": world["team_id"],
            "kind": "surprise",
            "place_kind": "shop",
            "place_name": "Cửa hàng tạp hóa Hai Lúa",
            "address": "12 Hai Bà Trưng",
            "ward_slug": "tan-dinh",
        },
    )
    assert shop.status_code == 201, shop.text
    assert shop.json()["status"] == "in_progress" and shop.json()["started_at"] is not None
    # An inspector plans nothing: organizers do.
    planned = await client.post(
        "/api/inspections",
        json={
            "team_id": world["team_id"],
            "kind": "planned",
            "place_kind": "supermarket",
            "place_name": "Siêu thị X",
            "scheduled_for": "2026-12-05T08:00:00+07:00",
        },
    )
    assert planned.status_code == 403
    nameless = await client.post(
        "/api/inspections",
        json={"team_id": world["team_id"], "kind": "surprise", "place_kind": "shop"},
    )
    assert nameless.status_code == 422
    assert nameless.json()["field"] == "place_name"

    def ids(response):
        return [i["id"] for i in response.json()]

    assert ids(await client.get("/api/inspections", params={"ward": "tan-dinh"})) == [
        shop.json()["id"]
    ]
    assert ids(await client.get("/api/inspections", params={"status": "planned"})) == [
        world["inspection_id"]
    ]
    fair = await client.get("/api/inspections", params={"fair": world["fair_id"]})
    assert ids(fair) == [world["inspection_id"]]
    # The other team's inspector sees none of the first team's inspections.
    await sign_in(client, OTHER_INSPECTOR)
    assert (await client.get("/api/inspections")).json() == []
    # An organizer cancels a planned one, with a reason.
    await as_role(client, Role.ORGANIZER)
    assert len((await client.get("/api/inspections")).json()) == 2
    reasonless = await client.post(f"/api/inspections/{world['inspection_id']}/cancel", json={})
    assert reasonless.status_code == 422
    cancelled = await client.post(
        f"/api/inspections/{world['inspection_id']}/cancel", json={"reason": "Mưa bão."}
    )
    assert cancelled.json()["status"] == "cancelled"


async def test_who_may_see_and_record_an_inspection(world, client):
    inspection = world["inspection_id"]
    await sign_in(client, OTHER_INSPECTOR)
    assert (await client.get(f"/api/inspections/{inspection}")).status_code == 403
    assert (await client.post(f"/api/inspections/{inspection}/start")).status_code == 403
    assert (await answer(client, inspection, "food_safety")).status_code == 403
    finding = await client.post(
        f"/api/inspections/{inspection}/findings", json={"kind": "other", "severity": "minor"}
    )
    assert finding.status_code == 403
    assert (await client.get(f"/api/inspection-teams/{world['team_id']}")).status_code == 403
    teams = (await client.get("/api/inspection-teams")).json()
    assert [t["id"] for t in teams] == [world["other_team_id"]]
    for role in (Role.BUSINESS, Role.GATE_STAFF, Role.WARD_OFFICER):
        await as_role(client, role)
        assert (await client.get("/api/inspections")).status_code == 403
        assert (await client.get(f"/api/inspections/{inspection}")).status_code == 403
        assert (await answer(client, inspection, "food_safety")).status_code == 403
    await client.post("/api/auth/logout")
    assert (await client.get("/api/inspections")).status_code == 401
    assert (await answer(client, inspection, "food_safety")).status_code == 401
    # A member who is not the lead records findings, but cannot suspend a business.
    await sign_in(client, MEMBER)
    await client.post(f"/api/inspections/{inspection}/start")
    suspension = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={"kind": "counterfeit", "severity": "critical", "follow_up": "suspension"},
    )
    assert suspension.status_code == 403
    assert "lead" in suspension.json()["messages"]["en"]


async def scan(client, code: str) -> str:
    response = await client.post(
        "/api/checkin", json={"code": code, "gate": "Cổng chính", "device_id": "cong-1"}
    )
    assert response.status_code == 200, response.text
    return response.json()["result"]


async def fair_running_now(fair_id: int) -> str:
    """Move the fair to now (its passes are reissued for today); the business's pass code."""
    import datetime as dt

    from core.timezone import now_utc
    from events.tables import Fair
    from tickets.services import sync_passes
    from tickets.tables import Pass

    now = now_utc().replace(second=0, microsecond=0)
    await Fair.update(
        {Fair.starts_at: now - dt.timedelta(hours=1), Fair.ends_at: now + dt.timedelta(hours=1)}
    ).where(Fair.id == fair_id)
    await sync_passes(fair_id)
    active = await Pass.select(Pass.code).where((Pass.fair == fair_id) & (Pass.status == "active"))
    assert len(active) == 1
    return active[0]["code"]


async def my_pass_statuses(client) -> list[str]:
    await as_role(client, Role.BUSINESS)
    return [p["status"] for p in (await client.get("/api/me/passes")).json()]


async def test_a_suspension_revokes_passes_and_blocks_applying_until_lifted(world, client):
    inspection, business = world["inspection_id"], world["business_id"]
    code = await fair_running_now(world["fair_id"])
    await login(client, Role.GATE_STAFF)
    assert await scan(client, code) == "accepted"
    await as_role(client, Role.INSPECTOR)  # the team's lead
    await client.post(f"/api/inspections/{inspection}/start")
    finding = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={
            "kind": "relabelled_foreign",
            "severity": "critical",
            "description": "Áo nhập khẩu gắn nhãn “Made in Vietnam”.",
            "follow_up": "suspension",
        },
    )
    assert finding.status_code == 201, finding.text

    await as_role(client, Role.GATE_STAFF)
    assert await scan(client, code) == "revoked"
    assert set(await my_pass_statuses(client)) == {"revoked"}
    me = (await client.get("/api/businesses/me")).json()
    assert me["status"] == "suspended"
    refused = await client.post(
        f"/api/fairs/{world['other_fair_id']}/applications",
        json={"product_ids": [world["product_id"]]},
    )
    assert refused.status_code == 403
    # The vetting history shows the suspension, by whom and why.
    change = await BusinessStatusChange.select().where(BusinessStatusChange.business == business)
    assert [(c["action"], c["to_status"]) for c in change] == [("suspend", "suspended")]
    assert "Made in Vietnam" in change[0]["reason"]

    # An inspector does not lift a suspension; an organizer does, with a reason.
    await as_role(client, Role.INSPECTOR)
    lift_url = f"/api/inspections/findings/{finding.json()['id']}/lift"
    assert (await client.post(lift_url, json={"reason": "Đã khắc phục."})).status_code == 403
    await as_role(client, Role.ORGANIZER)
    assert (await client.post(lift_url, json={"reason": " "})).status_code == 422
    lifted = await client.post(lift_url, json={"reason": "Đã thu hồi hàng, cam kết khắc phục."})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lifted_by"] == "Người organizer"
    assert lifted.json()["lift_reason"] == "Đã thu hồi hàng, cam kết khắc phục."
    assert (await client.post(lift_url, json={"reason": "Lần nữa."})).status_code == 409

    assert "active" in await my_pass_statuses(client)
    applied = await client.post(
        f"/api/fairs/{world['other_fair_id']}/applications",
        json={"product_ids": [world["product_id"]]},
    )
    assert applied.status_code == 201, applied.text


async def test_a_warning_goes_through_vetting_and_the_business_stays_verified(world, client):
    from core.tables import OutboxEmail

    await login(client, Role.INSPECTOR)
    inspection = world["inspection_id"]
    await client.post(f"/api/inspections/{inspection}/start")
    warned = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={"kind": "missing_origin_label", "severity": "minor", "follow_up": "warning"},
    )
    assert warned.status_code == 201, warned.text
    change = await BusinessStatusChange.select().where(
        BusinessStatusChange.business == world["business_id"]
    )
    assert [(c["action"], c["to_status"]) for c in change] == [("warn", "verified")]
    mails = await OutboxEmail.select().where(OutboxEmail.recipient == ROLE_EMAILS[Role.BUSINESS])
    assert "business_warned" in {m["kind"] for m in mails}
    # A referral needs the authority it goes to; a warning needs a business.
    nameless = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={"kind": "smuggled", "severity": "major", "follow_up": "referral"},
    )
    assert nameless.status_code == 422 and nameless.json()["field"] == "referred_to"


async def test_photos_are_checked_by_content_and_shown_only_to_the_team(world, client):
    inspection = world["inspection_id"]
    await login(client, Role.INSPECTOR)
    await client.post(f"/api/inspections/{inspection}/start")

    async def upload(content, name="anh.jpg", content_type="image/jpeg", item="prices_shown"):
        return await client.post(
            f"/api/inspections/{inspection}/photos",
            files={"file": (name, content, content_type)},
            data={"item": item},
            headers={"x-site-csrf": "1"},
        )

    png = await upload(PNG, "anh.png", "image/png")
    assert png.status_code == 201, png.text
    assert png.json()["content_type"] == "image/png" and png.json()["item"] == "prices_shown"
    assert (await upload(JPEG)).json()["content_type"] == "image/jpeg"
    # A PDF or a script named .jpg and sent as image/jpeg is refused by what its bytes are.
    assert (await upload(PDF_BYTES)).status_code == 415
    assert (await upload(b"<script>alert(1)</script>")).status_code == 415
    assert (await upload(b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024))).status_code == 413
    assert (await upload(PNG, item="no_such_item")).status_code == 422

    url = png.json()["url"]
    shown = await client.get(url)
    assert shown.status_code == 200 and shown.content == PNG
    assert shown.headers["content-type"] == "image/png"
    await sign_in(client, OTHER_INSPECTOR)
    assert (await client.get(url)).status_code == 403
    await as_role(client, Role.BUSINESS)
    assert (await client.get(url)).status_code == 403
    await as_role(client, Role.ORGANIZER)
    assert (await client.get(url)).status_code == 200
    detail = (await client.get(f"/api/inspections/{inspection}")).json()
    assert len(detail["photos"]) == 2


async def test_teams_take_only_inspectors_and_organizers(world, client):
    await login(client, Role.ORGANIZER)
    url = f"/api/inspection-teams/{world['team_id']}/members"
    gate = await client.post(url, json={"email": ROLE_EMAILS[Role.GATE_STAFF]})
    assert gate.status_code == 422
    twice = await client.post(url, json={"email": MEMBER})
    assert twice.status_code == 409
    added = await client.post(url, json={"email": OTHER_INSPECTOR})
    assert added.status_code == 201
    assert OTHER_INSPECTOR in {m["email"] for m in added.json()["members"]}
    user_id = next(m["user_id"] for m in added.json()["members"] if m["email"] == MEMBER)
    removed = await client.delete(f"{url}/{user_id}")
    assert removed.status_code == 200
    assert MEMBER not in {m["email"] for m in removed.json()["members"]}
    # A stood-down team opens no new inspections.
    await client.patch(f"/api/inspection-teams/{world['team_id']}", json={"active": False})
    await as_role(client, Role.INSPECTOR)
    refused = await client.post(
        "/api/inspections",
        json={
            "team_id": world["team_id"],
            "kind": "surprise",
            "place_kind": "market_stall",
            "place_name": "Sạp 12 chợ Bến Thành",
        },
    )
    assert refused.status_code == 409


async def test_an_inspector_in_no_team_sees_no_teams_and_no_inspections(world, client):
    await login(client, Role.ORGANIZER)
    team = f"/api/inspection-teams/{world['team_id']}"
    members = (await client.get(team)).json()["members"]
    for member in members:
        await client.delete(f"{team}/members/{member['user_id']}")
    await as_role(client, Role.INSPECTOR)
    teams = await client.get("/api/inspection-teams")
    assert teams.status_code == 200 and teams.json() == []
    inspections = await client.get("/api/inspections")
    assert inspections.status_code == 200 and inspections.json() == []


async def test_the_demo_holds_inspections_with_every_kind_of_follow_up(db, client):
    from core.timezone import local, today_local
    from demo.load import DEMO_PASSWORD, load_demo
    from inspections.tables import Finding, Inspection
    from tickets.tables import Pass
    from vendors.tables import Business

    await load_demo()
    completed = await Inspection.select(Inspection.completed_at).where(
        Inspection.status == "completed"
    )
    assert any(local(r["completed_at"]).year == today_local().year for r in completed)
    findings = await Finding.select(
        Finding.follow_up, Finding.lifted_at, Finding.business.email, Finding.business.status
    )
    assert {"warning", "suspension", "referral"} <= {f["follow_up"] for f in findings}
    in_force = [f for f in findings if f["follow_up"] == "suspension" and not f["lifted_at"]]
    assert len(in_force) == 1 and in_force[0]["business.status"] == "suspended"
    assert in_force[0]["business.email"] != "doanhnghiep1@demo.vn"
    assert any(f["follow_up"] == "suspension" and f["lifted_at"] for f in findings)
    suspended = await Business.select(Business.id).where(
        Business.email == in_force[0]["business.email"]
    )
    assert not await Pass.exists().where(
        (Pass.application.business == suspended[0]["id"]) & (Pass.status == "active")
    )
    # The contract's promise stands: doanhnghiep1 holds an active pass at today's fair.
    await client.post(
        "/api/auth/login", json={"email": "doanhnghiep1@demo.vn", "password": DEMO_PASSWORD}
    )
    assert "active" in {p["status"] for p in (await client.get("/api/me/passes")).json()}
    await client.post("/api/auth/logout")
    await client.post(
        "/api/auth/login", json={"email": "kiemtra@demo.vn", "password": DEMO_PASSWORD}
    )
    planned = (await client.get("/api/inspections", params={"status": "planned"})).json()
    assert len(planned) == 3 and {p["place_kind"] for p in planned} == {"fair_stall"}


async def test_the_phone_page_fills_the_checklist_with_forms(world, client):
    from tests.factories import csrf_token

    inspection = world["inspection_id"]
    await login(client, Role.INSPECTOR)
    listing = await client.get("/inspections")
    assert listing.status_code == 200
    assert "gian A02" in listing.text
    token = await csrf_token(client)
    page = f"/inspections/{inspection}"
    assert (await client.post(f"{page}/start", data={"_csrf_token": token})).status_code == 303
    saved = await client.post(
        f"{page}/checklist/prices_shown",
        data={"_csrf_token": token, "result": "fail", "notes": "Thiếu bảng giá"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("#item-prices_shown")
    shown = await client.get(page)
    assert 'value="Thiếu bảng giá"' in shown.text
    # Completing too early says what is missing, on the page.
    early = await client.post(f"{page}/complete", data={"_csrf_token": token})
    assert early.status_code == 422
    assert "Chưa hoàn thành được cuộc kiểm tra" in early.text
    photo = await client.post(
        f"{page}/photos",
        data={"_csrf_token": token, "item": "prices_shown"},
        files={"file": ("anh.png", PNG, "image/png")},
    )
    assert photo.status_code == 303, photo.text
    forged = await client.post(
        f"{page}/photos",
        data={"_csrf_token": token},
        files={"file": ("anh.jpg", PDF_BYTES, "image/jpeg")},
    )
    assert forged.status_code == 415
    assert "Chỉ nhận ảnh JPEG hoặc PNG" in forged.text
    # Without the form's token nothing is saved.
    no_token = await client.post(f"{page}/checklist/food_safety", data={"result": "pass"})
    assert no_token.status_code == 403
    for item in CHECKLIST:
        if item != "prices_shown":
            await client.post(
                f"{page}/checklist/{item}", data={"_csrf_token": token, "result": "pass"}
            )
    done = await client.post(f"{page}/complete", data={"_csrf_token": token})
    assert done.status_code == 303
    assert (await client.get(page)).text.count('type="radio"') == 3 * len(CHECKLIST)
    await as_role(client, Role.BUSINESS)
    assert (await client.get(page)).status_code == 403
