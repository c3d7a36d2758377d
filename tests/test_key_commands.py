"""`rotate-keys` and `retire-key` run as an operator runs them: separate processes that change
the key ring under var/ while the app keeps serving the gate."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.roles import Role
from core.timezone import start_of_local_day, today_local
from tests.conftest import run_cli
from tests.factories import (
    issue_business_pass,
    login,
    make_business,
    make_fair_between,
    seed_basics,
    seed_stalls,
)
from tickets import keys
from tickets.tables import Pass

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ring_dir(db, tmp_path, monkeypatch):
    """A var/ of this test's own: the app here and the commands share its key ring."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    monkeypatch.setattr(keys, "_path", lambda: var_dir / keys.RING_FILE)
    await seed_basics()
    await seed_stalls(capacity=12)
    return var_dir


def command(db, var_dir, *args: str):
    return run_cli(*args, database_url=db.url, extra_env={"VAR_DIR": str(var_dir)})


def ring_on_disk(var_dir) -> list[dict]:
    return json.loads((var_dir / keys.RING_FILE).read_text())


async def todays_fair() -> int:
    # Today and tomorrow: still to come (so re-issued on retirement) whatever the hour now.
    day = start_of_local_day(today_local())
    return await make_fair_between(day + dt.timedelta(hours=7), day + dt.timedelta(hours=41))


async def scan(client, code: str, device: str) -> dict:
    response = await client.post(
        "/api/checkin", json={"code": code, "gate": "Cổng chính", "device_id": device}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_rotating_keeps_old_passes_valid_and_retiring_issues_them_again(ring_dir, db, client):
    fair = await todays_fair()
    first = await make_business("mot@dn.vn", "Công ty Một", "0300588569", "ben-nghe")
    old = await issue_business_pass(fair, first, "A01")
    assert old["kid"] == 1

    rotated = command(db, ring_dir, "rotate-keys")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.strip() == "Khóa mới / New key: 2"
    assert [(k["kid"], k["retired"]) for k in ring_on_disk(ring_dir)] == [(1, None), (2, None)]
    published = (await client.get("/api/checkin/keys")).json()
    assert [(k["kid"], k["retired"]) for k in published] == [(1, None), (2, None)]

    # Still valid after rotation; passes issued from now on carry the new key.
    await login(client, Role.GATE_STAFF)
    assert (await scan(client, old["code"], "truoc"))["result"] == "accepted"
    second = await make_business("hai@dn.vn", "Công ty Hai", "0100109106", "ben-nghe")
    newer = await issue_business_pass(fair, second, "A03")
    assert newer["kid"] == 2

    retired = command(db, ring_dir, "retire-key", "1")
    assert retired.returncode == 0, retired.stderr
    assert retired.stdout.strip() == (
        "Đã ngừng khóa / Retired key 1: 1 thẻ cấp lại / passes issued again, 1 thu hồi / revoked."
    )
    on_disk = {k["kid"]: k["retired"] for k in ring_on_disk(ring_dir)}
    assert on_disk[1] is not None and on_disk[2] is None

    passes = await Pass.select().where(Pass.fair == fair).order_by(Pass.id)
    by_business = {(p["holder"], p["status"]): p for p in passes}
    assert set(by_business) == {
        ("Công ty Một", "revoked"),
        ("Công ty Một", "active"),
        ("Công ty Hai", "active"),
    }
    assert by_business[("Công ty Một", "revoked")]["id"] == old["id"]
    assert "đổi khóa ký" in by_business[("Công ty Một", "revoked")]["revoked_reason"]
    again = by_business[("Công ty Một", "active")]
    assert (again["kid"], again["stalls"]) == (2, "A01") and again["code"] != old["code"]
    assert by_business[("Công ty Hai", "active")]["code"] == newer["code"]  # left as it was

    refused = await scan(client, old["code"], "sau")
    assert refused["result"] == "invalid"
    assert refused["messages"]["en"] == "Signed with a retired key: the pass must be issued again."
    assert (await scan(client, again["code"], "sau"))["result"] == "accepted"
    published = (await client.get("/api/checkin/keys")).json()
    assert [(k["kid"], k["retired"] is not None) for k in published] == [(1, True), (2, False)]


async def test_retiring_an_unknown_key_says_so_and_changes_nothing(ring_dir, db):
    listed = command(db, ring_dir, "keys")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split("\t")[:1] == ["1"]
    before = (ring_dir / keys.RING_FILE).read_bytes()
    unknown = command(db, ring_dir, "retire-key", "99")
    assert unknown.returncode != 0
    assert "Không có khóa 99. Các khóa hiện có: 1." in unknown.stderr
    assert "No key 99. The keys are: 1." in unknown.stderr
    assert "Traceback" not in unknown.stderr and unknown.stdout == ""
    assert (ring_dir / keys.RING_FILE).read_bytes() == before
    not_a_number = command(db, ring_dir, "retire-key", "mot")
    assert not_a_number.returncode != 0
    assert "invalid int value: 'mot'" in not_a_number.stderr


async def test_retiring_the_only_signing_key_is_refused(ring_dir, db):
    fair = await todays_fair()
    business = await make_business("mot@dn.vn", "Công ty Một", "0300588569", "ben-nghe")
    issued = await issue_business_pass(fair, business)
    before = (ring_dir / keys.RING_FILE).read_bytes()
    refused = command(db, ring_dir, "retire-key", "1")
    assert refused.returncode != 0
    assert "Khóa 1 là khóa ký duy nhất còn dùng: chạy rotate-keys trước." in refused.stderr
    assert "Key 1 is the only signing key in use: run rotate-keys first." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert (ring_dir / keys.RING_FILE).read_bytes() == before
    assert await Pass.select(Pass.id, Pass.status) == [{"id": issued["id"], "status": "active"}]
