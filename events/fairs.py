"""Fairs: creation, the lifecycle draft → published → completed / cancelled, and series."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.rrule import MO, MONTHLY, WEEKLY, rrule, weekday

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.guards import ensure_body
from core.roles import Right
from core.settings import get_settings
from core.signals import announce, fair_changed
from core.text import clean
from core.timezone import LOCAL_TZ, local, now_utc
from core.units import ward_title
from events.fair_map import offered_stalls
from events.fair_rows import fair_mail_context
from events.schemas import CancelIn, FairIn, FairOut, FairPatch, SeriesIn, SeriesOut
from events.tables import Application, ApplicationStatus, Fair, FairSeries, FairStatus, Site
from vendors.notifications import notify_business

F = FairStatus
PUBLIC_STATUSES = (F.PUBLISHED.value, F.CANCELLED.value, F.COMPLETED.value)
# Changes that a calendar or a business would care about raise the sequence number.
SIGNIFICANT = ("title", "site", "starts_at", "ends_at")
ACTIVE_APPLICATIONS = (
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.APPROVED.value,
    ApplicationStatus.WAITLISTED.value,
)
FAIR_COLUMNS = (
    Fair.all_columns(),
    Fair.site.slug,
    Fair.site.name,
    Fair.site.address,
    Fair.site.ward,
    Fair.site.ward.slug,
    Fair.site.ward.name,
    Fair.site.organizer,
    Fair.site.organizer.slug,
    Fair.site.organizer.name,
    Fair.held_in_ward.name,
    Fair.held_in_ward.district,
)


def _iso(moment: dt.datetime) -> str:
    return local(moment).isoformat()


def as_local(moment: dt.datetime) -> dt.datetime:
    """A time without an offset is a time in Ho Chi Minh City."""
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def fair_url(fair_id: int) -> str:
    return f"{get_settings().public_url}/fairs/{fair_id}"


def held_in(row: dict[str, Any]) -> str | None:
    """ "Phường Bến Nghé, Quận 1": where a fair before 1 July 2025 was held, as the units then
    were; None for fairs under today's units."""
    name = row.get("held_in_ward.name")
    if not name:
        return None
    district = row.get("held_in_ward.district")
    return f"{ward_title(name)}, {district}" if district else ward_title(name)


def fair_out(row: dict[str, Any]) -> FairOut:
    return FairOut(
        id=row["id"],
        title=row["title"],
        site_slug=row["site.slug"],
        site_name=row["site.name"],
        address=row["site.address"],
        ward_slug=row["site.ward.slug"],
        ward_name=row["site.ward.name"],
        organizer_slug=row["site.organizer.slug"],
        organizer_name=row["site.organizer.name"],
        held_in=held_in(row),
        setting=row["setting"],
        start=_iso(row["starts_at"]),
        end=_iso(row["ends_at"]),
        status=row["status"],
        sequence=row["sequence"],
        url=fair_url(row["id"]),
        description=row["description"],
        audience=row["audience"],
        cancel_reason=row["cancel_reason"],
        applications_open=_iso(row["applications_open_at"]),
        applications_close=_iso(row["applications_close_at"]),
        withdrawal_cutoff=_iso(row["withdrawal_cutoff_at"]),
        series_id=row["series"],
    )


def _not_found() -> AppError:
    return AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")


async def list_fairs(
    start: dt.date | None = None,
    end: dt.date | None = None,
    site: str | None = None,
    ward: str | None = None,
    statuses: tuple[str, ...] = PUBLIC_STATUSES,
    organizer: str | None = None,
) -> list[FairOut]:
    query = Fair.select(*FAIR_COLUMNS).where(Fair.status.is_in(list(statuses)))
    if start:
        query = query.where(Fair.ends_at >= dt.datetime.combine(start, dt.time(), LOCAL_TZ))
    if end:
        query = query.where(
            Fair.starts_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
        )
    if site:
        query = query.where(Fair.site.slug == site)
    if ward:
        query = query.where(Fair.site.ward.slug == ward)
    if organizer:
        query = query.where(Fair.site.organizer.slug == organizer)
    return [fair_out(r) for r in await query.order_by(Fair.starts_at).order_by(Fair.id).run()]


