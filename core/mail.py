"""Transactional e-mail: an outbox table, written with the change it reports, and a sender.

`enqueue()` renders `templates/mail/<template>.<language>.txt` (first line: the subject; the
rest: the text body) and, when it exists, `<template>.<language>.html`, and inserts the result
into the outbox, inside the caller's transaction when one is open: the mail goes out only if
the change it reports is committed. `deliver_due()` sends what is due over SMTP; every worker
process runs it in the background (MAIL_POLL_SECONDS), and `python -m manage send-mail` runs
it once. A failed attempt is retried later with a growing delay, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiosmtplib
import jinja2
from piccolo.custom_types import Combinable

from core.settings import PROJECT_ROOT, Settings, get_settings
from core.tables import OutboxEmail
from core.text import clean

logger = logging.getLogger(__name__)

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "mail"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# One message, connection included, may take this long before it counts as a failure...
SEND_TIMEOUT_SECONDS = 120
SMTP_COMMAND_TIMEOUT_SECONDS = 30
# ...well within the lease, so no other worker takes a mail while it is still being sent.
LEASE = dt.timedelta(minutes=10)
MAX_ERROR_LENGTH = 2000
SHUTDOWN_WAIT_SECONDS = 10  # for the sender to finish the mail in hand and stop
CANCEL_WAIT_SECONDS = 2  # then, cancelled, to unwind

_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,59}")

# Refusals of one message (its recipient, its content): the next one may still go through.
# Anything else (no connection, refused sign-in, a timeout) would fail for every message, so
# the run stops and leaves the rest for later rather than wait out the timeout once per mail.
_THIS_MESSAGE_ONLY = (
    aiosmtplib.SMTPRecipientsRefused,
    aiosmtplib.SMTPRecipientRefused,
    aiosmtplib.SMTPDataError,
    ValueError,
)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min … at most 1 hour."""
    exponent = min(max(attempts, 1) - 1, 20)
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2**exponent, MAX_RETRY_SECONDS))


@lru_cache(maxsize=4)
def _environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        # A missing value fails at enqueue, in the caller's transaction, not as a blank in
        # a mail already sent.
        undefined=jinja2.StrictUndefined,
    )


