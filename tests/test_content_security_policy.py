"""The protective headers every kind of response carries (both databases): the exact
Content-Security-Policy on each kind of page, nosniff and the referrer policy everywhere."""

from __future__ import annotations

import pytest

from core.roles import Role
from tests.factories import login, seed_world

pytestmark = pytest.mark.anyio

HTML = {"accept": "text/html"}

# Spelled out rather than imported: a change to the policy must be a change to this test too.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def assert_common_headers(response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.headers
    assert response.headers.get("referrer-policy") == "same-origin", response.headers


def assert_page_headers(response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers.get_list("content-security-policy") == [POLICY]
    assert_common_headers(response)


@pytest.fixture
async def world(db):
    return await seed_world()


# (who is signed in, the page, what the page must show: proof it is the page and not a redirect)
PAGES = [
    (None, "/", "Phiên chợ"),
    (None, "/fairs/{fair_id}", "Công ty TNHH Dệt may Bến Nghé"),
    (None, "/login", 'name="_csrf_token"'),
    (None, "/register", 'name="_csrf_token"'),
    (None, "/sites/site-ben-nghe", "Địa điểm site-ben-nghe"),
    (Role.BUSINESS, "/business", "Công ty TNHH Dệt may Bến Nghé"),
    (Role.BUSINESS, "/business/products", "Áo sơ mi cotton"),
    (Role.ORGANIZER, "/console", "<html"),
    (Role.ORGANIZER, "/console/businesses", "Công ty Tân Định Xanh"),
    (Role.GATE_STAFF, "/gate", "<html"),
    (Role.INSPECTOR, "/inspections", "<html"),
]


@pytest.mark.parametrize(("role", "path", "shows"), PAGES, ids=[p[1] for p in PAGES])
async def test_every_kind_of_page_carries_the_policy(world, client, role, path, shows):
    if role is not None:
        await login(client, role)
    response = await client.get(path.format(**world), headers=HTML)
    assert response.status_code == 200, response.text
    assert shows in response.text
    assert_page_headers(response)


async def test_an_error_page_carries_the_policy(world, client):
    missing = await client.get("/fairs/999999", headers=HTML)
    assert missing.status_code == 404
    assert "<html" in missing.text
    assert_page_headers(missing)
    refused = await client.get("/console", headers=HTML)  # nobody signed in
    assert refused.status_code in (303, 401, 403)
    assert_common_headers(refused)


async def test_a_refused_page_for_the_wrong_role_carries_the_policy(world, client):
    await login(client, Role.BUSINESS)
    refused = await client.get("/console/businesses", headers=HTML)
    assert refused.status_code == 403
    assert "<html" in refused.text
    assert_page_headers(refused)


async def test_json_answers_are_not_sniffed_as_pages(world, client):
    listing = await client.get("/api/fairs")
    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("application/json")
    assert_common_headers(listing)
    problem = await client.get("/api/sites/khong-co")
    assert problem.status_code == 404
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert_common_headers(problem)


async def test_calendar_feeds_and_files_are_not_sniffed_as_pages(world, client):
    for path in (
        "/calendar.ics",
        "/calendar/wards/ben-nghe.ics",
        f"/fairs/{world['fair_id']}.ics",
        f"/calendar/private/{world['calendar_token']}.ics",
    ):
        feed = await client.get(path)
        assert feed.status_code == 200, path
        assert feed.headers["content-type"].startswith("text/calendar"), path
        assert feed.text.startswith("BEGIN:VCALENDAR"), path
        assert_common_headers(feed)
    await login(client, Role.BUSINESS)
    pdf = await client.get(f"/api/passes/{world['pass_id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert_common_headers(pdf)
    script = await client.get("/static/gate.js")
    assert script.status_code == 200
    assert_common_headers(script)


async def test_api_docs_keep_their_own_page_without_the_site_policy(world, client):
    # Swagger UI runs an inline start-up script, which the site's policy would block.
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert_common_headers(docs)
