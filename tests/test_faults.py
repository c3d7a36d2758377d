"""Faults and abuse against real server processes: a worker killed mid-burst, PostgreSQL
restarted under load, the mail server down, and bodies over the size limit."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from core.errors import PROBLEM_JSON
from tests.conftest import PG_SKIP_REASON
from tests.factories import PASSWORD, make_business, make_fair, seed_basics
from tests.live_server import (
    derived_postgres_url,
    drop_postgres_database,
    free_port,
    live_servers,
    migrate,
    recreate_postgres_database,
    using_database,
)
from tests.smtp import MailServer

CLIENT_TIMEOUT = httpx.Timeout(20.0)
BUSINESSES = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def server_database(request, tmp_path):
    """A migrated database of this test's own, for server processes to share."""
    if request.param == "postgresql":
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.skip(PG_SKIP_REASON)
        url = derived_postgres_url(base, "faults")
        recreate_postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'faults.sqlite3'}"
    migrate(url)
    yield url
    if request.param == "postgresql":
        drop_postgres_database(url)


def product(name: str) -> dict:
    return {
        "name": name,
        "category_slug": "may-mac",
        "made_in": "TP. Hồ Chí Minh",
        "made_in_vietnam": True,
    }


def assert_unavailable(answer: httpx.Response) -> None:
    """A clean refusal: 503, problem+json, a message in both languages, when to try again."""
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(answer.headers["retry-after"]) > 0
    messages = answer.json()["messages"]
    assert "cơ sở dữ liệu" in messages["vi"]
    assert "database" in messages["en"]


async def seed_businesses(url: str, count: int) -> list[str]:
    async with using_database(url):
        await seed_basics()
        emails = []
        for n in range(count):
            email = f"dn{n}@faults.vn"
            await make_business(email, f"Công ty Thử Lỗi {n}", f"03005885{n:02d}", "ben-nghe")
            emails.append(email)
        return emails


async def signed_in(base_url: str, email: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base_url, timeout=CLIENT_TIMEOUT)
    answer = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return http


# --- A worker killed in the middle of a burst of writes ------------------------------------


@pytest.mark.anyio
async def test_no_acknowledged_write_is_lost_when_a_worker_is_killed(server_database, tmp_path):
    from vendors.tables import Product

    emails = await seed_businesses(server_database, BUSINESSES)
    env = {"DATABASE_URL": server_database, "VAR_DIR": str(tmp_path / "var")}
    with live_servers(1, env, tmp_path, workers=2) as (server,):
        workers = server.worker_pids()
        assert len(workers) == 2
        clients = [await signed_in(server.base, email) for email in emails]
        acknowledged: list[tuple[str, str]] = []  # (business e-mail, product name)
        after_kill: list[str] = []
        killed = asyncio.Event()
        stop = asyncio.Event()

        async def write(http: httpx.AsyncClient, email: str) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                name = f"Sản phẩm {email} số {n}"
                try:
                    answer = await http.post("/api/businesses/me/products", json=product(name))
                except httpx.TransportError:
                    continue  # not acknowledged: the worker died under this request
                if answer.status_code == 201:
                    assert answer.json()["name"] == name
                    acknowledged.append((email, name))
                    if killed.is_set():
                        after_kill.append(name)
                else:
                    assert answer.status_code in {500, 502, 503}, answer.text

        async def kill_one_worker_mid_burst() -> None:
            while len(acknowledged) < 30:
                await asyncio.sleep(0.01)
            os.kill(workers[0], signal.SIGKILL)
            killed.set()
            deadline = time.monotonic() + 60
            while len(after_kill) < 30 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()

        await asyncio.gather(
            kill_one_worker_mid_burst(),
            *(write(c, e) for c, e in zip(clients, emails, strict=True)),
        )
        for http in clients:
            await http.aclose()
        assert len(after_kill) >= 30, "the server stopped taking writes after a worker died"
        assert workers[0] not in server.worker_pids()

    async with using_database(server_database):
        rows = await Product.select(Product.name, Product.business.email.as_alias("email"))
    stored = {(r["email"], r["name"]) for r in rows}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged writes were lost: {sorted(missing)[:5]}"


# --- PostgreSQL stopped and started again while the app serves ------------------------------


def _private_cluster_tools() -> tuple[Path, list[str]] | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        return None
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None
        if not shutil.which("runuser"):
            return None
        run_as = ["runuser", "-u", "postgres", "--"]
    return Path(found[-1]).parent, run_as