def language_of(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def render(template: str, context: Mapping[str, Any], language: str) -> RenderedMail:
    if not _TEMPLATE_NAME.fullmatch(template):
        raise ValueError(f"Not a mail template name: {template!r}")
    environment = _environment(TEMPLATE_DIR)
    rendered = environment.get_template(f"{template}.{language}.txt").render(context)
    rendered = unicodedata.normalize("NFC", rendered).replace("\r\n", "\n")
    first_line, _, body = rendered.partition("\n")
    subject = clean(first_line)
    if not subject:
        raise ValueError(f"The first line of {template}.{language}.txt (the subject) is empty")
    try:
        html_template = environment.get_template(f"{template}.{language}.html")
    except jinja2.TemplateNotFound:
        html = None
    else:
        html = unicodedata.normalize("NFC", html_template.render(context))
    return RenderedMail(subject=subject, text=body.strip("\n") + "\n", html=html)


def _recipient(address: str) -> str:
    address = clean(address)
    _, parsed = parseaddr(address)
    if not parsed or parsed != address or "@" not in address or len(address) > 320:
        raise ValueError(f"Not a single e-mail address: {address!r}")
    return address


def _sender_domain(settings: Settings) -> str:
    _, address = parseaddr(settings.mail_from)
    return address.rpartition("@")[2] or "phiencho.local"


async def enqueue(
    to: str, template: str, context: Mapping[str, Any], language: str = DEFAULT_LANGUAGE
) -> int:
    """Render a mail and put it in the outbox; returns its id.

    A plain insert: inside the caller's open transaction it is committed or rolled back with
    the change it reports, and outside one it is a transaction of its own.
    """
    language = language_of(language)
    mail = render(template, context, language)
    row = OutboxEmail(
        recipient=_recipient(to),
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        language=language,
        kind=template,
        message_id=make_msgid(domain=_sender_domain(get_settings())),
    )
    await row.save().run()
    return row.id


def _due(now: dt.datetime) -> Combinable:
    return (
        OutboxEmail.sent_at.is_null()
        & (OutboxEmail.next_attempt_at <= now)
        & (OutboxEmail.claimed_until.is_null() | (OutboxEmail.claimed_until < now))
    )


async def _claim_one() -> dict[str, Any] | None:
    """Lease the oldest due mail to this worker, or None when nothing is due.

    One conditional UPDATE: of two workers that pick the same row, only the first matches the
    condition (PostgreSQL re-checks it after the row lock; SQLite runs writes one at a time).
    """
    now = _now()
    oldest = (
        OutboxEmail.select(OutboxEmail.id)
        .where(_due(now))
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
    )
    rows = (
        await OutboxEmail.update({OutboxEmail.claimed_until: now + LEASE})
        .where(OutboxEmail.id.is_in(oldest), _due(now))
        .returning(
            OutboxEmail.id,
            OutboxEmail.recipient,
            OutboxEmail.subject,
            OutboxEmail.body_text,
            OutboxEmail.body_html,
            OutboxEmail.language,
            OutboxEmail.kind,
            OutboxEmail.message_id,
            OutboxEmail.attempts,
        )
        .run()
    )
    return rows[0] if rows else None


async def _any_due() -> bool:
    return await OutboxEmail.exists().where(_due(_now())).run()


def build_message(row: Mapping[str, Any], settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = row["message_id"]
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps Vietnamese intact through servers without 8BITMIME.
    message.set_content(row["body_text"], charset="utf-8", cte="quoted-printable")
    if row["body_html"]:
        message.add_alternative(
            row["body_html"], subtype="html", charset="utf-8", cte="quoted-printable"
        )
    # Only now: add_alternative() moves every Content-* header into the text part.
    message["Content-Language"] = row["language"]
    return message


class _SmtpSession:
    """One SMTP connection for a run, opened at the first message."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        if self._client is None:
            client = aiosmtplib.SMTP(
                hostname=self._settings.smtp_host,
                port=self._settings.smtp_port,
                username=self._settings.smtp_user,
                password=self._settings.smtp_password,
                start_tls=self._settings.smtp_starttls,
                cert_bundle=self._settings.smtp_ca_file,
                timeout=SMTP_COMMAND_TIMEOUT_SECONDS,
            )
            await client.connect()
            self._client = client
        await self._client.send_message(message)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()

    def drop(self) -> None:
        """Close without QUIT: the connection failed or hangs, and a QUIT would wait too."""
        client, self._client = self._client, None
        if client is not None:
            client.close()


async def _mark_sent(mail_id: int) -> None:
    await (
        OutboxEmail.update({OutboxEmail.sent_at: _now(), OutboxEmail.claimed_until: None})
        .where(OutboxEmail.id == mail_id)
        .run()
    )


async def _mark_failed(row: Mapping[str, Any], error: BaseException) -> None:
    attempts = row["attempts"] + 1
    delay = retry_delay(attempts)
    text = f"{type(error).__name__}: {error}".strip()[:MAX_ERROR_LENGTH]
    await (
        OutboxEmail.update(
            {
                OutboxEmail.attempts: OutboxEmail.attempts + 1,
                OutboxEmail.last_error: text,
                OutboxEmail.next_attempt_at: _now() + delay,
                OutboxEmail.claimed_until: None,
            }
        )
        .where(OutboxEmail.id == row["id"])
        .run()
    )
    logger.warning(
        "E-mail %s (%s) not sent, attempt %s; next try in %s: %s",
        row["id"],
        row["kind"],
        attempts,
        delay,
        text,
    )


async def deliver_due(limit: int = 50, stop: asyncio.Event | None = None) -> int:
    """Send up to `limit` due mails; returns how many the mail server accepted. Once `stop` is
    set, the mail in hand is finished and no other is started."""
    settings = get_settings()
    session = _SmtpSession(settings)
    sent = 0
    try:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            row = await _claim_one()
            if row is None:
                # Another worker won the race for that row; there may be others left.
                if await _any_due():
                    continue
                break
            try:
                message = build_message(row, settings)
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    await session.send(message)
            except Exception as exc:  # whatever the cause, the mail stays for a later attempt
                await _mark_failed(row, exc)
                if isinstance(exc, _THIS_MESSAGE_ONLY):
                    continue
                session.drop()
                break
            await _mark_sent(row["id"])
            sent += 1
    finally:
        await session.close()
    return sent


async def outbox_counts() -> dict[str, int]:
    """Mails not sent yet, and how many of them have failed at least once."""
    unsent = OutboxEmail.sent_at.is_null()
    return {
        "unsent": await OutboxEmail.count().where(unsent).run(),
        "failed": await OutboxEmail.count().where(unsent, OutboxEmail.attempts > 0).run(),
    }


async def send_forever(
    poll_seconds: float, batch: int = 50, stop: asyncio.Event | None = None
) -> None:
    """Until `stop` is set (or the task is cancelled): send what is due, then wait a poll."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            sent = await deliver_due(batch, stop)
        except Exception:  # a database or bug error must not end the sender for good
            logger.exception("Sending the e-mail outbox failed; trying again shortly")
            sent = 0
        if sent < batch:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)


@asynccontextmanager
async def mail_sender_lifespan(_: object) -> AsyncIterator[None]:
    """Send the outbox in the background while the app runs (unless MAIL_POLL_SECONDS=0)."""
    poll_seconds = get_settings().mail_poll_seconds
    if poll_seconds <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(send_forever(poll_seconds, stop=stop), name="mail-sender")
    try:
        yield
    finally:
        # Asked to stop, the sender finishes the mail in hand and returns. Cancelling it in the
        # middle of a database call instead sends the driver down its cancel-request path,
        # which can outlast any wait (asyncpg opens a new connection to deliver it). Only a
        # sender that has not stopped in time is cancelled. wait() rather than `await task`:
        # a cancellation of the shutdown itself is still raised here. Bounded both times, so a
        # sender stuck in a driver call cannot hold up a restart.
        stop.set()
        done, _ = await asyncio.wait({task}, timeout=SHUTDOWN_WAIT_SECONDS)
        if not done:
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=CANCEL_WAIT_SECONDS)
        if not done:
            logger.error(
                "The e-mail sender did not stop within %s s",
                SHUTDOWN_WAIT_SECONDS + CANCEL_WAIT_SECONDS,
            )
