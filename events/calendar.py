"""The one place that turns fairs into iCalendar feeds.

Bytes are a function of the data only: UIDs come from fair ids, DTSTAMP and LAST-MODIFIED from
each fair's last change, and there is no METHOD, so an unchanged feed renders to the same bytes
and keeps its ETag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from icalendar import Alarm, Calendar, Event, vText
from piccolo.querystring import QueryString

from core.settings import get_settings
from core.timezone import LOCAL_TZ, local
from core.units import ward_title
from events.tables import SETTING_LABELS, Fair, FairStatus, Setting

# Past fairs stay this long, so the feed stays bounded but recent history remains.
PAST_WINDOW = dt.timedelta(days=90)
REFRESH = dt.timedelta(hours=12)
# Fixed, not taken from PUBLIC_URL: a UID must survive a change of host name.
UID_DOMAIN = "phien-cho-hang-viet.quan1"
PRODID = "-//Phien cho hang Viet Quan 1//Lich phien cho 1.0//VI"
VISIBLE = (FairStatus.PUBLISHED.value, FairStatus.COMPLETED.value, FairStatus.CANCELLED.value)


@dataclass(frozen=True)
class Feed:
    key: str  # names the feed in caches and in its calendar UID
    name: str
    description: str
    where: Any = None  # extra condition on Fair
    # For a business's own feed: fair id → (status of its application, stall code or "")
    business: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    business_id: int | None = None


def fair_uid(fair_id: int, business_id: int | None = None) -> str:
    if business_id is not None:
        return f"fair-{fair_id}-business-{business_id}@{UID_DOMAIN}"
    return f"fair-{fair_id}@{UID_DOMAIN}"


def in_feed(row: dict[str, Any], now: dt.datetime) -> bool:
    """Cancelled fairs stay (as CANCELLED) until their day has passed; others for 90 days."""
    if row["status"] == FairStatus.CANCELLED.value:
        return row["ends_at"] >= now
    return row["ends_at"] >= now - PAST_WINDOW


RENDER_COLUMNS = (
    Fair.all_columns(),
    Fair.site.name,
    Fair.site.address,
    Fair.site.lat,
    Fair.site.lon,
    Fair.site.ward.name,
)


def _base(feed: Feed) -> Any:
    condition = Fair.status.is_in(list(VISIBLE))
    return condition if feed.where is None else condition & feed.where


async def feed_rows(feed: Feed) -> list[dict[str, Any]]:
    query = Fair.select(*RENDER_COLUMNS).where(_base(feed))
    return await query.order_by(Fair.starts_at).order_by(Fair.id).run()


def _moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))  # SQLite hands aggregates back as text


@dataclass(frozen=True)
class FeedState:
    fingerprint: str
    last_modified: dt.datetime


async def feed_state(feed: Feed, now: dt.datetime) -> FeedState:
    """What the feed's bytes depend on, in one aggregate query instead of every row.

    Every change to a fair sets its updated_at to now, so the newest updated_at moves with
    each edit; the number of fairs inside the window moves as fairs age out of it, and the
    moment the last one left counts as a change, so Last-Modified never goes backwards.
    """
    aged_before = now - PAST_WINDOW
    row = (
        await Fair.select(
            QueryString("MAX(fair.updated_at)").as_alias("newest"),
            QueryString(
                "SUM(CASE WHEN (fair.status <> 'cancelled' AND fair.ends_at >= {}) "
                "OR (fair.status = 'cancelled' AND fair.ends_at >= {}) THEN 1 ELSE 0 END)",
                aged_before,
                now,
            ).as_alias("inside"),
            QueryString(
                "MAX(CASE WHEN fair.status <> 'cancelled' AND fair.ends_at < {} "
                "THEN fair.ends_at END)",
                aged_before,
            ).as_alias("aged"),
            QueryString(
                "MAX(CASE WHEN fair.status = 'cancelled' AND fair.ends_at < {} "
                "THEN fair.ends_at END)",
                now,
            ).as_alias("dropped"),
        )
        .where(_base(feed))
        .first()
        .run()
    )
    newest, aged, dropped = (_moment(row[k]) for k in ("newest", "aged", "dropped"))
    moments = [m for m in (newest, aged + PAST_WINDOW if aged else None, dropped) if m]
    latest = max(moments, default=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    modified = latest.astimezone(dt.UTC).replace(microsecond=0)
    parts = [
        feed.key,
        get_settings().public_url,
        str(newest),
        str(row["inside"]),
        modified.isoformat(),
    ]
    parts += [f"{k}={v}" for k, v in sorted(feed.business.items())]
    return FeedState(hashlib.sha256("|".join(parts).encode()).hexdigest(), modified)


def _when(row: dict[str, Any]) -> str:
    start, end = local(row["starts_at"]), local(row["ends_at"])
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M} {start:%d/%m/%Y}"
    return f"{start:%H:%M %d/%m/%Y} – {end:%H:%M %d/%m/%Y}"


def _event(row: dict[str, Any], feed: Feed, base_url: str) -> Event:
    fair_id = row["id"]
    cancelled = row["status"] == FairStatus.CANCELLED.value
    url = f"{base_url}/fairs/{fair_id}"
    application, stall, pass_url = feed.business.get(fair_id, ("", "", ""))
    title = row["title"] + (f" — gian hàng {stall}" if stall else "")
    setting_vi, setting_en = SETTING_LABELS[Setting(row["setting"])]
    location = f"{row['site.name']}, {row['site.address']}"
    lines = [row["description"]] if row["description"] else []
    if cancelled:
        lines.insert(0, f"ĐÃ HỦY. Lý do: {row['cancel_reason']}")
    if stall:
        lines.append(f"Gian hàng của bạn / Your stall: {stall}")
    if pass_url:
        lines.append(f"Thẻ ra vào / Your pass: {pass_url}")
    if application and application != "approved":
        lines.append("Đơn đăng ký gian hàng đang chờ duyệt.")
    lines += [
        f"Thời gian: {_when(row)}",
        f"Địa điểm: {location}",
        "",
        f"Vietnamese-goods fair ({setting_en.lower()}) at {row['site.name']}, {_when(row)}"
        + (f". CANCELLED: {row['cancel_reason']}" if cancelled else "")
        + ".",
        url,
    ]
    event = Event()
    event.add("uid", fair_uid(fair_id, feed.business_id))
    event.add("dtstamp", row["updated_at"].astimezone(dt.UTC))
    event.add("last-modified", row["updated_at"].astimezone(dt.UTC))
    event.add("created", row["created_at"].astimezone(dt.UTC))
    event.add("sequence", row["sequence"])
    event.add("dtstart", local(row["starts_at"]))
    event.add("dtend", local(row["ends_at"]))
    event.add("summary", ("ĐÃ HỦY – " if cancelled else "") + title)
    event.add("description", "\n".join(lines))
    event.add("location", location)
    event.add("geo", (row["site.lat"], row["site.lon"]))
    event.add("url", url)
    event.add("categories", [setting_vi, ward_title(row["site.ward.name"])])
    status = (
        "CANCELLED"
        if cancelled
        else ("TENTATIVE" if application and application != "approved" else "CONFIRMED")
    )
    event.add("status", status)
    # Apple Calendar ignores GEO and shows a map only for this property.
    event.add(
        "x-apple-structured-location",
        f"geo:{row['site.lat']},{row['site.lon']}",
        parameters={
            "VALUE": "URI",
            "X-ADDRESS": row["site.address"],
            "X-APPLE-RADIUS": "100",
            "X-TITLE": row["site.name"],
        },
    )
    if feed.business_id is not None and not cancelled:
        event.add_component(_evening_before(row))
    return event


def _evening_before(row: dict[str, Any]) -> Alarm:
    start = local(row["starts_at"])
    evening = dt.datetime.combine(start.date() - dt.timedelta(days=1), dt.time(19), LOCAL_TZ)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Ngày mai: {row['title']} lúc {start:%H:%M}")
    alarm.add("trigger", evening - start)
    return alarm


def render(
    feed: Feed, rows: list[dict[str, Any]], now: dt.datetime, modified: dt.datetime
) -> bytes:
    base_url = get_settings().public_url
    visible = [r for r in rows if in_feed(r, now)]
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("uid", f"{feed.key}@{UID_DOMAIN}")
    calendar.add("name", feed.name)
    calendar.add("x-wr-calname", feed.name)
    calendar.add("description", feed.description)
    calendar.add("x-wr-caldesc", vText(feed.description))
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    calendar.add("url", base_url)
    calendar.add("last-modified", modified)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    for row in visible:
        calendar.add_component(_event(row, feed, base_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()