class PrivateCluster:
    """A PostgreSQL server of this test's own, so stopping it disturbs no one else."""

    def __init__(self, bin_dir: Path, run_as: list[str]) -> None:
        self.bin_dir = bin_dir
        self.run_as = run_as
        self.root = Path(tempfile.mkdtemp(prefix="phiencho-pg-"))
        if run_as:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/phiencho"
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin_dir / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        import asyncpg

        async def create() -> None:
            connection = await asyncpg.connect(
                f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
            )
            try:
                await connection.execute("CREATE DATABASE phiencho")
            finally:
                await connection.close()

        asyncio.run(create())

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres():
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP_REASON)
    tools = _private_cluster_tools()
    if tools is None:
        pytest.skip(
            "Restarting PostgreSQL needs its server binaries (/usr/lib/postgresql/*/bin) "
            "and, as root, a postgres user and runuser"
        )
    cluster = PrivateCluster(*tools)
    try:
        cluster.start()
        cluster.create_database()
        migrate(cluster.url)
        yield cluster
    finally:
        cluster.destroy()


def test_postgresql_restarted_under_load_gives_503s_then_recovers_by_itself(
    private_postgres, tmp_path
):
    async def seed() -> tuple[list[str], int]:
        emails = await seed_businesses(private_postgres.url, 2)
        async with using_database(private_postgres.url):
            return emails, await make_fair()

    emails, fair_id = asyncio.run(seed())
    env = {"DATABASE_URL": private_postgres.url, "VAR_DIR": str(tmp_path / "var")}
    with live_servers(1, env, tmp_path, workers=2) as (server,):
        workers = server.worker_pids()
        answers: list[tuple[str, str, httpx.Response]] = []
        recovered = asyncio.run(
            _load_through_a_restart(server.base, emails, fair_id, private_postgres, answers)
        )
        # The same processes serve afterwards: the app recovered without a restart.
        assert server.process.poll() is None
        assert server.worker_pids() == workers

    answered_while_up = {a.status_code for _, got, a in answers if got == "before"}
    assert answered_while_up == {200, 201}
    # Every request sent while the database was down came back, and each was a clean 503.
    sent_while_down = {a.status_code for sent, _, a in answers if sent == "down"}
    assert sent_while_down == {503}
    for sent, _, answer in answers:
        if answer.status_code == 503:
            assert_unavailable(answer)
        else:
            assert answer.status_code in {200, 201}, (sent, answer.text)
    assert recovered, "writes kept failing after PostgreSQL was back"


async def _load_through_a_restart(
    base_url: str, emails: list[str], fair_id: int, cluster: PrivateCluster, answers: list
) -> bool:
    """Reads and writes while PostgreSQL is stopped and started again; each answer is kept
    with the phase it was sent in. True when writes succeed again within a bounded time."""
    clients = [await signed_in(base_url, email) for email in emails]
    public = httpx.AsyncClient(base_url=base_url, timeout=CLIENT_TIMEOUT)
    phase = "before"
    stop = asyncio.Event()
    counter = 0

    async def load(http: httpx.AsyncClient, writes: bool) -> None:
        nonlocal counter
        while not stop.is_set():
            counter += 1
            # Tagged with the phase it was sent in and the one it was answered in: a request
            # sent while the database was up may be answered after it went down.
            sent_in = phase
            # A client timeout here fails the test: a request must never hang on the outage.
            if writes:
                answer = await http.post(
                    "/api/businesses/me/products", json=product(f"Hàng tải {counter}")
                )
            else:
                answer = await http.get(f"/api/fairs/{fair_id}")
            answers.append((sent_in, phase, answer))
            await asyncio.sleep(0.02)

    tasks = [asyncio.create_task(load(c, writes=True)) for c in clients]
    tasks.append(asyncio.create_task(load(public, writes=False)))
    try:
        await asyncio.sleep(1.5)
        phase = "stopping"  # requests in flight now may get either answer
        await asyncio.to_thread(cluster.stop)
        phase = "down"
        await asyncio.sleep(2.5)
        health = await public.get("/health")
        assert health.status_code == 503
        answers.append((phase, phase, await public.get("/api/fairs")))
        phase = "starting"
        await asyncio.to_thread(cluster.start)
        phase = "restarted"
        # Back to normal within a bounded time, with nothing restarted by hand.
        deadline = time.monotonic() + 30
        streak = 0
        while streak < 20 and time.monotonic() < deadline:
            answer = await clients[0].post(
                "/api/businesses/me/products", json=product(f"Hàng sau {streak}")
            )
            streak = streak + 1 if answer.status_code == 201 else 0
            await asyncio.sleep(0.05)
        recovered = streak >= 20
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for http in [*clients, public]:
            await http.aclose()
    return recovered


# --- The mail server down ------------------------------------------------------------------


