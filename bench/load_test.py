"""Load test: a fair day's mix of requests against the real server, several workers, on
PostgreSQL and Redis, driven over loopback from this process.

The script makes its own PostgreSQL database (migrated, demo data loaded by `manage setup`),
adds upcoming fairs open for applications, starts `python -m manage serve` with WORKERS
workers and REDIS_URL on its own Redis database, and sends a bounded number of requests:

- feed polls as calendar apps make them (If-None-Match with the ETag they were given),
- public pages (/, /fairs/{id}, /api/fairs),
- logins of demo accounts, applications of verified businesses to an upcoming fair,
- check-ins of real pass codes of today's fair (first scans and repeats),
- GET /health, the floor: the same server answering without work.

Three runs: /health alone and the mix, each in a closed loop of CONCURRENCY clients (the most
the machine serves), then the mix paced at a fair day's rate (open loop: requests arrive at
their time whatever the answers, so latencies are the server's, not a queue the clients make).
Per kind: requests, errors, req/s, p50 and p99; peak memory (VmHWM) of every worker. Prints a
table and writes the figures as JSON. Everything it made (server, database, Redis keys, files)
is removed at the end. Times are reported, not asserted.

Run: .venv/bin/python bench/load_test.py [--quick] [--json path]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pass_bench import (  # noqa: E402  (same folder: the database plumbing)
    PG_URL,
    create_database,
    drop_database,
    percentile,
)

from tests.live_server import LiveServer  # noqa: E402  (the same server process the tests use)

WORKERS = 2
CONCURRENCY = 32
REDIS_URL = "redis://127.0.0.1:6379/13"  # the load test's own Redis database, emptied after
DEMO_PASSWORD = "demo12345"  # noqa: S105  (the demo accounts of a throwaway database)
GATE_EMAIL = "cong@demo.vn"
GATE_DEVICES = 4
GOAL_CHECKIN_P99_MS = 50
GOAL_WORKER_MB = 200
# A fair day, per 100 requests: calendar apps polling, people reading pages, the gate scanning,
# a few sign-ins and applications to coming fairs, and the floor.
MIX = {
    "feed poll": 30,
    "public page": 30,
    "check-in": 25,
    "login": 6,
    "application": 5,
    "health": 4,
}
KINDS = [*MIX]


def run_cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "manage", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage {' '.join(args)} failed:\n{done.stderr[-2000:]}")


async def prepare(applications_needed: int) -> dict[str, Any]:
    """What the clients need from the demo database: today's fair and its pass codes, fair
    and site ids for pages and feeds, business accounts and the applications they may make
    (adding upcoming fairs open for applications until there are enough)."""
    from core.database import prepare_engine, release_engine
    from core.tables import Account
    from core.timezone import LOCAL_TZ, now_utc, today_local
    from events.tables import Application, Fair, Site
    from tickets.tables import Pass
    from vendors.tables import Business, Product

    engine = Fair._meta.db
    await prepare_engine(engine)
    try:
        fairs = await Fair.select(Fair.id, Fair.starts_at, Fair.status, Fair.site.slug).run()
        published = [f for f in fairs if f["status"] == "published"]
        today = [
            f for f in published if f["starts_at"].astimezone(LOCAL_TZ).date() == today_local()
        ]
        codes = [
            r["code"]
            for r in await Pass.select(Pass.code)
            .where((Pass.fair == today[0]["id"]) & (Pass.status == "active"))
            .run()
        ]
        businesses = await (
            Business.select(Business.id, Business.email)
            .where(Business.status == "verified")
            .order_by(Business.id)
            .run()
        )
        products: dict[int, list[int]] = defaultdict(list)
        for row in await Product.select(
            Product.id, Product.business, Product.category.is_food
        ).run():
            if not row["category.is_food"]:  # food needs a certificate; these need nothing
                products[row["business"]].append(row["id"])
        applicants = [b for b in businesses if products[b["id"]]]
        site = (
            await Site.select(Site.id, Site.setting)
            .where(Site.slug == "trung-tam-van-hoa-quan-1")
            .first()
            .run()
        )
        now = now_utc().replace(second=0, microsecond=0)
        new_fairs = []
        for number in range(-(-applications_needed // max(1, len(applicants)))):
            start = now + dt.timedelta(days=60 + 7 * number, hours=2)
            fair = Fair(
                title=f"Phiên chợ hàng Việt cuối tuần số {number + 1}",
                site=site["id"],
                setting=site["setting"],
                starts_at=start,
                ends_at=start + dt.timedelta(hours=5),
                applications_open_at=now - dt.timedelta(days=1),
                applications_close_at=now + dt.timedelta(days=30),
                withdrawal_cutoff_at=now + dt.timedelta(days=40),
                status="published",
            )
            await fair.save().run()
            new_fairs.append(fair.id)
        taken = {
            (r["business"], r["fair"])
            for r in await Application.select(Application.business, Application.fair).run()
        }
        applications = [
            (b["email"], fair_id, products[b["id"]][:2])
            for fair_id in new_fairs
            for b in applicants
            if (b["id"], fair_id) not in taken
        ]
        accounts = [
            r["user.email"]
            for r in await Account.select(Account.user.email).order_by(Account.id).run()
        ]
    finally:
        await release_engine(engine)
    return {
        "today_fair": today[0]["id"],
        "fairs": [f["id"] for f in published],
        "sites": sorted({f["site.slug"] for f in published}),
        "codes": codes,
        "applications": applications,
        "accounts": accounts,
    }


def peak_memory_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Driver:
    """The clients of a fair day, each kind with the session and state it needs."""

    def __init__(self, base: str, data: dict[str, Any], rng: random.Random) -> None:
        import httpx

        self.httpx = httpx
        self.base = base
        self.data = data
        self.rng = rng
        self.codes = list(data["codes"])
        rng.shuffle(self.codes)
        self.scanned: list[str] = []
        self.applications = list(data["applications"])
        self.etags: dict[str, str] = {}
        self.errors: Counter[str] = Counter()
        # Idle connections closed before uvicorn's 5 s keep-alive ends, as browsers do, so that no
        # request races the server closing its connection.
        limits = httpx.Limits(max_connections=CONCURRENCY, keepalive_expiry=4)
        self.limits = httpx.Limits(keepalive_expiry=4)
        self.anonymous = httpx.AsyncClient(base_url=base, timeout=30, limits=limits)
        self.gates: list[Any] = []
        self.businesses: dict[str, Any] = {}

    async def sign_in(self, email: str) -> Any:
        client = self.httpx.AsyncClient(base_url=self.base, timeout=30, limits=self.limits)
        response = await client.post(
            "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        response.raise_for_status()
        return client

    async def open(self) -> None:
        """Gate devices and the businesses that will apply sign in before the clock starts."""
        self.gates = [await self.sign_in(GATE_EMAIL) for _ in range(GATE_DEVICES)]
        for email in sorted({email for email, _, _ in self.applications}):
            self.businesses[email] = await self.sign_in(email)

    async def close(self) -> None:
        for client in [self.anonymous, *self.gates, *self.businesses.values()]:
            await client.aclose()

    def failed(self, kind: str, why: str) -> str:
        self.errors[f"{kind}: {why}"] += 1
        return "error"

    async def feed_poll(self) -> str:
        path = self.rng.choice(
            [
                "/calendar.ics",
                f"/calendar/sites/{self.rng.choice(self.data['sites'])}.ics",
                f"/fairs/{self.rng.choice(self.data['fairs'])}.ics",
            ]
        )
        etag = self.etags.get(path)
        response = await self.anonymous.get(path, headers={"if-none-match": etag} if etag else {})
        if response.status_code == 200:
            self.etags[path] = response.headers.get("etag", "")
        elif response.status_code != 304:
            return self.failed("feed poll", f"HTTP {response.status_code}")
        return "feed poll"

    async def public_page(self) -> str:
        path = self.rng.choice(["/", f"/fairs/{self.rng.choice(self.data['fairs'])}", "/api/fairs"])
        response = await self.anonymous.get(path)
        if response.status_code != 200:
            return self.failed("public page", f"HTTP {response.status_code} {path}")
        return "public page"

    async def check_in(self) -> str:
        first = bool(self.codes) and (not self.scanned or self.rng.random() < 0.6)
        code = self.codes.pop() if first else self.rng.choice(self.scanned)
        device = self.rng.randrange(GATE_DEVICES)
        response = await self.gates[device].post(
            "/api/checkin",
            json={"code": code, "gate": "Cổng Nguyễn Du", "device_id": f"cong-{device}"},
        )
        result = response.json().get("result") if response.status_code == 200 else None
        if result not in ("accepted", "duplicate"):
            return self.failed("check-in", f"HTTP {response.status_code} {result}")
        if first:
            self.scanned.append(code)
        return "check-in"

    async def login(self) -> str:
        async with self.httpx.AsyncClient(
            base_url=self.base, timeout=30, limits=self.limits
        ) as client:
            response = await client.post(
                "/api/auth/login",
                json={"email": self.rng.choice(self.data["accounts"]), "password": DEMO_PASSWORD},
            )
        if response.status_code != 200:
            return self.failed("login", f"HTTP {response.status_code}")
        return "login"

    async def application(self) -> str:
        if not self.applications:
            return self.failed("application", "none left to make")
        email, fair_id, product_ids = self.applications.pop()
        response = await self.businesses[email].post(
            f"/api/fairs/{fair_id}/applications", json={"product_ids": product_ids}
        )
        if response.status_code != 201:
            return self.failed("application", f"HTTP {response.status_code} {response.text[:80]}")
        return "application"

    async def health(self) -> str:
        response = await self.anonymous.get("/health")
        if response.status_code != 200:
            return self.failed("health", f"HTTP {response.status_code}")
        return "health"

    def sender(self, kind: str) -> Callable[[], Awaitable[str]]:
        return {
            "feed poll": self.feed_poll,
            "public page": self.public_page,
            "check-in": self.check_in,
            "login": self.login,
            "application": self.application,
            "health": self.health,
        }[kind]

    async def timed(self, kind: str, samples: list[tuple[str, float]]) -> None:
        started = time.perf_counter()
        try:
            outcome = await self.sender(kind)()
        except self.httpx.HTTPError as exc:
            outcome = self.failed(kind, type(exc).__name__)
        samples.append(
            (kind if outcome != "error" else f"{kind} (error)", time.perf_counter() - started)
        )

    async def closed(self, jobs: list[str]) -> tuple[float, list[tuple[str, float]]]:
        """CONCURRENCY clients, each sending its next request when its last one is answered."""
        pending = iter(jobs)
        samples: list[tuple[str, float]] = []

        async def client() -> None:
            for kind in pending:
                await self.timed(kind, samples)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started, samples

    async def paced(self, jobs: list[str], rate: float) -> tuple[float, list[tuple[str, float]]]:
        """Poisson arrivals at `rate` a second, each request sent at its time."""
        samples: list[tuple[str, float]] = []
        tasks = []
        started = time.perf_counter()
        due = started
        for kind in jobs:
            due += self.rng.expovariate(rate)
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.timed(kind, samples)))
        await asyncio.gather(*tasks)
        return time.perf_counter() - started, samples


def mix_jobs(count: int, rng: random.Random) -> list[str]:
    jobs = [kind for kind, share in MIX.items() for _ in range(round(count * share / 100))]
    rng.shuffle(jobs)
    return jobs


def summarise(seconds: float, samples: list[tuple[str, float]]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for kind, value in samples:
        if kind.endswith(" (error)"):
            errors[kind.removesuffix(" (error)")] += 1
        else:
            by_kind[kind].append(value)
    rows = {}
    for kind in [*KINDS, "all"]:
        values = (
            [v for k, v in samples if not k.endswith("(error)")] if kind == "all" else by_kind[kind]
        )
        if not values and not errors[kind]:
            continue
        rows[kind] = {
            "requests": len(values) + (sum(errors.values()) if kind == "all" else errors[kind]),
            "errors": sum(errors.values()) if kind == "all" else errors[kind],
            "req_per_s": (len(values) + errors[kind]) / seconds
            if kind != "all"
            else len(samples) / seconds,
            "p50_ms": percentile(values, 0.50) * 1000 if values else None,
            "p99_ms": percentile(values, 0.99) * 1000 if values else None,
        }
    return {"seconds": seconds, "kinds": rows}


def print_run(title: str, run: dict[str, Any], floor: dict[str, Any] | None) -> None:
    print(title)
    print(f"   {'kind':14} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, row in run["kinds"].items():
        p50 = f"{row['p50_ms']:8.1f}" if row["p50_ms"] is not None else f"{'–':>8}"
        p99 = f"{row['p99_ms']:8.1f}" if row["p99_ms"] is not None else f"{'–':>8}"
        print(
            f"   {kind:14} {row['requests']:9,} {row['errors']:7,} {row['req_per_s']:8.1f} "
            f"{p50} {p99}"
        )
    if floor:
        ratio = run["kinds"]["all"]["req_per_s"] / floor["kinds"]["health"]["req_per_s"]
        print(f"   mix throughput vs /health alone: {ratio:.1%}")


async def drive(base: str, data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(20261213)
    driver = Driver(base, data, rng)
    try:
        await driver.open()
        # Warm-up: connections, templates and caches, no pass or application used up.
        await driver.closed(["health", "public page", "feed poll"] * CONCURRENCY)
        driver.errors.clear()
        floor = summarise(*await driver.closed(["health"] * args.requests))
        closed = summarise(*await driver.closed(mix_jobs(args.requests, rng)))
        paced = summarise(*await driver.paced(mix_jobs(args.requests, rng), args.rate))
    finally:
        await driver.close()
    return {"floor": floor, "closed": closed, "paced": paced, "errors": dict(driver.errors)}


async def serve_and_drive(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    applications_needed = 2 * round(args.requests * MIX["application"] / 100)
    data = await prepare(applications_needed)
    server = LiveServer(Path(env["VAR_DIR"]) / "server.log", env=env, workers=WORKERS)
    try:
        server.wait_healthy()
        workers = server.worker_pids()
        result = await asyncio.wait_for(drive(server.base, data, args), timeout=args.timeout)
        result["workers"] = [{"pid": pid, "peak_mb": peak_memory_mb(pid)} for pid in workers]
        logged = server.log.read_text(errors="replace").splitlines()
        result["server_errors"] = [line for line in logged if "ERROR" in line][:20]
    finally:
        server.stop()
    result["passes"] = len(data["codes"])
    result["applications_available"] = len(data["applications"])
    return result


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"Load test: the real server, {WORKERS} uvicorn workers, PostgreSQL and Redis, driven "
        f"over loopback; demo data, {result['passes']} passes of today's fair"
    )
    print_run(
        f"1. GET /health alone (the floor), {CONCURRENCY} clients in a closed loop",
        result["floor"],
        None,
    )
    print_run(
        f"2. fair-day mix, {CONCURRENCY} clients in a closed loop (the most it serves)",
        result["closed"],
        result["floor"],
    )
    print_run(
        f"3. fair-day mix paced at {args.rate:g} requests/s (Poisson arrivals, open loop)",
        result["paced"],
        None,
    )
    mix = ", ".join(f"{kind} {share}%" for kind, share in MIX.items())
    print(f"   mix: {mix}")
    memory = ", ".join(f"{w['peak_mb']:.0f} MB" for w in result["workers"])
    peak = max((w["peak_mb"] for w in result["workers"]), default=float("nan"))
    errors = sum(
        run["kinds"]["all"]["errors"] for run in (result[k] for k in ("floor", "closed", "paced"))
    )
    checkin = result["paced"]["kinds"].get("check-in", {}).get("p99_ms") or float("nan")
    print(f"   peak memory per worker (VmHWM): {memory}")
    for line in result["server_errors"]:
        print(f"   server log: {line}")
    print(
        "   goals: errors 0 — "
        + ("met" if errors == 0 else f"MISSED ({errors}: {result['errors']})")
        + f"; check-in p99 < {GOAL_CHECKIN_P99_MS} ms at the fair-day rate — "
        + ("met" if checkin < GOAL_CHECKIN_P99_MS else "missed")
        + f" ({checkin:.1f} ms); memory < {GOAL_WORKER_MB} MB per worker — "
        + ("met" if peak < GOAL_WORKER_MB else "missed")
        + f" ({peak:.0f} MB)"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"(commit {commit}, Python {sys.version.split()[0]}, {os.cpu_count()} cores shared by "
        f"the clients, the server, PostgreSQL and Redis{', --quick' if args.quick else ''})"
    )


def clear_redis() -> None:
    import redis

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--requests", type=int, help="requests per run (default 2400, quick 600)")
    parser.add_argument("--rate", type=float, default=15.0, help="paced requests a second")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before giving up")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    args.requests = args.requests or (600 if args.quick else 2400)

    tmp = Path(tempfile.mkdtemp(prefix="load-test-"))
    database = f"phiencho_load_{os.getpid()}_{int(time.time())}"
    reason = create_database(database)
    if reason:
        print(f"Load test: skipped (PostgreSQL: {reason})")
        return
    # Before any project import: settings and the engine are read from these once.
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL.format(name=database),
        "REDIS_URL": REDIS_URL,
        "DEMO": "1",
        "VAR_DIR": str(tmp),
        "MAIL_POLL_SECONDS": "0",
        "HOST": "127.0.0.1",
        # Every client comes from 127.0.0.1 here, where a fair day's come from many addresses.
        "REQUESTS_PER_MINUTE": "10000000",
        "LOGIN_ATTEMPTS_PER_ADDRESS": "10000000",
    }
    for name in ("PUBLIC_URL", "PASS_KEYS", "WORKERS"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)
    clear_redis()
    try:
        run_cli(env, "setup")
        result = asyncio.run(serve_and_drive(env, args))
    finally:
        drop_database(database)
        clear_redis()
        shutil.rmtree(tmp, ignore_errors=True)
    report(result, args)
    if args.json:
        result["settings"] = {
            "workers": WORKERS,
            "concurrency": CONCURRENCY,
            "requests": args.requests,
            "rate": args.rate,
            "mix": MIX,
            "quick": args.quick,
        }
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
