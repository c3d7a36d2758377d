"""A finding, and the warning or suspension it leads to, names only the business inspected."""

from __future__ import annotations

import pytest

from core.roles import Role
from inspections.tables import Finding
from tests.factories import login
from tests.test_inspections import world  # noqa: F401  (the shared fixture)
from vendors.tables import Business, BusinessStatusChange

pytestmark = pytest.mark.anyio


async def status_and_history(business_id: int) -> tuple[str, list[str]]:
    row = await Business.select(Business.status).where(Business.id == business_id).first()
    changes = await BusinessStatusChange.select().where(
        BusinessStatusChange.business == business_id
    )
    return row["status"], [c["action"] for c in changes]


@pytest.mark.parametrize("follow_up", ["suspension", "warning", "none"])
async def test_a_finding_cannot_name_a_business_other_than_the_one_inspected(
    world,  # noqa: F811
    client,
    follow_up,
):
    inspection, other = world["inspection_id"], world["other_business_id"]
    await login(client, Role.INSPECTOR)  # the team's lead
    await client.post(f"/api/inspections/{inspection}/start")
    refused = await client.post(
        f"/api/inspections/{inspection}/findings",
        json={
            "kind": "counterfeit",
            "severity": "critical",
            "business_id": other,
            "follow_up": follow_up,
        },
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["field"] == "business_id"
    assert body["inspected_business_id"] == world["business_id"]
    assert "doanh nghiệp được kiểm tra" in body["messages"]["vi"]
    assert "business inspected" in body["messages"]["en"]
    assert await Finding.count().where(Finding.inspection == inspection) == 0
    assert await status_and_history(other) == ("verified", [])

    # The business inspected, named or not, is what a finding is about.
    for named in (world["business_id"], None):
        fine = await client.post(
            f"/api/inspections/{inspection}/findings",
            json={
                "kind": "missing_origin_label",
                "severity": "minor",
                "business_id": named,
                "follow_up": "warning",
            },
        )
        assert fine.status_code == 201, fine.text
        assert fine.json()["business_id"] == world["business_id"]
    assert await status_and_history(world["business_id"]) == ("verified", ["warn", "warn"])


async def test_a_follow_up_decided_later_is_refused_for_a_business_not_inspected(
    world,  # noqa: F811
    client,
):
    inspection, other = world["inspection_id"], world["other_business_id"]
    await login(client, Role.INSPECTOR)
    await client.post(f"/api/inspections/{inspection}/start")
    # A finding recorded before the rule held, naming a business the team never visited.
    stray = Finding(inspection=inspection, business=other, kind="counterfeit", severity="major")
    await stray.save()
    refused = await client.post(
        f"/api/inspections/findings/{stray.id}/follow-up", json={"follow_up": "suspension"}
    )
    assert refused.status_code == 422
    assert "business inspected" in refused.json()["messages"]["en"]
    assert await status_and_history(other) == ("verified", [])
    row = await Finding.select(Finding.follow_up).where(Finding.id == stray.id).first()
    assert row["follow_up"] == "none"


async def test_an_inspection_of_no_business_names_none_in_its_findings(
    world,  # noqa: F811
    client,
):
    await login(client, Role.INSPECTOR)
    shop = await client.post(
        "/api/inspections",
        json={
            "team_id": world["team_id"],
            "kind": "surprise",
            "place_kind": "shop",
            "place_name": "Cửa hàng tạp hóa Hai Lúa",
            "ward_slug": "tan-dinh",
        },
    )
    refused = await client.post(
        f"/api/inspections/{shop.json()['id']}/findings",
        json={
            "kind": "counterfeit",
            "severity": "critical",
            "business_id": world["other_business_id"],
            "follow_up": "warning",
        },
    )
    assert refused.status_code == 422
    assert "Open an inspection of that business" in refused.json()["messages"]["en"]
    assert await status_and_history(world["other_business_id"]) == ("verified", [])
    # Without a business, the finding is recorded (a referral, say) and touches no business.
    referral = await client.post(
        f"/api/inspections/{shop.json()['id']}/findings",
        json={
            "kind": "counterfeit",
            "severity": "critical",
            "follow_up": "referral",
            "referred_to": "Đội Quản lý thị trường số 1",
        },
    )
    assert referral.status_code == 201, referral.text
    assert referral.json()["business_id"] is None
