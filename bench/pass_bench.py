"""QR passes: PDF rendering, code verification and gate check-in, each against a floor measured
in the same run.

1. Pass PDFs per second, four per A4 sheet and one per A6 page, for our vector QR, for the same
   pass with reportlab's QrCodeWidget, and for the floor: the same pages without a QR. Interleaved
   rounds of equal slices of 1,000 passes give the medians; the whole batch of 1,000 is then made
   once per layout for its time and its bytes per pass, and a single pass for its size.
2. Verifications per second: tickets.codes.decode against bare Ed25519 verification of the same
   payloads and signatures.
3. Check-in over loopback on PostgreSQL: the real server (`python -m manage serve`) with a
   published fair running today and ~1,000 passes, 50 gate devices each signed in with its own
   device id, first and repeated scans; the floor is the same server's GET /health, sent by the
   same signed-in devices. Skipped, with the reason, when PostgreSQL cannot be reached.

Times are reported, not asserted. Run: .venv/bin/python bench/pass_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import LiveServer  # noqa: E402  (the same server process the tests use)

PASSES = 1000
GATE_DEVICES = 50
# The paced run: each of the devices scans every PACED_INTERVAL seconds (a busy gate).
PACED_INTERVAL = 0.5
PACED_TOTAL = 1000
PACED_FIRST = 300
PG_ADMIN = ("-h", "127.0.0.1", "-p", "5432", "-U", "postgres")
PG_URL = "postgresql://postgres@127.0.0.1:5432/{name}"
GATE_EMAIL = "cong.nguyendu@bench.vn"
GATE_PASSWORD = "cong-chinh-2026"  # noqa: S105  (a throwaway account in a throwaway database)
GOAL_PASSES_PER_SECOND = 300
GOAL_SINGLE_PASS_BYTES = 40_000
GOAL_CHECKIN_P99_MS = 50

SITE = "Câu lạc bộ Văn hóa Thể dục thể thao Nguyễn Du"
ADDRESS = "116 Nguyễn Du, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh"
FAIR_TITLE = "Phiên chợ hàng Việt tháng 12 — CLB Nguyễn Du"
GATES = ("Cổng Nguyễn Du", "Cổng Lê Duẩn", "Cổng Huyền Trân Công Chúa")
# Legal forms, trades (with their goods category) and places that Vietnamese business names
# are made of: 5 × 14 × 20 combinations give 1,000 distinct, plausible names.
FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Hộ kinh doanh", "Hợp tác xã", "Cơ sở sản xuất")
TRADES = (
    ("Thực phẩm", "thuc-pham-che-bien"),
    ("Nước mắm", "thuc-pham-che-bien"),
    ("Bánh kẹo", "thuc-pham-che-bien"),
    ("Cà phê", "do-uong"),
    ("Trà", "do-uong"),
    ("Nông sản sạch", "nong-san"),
    ("Dệt may", "may-mac"),
    ("Lụa tơ tằm", "may-mac"),
    ("Giày da", "giay-da"),
    ("Gốm sứ", "thu-cong"),
    ("Mây tre đan", "thu-cong"),
    ("Đồ gỗ", "gia-dung"),
    ("Mỹ phẩm thiên nhiên", "my-pham"),
    ("Đồ chơi gỗ", "do-choi"),
)
PLACES = (
    "Sông Hậu",
    "Bảo Lộc",
    "Lái Thiêu",
    "Bến Nghé",
    "Tân Định",
    "Phú Quốc",
    "Bát Tràng",
    "Vạn Phúc",
    "Hội An",
    "Đà Lạt",
    "Cần Giờ",
    "Củ Chi",
    "Mỹ Tho",
    "Bến Tre",
    "Phan Thiết",
    "Hà Tiên",
    "Sa Đéc",
    "Thủ Đức",
    "Ninh Thuận",
    "Đồng Tháp Mười",
)


def business_names(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(legal name, trade name or "", category slug), distinct by legal name."""
    combos = rng.sample(list(itertools.product(FORMS, TRADES, PLACES)), count)
    names = []
    for number, (form, (trade, category), place) in enumerate(combos):
        # Some businesses trade under a shorter name; the pass prints that one when there is one.
        names.append(
            (f"{form} {trade} {place}", f"{trade} {place}" if number % 3 == 0 else "", category)
        )
    return names