@pytest.mark.anyio
async def test_mails_wait_in_the_outbox_while_the_mail_server_is_down_then_go_out(
    server_database, tmp_path
):
    from core.tables import OutboxEmail
    from vendors.tables import Business

    async with using_database(server_database):
        await seed_basics()
        business = await make_business(
            "cho.duyet@faults.vn",
            "Hợp tác xã Gốm Bình Dương",
            "0300588569",
            "ben-nghe",
            status="pending",
        )
    smtp_port = free_port()  # nothing listens there yet
    env = {
        "DATABASE_URL": server_database,
        "VAR_DIR": str(tmp_path / "var"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_POLL_SECONDS": "0.3",
    }
    with live_servers(1, env, tmp_path, workers=2) as (server,):
        async with httpx.AsyncClient(base_url=server.base, timeout=CLIENT_TIMEOUT) as http:
            login = await http.post(
                "/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD}
            )
            assert login.status_code == 200
            verified = await http.post(f"/api/businesses/{business}/verify", json={"reason": ""})
        # The officer's decision does not wait for, or fail with, the mail server.
        assert verified.status_code == 200, verified.text
        assert verified.json()["status"] == "verified"

        async with using_database(server_database):
            tried = await _wait_for(
                lambda: (
                    OutboxEmail.select()
                    .where(OutboxEmail.attempts >= 1, OutboxEmail.sent_at.is_null())
                    .first()
                    .run()
                )
            )
            assert tried["recipient"] == "cho.duyet@faults.vn"
            assert tried["last_error"]
            assert await Business.select(Business.status).where(
                Business.id == business
            ).first().run() == {"status": "verified"}

            mail_server = MailServer(smtp_port)
            mail_server.controller.start()
            try:
                # The retry is due 30 s after the failure; bring it forward instead of waiting.
                await (
                    OutboxEmail.update({OutboxEmail.next_attempt_at: dt.datetime.now(dt.UTC)})
                    .where(OutboxEmail.id == tried["id"])
                    .run()
                )

                async def delivered() -> bool:
                    return bool(mail_server.messages)

                await _wait_for(delivered)
                sent = await OutboxEmail.select().where(OutboxEmail.id == tried["id"]).first()
            finally:
                mail_server.controller.stop()
    assert len(mail_server.messages) == 1
    assert mail_server.recipients == [["cho.duyet@faults.vn"]]
    assert mail_server.messages[0]["Subject"] == tried["subject"]
    assert sent["sent_at"] is not None


async def _wait_for(probe, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError("waited in vain")


# --- Bodies over the limit -----------------------------------------------------------------

OVER_LIMIT = 10 * 1024 * 1024 + 1


@pytest.mark.anyio
async def test_bodies_over_the_limit_get_413_in_both_languages_and_store_nothing(db, client):
    from core.settings import get_settings
    from vendors.tables import Document

    uploads = get_settings().var_dir / "uploads"
    files_before = sorted(uploads.iterdir()) if uploads.exists() else []
    await seed_basics()
    await make_business("lon@faults.vn", "Công ty Tệp Lớn", "0300588569", "ben-nghe")
    login = await client.post(
        "/api/auth/login", json={"email": "lon@faults.vn", "password": PASSWORD}
    )
    assert login.status_code == 200

    json_body = await client.post(
        "/api/businesses/me/products",
        content=b'{"name": "' + b"a" * OVER_LIMIT + b'"}',
        headers={"content-type": "application/json"},
    )

    async def chunks():
        for _ in range(11):
            yield b"a" * (1024 * 1024)

    # No Content-Length: the limit still holds for a body sent in chunks.
    streamed = await client.post(
        "/api/businesses/me/products",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    upload = await client.post(
        "/api/businesses/me/documents",
        files={"file": ("gcn.pdf", b"%PDF-1.4\n" + b"0" * OVER_LIMIT, "application/pdf")},
        data={"kind": "registration_certificate"},
        headers={"x-site-csrf": "1"},
    )
    for answer in (json_body, streamed, upload):
        assert answer.status_code == 413
        assert answer.headers["content-type"].startswith(PROBLEM_JSON)
        body = answer.json()
        assert body["messages"]["vi"] == "Dữ liệu gửi lên quá lớn."
        assert body["messages"]["en"] == "The request body is too large."
    client.cookies.set("lang", "en")  # the language chosen on the site
    english = await client.post(
        "/api/businesses/me/products",
        content=b"[" + b"1," * (OVER_LIMIT // 2) + b"1]",
        headers={"content-type": "application/json"},
    )
    assert english.status_code == 413
    assert english.json()["detail"] == "The request body is too large."
    assert await Document.count() == 0
    assert (sorted(uploads.iterdir()) if uploads.exists() else []) == files_before
