"""The e-mail outbox, delivered to a real SMTP server (aiosmtpd) listening on a free port."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import unicodedata

import anyio
import jinja2
import pytest

import core.mail as mail
from core.database import write_txn
from core.mail import deliver_due, enqueue, outbox_counts
from core.settings import get_settings
from core.tables import OutboxEmail
from tests.conftest import run_cli

pytestmark = pytest.mark.anyio

BUSINESS = "Công ty TNHH Bánh & Mứt Tân Định"
TAX_CODE = "0312345678"

TEMPLATES = {
    "business_verified.vi.txt": (
        "Hồ sơ {{ business }} đã được duyệt\n"
        "\n"
        "Kính gửi {{ business }},\n"
        "\n"
        "Hồ sơ doanh nghiệp của quý vị đã được Ban tổ chức Phiên chợ hàng Việt Quận 1 duyệt.\n"
        "Mã số thuế: {{ tax_code }}\n"
        "\n"
        "Trân trọng.\n"
    ),
    "business_verified.en.txt": (
        "{{ business }} has been verified\n"
        "\n"
        "Dear {{ business }},\n"
        "\n"
        "The District 1 Vietnamese-goods fair organizers have verified your business.\n"
        "Tax code: {{ tax_code }}\n"
    ),
    "business_verified.vi.html": (
        "<p>Kính gửi <strong>{{ business }}</strong>,</p>\n<p>Mã số thuế: {{ tax_code }}</p>\n"
    ),
}
CONTEXT = {"business": BUSINESS, "tax_code": TAX_CODE}
SUBJECT_VI = f"Hồ sơ {BUSINESS} đã được duyệt"
BODY_VI = (
    f"Kính gửi {BUSINESS},\n"
    "\n"
    "Hồ sơ doanh nghiệp của quý vị đã được Ban tổ chức Phiên chợ hàng Việt Quận 1 duyệt.\n"
    f"Mã số thuế: {TAX_CODE}\n"
    "\n"
    "Trân trọng.\n"
)


@pytest.fixture
def mail_templates(tmp_path, monkeypatch):
    for name, text in TEMPLATES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(mail, "TEMPLATE_DIR", tmp_path)
    return tmp_path


@pytest.fixture
async def outbox(db, smtp_port, mail_templates):
    return db


async def row_of(mail_id: int) -> dict:
    return await OutboxEmail.select().where(OutboxEmail.id == mail_id).first()


async def make_due(mail_id: int) -> None:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await OutboxEmail.update({OutboxEmail.next_attempt_at: moment}).where(OutboxEmail.id == mail_id)


async def test_a_mail_arrives_with_its_exact_vietnamese_subject_and_body(
    outbox, smtp_port, start_server
):
    server = start_server(smtp_port)
    # Typed on a keyboard that sends decomposed accents: stored and sent composed (NFC).
    decomposed = {**CONTEXT, "business": unicodedata.normalize("NFD", BUSINESS)}
    mail_id = await enqueue("doanhnghiep@banhmut.vn", "business_verified", decomposed, "vi")

    assert await deliver_due() == 1

    assert len(server.messages) == 1
    received = server.messages[0]
    assert received["Subject"] == SUBJECT_VI
    assert server.text_of(received) == BODY_VI
    assert server.recipients == [["doanhnghiep@banhmut.vn"]]
    assert received["From"].addresses[0].display_name == "Phiên chợ hàng Việt TP. Hồ Chí Minh"
    assert received["Content-Language"] == "vi"
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Công ty TNHH Bánh &amp; Mứt Tân Định</strong>" in html
    row = await row_of(mail_id)
    assert received["Message-ID"] == row["message_id"]
    assert row["sent_at"] is not None
    assert row["attempts"] == 0
    assert row["claimed_until"] is None
    assert row["kind"] == "business_verified"
    assert await deliver_due() == 0
    assert len(server.messages) == 1


async def test_an_english_speaking_recipient_gets_the_english_template(
    outbox, smtp_port, start_server
):
    server = start_server(smtp_port)
    await enqueue("owner@example.com", "business_verified", CONTEXT, "en")
    await enqueue("chu@example.vn", "business_verified", CONTEXT, "fr")  # no French: Vietnamese

    assert await deliver_due() == 2

    by_recipient = {m["To"]: m for m in server.messages}
    english = by_recipient["owner@example.com"]
    assert english["Subject"] == f"{BUSINESS} has been verified"
    assert server.text_of(english).startswith(f"Dear {BUSINESS},\n\n")
    assert english["Content-Language"] == "en"
    assert not english.is_multipart()  # there is no English HTML template
    assert by_recipient["chu@example.vn"]["Subject"] == SUBJECT_VI


async def test_while_the_mail_server_is_down_the_mail_waits_and_then_goes_once(
    outbox, smtp_port, start_server
):
    before = dt.datetime.now(dt.UTC)
    mail_id = await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")

    assert await deliver_due() == 0  # nothing listens on the port yet

    failed = await row_of(mail_id)
    assert failed["sent_at"] is None
    assert failed["attempts"] == 1
    assert failed["last_error"]
    assert failed["claimed_until"] is None
    assert failed["next_attempt_at"] >= before + dt.timedelta(seconds=29)
    assert await deliver_due() == 0  # not due again before its time
    assert (await row_of(mail_id))["attempts"] == 1

    server = start_server(smtp_port)
    assert await deliver_due() == 0
    assert server.messages == []
    await make_due(mail_id)
    assert await deliver_due() == 1
    assert await deliver_due() == 0

    assert len(server.messages) == 1
    assert server.messages[0]["Subject"] == SUBJECT_VI
    assert (await row_of(mail_id))["sent_at"] is not None


def test_retries_wait_longer_each_time_up_to_an_hour():
    delays = [mail.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert mail.retry_delay(1000) == dt.timedelta(hours=1)


async def test_concurrent_senders_deliver_each_mail_exactly_once(outbox, smtp_port, start_server):
    server = start_server(smtp_port)
    ids = [
        await enqueue(f"dn{n}@example.vn", "business_verified", CONTEXT, "vi") for n in range(12)
    ]

    counts = await asyncio.gather(deliver_due(), deliver_due(), deliver_due())

    assert sum(counts) == 12
    assert sorted(r[0] for r in server.recipients) == sorted(f"dn{n}@example.vn" for n in range(12))
    assert len({m["Message-ID"] for m in server.messages}) == 12
    unsent = await OutboxEmail.count().where(
        OutboxEmail.id.is_in(ids), OutboxEmail.sent_at.is_null()
    )
    assert unsent == 0


async def test_a_mail_another_worker_is_sending_is_left_to_it_until_its_lease_ends(
    outbox, smtp_port, start_server
):
    server = start_server(smtp_port)
    mail_id = await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    await OutboxEmail.update({OutboxEmail.claimed_until: later}).where(OutboxEmail.id == mail_id)

    assert await deliver_due() == 0
    assert server.messages == []

    # The worker holding it died: the lease runs out and someone else sends it.
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await OutboxEmail.update({OutboxEmail.claimed_until: earlier}).where(OutboxEmail.id == mail_id)
    assert await deliver_due() == 1
    assert len(server.messages) == 1


async def test_a_refused_recipient_does_not_hold_up_the_other_mails(
    outbox, smtp_port, start_server
):
    server = start_server(smtp_port, refuse=frozenset({"khongco@example.vn"}))
    first = await enqueue("mot@example.vn", "business_verified", CONTEXT, "vi")
    refused = await enqueue("khongco@example.vn", "business_verified", CONTEXT, "vi")
    last = await enqueue("hai@example.vn", "business_verified", CONTEXT, "vi")

    assert await deliver_due() == 2

    assert sorted(r[0] for r in server.recipients) == ["hai@example.vn", "mot@example.vn"]
    kept = await row_of(refused)
    assert kept["sent_at"] is None
    assert kept["attempts"] == 1
    assert "550" in kept["last_error"]
    for mail_id in (first, last):
        assert (await row_of(mail_id))["sent_at"] is not None


# Sign-in without TLS on a test server only; aiosmtpd warns about it for real ones.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_the_smtp_account_is_used_and_a_wrong_password_loses_nothing(
    outbox, smtp_port, start_server, monkeypatch
):
    server = start_server(smtp_port, login=("phiencho", "mật-khẩu-đúng"))
    monkeypatch.setenv("SMTP_USER", "phiencho")
    monkeypatch.setenv("SMTP_PASSWORD", "sai")
    get_settings.cache_clear()
    ids = [await enqueue(f"dn{n}@example.vn", "business_verified", CONTEXT, "vi") for n in (1, 2)]

    assert await deliver_due() == 0
    assert server.messages == []
    # A refused sign-in would refuse every mail: the run stops after the first.
    attempts = sorted([(await row_of(i))["attempts"] for i in ids])
    assert attempts == [0, 1]

    monkeypatch.setenv("SMTP_PASSWORD", "mật-khẩu-đúng")
    get_settings.cache_clear()
    for mail_id in ids:
        await make_due(mail_id)
    assert await deliver_due() == 2
    assert len(server.messages) == 2


async def test_a_mail_is_part_of_the_transaction_of_the_change_it_reports(outbox):
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed):
        async with write_txn(OutboxEmail._meta.db):
            await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")
            raise ChangeFailed
    assert await OutboxEmail.count() == 0

    async with write_txn(OutboxEmail._meta.db):
        await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")
    assert await OutboxEmail.count() == 1


async def test_a_template_missing_a_value_or_a_bad_address_queues_nothing(outbox):
    with pytest.raises(jinja2.UndefinedError):
        await enqueue("doanhnghiep@banhmut.vn", "business_verified", {"business": BUSINESS})
    with pytest.raises(ValueError):
        await enqueue("a@b.vn\nBcc: everyone@example.vn", "business_verified", CONTEXT)
    with pytest.raises(ValueError):
        await enqueue("doanhnghiep@banhmut.vn", "../secrets", CONTEXT)
    with pytest.raises(jinja2.TemplateNotFound):
        await enqueue("doanhnghiep@banhmut.vn", "no_such_mail", CONTEXT)
    assert await OutboxEmail.count() == 0


async def test_send_mail_command_sends_what_is_due_and_counts_what_is_left(
    outbox, smtp_port, start_server
):
    server = start_server(smtp_port, refuse=frozenset({"khongco@example.vn"}))
    await enqueue("mot@example.vn", "business_verified", CONTEXT, "vi")
    await enqueue("khongco@example.vn", "business_verified", CONTEXT, "vi")

    result = await anyio.to_thread.run_sync(lambda: run_cli("send-mail", database_url=outbox.url))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sent: 1. Not sent yet: 1 (failed, will be retried: 1)." in result.stdout
    assert "Đã gửi: 1." in result.stdout
    assert len(server.messages) == 1


async def test_the_app_sends_the_outbox_in_the_background(
    outbox, smtp_port, start_server, monkeypatch
):
    from app import create_app

    server = start_server(smtp_port)
    monkeypatch.setenv("MAIL_POLL_SECONDS", "0.05")
    get_settings.cache_clear()
    application = create_app()
    # Around start-up and shutdown too: a sender that ignored cancellation would hang here.
    with anyio.fail_after(20):
        async with application.lifespan():
            sender = next(t for t in asyncio.all_tasks() if t.get_name() == "mail-sender")
            await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")
            while not server.messages:
                await asyncio.sleep(0.05)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "mail-sender"]
    # Asked to stop, it finished what it was doing and returned: no cancellation was needed
    # (one in the middle of a database call can hang in the driver).
    assert sender.done() and not sender.cancelled()
    assert len(server.messages) == 1


async def test_a_stopped_sender_starts_no_other_mail(outbox, smtp_port, start_server):
    server = start_server(smtp_port)
    await enqueue("doanhnghiep@banhmut.vn", "business_verified", CONTEXT, "vi")
    stop = asyncio.Event()
    stop.set()
    assert await deliver_due(stop=stop) == 0
    assert server.messages == []
    assert (await outbox_counts())["unsent"] == 1  # kept for the next start
    assert await deliver_due() == 1


async def test_the_background_sender_outlives_an_error(monkeypatch, caplog):
    calls = 0

    async def flaky(limit: int = 50, stop: asyncio.Event | None = None) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("the database went away for a moment")
        return 0

    monkeypatch.setattr(mail, "deliver_due", flaky)
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        task = asyncio.create_task(mail.send_forever(0.01))
        with anyio.fail_after(5):
            while calls < 3:
                await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.wait({task})
    assert task.cancelled()
    assert "the database went away" in caplog.text
