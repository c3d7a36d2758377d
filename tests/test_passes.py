"""Passes: signed codes, issue and revocation with the board, PDFs, and gate check-in."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import subprocess

import base45
import pytest

from core.roles import Role
from events.tables import Application, ApplicationProduct, Fair
from tests.conftest import client_from
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
    seed_stalls,
)
from tests.pdfs import needs_poppler, pdf_pages
from tickets import keys
from tickets.codes import CodeError, Kind, PassData, decode, encode
from tickets.tables import Arrival, Pass, Scan

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _own_ring(own_key_ring):
    """Every test here signs with a ring of its own (some rotate it dozens of times)."""


TODAY = dt.date(2026, 12, 13)


def sample(**changes) -> PassData:
    values = {
        "pass_id": 7,
        "fair_id": 3,
        "stall": "A01",
        "first_day": TODAY,
        "days": 1,
        "kind": Kind.BUSINESS,
    }
    return PassData(**{**values, **changes})


def test_a_code_fits_a_version_5_qr_and_verifies():
    from tickets.pdf import qr_matrix

    code = encode(sample())
    assert len(code) == 120
    assert len(qr_matrix(code)) == 37  # version 5: 17 + 4 × 5 modules a side
    assert decode(code) == sample(kid=keys.signing_key().kid)


def test_every_mutation_of_a_code_is_refused():
    code = encode(sample())
    raw = bytearray(base45.b45decode(code))
    rng = random.Random(20261126)
    refused = 0
    for _ in range(5000):
        mutated = bytearray(raw)
        for _ in range(rng.randint(1, 3)):
            mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
        if mutated == raw:
            continue
        with pytest.raises(CodeError):
            decode(base45.b45encode(bytes(mutated)).decode())
        refused += 1
    for text in ("", "XYZ", code[:-3], code + "AB", code.lower()[:50], "ÀÁ" * 60):
        with pytest.raises(CodeError):
            decode(text)
    assert refused > 4900


def test_rotated_keys_verify_until_retired():
    old_code = encode(sample())
    old_kid = keys.signing_key().kid
    new_key = keys.rotate()
    assert keys.signing_key().kid == new_key.kid
    assert decode(old_code).kid == old_kid
    assert decode(encode(sample())).kid == new_key.kid
    keys.retire(old_kid)
    with pytest.raises(CodeError) as refused:
        decode(old_code)
    assert refused.value.reason == "retired_key"


@pytest.fixture
async def fair_world(db):
    await seed_basics()
    await seed_stalls(capacity=12)
    fair = await make_fair(days_ahead=0)
    applications = []
    for number, code in enumerate(("0300588569", "0100109106")):
        business = await make_business(
            f"p{number}@dn.vn", f"Công ty Thẻ Số {number}", code, "ben-nghe"
        )
        application = Application(business=business, fair=fair, status="approved")
        await application.save()
        await ApplicationProduct(
            application=application.id, product=await make_product(business)
        ).save()
        applications.append(application.id)
    return fair, applications


async def publish(client, fair, applications, stalls=("A01", "A03")):
    await login(client, Role.ORGANIZER)
    for application, stall in zip(applications, stalls, strict=True):
        response = await client.post(
            f"/api/fairs/{fair}/assignments",
            json={"application_id": application, "stall_codes": [stall]},
        )
        assert response.status_code == 201, response.text
    assert (await client.post(f"/api/fairs/{fair}/allocation/publish")).status_code == 200
    await client.post("/api/auth/logout")


async def my_passes(client, email):
    await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    passes = (await client.get("/api/me/passes")).json()
    await client.post("/api/auth/logout")
    return passes


async def scan(client, code, device="cong-1", **extra):
    response = await client.post(
        "/api/checkin", json={"code": code, "gate": "Cổng chính", "device_id": device, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_publishing_issues_passes_and_a_move_replaces_them(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    first = await my_passes(client, "p0@dn.vn")
    assert [(p["stall"], p["status"]) for p in first] == [("A01", "active")]
    for key in ("id", "fair_id", "stall", "short_code", "pdf_url", "status"):
        assert key in first[0]
    await login(client, Role.ORGANIZER)
    await client.post(
        f"/api/fairs/{fair}/assignments",
        json={"application_id": applications[0], "stall_codes": ["A05"]},
    )
    revocations = (await client.get("/api/checkin/revocations")).json()
    assert [r["pass_id"] for r in revocations["revoked"]] == [first[0]["id"]]
    assert (
        await client.get("/api/checkin/revocations", params={"since": revocations["cursor"]})
    ).json()["revoked"] == []
    after = await my_passes(client, "p0@dn.vn")
    assert [(p["stall"], p["status"]) for p in after] == [("A01", "revoked"), ("A05", "active")]


async def test_check_in_accepts_once_then_says_duplicate_with_when_and_where(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    code = (await my_passes(client, "p0@dn.vn"))[0]["code"]
    await login(client, Role.GATE_STAFF)
    first = await scan(client, code)
    assert first["result"] == "accepted"
    assert first["pass"]["stall"] == "A01" and first["pass"]["holder"] == "Công ty Thẻ Số 0"
    again = await scan(client, code, device="cong-2")
    assert again["result"] == "duplicate"
    assert again["first_scan"]["gate"] == "Cổng chính"
    assert "Already scanned at" in again["messages"]["en"]
    other = (await my_passes(client, "p1@dn.vn"))[0]
    await login(client, Role.GATE_STAFF)
    typed = await scan(client, other["short_code"].lower(), device="typed")
    assert typed["result"] == "accepted" and typed["pass"]["stall"] == "A03"


async def test_a_retried_scan_is_recorded_once(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    code = (await my_passes(client, "p0@dn.vn"))[0]["code"]
    await login(client, Role.GATE_STAFF)
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    results = [await scan(client, code, scanned_at=moment) for _ in range(3)]
    assert [r["result"] for r in results] == ["accepted"] * 3
    assert await Scan.count() == 1 and await Arrival.count() == 1


async def test_revoked_wrong_fair_not_today_and_forged(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    passes = await my_passes(client, "p0@dn.vn")
    other = await my_passes(client, "p1@dn.vn")
    await login(client, Role.ORGANIZER)
    await client.post(f"/api/passes/{passes[0]['id']}/revoke", json={"reason": "Mất thẻ."})
    await client.post("/api/auth/logout")
    await login(client, Role.GATE_STAFF)
    assert (await scan(client, passes[0]["code"]))["result"] == "revoked"
    assert (await scan(client, other[0]["code"], fair_id=fair + 1000))["result"] == "wrong_fair"
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    row = await Fair.select(Fair.starts_at).where(Fair.id == fair).first()
    later = {
        "start": (row["starts_at"] + dt.timedelta(days=7)).isoformat(),
        "end": (row["starts_at"] + dt.timedelta(days=7, hours=5)).isoformat(),
    }
    response = await client.patch(f"/api/fairs/{fair}", json=later)
    assert response.status_code == 200, response.text
    await client.post("/api/auth/logout")
    moved = [p for p in await my_passes(client, "p1@dn.vn") if p["status"] == "active"]
    await login(client, Role.GATE_STAFF)
    assert (await scan(client, moved[0]["code"], device="early"))["result"] == "not_today"
    assert (await scan(client, other[0]["code"], device="old"))["result"] == "revoked"
    forged = encode(sample(pass_id=other[0]["id"], fair_id=fair, stall="A09"))
    forged = forged[:-2] + ("00" if forged[-2:] != "00" else "11")
    assert (await scan(client, forged))["result"] == "invalid"
    assert (await scan(client, "hello"))["result"] == "invalid"


async def test_cancelling_the_fair_or_suspending_the_business_revokes(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    await login(client, Role.ORGANIZER)
    business = (
        await Application.select(Application.business)
        .where(Application.id == applications[1])
        .first()
    )["business"]
    await client.post(f"/api/businesses/{business}/suspend", json={"reason": "Hàng giả."})
    statuses = {p["holder"]: p["status"] for p in await Pass.select()}
    assert statuses == {"Công ty Thẻ Số 0": "active", "Công ty Thẻ Số 1": "revoked"}
    await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "Mưa bão."})
    assert {p["status"] for p in await Pass.select()} == {"revoked"}


async def test_concurrent_scans_from_many_devices_record_one_arrival(fair_world, app):
    fair, applications = fair_world
    async with client_from(app, "192.0.2.70") as client:
        await publish(client, fair, applications)
        code = (await my_passes(client, "p0@dn.vn"))[0]["code"]
        await client.post("/api/auth/login", json={"email": "cong@test.vn", "password": PASSWORD})
        results = await asyncio.gather(*(scan(client, code, device=f"d{n}") for n in range(12)))
    assert sorted(r["result"] for r in results) == ["accepted"] + ["duplicate"] * 11
    assert await Arrival.count() == 1 and await Scan.count() == 12
    state = None
    async with client_from(app, "192.0.2.71") as gate:
        await gate.post("/api/auth/login", json={"email": "cong@test.vn", "password": PASSWORD})
        state = (await gate.get(f"/api/checkin/fairs/{fair}")).json()
    assert state["arrived"] == 1
    assert len(state["scanned_on_several_devices"]) == 1


async def test_the_private_key_is_not_reachable_and_public_keys_are(fair_world, client):
    public = (await client.get("/api/checkin/keys")).json()
    assert public and all(
        set(k) == {"kid", "algorithm", "public_key", "created", "retired"} for k in public
    )
    for path in (
        "/var/pass-keys.json",
        "/static/../var/pass-keys.json",
        "/pass-keys.json",
        "/static/pass-keys.json",
        "/admin/pass-keys.json",
    ):
        response = await client.get(path)
        assert response.status_code in (401, 403, 404), path
        assert b"private" not in response.content


async def test_pass_pdf_is_one_small_page_with_its_font_embedded(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    await client.post("/api/auth/login", json={"email": "p0@dn.vn", "password": PASSWORD})
    mine = (await client.get("/api/me/passes")).json()[0]
    pdf = await client.get(mine["pdf_url"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(pdf.content) < 40_000
    assert len(pdf_pages(pdf.content)) == 1
    assert b"/FontFile2" in pdf.content  # the TrueType font that covers Vietnamese is embedded
    # Another business cannot fetch it.
    await client.post("/api/auth/logout")
    await client.post("/api/auth/login", json={"email": "p1@dn.vn", "password": PASSWORD})
    assert (await client.get(mine["pdf_url"])).status_code in (403, 404)


@needs_poppler
async def test_pass_pdf_holds_a_qr_that_decodes_and_checks_in(fair_world, client, tmp_path):
    fair, applications = fair_world
    await publish(client, fair, applications)
    await client.post("/api/auth/login", json={"email": "p0@dn.vn", "password": PASSWORD})
    mine = (await client.get("/api/me/passes")).json()[0]
    pdf = await client.get(mine["pdf_url"])
    await client.post("/api/auth/logout")
    path = tmp_path / "pass.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Công ty Thẻ Số 0" in text and "A01" in text and mine["short_code"] in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts and " yes " in fonts  # embedded
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(path), str(tmp_path / "page")], check=True)
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))
    assert [b.text for b in found] == [mine["code"]]
    await login(client, Role.GATE_STAFF)
    assert (await scan(client, found[0].text))["result"] == "accepted"


async def test_batch_pdf_puts_four_passes_on_a_sheet(fair_world, client):
    fair, applications = fair_world
    await publish(client, fair, applications)
    await login(client, Role.ORGANIZER)
    for number in range(3):
        await client.post(
            f"/api/fairs/{fair}/passes/staff",
            json={"holder": f"Tình nguyện {number}", "kind": "volunteer"},
        )
    batch = await client.get(f"/api/fairs/{fair}/passes/pdf")
    assert batch.status_code == 200
    pages = pdf_pages(batch.content)
    assert len(pages) == 2  # 5 passes, 4 a sheet
    width, height = pages[0][2:4]
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points


async def test_retiring_a_key_reissues_the_passes_it_signed(fair_world, client):
    from tickets.services import resync_upcoming

    fair, applications = fair_world
    await publish(client, fair, applications)
    before = await my_passes(client, "p0@dn.vn")
    old_kid = keys.signing_key().kid
    keys.rotate()
    keys.retire(old_kid)
    result = await resync_upcoming()
    assert result == {"issued": 2, "revoked": 2}
    after = [p for p in await my_passes(client, "p0@dn.vn") if p["status"] == "active"]
    assert decode(after[0]["code"]).kid != old_kid
    await login(client, Role.GATE_STAFF)
    assert (await scan(client, before[0]["code"]))["result"] == "invalid"
    assert (await scan(client, after[0]["code"]))["result"] == "accepted"


def test_codes_that_begin_with_a_space_still_verify():
    # Space is a base45 digit, and a key id of 4 (mod 45) puts one first: such a code must
    # survive as it is, and a scanner's line end after it must not matter.
    while keys.signing_key().kid % 45 != 4:
        keys.rotate()
    code = encode(sample())
    assert code[0] == " "
    assert decode(code).pass_id == sample().pass_id
    assert decode(code + "\r\n").pass_id == sample().pass_id
