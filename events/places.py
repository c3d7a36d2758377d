"""Wards and sites: queries and rules, no HTTP."""

from __future__ import annotations

import math
from typing import Any

from core.accounts import Principal
from core.database import write_txn
from core.errors import AppError
from core.guards import ensure_body, ensure_ward
from core.tables import Organizer, Ward
from core.text import clean, slugify, vi_sort_key
from core.wards import WardOut
from events.schemas import SiteIn, SiteOut, SitePatch, WardIn, WardPatch
from events.tables import Site


def _not_found(what_vi: str, what_en: str, slug: str) -> AppError:
    return AppError(404, f"Không tìm thấy {what_vi} “{slug}”.", f"No {what_en} “{slug}”.")


async def ward_id(slug: str) -> int:
    row = await Ward.select(Ward.id).where(Ward.slug == slug).first().run()
    if not row:
        raise AppError(
            422,
            f"Không có phường “{slug}”.",
            f"There is no ward “{slug}”.",
            extra={"field": "ward_slug"},
        )
    return row["id"]


async def create_ward(data: WardIn) -> WardOut:
    name = clean(data.name)
    slug = data.slug or slugify(name)
    if await Ward.exists().where(Ward.slug == slug).run():
        raise AppError(409, f"Phường “{slug}” đã có.", f"Ward “{slug}” already exists.")
    async with write_txn(Ward._meta.db):
        await Ward(slug=slug, name=name, aliases=clean(data.aliases)).save().run()
    return WardOut(slug=slug, name=name, code="")


async def update_ward(slug: str, data: WardPatch) -> WardOut:
    ward = await Ward.objects().where(Ward.slug == slug).first().run()
    if ward is None:
        raise _not_found("phường", "ward", slug)
    if data.name is not None:
        ward.name = clean(data.name)
    if data.aliases is not None:
        ward.aliases = clean(data.aliases)
    if data.active is not None:
        ward.active = data.active
    async with write_txn(Ward._meta.db):
        await ward.save().run()
    return WardOut(slug=ward.slug, name=ward.name, code=ward.code)


_SITE_COLUMNS = (
    Site.slug,
    Site.name,
    Site.address,
    Site.setting,
    Site.lat,
    Site.lon,
    Site.capacity,
    Site.description,
    Site.ward.slug,
    Site.ward.name,
    Site.organizer.slug,
    Site.organizer.name,
)


def _site_out(row: dict[str, Any]) -> SiteOut:
    return SiteOut(
        slug=row["slug"],
        name=row["name"],
        address=row["address"],
        ward_slug=row["ward.slug"],
        ward_name=row["ward.name"],
        organizer_slug=row["organizer.slug"],
        organizer_name=row["organizer.name"],
        setting=row["setting"],
        lat=row["lat"],
        lon=row["lon"],
        capacity=row["capacity"],
        description=row["description"],
    )


async def list_sites(
    ward_slug: str | None = None, setting: str | None = None, organizer: str | None = None
) -> list[SiteOut]:
    query = Site.select(*_SITE_COLUMNS).where(Site.active == True)  # noqa: E712
    if ward_slug:
        query = query.where(Site.ward.slug == ward_slug)
    if organizer:
        query = query.where(Site.organizer.slug == organizer)
    if setting:
        query = query.where(Site.setting == setting)
    rows = await query.run()
    rows.sort(key=lambda r: vi_sort_key(r["name"]))
    return [_site_out(r) for r in rows]


async def get_site(slug: str) -> SiteOut:
    row = await Site.select(*_SITE_COLUMNS).where(Site.slug == slug).first().run()
    if not row:
        raise _not_found("địa điểm", "site", slug)
    return _site_out(row)


async def site_acted_on(principal: Principal, slug: str) -> dict[str, Any]:
    """The site a staff member acts on ({id, name, ward, organizer}): a 404 for no site, a 403
    outside their body."""
    row = (
        await Site.select(Site.id, Site.name, Site.ward, Site.organizer)
        .where(Site.slug == slug)
        .first()
        .run()
    )
    if not row:
        raise _not_found("địa điểm", "site", slug)
    ensure_body(principal, row["organizer"])
    return row