async def _row(fair_id: int) -> dict[str, Any]:
    row = await Fair.select(*FAIR_COLUMNS).where(Fair.id == fair_id).first().run()
    if not row:
        raise _not_found()
    return row


async def get_fair(fair_id: int, principal: Principal | None) -> FairOut:
    row = await _row(fair_id)
    if row["status"] == F.DRAFT.value and not (
        principal
        and principal.can(Right.MANAGE_FAIRS)
        and principal.acts_for_body(row["site.organizer"])
    ):
        raise _not_found()
    return fair_out(row)


async def _site(slug: str, principal: Principal) -> dict[str, Any]:
    row = (
        await Site.select(Site.id, Site.ward, Site.organizer, Site.setting, Site.active)
        .where(Site.slug == slug)
        .first()
        .run()
    )
    if not row or not row["active"]:
        raise AppError(
            422,
            f"Không có địa điểm “{slug}”.",
            f"There is no site “{slug}”.",
            extra={"field": "site_slug"},
        )
    ensure_body(principal, row["organizer"])
    return row


def _check_times(values: dict[str, dt.datetime]) -> None:
    starts, ends = values["starts_at"], values["ends_at"]
    problems = [
        (
            ends <= starts,
            "end",
            "Giờ kết thúc phải sau giờ bắt đầu.",
            "The end must be after the start.",
        ),
        (
            ends - starts > dt.timedelta(days=7),
            "end",
            "Một phiên chợ kéo dài tối đa 7 ngày.",
            "A fair lasts 7 days at most.",
        ),
        (
            values["applications_close_at"] <= values["applications_open_at"],
            "applications_close",
            "Hạn nhận đơn phải sau ngày mở đơn.",
            "Applications must close after they open.",
        ),
        (
            values["applications_close_at"] > starts,
            "applications_close",
            "Hạn nhận đơn phải trước giờ bắt đầu phiên chợ.",
            "Applications must close before the fair starts.",
        ),
        (
            values["withdrawal_cutoff_at"] > starts,
            "withdrawal_cutoff",
            "Hạn rút đơn phải trước giờ bắt đầu phiên chợ.",
            "The withdrawal cut-off must be before the fair starts.",
        ),
    ]
    for failed, field, vi, en in problems:
        if failed:
            raise AppError(422, vi, en, extra={"field": field})


def _default_windows(starts: dt.datetime, given: dict[str, dt.datetime | None]) -> dict:
    day = local(starts).date()
    midnight = dt.datetime.combine(day, dt.time(), LOCAL_TZ)
    return {
        "applications_open_at": given.get("applications_open_at") or now_utc(),
        "applications_close_at": given.get("applications_close_at")
        or midnight - dt.timedelta(days=3, minutes=1),
        "withdrawal_cutoff_at": given.get("withdrawal_cutoff_at")
        or midnight - dt.timedelta(days=2, minutes=1),
    }


async def create_fair(principal: Principal, data: FairIn) -> FairOut:
    site = await _site(data.site_slug, principal)
    starts, ends = as_local(data.start), as_local(data.end)
    windows = _default_windows(
        starts,
        {
            "applications_open_at": as_local(data.applications_open)
            if data.applications_open
            else None,
            "applications_close_at": as_local(data.applications_close)
            if data.applications_close
            else None,
            "withdrawal_cutoff_at": as_local(data.withdrawal_cutoff)
            if data.withdrawal_cutoff
            else None,
        },
    )
    values = {"starts_at": starts, "ends_at": ends, **windows}
    _check_times(values)
    async with write_txn(Fair._meta.db):
        fair = Fair(
            title=clean(data.title),
            site=site["id"],
            setting=(data.setting.value if data.setting else site["setting"]),
            description=clean(data.description),
            audience=clean(data.audience),
            **values,
        )
        await fair.save().run()
    return fair_out(await _row(fair.id))


_PATCH_TIMES = {
    "start": "starts_at",
    "end": "ends_at",
    "applications_open": "applications_open_at",
    "applications_close": "applications_close_at",
    "withdrawal_cutoff": "withdrawal_cutoff_at",
}


