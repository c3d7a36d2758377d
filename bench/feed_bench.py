"""Feed of 1,000 fairs: fresh render, cached 200 and 304, against the framework's floor.

The floor is a route of the same app that returns the same bytes from memory, so the ratios
show what the feed code adds. Run: .venv/bin/python bench/feed_bench.py
"""

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="feed-bench-"))
os.environ.update(
    {
        "VAR_DIR": str(TMP),
        "DATABASE_URL": f"sqlite:///{TMP / 'bench.sqlite3'}",
        "DEMO": "0",
        "MAIL_POLL_SECONDS": "0",
        "REQUESTS_PER_MINUTE": "1000000",
    }
)
sys.path.insert(0, str(ROOT))

FAIRS = 1000
ROUNDS = 5


async def seed() -> None:
    from core.tables import Ward
    from core.timezone import LOCAL_TZ
    from events.tables import Fair, Site

    ward = Ward(slug="ben-thanh", name="Bến Thành")
    await ward.save()
    site = Site(
        slug="clb-nguyen-du",
        name="Câu lạc bộ Văn hóa Thể dục thể thao Nguyễn Du",
        address="116 Nguyễn Du, Phường Bến Thành, Quận 1",
        ward=ward.id,
        setting="residential",
        lat=10.77421,
        lon=106.69525,
        capacity=40,
    )
    await site.save()
    first = dt.datetime.now(LOCAL_TZ).replace(hour=7, minute=0, second=0, microsecond=0)
    rows = []
    for number in range(FAIRS):
        start = first + dt.timedelta(days=number % 300 - 60, minutes=number)
        rows.append(
            Fair(
                title=f"Phiên chợ hàng Việt số {number} — Nguyễn Du",
                site=site.id,
                setting="residential",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=5),
                applications_open_at=start - dt.timedelta(days=40),
                applications_close_at=start - dt.timedelta(days=3),
                withdrawal_cutoff_at=start - dt.timedelta(days=2),
                description="Hàng Việt Nam chất lượng cao, giá bình ổn cho người lao động.",
                status="cancelled" if number % 17 == 0 else "published",
            )
        )
    await Fair.insert(*rows)


async def rate(client, path: str, headers: dict[str, str], seconds: float, before=None) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        if before:
            await before()
        response = await client.get(path, headers=headers)
        assert response.status_code in (200, 304), response.status_code
        count += 1
    return count / (time.perf_counter() - started)


async def main() -> None:
    import httpx
    from litestar import Response, get

    from app import create_app

    await seed()
    app = create_app()
    body_holder: dict[str, bytes] = {}

    @get("/floor.ics", media_type="text/calendar")
    async def floor() -> Response[bytes]:
        return Response(body_holder["body"], media_type="text/calendar")

    app.register(floor)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = await client.get("/calendar.ics")
            body_holder["body"] = first.content
            etag = first.headers["etag"]
            store = app.stores.get("response_cache")
            kinds = {
                "floor (same bytes from memory)": ("/floor.ics", {}, None, 1.0),
                "feed, cached 200": ("/calendar.ics", {}, None, 1.0),
                "feed, 304 (If-None-Match)": ("/calendar.ics", {"if-none-match": etag}, None, 1.0),
                "feed, fresh render": ("/calendar.ics", {}, store.delete_all, 3.0),
            }
            results: dict[str, list[float]] = {k: [] for k in kinds}
            for _ in range(ROUNDS):  # interleaved rounds: a noisy machine hits all kinds alike
                for name, (path, headers, before, seconds) in kinds.items():
                    results[name].append(await rate(client, path, headers, seconds, before))
    floor_median = statistics.median(results["floor (same bytes from memory)"])
    events = first.content.count(b"BEGIN:VEVENT")
    print(
        f"Feed benchmark: {FAIRS} fairs ({events} in the feed window), "
        f"{len(first.content) / 1024:.0f} KiB, {ROUNDS} rounds, median requests/s"
    )
    print(f"{'kind':34} {'req/s':>9} {'vs floor':>9}")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:34} {median:9.1f} {median / floor_median:9.0%}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"(commit {commit}, SQLite, in-process ASGI client, {os.cpu_count()} cores)")


if __name__ == "__main__":
    subprocess.run(
        [sys.executable, "-m", "manage", "migrate"], cwd=ROOT, check=True, capture_output=True
    )
    asyncio.run(main())