async def _holding_body(principal: Principal, ward: int, slug: str | None) -> int | None:
    """The body that will hold fairs at a new site: the one named (within the caller's
    scope), else the caller's own body, else the committee of the site's ward, else none
    (the city's staff act there)."""
    if slug:
        body = await organizer_id(slug)
        ensure_body(principal, body)
        return body
    if len(principal.organizer_ids) == 1 and not principal.city_wide:
        return next(iter(principal.organizer_ids))
    row = await Organizer.select(Organizer.id).where(Organizer.ward == ward).first().run()
    return row["id"] if row else None


async def organizer_id(slug: str) -> int:
    row = await Organizer.select(Organizer.id).where(Organizer.slug == slug).first().run()
    if not row:
        raise AppError(
            422,
            f"Không có ban tổ chức “{slug}”.",
            f"There is no organizing body “{slug}”.",
            extra={"field": "organizer_slug"},
        )
    return row["id"]


async def create_site(principal: Principal, data: SiteIn) -> SiteOut:
    ward = await ward_id(data.ward_slug)
    ensure_ward(principal, ward)
    body = await _holding_body(principal, ward, data.organizer_slug)
    name = clean(data.name)
    slug = data.slug or slugify(name)
    if await Site.exists().where(Site.slug == slug).run():
        raise AppError(
            409,
            f"Đã có địa điểm với mã “{slug}”.",
            f"A site with the slug “{slug}” exists.",
            extra={"field": "slug"},
        )
    async with write_txn(Site._meta.db):
        await (
            Site(
                slug=slug,
                name=name,
                address=clean(data.address),
                ward=ward,
                organizer=body,
                setting=data.setting.value,
                lat=data.lat,
                lon=data.lon,
                capacity=data.capacity,
                description=clean(data.description),
            )
            .save()
            .run()
        )
    return await get_site(slug)


async def update_site(principal: Principal, slug: str, data: SitePatch) -> SiteOut:
    site = await Site.objects().where(Site.slug == slug).first().run()
    if site is None:
        raise _not_found("địa điểm", "site", slug)
    ensure_body(principal, site.organizer)
    if data.ward_slug is not None:
        site.ward = await ward_id(data.ward_slug)
        ensure_ward(principal, site.ward)
    if data.organizer_slug is not None:
        # Handing a site to another body is the city's decision.
        if not principal.city_wide:
            raise AppError(
                403,
                "Chỉ ban chỉ đạo thành phố giao địa điểm cho đơn vị khác.",
                "Only the city's steering committee hands a site to another body.",
            )
        site.organizer = await organizer_id(data.organizer_slug)
    for field in ("name", "address", "description"):
        value = getattr(data, field)
        if value is not None:
            setattr(site, field, clean(value))
    for field in ("lat", "lon", "capacity", "active"):
        value = getattr(data, field)
        if value is not None:
            setattr(site, field, value)
    if data.setting is not None:
        site.setting = data.setting.value
    async with write_txn(Site._meta.db):
        await site.save().run()
    return await get_site(slug)


async def nearest_first(fairs: list[Any], ward_slug: str) -> list[Any]:
    """Fairs ordered by how far their site lies from the ward's centre (the day breaks ties);
    a ward without a known centre leaves the order by date."""
    ward = await Ward.select(Ward.lat, Ward.lon).where(Ward.slug == ward_slug).first().run()
    if not ward or ward["lat"] is None:
        return fairs
    rows = await Site.select(Site.slug, Site.lat, Site.lon).run()
    where = {r["slug"]: (r["lat"], r["lon"]) for r in rows}

    def distance(fair: Any) -> float:
        lat, lon = where.get(fair.site_slug, (ward["lat"], ward["lon"]))
        # Equirectangular: exact enough to rank places within one province.
        dx = math.radians(lon - ward["lon"]) * math.cos(math.radians(ward["lat"]))
        return math.hypot(dx, math.radians(lat - ward["lat"]))

    return sorted(fairs, key=lambda f: (round(distance(f), 4), f.start))