# --- 1. Pass PDFs -------------------------------------------------------------------------------


def pass_sheets(count: int, rng: random.Random) -> list[Any]:
    from demo.maps import layout
    from demo.places import CATEGORIES
    from tickets.codes import Kind, PassData, encode
    from tickets.pdf import PassSheet
    from tickets.services import new_short_code

    plan = tuple((s["code"], s["x"], s["y"], s["width"], s["depth"]) for s in layout(40))
    codes = [s[0] for s in plan]
    category_names = {slug: vi for slug, vi, _, _ in CATEGORIES}
    day = dt.date.today() + dt.timedelta(days=3)
    sheets = []
    for number, (legal, trade, category) in enumerate(business_names(count, rng)):
        kind, holder, category_name = Kind.BUSINESS, trade or legal, category_names[category]
        first = number % len(codes)
        # One business in ten holds a double stall (two joined neighbours).
        stalls = codes[first] + (f",{codes[first - 1]}" if number % 10 == 0 else "")
        if number % 25 == 24:  # a batch also holds the volunteers' passes, with no stall
            kind, category_name, stalls = Kind.VOLUNTEER, "", ""
            holder = f"Tình nguyện viên {number}"
        data = PassData(
            pass_id=number + 1,
            fair_id=4711,
            stall=stalls.split(",")[0],
            first_day=day,
            days=1,
            kind=kind,
        )
        code = encode(data)
        sheets.append(
            PassSheet(
                code=code,
                short_code=new_short_code(),
                kind=int(kind),
                holder=holder,
                category=category_name,
                stalls=stalls,
                fair_title=FAIR_TITLE,
                when=f"{day:%d/%m/%Y}, 07:00–12:00",
                site=SITE,
                address=ADDRESS,
                map_stalls=plan,
            )
        )
    return sheets


def draw_no_qr(canvas: Any, text: str, x: float, y: float, size: float) -> None:
    """The floor: the pass without its QR, everything else drawn alike."""


