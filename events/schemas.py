"""API contract for wards and sites."""

from __future__ import annotations

from typing import Annotated

import msgspec

from events.tables import Setting

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=5000)]


class WardOut(msgspec.Struct):
    slug: str
    name: str


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
