"""Abuse: generated requests against every operation of the OpenAPI document, anonymous and as
each role, and uploads whose claimed type lies about their bytes.

Schemathesis draws each operation's requests from /schema/openapi.json (valid ones, and ones
that break the schema on purpose); every answer must not be a server error, must use a status
the document declares, and must match the body schema declared for that status. Requests go
through the in-loop ASGI client of the other tests; Hypothesis runs in a worker thread and
hands each request back to this event loop, so one asyncpg pool serves them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS
from schemathesis.core.failures import FailureGroup

from core.roles import Role
from core.settings import get_settings
from tests.conftest import CLIENT_ADDRESS
from tests.factories import PASSWORD, PDF_BYTES, ROLE_EMAILS, login, seed_world

pytestmark = pytest.mark.anyio

ANON = "anonymous"
# Examples per operation: anonymous callers reach few operations past the guard, so they get
# more; 75 operations × 6 callers stay within about a minute per backend on two cores.
EXAMPLES = {ANON: 12, **{role.value: 8 for role in Role}}
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
)
# Signing out ends the session the other requests of the run are made with.
SKIPPED = {("POST", "/api/auth/logout")}
# The limits a crowd of generated requests from one address would trip, raised for this test.
LIMITS = {
    "REQUESTS_PER_MINUTE": "1000000",
    "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
    "LOGIN_ATTEMPTS_PER_ACCOUNT": "1000000",
}


@pytest.fixture
def raised_limits() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in LIMITS}
    os.environ.update(LIMITS)
    get_settings.cache_clear()
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture
async def abuse_client(db, raised_limits) -> AsyncIterator[httpx.AsyncClient]:
    from app import create_app

    application = create_app()
    async with application.lifespan():
        transport = httpx.ASGITransport(app=application, client=CLIENT_ADDRESS)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def real_ids(world: dict[str, int]) -> dict[str, Any]:
    """Path parameters that name seeded rows, so that generated requests also reach them."""
    return {
        "fair_id": [world["fair_id"], world["other_fair_id"], world["past_fair_id"]],
        "business_id": [world["business_id"], world["other_business_id"]],
        "application_id": [world["application_id"]],
        "product_id": [world["product_id"]],
        "document_id": [world["document_id"]],
        "pass_id": [world["pass_id"]],
        "slug": ["site-ben-nghe", "ben-nghe"],
        "filename": ["site-ben-nghe.ics", "ben-nghe.ics", f"{world['calendar_token']}.ics"],
    }


def request_of(case: Any) -> dict[str, Any]:
    """The generated request as httpx arguments (schemathesis serialises it for requests)."""
    sent = case.as_transport_kwargs(base_url="http://testserver")
    arguments: dict[str, Any] = {
        "method": sent["method"],
        "url": sent["url"],
        "params": sent.get("params"),
        # A page's script sends this header with its uploads (core/security.py).
        "headers": {**(sent.get("headers") or {}), "x-site-csrf": "1"},
    }
    if sent.get("cookies"):
        cookie = "; ".join(f"{k}={v}" for k, v in sent["cookies"].items())
        arguments["headers"]["cookie"] = cookie
    if "json" in sent:
        arguments["content"] = json.dumps(sent["json"]).encode()
        arguments["headers"].setdefault("Content-Type", "application/json")
    elif "files" in sent:
        # Encoded as schemathesis's own transport would, odd generated parts included.
        encoded = requests.Request(
            "POST", sent["url"], files=sent["files"], data=sent.get("data") or {}
        ).prepare()
        arguments["content"] = encoded.body
        arguments["headers"]["Content-Type"] = encoded.headers["Content-Type"]
    elif sent.get("data") is not None:
        data = sent["data"]
        arguments["content"] = data if isinstance(data, bytes) else str(data).encode()
    return arguments


def run_operation(
    operation: Any,
    client: httpx.AsyncClient,
    ids: dict[str, list[Any]],
    examples: int,
    failures: dict[str, str],
) -> None:
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECK_NAMES]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), pick=st.integers(min_value=0, max_value=5))
    def exchange(case: Any, pick: int) -> None:
        if pick < 3:  # half the examples address seeded rows rather than random numbers
            for name in case.path_parameters or {}:
                if name in ids:
                    case.path_parameters[name] = ids[name][pick % len(ids[name])]
        arguments = request_of(case)
        response = anyio.from_thread.run(lambda: client.request(**arguments))
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, FailureGroup) as failure:
            found = [line.strip() for line in str(failure).splitlines() if line.startswith("- ")]
            key = f"{operation.label} → {response.status_code}: {'; '.join(found)}"
            # One line per kind of failure, with the first request that showed it.
            failures.setdefault(
                key, f"{arguments['method']} {response.request.url} {response.text[:300]!r}"
            )

    exchange()


@pytest.mark.parametrize("role", [ANON, *(r.value for r in Role)])
async def test_generated_requests_find_no_server_error_nor_schema_breach(abuse_client, role):
    client = abuse_client
    world = await seed_world()
    if role != ANON:
        signed_in = await client.post(
            "/api/auth/login", json={"email": ROLE_EMAILS[Role(role)], "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    ids = real_ids(world)
    failures: dict[str, str] = {}
    tested = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        tested.add((operation.method.upper(), operation.path))
        await anyio.to_thread.run_sync(
            run_operation, operation, client, ids, EXAMPLES[role], failures
        )
    declared = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "head", "put", "post", "patch", "delete"}
    }
    assert tested | SKIPPED == declared
    assert not failures, "\n".join(f"{k}\n    {v}" for k, v in failures.items())


# Bytes of other types under the names and types of accepted ones (tests/test_businesses.py
# covers a Windows program named .pdf and HTML claimed as PNG).
FORGED = (
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
    ("giay-phep.pdf", b"<!DOCTYPE html><script>alert(1)</script>%PDF-1.4", "application/pdf"),
    ("anh.jpg", b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "image/jpeg"),
    ("anh.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/png"),
    ("gcn.pdf", b"%PD", "application/pdf"),
    ("gcn.pdf", b" " + PDF_BYTES, "application/pdf"),
)


@pytest.mark.parametrize(("name", "content", "claimed"), FORGED)
async def test_uploads_whose_bytes_are_not_pdf_jpeg_or_png_are_refused(
    db, client, name, content, claimed
):
    from vendors.tables import Document

    await seed_world()
    await login(client, Role.BUSINESS)
    before = await Document.count()
    response = await client.post(
        "/api/businesses/me/documents",
        files={"file": (name, content, claimed)},
        data={"kind": "registration_certificate"},
        headers={"x-site-csrf": "1"},
    )
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["messages"]["vi"] == "Chỉ nhận tệp PDF, JPEG hoặc PNG."
    assert await Document.count() == before


async def test_an_upload_is_kept_and_served_as_what_its_bytes_are(db, client):
    """A real PNG named and claimed as an HTML page is stored as a PNG, never served as HTML."""
    await seed_world()
    await login(client, Role.BUSINESS)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = await client.post(
        "/api/businesses/me/documents",
        files={"file": ("trang.pdf.html", png, "text/html")},
        data={"kind": "registration_certificate"},
        headers={"x-site-csrf": "1"},
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["content_type"], stored["filename"]) == ("image/png", "trang.pdf.png")
    served = await client.get(stored["url"])
    assert served.content == png
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("attachment;")


async def test_numbers_beyond_what_the_database_holds_are_the_callers_mistake(db, client):
    """64-bit overflow on SQLite, int4 overflow on PostgreSQL: a clear 400, not a crash."""
    world = await seed_world()
    too_large = 2**63
    response = await client.get(f"/api/fairs/{too_large}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["messages"]["en"].startswith("The data sent holds a value out of range")
    await login(client, Role.BUSINESS)
    applied = await client.post(
        f"/api/fairs/{world['other_fair_id']}/applications", json={"product_ids": [too_large]}
    )
    assert applied.status_code == 400, applied.text
    assert (await client.get(f"/api/fairs/{world['other_fair_id']}")).status_code == 200