def draw_qr_widget(canvas: Any, text: str, x: float, y: float, size: float) -> None:
    """The QR as reportlab draws it itself: same text, level M, no quiet zone, same size."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(text, barLevel="M", barBorder=0)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


@contextlib.contextmanager
def qr_drawn_by(draw: Callable[..., None] | None) -> Iterator[None]:
    """draw_pass looks draw_qr up in its module on each call, so swapping it there is enough."""
    import tickets.pdf

    original = tickets.pdf.draw_qr
    tickets.pdf.draw_qr = draw or original
    try:
        yield
    finally:
        tickets.pdf.draw_qr = original


def render(sheets: list[Any], four_up: bool, draw: Callable[..., None] | None) -> tuple[float, int]:
    """Seconds taken and bytes made for one PDF of these sheets."""
    from tickets.pdf import passes_pdf

    with qr_drawn_by(draw):
        started = time.perf_counter()
        body = passes_pdf(sheets, four_up=four_up)
        return time.perf_counter() - started, len(body)


def bench_pdfs(rounds: int, slice_size: int) -> list[Any]:
    from tickets.pdf import passes_pdf

    rng = random.Random(20261213)
    started = time.perf_counter()
    sheets = pass_sheets(PASSES, rng)
    made = time.perf_counter() - started
    render(sheets[:4], True, None)  # fonts registered and subset code warmed before timing
    variants = {
        "floor: same pages, no QR": draw_no_qr,
        "vector QR (tickets.pdf)": None,
        "reportlab QrCodeWidget": draw_qr_widget,
    }
    layouts = {"4 per A4": True, "1 per A6": False}
    rates: dict[tuple[str, str], list[float]] = {(v, la): [] for v in variants for la in layouts}
    sizes: dict[tuple[str, str], list[float]] = {key: [] for key in rates}
    for number in range(rounds):  # interleaved: a noisy machine slows every kind alike
        chunk = sheets[number * slice_size % PASSES :][:slice_size]
        for layout_name, four_up in layouts.items():
            for variant, draw in variants.items():
                seconds, size = render(chunk, four_up, draw)
                rates[(variant, layout_name)].append(len(chunk) / seconds)
                sizes[(variant, layout_name)].append(size / len(chunk))

    print(
        f"1. Pass PDFs: {PASSES:,} realistic passes (40-stall site plan, signed codes made in "
        f"{made:.1f} s), {rounds} interleaved rounds of {slice_size}-pass PDFs, median"
    )
    print(f"   {'layout':10} {'QR drawn by':28} {'passes/s':>9} {'vs floor':>9} {'bytes/pass':>11}")
    for layout_name in layouts:
        floor = statistics.median(rates[("floor: same pages, no QR", layout_name)])
        for variant in variants:
            median = statistics.median(rates[(variant, layout_name)])
            size = statistics.median(sizes[(variant, layout_name)])
            print(
                f"   {layout_name:10} {variant:28} {median:9.1f} {median / floor:9.1%} "
                f"{size:11,.0f}"
            )
    print(
        f"   whole batch of {PASSES:,} passes, vector QR, one PDF each "
        f"(goal ≥ {GOAL_PASSES_PER_SECOND} passes/s in a batch):"
    )
    for layout_name, four_up in layouts.items():
        seconds, size = render(sheets, four_up, None)
        verdict = "meets" if PASSES / seconds >= GOAL_PASSES_PER_SECOND else "misses"
        print(
            f"   {layout_name:10} {seconds:6.1f} s = {PASSES / seconds:6.1f} passes/s ({verdict} "
            f"the goal), {size / 1024:,.0f} KiB = {size / PASSES:,.0f} bytes/pass"
        )
    single = len(passes_pdf(sheets[:1]))
    verdict = "meets" if single < GOAL_SINGLE_PASS_BYTES else "misses"
    print(
        f"   single-pass A6 PDF: {single:,} bytes (goal < {GOAL_SINGLE_PASS_BYTES // 1000} KB: "
        f"{verdict} it)"
    )
    return sheets


# --- 2. Verifications ---------------------------------------------------------------------------


def bench_verification(codes: list[str], rounds: int) -> None:
    import base45
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from tickets.codes import DOMAIN, PAYLOAD, decode
    from tickets.keys import signing_key

    public = Ed25519PublicKey.from_public_bytes(signing_key().public_raw())
    # The floor gets its messages ready-made: only the signature check itself is timed.
    signed = []
    for code in codes:
        raw = base45.b45decode(code)
        signed.append((raw[PAYLOAD.size :], DOMAIN + raw[: PAYLOAD.size]))

    def floor() -> None:
        for signature, message in signed:
            public.verify(signature, message)

    def ours() -> None:
        for code in codes:
            decode(code)

    kinds = {"floor: bare Ed25519 verify": floor, "tickets.codes.decode": ours}
    results: dict[str, list[float]] = {name: [] for name in kinds}
    ours()  # key ring loaded before timing
    for _ in range(rounds):
        for name, run in kinds.items():
            started = time.perf_counter()
            run()
            results[name].append(len(codes) / (time.perf_counter() - started))
    floor_median = statistics.median(results["floor: bare Ed25519 verify"])
    print(
        f"2. Verifications: {len(codes):,} valid codes, {rounds} interleaved rounds, median, "
        "in-process, one core"
    )
    print(f"   {'kind':39} {'verifications/s':>16} {'vs floor':>9}")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"   {name:39} {median:16,.0f} {median / floor_median:9.1%}")


# --- 3. Check-in over HTTP ----------------------------------------------------------------------


def psql(sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", *PG_ADMIN, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
    )


def create_database(name: str) -> str | None:
    """None when the database was made, else why PostgreSQL cannot be used."""
    try:
        result = psql(f'CREATE DATABASE "{name}"')
    except FileNotFoundError:
        return "psql is not installed"
    except subprocess.TimeoutExpired:
        return "psql timed out"
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["psql failed"])[0]
    return None


def drop_database(name: str) -> None:
    with contextlib.suppress(FileNotFoundError, subprocess.TimeoutExpired):
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed_fair(rng: random.Random) -> int:
    """A published fair running today at a 1,000-stall site, a verified business on each stall
    with an approved application, passes issued by the real sync_passes, and a gate account."""
    from core.accounts import User, create_account
    from core.roles import Role
    from core.tables import Account, Ward
    from core.text import clean, name_key
    from core.timezone import now_utc
    from demo.businesses import enterprise_tax_code
    from demo.places import CATEGORIES
    from events.tables import Application, Assignment, Fair, Site, Stall
    from tickets.services import sync_passes
    from vendors.businesses import search_key
    from vendors.tables import Business, BusinessCategory, Category

    ward = Ward(slug="ben-thanh", name="Bến Thành")
    await ward.save().run()
    site = Site(
        slug="clb-nguyen-du",
        name=SITE,
        address=ADDRESS,
        ward=ward.id,
        setting="residential",
        lat=10.77421,
        lon=106.69525,
        capacity=PASSES,
    )
    await site.save().run()
    await Category.insert(
        *(
            Category(slug=s, name_vi=vi, name_en=en, is_food=food, position=n)
            for n, (s, vi, en, food) in enumerate(CATEGORIES)
        )
    ).run()
    categories = {r["slug"]: r["id"] for r in await Category.select(Category.id, Category.slug)}
    # Twenty rows of fifty 3 × 3 m stalls, rows back to back in pairs with an aisle between.
    stalls = [
        Stall(
            site=site.id,
            code=f"{chr(ord('A') + row)}{place + 1:02d}",
            zone=chr(ord("A") + row),
            x=place * 3.0,
            y=row * 3.0 + ((row + 1) // 2) * 4.0,
            width=3.0,
            depth=3.0,
            power=place % 2 == 0,
            active=True,
        )
        for row in range(PASSES // 50)
        for place in range(50)
    ]
    await Stall.insert(*stalls).run()
    stall_ids = [r["id"] for r in await Stall.select(Stall.id).order_by(Stall.id)]

    start = now_utc().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    fair = Fair(
        title=FAIR_TITLE,
        site=site.id,
        setting="residential",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        applications_open_at=start - dt.timedelta(days=40),
        applications_close_at=start - dt.timedelta(days=10),
        withdrawal_cutoff_at=start - dt.timedelta(days=7),
        status="published",
    )
    await fair.save().run()

    # Businesses never sign in here: one argon2 hash serves all their accounts.
    password = User.hash_password("mat-khau-doanh-nghiep")
    names = business_names(PASSES, rng)
    emails = [f"doanhnghiep{n}@bench.vn" for n in range(PASSES)]
    await User.insert(
        *(
            User(username=e, email=e, password=password, first_name="Đại diện", active=True)
            for e in emails
        )
    ).run()
    users = {r["username"]: r["id"] for r in await User.select(User.id, User.username)}
    await Account.insert(
        *(Account(user=users[e], role=Role.BUSINESS.value, full_name="Đại diện") for e in emails)
    ).run()
    accounts = {r["user"]: r["id"] for r in await Account.select(Account.id, Account.user)}
    tax_codes: set[str] = set()
    while len(tax_codes) < PASSES:
        tax_codes.add(enterprise_tax_code(rng))
    businesses = []
    for email, tax_code, (legal, trade, _) in zip(emails, sorted(tax_codes), names, strict=True):
        businesses.append(
            Business(
                account=accounts[users[email]],
                legal_name=clean(legal),
                trade_name=trade,
                name_key=name_key(legal),
                search_key=search_key(legal, trade, tax_code, ""),
                kind="enterprise",
                tax_code=tax_code,
                phone=f"+8490{rng.randrange(10**7):07d}",
                email=email,
                address=f"{rng.randint(2, 240)} Lê Lai, Phường Bến Thành, Quận 1",
                ward=ward.id,
                status="verified",
            )
        )
    await Business.insert(*businesses).run()
    by_email = {r["email"]: r["id"] for r in await Business.select(Business.id, Business.email)}
    business_ids = [by_email[e] for e in emails]
    await BusinessCategory.insert(
        *(
            BusinessCategory(business=b, category=categories[c])
            for b, (_, _, c) in zip(business_ids, names, strict=True)
        )
    ).run()
    await Application.insert(
        *(Application(business=b, fair=fair.id, status="approved") for b in business_ids)
    ).run()
    applications = {
        r["business"]: r["id"]
        for r in await Application.select(Application.id, Application.business)
    }
    await Assignment.insert(
        *(
            Assignment(fair=fair.id, stall=s, application=applications[b])
            for b, s in zip(business_ids, stall_ids, strict=True)
        )
    ).run()
    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair.id).run()
    issued = await sync_passes(fair.id)
    assert issued["issued"] == PASSES, issued
    await create_account(
        email=GATE_EMAIL, password=GATE_PASSWORD, role=Role.GATE_STAFF, full_name="Nguyễn Thị Cổng"
    )
    return fair.id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (nan where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    devices: list[tuple[Any, str]], jobs: list[Any], send, server_pid: int
) -> tuple[float, list, tuple[float, float]]:
    """Every device sends its next request as soon as its last one is answered; returns the
    rate, (kind, seconds) per request, and the share of one core that this process (the
    devices) and the server used meanwhile, which tells which side was saturated."""
    pending = iter(jobs)
    samples: list[tuple[str, float]] = []

    async def device(client: Any, device_id: str) -> None:
        for job in pending:  # one shared iterator: each job is sent by exactly one device
            started = time.perf_counter()
            kind = await send(client, device_id, job)
            samples.append((kind, time.perf_counter() - started))

    started, own, server = time.perf_counter(), time.process_time(), cpu_seconds(server_pid)
    await asyncio.gather(*(device(c, d) for c, d in devices))
    wall = time.perf_counter() - started
    shares = ((time.process_time() - own) / wall, (cpu_seconds(server_pid) - server) / wall)
    return len(jobs) / wall, samples, shares


async def paced(
    devices: list[tuple[Any, str]], jobs: list[Any], send, interval: float
) -> list[tuple[str, float]]:
    """Open loop: every device sends one scan every `interval` seconds whatever the answers,
    as phones at a gate do; latency is then the server's, not a queue the devices make."""
    samples: list[tuple[str, float]] = []
    share = -(-len(jobs) // len(devices))

    async def device(index: int, client: Any, device_id: str) -> None:
        mine = jobs[index * share : (index + 1) * share]
        start = time.perf_counter() + interval * index / len(devices)  # phones are not in step
        for number, job in enumerate(mine):
            delay = start + number * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.perf_counter()
            kind = await send(client, device_id, job)
            samples.append((kind, time.perf_counter() - began))

    await asyncio.gather(*(device(i, c, d) for i, (c, d) in enumerate(devices)))
    return samples


async def bench_checkin(env: dict[str, str], rounds: int, total: int) -> None:
    import httpx

    from core.database import prepare_engine, release_engine
    from core.tables import Ward
    from tickets.tables import Arrival, Pass, Scan

    engine = Ward._meta.db
    await prepare_engine(engine)
    server = None
    try:
        started = time.perf_counter()
        fair_id = await seed_fair(random.Random(20261214))
        codes = [
            r["code"]
            for r in await Pass.select(Pass.code).where(Pass.fair == fair_id).order_by(Pass.id)
        ]
        # Passes kept back for the paced run, so that it too scans passes for the first time.
        codes, paced_codes = codes[:-PACED_FIRST], codes[-PACED_FIRST:]
        seeded = time.perf_counter() - started
        server = LiveServer(Path(env["VAR_DIR"]) / "server.log", env=env)
        server.wait_healthy()
        base = server.base

        # A gate device keeps one connection and one session, as a phone at the gate would.
        clients = [
            httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1))
            for _ in range(GATE_DEVICES)
        ]
        devices = [(c, f"cong-{n:02d}") for n, c in enumerate(clients)]
        errors: Counter[str] = Counter()
        try:
            for client in clients:
                response = await client.post(
                    "/api/auth/login", json={"email": GATE_EMAIL, "password": GATE_PASSWORD}
                )
                response.raise_for_status()

            async def scan(client: Any, device_id: str, code: str) -> str:
                try:
                    response = await client.post(
                        "/api/checkin",
                        json={
                            "code": code,
                            "gate": GATES[int(device_id[-2:]) % len(GATES)],
                            "device_id": device_id,
                        },
                    )
                except httpx.HTTPError as exc:
                    errors[f"check-in: {type(exc).__name__}"] += 1
                    return "error"
                result = response.json().get("result") if response.status_code == 200 else None
                if result not in ("accepted", "duplicate"):
                    errors[f"check-in: HTTP {response.status_code} {result}"] += 1
                    return "error"
                return result

            async def health(client: Any, device_id: str, _: Any) -> str:
                try:
                    response = await client.get("/health")
                except httpx.HTTPError as exc:
                    errors[f"health: {type(exc).__name__}"] += 1
                    return "error"
                if response.status_code != 200:
                    errors[f"health: HTTP {response.status_code}"] += 1
                    return "error"
                return "health"

            # Warm-up: connections open, sessions loaded, every code path of the server touched
            # once, without scanning any pass the measurement needs.
            await drive(devices, [None] * GATE_DEVICES * 2, health, server.process.pid)
            await drive(devices, ["KHONG-HOP-LE"] * GATE_DEVICES, scan, server.process.pid)
            errors.clear()

            rng = random.Random(20261215)
            per_round = total // rounds
            firsts = -(-len(codes) // rounds)
            rates: dict[str, list[float]] = {"health": [], "checkin": []}
            cpu: dict[str, list[tuple[float, float]]] = {"health": [], "checkin": []}
            latencies: dict[str, list[float]] = {"health": [], "accepted": [], "duplicate": []}
            for number in range(rounds):  # interleaved: the floor and check-in alternate
                fresh = codes[number * firsts : (number + 1) * firsts]
                seen = codes[: (number + 1) * firsts]
                # Each round scans its share of passes for the first time, and the rest of its
                # requests are repeats of passes already (or about to be) scanned.
                jobs = fresh + [rng.choice(seen) for _ in range(per_round - len(fresh))]
                rng.shuffle(jobs)
                for name, send, work in (
                    ("health", health, [None] * per_round),
                    ("checkin", scan, jobs),
                ):
                    rate, samples, shares = await drive(devices, work, send, server.process.pid)
                    rates[name].append(rate)
                    cpu[name].append(shares)
                    for kind, seconds in samples:
                        latencies.setdefault(kind, []).append(seconds)
            paced_rng = random.Random(20261216)
            paced_jobs = paced_codes + [
                paced_rng.choice(codes) for _ in range(PACED_TOTAL - len(paced_codes))
            ]
            paced_rng.shuffle(paced_jobs)
            paced_samples = await paced(devices, paced_jobs, scan, PACED_INTERVAL)
        finally:
            for client in clients:
                await client.aclose()
        arrivals = await Arrival.count().where(Arrival.fair == fair_id).run()
        scans = await Scan.count().run()
    finally:
        if server is not None:
            server.stop()
        await release_engine(engine)

    floor = statistics.median(rates["health"])
    checkin = statistics.median(rates["checkin"])
    print(
        f"3. Check-in on PostgreSQL over loopback: {len(codes):,} passes issued by sync_passes "
        f"(seeded in {seeded:.1f} s), {GATE_DEVICES} gate devices, {rounds} interleaved rounds of "
        f"{per_round:,} requests per kind"
    )
    print(
        f"   {'kind':43} {'req/s':>8} {'vs floor':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}"
    )
    rows = (
        ("GET /health (floor, same signed-in devices)", floor, latencies["health"]),
        ("POST /api/checkin, all", checkin, latencies["accepted"] + latencies["duplicate"]),
        ("  first scan → accepted", None, latencies["accepted"]),
        ("  repeated scan → duplicate", None, latencies["duplicate"]),
    )
    for name, rate, values in rows:
        shown = f"{rate:8.1f} {rate / floor:9.1%}" if rate else f"{'':8} {'':9}"
        p50 = percentile(values, 0.50) * 1000 if values else float("nan")
        p99 = percentile(values, 0.99) * 1000 if values else float("nan")
        print(f"   {name:43} {shown} {p50:8.1f} {p99:8.1f} {len(values):9,}")
    shares = {
        name: tuple(statistics.median(s[side] for s in values) for side in (0, 1))
        for name, values in cpu.items()
    }
    print(
        "   CPU, share of one core, median: "
        + "; ".join(
            f"{label}: devices {shares[name][0]:.0%}, server {shares[name][1]:.0%}"
            for name, label in (("health", "/health"), ("checkin", "check-in"))
        )
    )
    all_checkins = latencies["accepted"] + latencies["duplicate"]
    p99 = percentile(all_checkins, 0.99) * 1000 if all_checkins else float("nan")
    verdict = "meets" if p99 < GOAL_CHECKIN_P99_MS else "misses"
    print(
        f"   goal: check-in p99 < {GOAL_CHECKIN_P99_MS} ms: {verdict} it ({p99:.1f} ms); "
        f"errors: {sum(errors.values())}" + (f" {dict(errors)}" if errors else "")
    )
    print(
        f"   arrivals recorded: {arrivals:,} for {len(codes):,} passes; scans recorded: {scans:,}"
    )
    print_paced(paced_samples)
    print(
        f"   (closed loop: each device sends its next request when the last is answered, so "
        f"latency ≈ {GATE_DEVICES} / throughput; one uvicorn worker, client, server and "
        f"PostgreSQL share the machine)"
    )


def print_paced(samples: list[tuple[str, float]]) -> None:
    rate = GATE_DEVICES / PACED_INTERVAL
    values = [seconds for kind, seconds in samples if kind in ("accepted", "duplicate")]
    p50, p99 = (percentile(values, q) * 1000 for q in (0.50, 0.99))
    verdict = "meets" if p99 < GOAL_CHECKIN_P99_MS else "misses"
    print(
        f"   paced (open loop): {GATE_DEVICES} devices, one scan each every {PACED_INTERVAL:g} s "
        f"= {rate:.0f} scans/s offered, {len(values):,} scans: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"— goal p99 < {GOAL_CHECKIN_P99_MS} ms: {verdict} it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    args = parser.parse_args()
    pdf_rounds, pdf_slice, verify_rounds = (3, 50, 5) if args.quick else (5, 100, 15)
    http_rounds, http_total = (2, 2000) if args.quick else (5, 5000)

    tmp = Path(tempfile.mkdtemp(prefix="pass-bench-"))
    database = f"phiencho_bench_{os.getpid()}_{int(time.time())}"
    skipped = create_database(database)
    database_url = (
        f"sqlite:///{tmp / 'unused.sqlite3'}" if skipped else PG_URL.format(name=database)
    )
    # Before any project import: settings and the engine are read from these once, and the
    # server started below shares VAR_DIR, hence the key ring that signs and verifies passes.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEMO": "0",
        "VAR_DIR": str(tmp),
        "MAIL_POLL_SECONDS": "0",
        "REQUESTS_PER_MINUTE": "10000000",
        "HOST": "127.0.0.1",
        "WORKERS": "1",
    }
    for name in ("REDIS_URL", "PUBLIC_URL", "PASS_KEYS"):
        env.pop(name, None)
    os.environ.update(env)
    for name in ("REDIS_URL", "PUBLIC_URL", "PASS_KEYS"):
        os.environ.pop(name, None)
    try:
        sheets = bench_pdfs(pdf_rounds, pdf_slice)
        print()
        bench_verification([s.code for s in sheets], verify_rounds)
        print()
        if skipped:
            print(f"3. Check-in on PostgreSQL: skipped ({skipped})")
        else:
            migrated = subprocess.run(
                [sys.executable, "-m", "manage", "migrate"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if migrated.returncode != 0:
                print(
                    f"3. Check-in on PostgreSQL: skipped (migrations failed: "
                    f"{migrated.stderr.strip()[-300:]})"
                )
            else:
                asyncio.run(bench_checkin(env, http_rounds, http_total))
    finally:
        if not skipped:
            drop_database(database)
        shutil.rmtree(tmp, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"(commit {commit}, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
        f"{', --quick' if args.quick else ''})"
    )


if __name__ == "__main__":
    main()
