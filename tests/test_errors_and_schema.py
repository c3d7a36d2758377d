"""problem+json errors in both languages, health, OpenAPI and configuration errors."""

from __future__ import annotations

import re

import pytest

from core.roles import Role
from tests.conftest import run_cli
from tests.factories import login, seed_accounts, seed_places

pytestmark = pytest.mark.anyio


async def test_health_names_the_database_in_use(db, client):
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": db.name}


async def test_not_found_is_problem_json_in_vietnamese_then_english(db, client):
    response = await client.get("/api/sites/khong-co")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Không tìm thấy địa điểm “khong-co”."
    english = await client.get("/api/sites/khong-co", headers={"accept-language": "en-GB,en"})
    assert english.json()["detail"] == "No site “khong-co”."


async def test_unknown_route_is_problem_json(db, client):
    response = await client.get("/api/khong-ton-tai")
    assert response.status_code == 404
    assert response.json()["messages"] == {"vi": "Không tìm thấy.", "en": "Not found."}


async def test_validation_errors_name_the_field(db, client):
    await seed_places()
    await seed_accounts()
    await login(client, Role.ORGANIZER)
    response = await client.post(
        "/api/sites",
        json={
            "name": "X",
            "address": "Y",
            "ward_slug": "ben-nghe",
            "setting": "beach",
            "lat": 10.7,
            "lon": 106.7,
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert "setting" in body["detail"]
    assert body["messages"]["en"].startswith("The data sent is not valid")
    assert body["errors"][0]["key"] == "setting"


async def test_openapi_describes_the_json_api(db, client):
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/auth/login", "/api/wards", "/api/sites", "/health"):
        assert path in schema["paths"]
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200
    # Every script and style of the docs page comes from the app itself, and is there.
    assets = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', docs.text)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    for url in assets:
        assert (await client.get(url)).status_code == 200, url


def test_unknown_database_scheme_fails_at_start_with_a_clear_message():
    result = run_cli("migrate", database_url="mysql://root@localhost/phiencho")
    assert result.returncode == 2
    assert "Unsupported DATABASE_URL scheme 'mysql'" in result.stderr
    assert "postgresql://" in result.stderr


def test_importing_the_app_with_a_bad_url_fails_with_the_same_message(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": "oracle://x", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        timeout=60,
    )
    assert result.returncode != 0
    assert "Unsupported DATABASE_URL scheme 'oracle'" in result.stderr


def test_no_page_handler_declares_json():
    """A handler declared with a JSON media type sends its rendered page as application/json,
    which a browser shows as text: every handler outside the API must leave it to the page."""
    from litestar.handlers import HTTPRouteHandler

    from app import create_app

    machine_paths = ("/api", "/schema", "/calendar", "/health", "/static", "/admin")
    declared_json = [
        f"{route.path} {handler.handler_name}"
        for route in create_app().routes
        if not route.path.startswith(machine_paths)
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler) and handler.media_type == "application/json"
    ]
    assert declared_json == []
