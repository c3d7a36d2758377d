"""Times: stored in UTC, shown and counted in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_local() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL_TZ)


def start_of_local_day(day: dt.date) -> dt.datetime:
    """Midnight in Ho Chi Minh City at the start of that day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)