async def update_fair(principal: Principal, fair_id: int, data: FairPatch) -> FairOut:
    row = await _row(fair_id)
    ensure_body(principal, row["site.organizer"])
    if row["status"] in (F.CANCELLED.value, F.COMPLETED.value):
        raise AppError(
            409,
            "Không thể sửa phiên chợ đã hủy hoặc đã kết thúc.",
            "A cancelled or completed fair cannot be changed.",
        )
    changes: dict[str, Any] = {}
    if data.title is not None:
        changes["title"] = clean(data.title)
    if data.site_slug is not None and data.site_slug != row["site.slug"]:
        changes["site"] = (await _site(data.site_slug, principal))["id"]
    for field in ("description", "audience"):
        if getattr(data, field) is not None:
            changes[field] = clean(getattr(data, field))
    if data.setting is not None:
        changes["setting"] = data.setting.value
    for field, column in _PATCH_TIMES.items():
        if getattr(data, field) is not None:
            changes[column] = as_local(getattr(data, field))
    times = {column: changes.get(column, row[column]) for column in _PATCH_TIMES.values()}
    _check_times(times)
    significant = (
        [k for k in SIGNIFICANT if k in changes and changes[k] != row[k]]
        if row["status"] == F.PUBLISHED.value
        else []
    )
    values: dict[Any, Any] = {getattr(Fair, k): v for k, v in changes.items()}
    values[Fair.updated_at] = now_utc()
    if significant:
        values[Fair.sequence] = Fair.sequence + 1
    async with write_txn(Fair._meta.db):
        await Fair.update(values).where(Fair.id == fair_id).run()
        if significant:
            after = await _row(fair_id)
            await _notify(
                fair_id,
                "fair_changed",
                fair_mail_context(after),
            )
    if significant:  # passes carry the fair's day: a moved fair reissues them
        await announce(fair_changed, fair_id=fair_id)
    return fair_out(await _row(fair_id))


async def _notify(fair_id: int, template: str, context: dict[str, Any]) -> None:
    rows = (
        await Application.select(Application.business)
        .where((Application.fair == fair_id) & Application.status.is_in(list(ACTIVE_APPLICATIONS)))
        .run()
    )
    for business_id in sorted({r["business"] for r in rows}):
        await notify_business(business_id, template, {"fair_url": fair_url(fair_id), **context})


async def _transition(
    principal: Principal,
    fair_id: int,
    allowed: tuple[FairStatus, ...],
    target: FairStatus,
    extra: dict[Any, Any] | None = None,
    *,
    raise_sequence: bool = False,
) -> dict[str, Any]:
    row = await _row(fair_id)
    ensure_body(principal, row["site.organizer"])
    values: dict[Any, Any] = {
        Fair.status: target.value,
        Fair.updated_at: now_utc(),
        **(extra or {}),
    }
    if raise_sequence:
        values[Fair.sequence] = Fair.sequence + 1
    # Conditional on the status seen, so two organizers acting at once cannot both succeed.
    changed = (
        await Fair.update(values)
        .where((Fair.id == fair_id) & Fair.status.is_in([s.value for s in allowed]))
        .returning(Fair.id)
        .run()
    )
    if not changed:
        raise AppError(
            409,
            f"Phiên chợ đang ở trạng thái “{row['status']}”: không thể chuyển sang "
            f"“{target.value}”.",
            f"The fair is “{row['status']}”: it cannot become “{target.value}”.",
            extra={"current_status": row["status"]},
        )
    return await _row(fair_id)


async def publish(principal: Principal, fair_id: int) -> FairOut:
    return fair_out(await _transition(principal, fair_id, (F.DRAFT,), F.PUBLISHED))


async def complete(principal: Principal, fair_id: int) -> FairOut:
    row = await _row(fair_id)
    if row["ends_at"] > now_utc():
        raise AppError(409, "Phiên chợ chưa kết thúc.", "The fair has not ended yet.")
    offered = await offered_stalls(row)
    return fair_out(
        await _transition(
            principal, fair_id, (F.PUBLISHED,), F.COMPLETED, {Fair.stalls_offered: offered}
        )
    )


