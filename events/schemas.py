"""API contract for wards and sites."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from events.tables import ApplicationStatus, Setting
from vendors.schemas import ProductOut, Reason, Short

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=5000)]


class WardIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Text
    slug: Slug | None = None
    aliases: str = ""


class WardPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Text | None = None
    aliases: str | None = None
    active: bool | None = None


class SiteOut(msgspec.Struct):
    slug: str
    name: str
    address: str
    ward_slug: str
    ward_name: str
    organizer_slug: str | None
    organizer_name: str | None
    setting: Setting
    lat: float
    lon: float
    capacity: int
    description: str


class SiteIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Text
    address: Text
    ward_slug: Slug
    setting: Setting
    lat: Latitude
    lon: Longitude
    capacity: Capacity = 0
    description: str = ""
    slug: Slug | None = None
    # The body that holds fairs here: by default the creator's body, else the ward's.
    organizer_slug: Slug | None = None


class SitePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Text | None = None
    address: Text | None = None
    ward_slug: Slug | None = None
    setting: Setting | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    capacity: Capacity | None = None
    description: str | None = None
    active: bool | None = None
    organizer_slug: Slug | None = None


class FairOut(msgspec.Struct):
    """The public fair, as the outside contract spells it."""

    id: int
    title: str
    site_slug: str
    site_name: str
    address: str
    ward_slug: str
    ward_name: str
    # The organizing body; null for a site no body holds yet (the city's staff act there).
    organizer_slug: str | None
    organizer_name: str | None
    # Where a fair before 1 July 2025 was held, in the units of then ("Phường Bến Nghé, Quận
    # 1"); null for fairs under today's units.
    held_in: str | None
    setting: str
    start: str
    end: str
    status: str
    sequence: int
    url: str
    description: str
    audience: str
    cancel_reason: str
    applications_open: str
    applications_close: str
    withdrawal_cutoff: str
    series_id: int | None


class FairIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Text
    site_slug: Slug
    start: dt.datetime
    end: dt.datetime
    applications_open: dt.datetime | None = None
    applications_close: dt.datetime | None = None
    withdrawal_cutoff: dt.datetime | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    audience: Annotated[str, msgspec.Meta(max_length=300)] = ""
    setting: Setting | None = None


class FairPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Text | None = None
    site_slug: Slug | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    applications_open: dt.datetime | None = None
    applications_close: dt.datetime | None = None
    withdrawal_cutoff: dt.datetime | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    audience: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    setting: Setting | None = None


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


HourMinute = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    """E.g. every second Sunday, 07:00–12:00, from January to June:
    {"frequency": "monthly", "weekday": 6, "week_of_month": 2, ...}."""

    title: Text
    site_slug: Slug
    frequency: Annotated[str, msgspec.Meta(pattern=r"^(weekly|monthly)$")]
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]  # 0 = Monday … 6 = Sunday
    start_time: HourMinute
    end_time: HourMinute
    first_day: dt.date
    last_day: dt.date
    week_of_month: Annotated[int, msgspec.Meta(ge=-1, le=5)] | None = None  # -1 = last
    every_weeks: Annotated[int, msgspec.Meta(ge=1, le=8)] = 1
    applications_open_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 45
    applications_close_days: Annotated[int, msgspec.Meta(ge=0, le=60)] = 3
    withdrawal_cutoff_days: Annotated[int, msgspec.Meta(ge=0, le=60)] = 2
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    audience: Annotated[str, msgspec.Meta(max_length=300)] = ""


class SeriesOut(msgspec.Struct):
    id: int
    title: str
    rule: str
    fairs: list[FairOut]


class ApplicationIn(msgspec.Struct, forbid_unknown_fields=True):
    product_ids: list[int]
    stalls_requested: Annotated[int, msgspec.Meta(ge=1, le=2)] = 1
    needs_power: bool = False
    needs_water: bool = False
    food_handling: bool = False
    needs_shade: bool = False
    needs_accessible: bool = False
    preferred_zones: Short = ""
    preferred_stalls: Short = ""
    note: Reason = ""


class ApplicationOut(msgspec.Struct):
    id: int
    fair_id: int
    fair_title: str
    business_id: int
    business_name: str
    status: ApplicationStatus
    reason: str
    stalls_requested: int
    needs: list[str]
    preferred_zones: str
    preferred_stalls: str
    note: str
    products: list[ProductOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    status: ApplicationStatus
    reason: Reason = ""


class BulkDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    application_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=1000)]
    status: ApplicationStatus
    reason: Reason = ""


class BulkDecisionResult(msgspec.Struct):
    application_id: int
    ok: bool
    status: str
    detail: str = ""
