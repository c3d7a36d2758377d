"""Data a browser journey adds to the shared demo server through the JSON API, as organizers and
businesses would: its own fair, applications, decisions and a published allocation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from core.text import fold
from core.timezone import today_local

DEMO_PASSWORD = "demo12345"
ORGANIZER = "bantochuc@demo.vn"


@contextmanager
def session(base: str, email: str) -> Iterator[httpx.Client]:
    """A signed-in API client of that demo account."""
    with httpx.Client(base_url=base, timeout=60) as client:
        response = client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        yield client


def new_fair(organizer: httpx.Client, site_slug: str, title: str, days_ahead: int = 8) -> int:
    """A published fair of this journey's own, taking applications from now on."""
    day = today_local() + dt.timedelta(days=days_ahead)
    made = organizer.post(
        "/api/fairs",
        json={
            "title": f"{title} {uuid.uuid4().hex[:4]}",
            "site_slug": site_slug,
            "start": f"{day.isoformat()}T07:00:00",
            "end": f"{day.isoformat()}T12:00:00",
        },
    )
    assert made.status_code == 201, made.text
    fair_id = made.json()["id"]
    published = organizer.post(f"/api/fairs/{fair_id}/publish", json={})
    assert published.status_code == 200, published.text
    return fair_id


def apply_with(base: str, email: str, fair_id: int, avoid: str = "") -> int:
    """The business applies with one of its non-food products (whose name lacks `avoid`)."""
    with session(base, email) as business:
        goods = business.get("/api/businesses/me/products").json()
        product = next(
            p for p in goods if not p["is_food"] and not (avoid and avoid in fold(p["name"]))
        )
        applied = business.post(
            f"/api/fairs/{fair_id}/applications", json={"product_ids": [product["id"]]}
        )
        assert applied.status_code == 201, applied.text
        return applied.json()["id"]


def approve(organizer: httpx.Client, fair_id: int, application_ids: list[int]) -> None:
    decided = organizer.post(
        f"/api/fairs/{fair_id}/applications/decisions",
        json={"application_ids": application_ids, "status": "approved"},
    )
    assert decided.status_code == 200 and all(r["ok"] for r in decided.json()), decided.text


def allocate_and_publish(organizer: httpx.Client, fair_id: int) -> dict[str, Any]:
    ran = organizer.post(f"/api/fairs/{fair_id}/allocation/run", json={})
    assert ran.status_code == 200, ran.text
    published = organizer.post(f"/api/fairs/{fair_id}/allocation/publish", json={})
    assert published.status_code == 200, published.text
    return published.json()