async def cancel(principal: Principal, fair_id: int, data: CancelIn) -> FairOut:
    reason = clean(data.reason)
    if not reason:
        raise AppError(
            422,
            "Hãy ghi lý do hủy phiên chợ.",
            "Give the reason for cancelling.",
            extra={"field": "reason"},
        )
    async with write_txn(Fair._meta.db):
        row = await _transition(
            principal,
            fair_id,
            (F.DRAFT, F.PUBLISHED),
            F.CANCELLED,
            {Fair.cancel_reason: reason},
            raise_sequence=True,
        )
        await announce(fair_changed, fair_id=fair_id)
        await _notify(
            fair_id,
            "fair_cancelled",
            {**fair_mail_context(await _row(fair_id)), "reason": reason},
        )
    return fair_out(row)


def _series_rule(data: SeriesIn) -> rrule:
    day = weekday(data.weekday)
    first = dt.datetime.combine(data.first_day, dt.time())
    until = dt.datetime.combine(data.last_day, dt.time(23, 59))
    if data.frequency == "monthly":
        if data.week_of_month is None or data.week_of_month == 0:
            raise AppError(
                422,
                "Hãy chọn tuần trong tháng (1–5, hoặc -1 là tuần cuối).",
                "Choose the week of the month (1–5, or -1 for the last).",
                extra={"field": "week_of_month"},
            )
        return rrule(MONTHLY, dtstart=first, until=until, byweekday=day(data.week_of_month))
    return rrule(
        WEEKLY, dtstart=first, until=until, interval=data.every_weeks, byweekday=day, wkst=MO
    )


async def create_series(principal: Principal, data: SeriesIn) -> SeriesOut:
    site = await _site(data.site_slug, principal)
    if data.last_day < data.first_day or (data.last_day - data.first_day).days > 731:
        raise AppError(
            422,
            "Khoảng thời gian của chuỗi phải từ 1 ngày đến 2 năm.",
            "A series spans from one day to two years.",
            extra={"field": "last_day"},
        )
    rule = _series_rule(data)
    start_time = dt.time.fromisoformat(data.start_time)
    end_time = dt.time.fromisoformat(data.end_time)
    if end_time <= start_time:
        raise AppError(
            422,
            "Giờ kết thúc phải sau giờ bắt đầu.",
            "The end must be after the start.",
            extra={"field": "end_time"},
        )
    days = [occurrence.date() for occurrence in rule]
    if not days:
        raise AppError(
            422,
            "Quy tắc này không tạo ra phiên chợ nào trong khoảng thời gian đã chọn.",
            "This rule makes no fair in the chosen period.",
        )
    rule_text = str(rule).splitlines()[-1].removeprefix("RRULE:")
    async with write_txn(Fair._meta.db):
        series = FairSeries(
            title=clean(data.title),
            site=site["id"],
            rule=rule_text,
            start_time=data.start_time,
            end_time=data.end_time,
        )
        await series.save().run()
        for day in days:
            starts = dt.datetime.combine(day, start_time, LOCAL_TZ)
            midnight = dt.datetime.combine(day, dt.time(), LOCAL_TZ)
            await (
                Fair(
                    title=clean(data.title),
                    site=site["id"],
                    setting=site["setting"],
                    starts_at=starts,
                    ends_at=dt.datetime.combine(day, end_time, LOCAL_TZ),
                    applications_open_at=midnight - dt.timedelta(days=data.applications_open_days),
                    applications_close_at=midnight
                    - dt.timedelta(days=data.applications_close_days, minutes=1),
                    withdrawal_cutoff_at=midnight
                    - dt.timedelta(days=data.withdrawal_cutoff_days, minutes=1),
                    description=clean(data.description),
                    audience=clean(data.audience),
                    series=series.id,
                )
                .save()
                .run()
            )
    fairs = [
        fair_out(r)
        for r in await Fair.select(*FAIR_COLUMNS)
        .where(Fair.series == series.id)
        .order_by(Fair.starts_at)
        .run()
    ]
    return SeriesOut(id=series.id, title=series.title, rule=rule_text, fairs=fairs)
