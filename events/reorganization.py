"""Moving an install to today's units: the wards abolished on 1 July 2025 become history, sites
and businesses move to the ward they lie in now, and each ward that holds fairs gets its body.

Where an old ward went whole into one new ward the move is automatic. Where it was split
(Đa Kao, Nguyễn Thái Bình, Cầu Ông Lãnh in the old District 1), only a person who knows the
street can tell which new ward a site or business lies in: those rows stay in the old ward,
listed by `pending()`, until `decide()` moves them (`python -m manage units …`). The server
refuses to start while any remain, so no install runs half-moved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from core.addresses import convert
from core.database import write_txn
from core.errors import AppError
from core.tables import Account, AccountWard, Organizer, Ward
from core.text import clean, slugify
from core.timezone import LOCAL_TZ
from core.units import position, province_name, units
from events.tables import Fair, Site
from vendors.tables import Business

# The day the district level was abolished; fairs before it were held under the old units.
REORGANIZED_AT = dt.datetime(2025, 7, 1, tzinfo=LOCAL_TZ)
DEFAULT_OLD_DISTRICT = "Quận 1"  # the one district the system served before
CITY_BODY_SLUG = "ban-chi-dao-thanh-pho"
_KIND = re.compile(r"^(Phường|Xã|Thị trấn)\s")
_DISTRICT = re.compile(r"\b(Quận|Huyện|Thị xã|Thành phố)\s+[\wÀ-ỹ ]+", re.IGNORECASE)


def city_body_name() -> str:
    return (
        "Ban Chỉ đạo Cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam” " + province_name()
    )


def ward_body_name(ward_name: str) -> str:
    return f"Ủy ban nhân dân {ward_name}"


async def load_units() -> int:
    """Today's units of the province, by official code: new ones added, names kept as the law
    writes them. A codeless ward with a slug a unit needs is an old one: it yields the slug.
    Returns how many units were added."""
    rows = await Ward.select(Ward.id, Ward.slug, Ward.code, Ward.district).run()
    by_code = {r["code"]: r for r in rows if r["code"]}
    by_slug = {r["slug"]: r for r in rows}
    added = 0
    for unit in units():
        known = by_code.get(unit.code)
        lat, lon = position(unit) or (None, None)
        if known:
            values = {Ward.name: unit.name, Ward.kind: unit.kind, Ward.lat: lat, Ward.lon: lon}
            await Ward.update(values).where(Ward.id == known["id"]).run()
            continue
        clash = by_slug.get(unit.slug)
        if clash:
            district = clash["district"] or DEFAULT_OLD_DISTRICT
            await (
                Ward.update({Ward.slug: f"{unit.slug}-{slugify(district)}"})
                .where(Ward.id == clash["id"])
                .run()
            )
        await (
            Ward(slug=unit.slug, name=unit.name, code=unit.code, kind=unit.kind, lat=lat, lon=lon)
            .save()
            .run()
        )
        added += 1
    return added


def _old_district(aliases: str) -> str:
    found = _DISTRICT.search(aliases or "")
    return clean(found.group(0)) if found else DEFAULT_OLD_DISTRICT


async def retire_old_wards() -> None:
    """Every ward known before today's units were loaded is a unit abolished on 1 July 2025:
    kept, inactive, under its full name and with its district, for the history. Its slug
    names the district too ("ben-thanh-quan-1"): today's unit of the same name takes the
    plain one."""
    for row in await Ward.select().where(Ward.code == "").run():
        name = row["name"] if _KIND.match(row["name"]) else f"Phường {row['name']}"
        district = row["district"] or _old_district(row["aliases"])
        suffix = f"-{slugify(district)}"
        slug = row["slug"] if row["slug"].endswith(suffix) else row["slug"] + suffix
        values = {Ward.name: clean(name), Ward.slug: slug, Ward.district: district}
        await Ward.update({**values, Ward.active: False}).where(Ward.id == row["id"]).run()


async def successors(old_ward: dict[str, Any]) -> list[dict[str, Any]]:
    """The wards of today an abolished ward went into ({id, slug, name}): one when whole,
    several when split."""
    address = f"{old_ward['name']}, {old_ward['district']}, {province_name()}"
    codes = [c.ward_code for c in convert(address)]
    if not codes:
        return []
    return await Ward.select(Ward.id, Ward.slug, Ward.name).where(Ward.code.is_in(codes)).run()


async def ward_body(ward_id: int) -> int:
    """The committee of a ward, made when the ward first holds fairs."""
    row = await Organizer.select(Organizer.id).where(Organizer.ward == ward_id).first().run()
    if row:
        return row["id"]
    ward = await Ward.select(Ward.slug, Ward.name).where(Ward.id == ward_id).first().run()
    body = Organizer(slug=ward["slug"], name=ward_body_name(ward["name"]), ward=ward_id)
    await body.save().run()
    return body.id


async def city_body() -> int:
    row = await Organizer.select(Organizer.id).where(Organizer.ward.is_null()).first().run()
    if row:
        return row["id"]
    body = Organizer(slug=CITY_BODY_SLUG, name=city_body_name(), ward=None)
    await body.save().run()
    return body.id


async def move_install() -> None:
    """The whole move of an install made before today's units (the migration runs it once)."""
    async with write_txn(Ward._meta.db):
        had_wards = await Ward.exists().run()
        await retire_old_wards()
        await load_units()
        if not had_wards:
            return  # a new install: nothing to move
        old = await Ward.select().where(Ward.active == False).run()  # noqa: E712
        # Fairs already held keep the ward as it was when they were held.
        for ward in old:
            sites = Site.select(Site.id).where(Site.ward == ward["id"])
            await (
                Fair.update({Fair.held_in_ward: ward["id"]})
                .where(Fair.site.is_in(sites) & (Fair.starts_at < REORGANIZED_AT))
                .run()
            )
        for ward in old:
            new = await successors(ward)
            await _reassign_officers(ward["id"], [w["id"] for w in new])
            if len(new) != 1:
                continue  # split, or unknown: a person decides (pending)
            await Site.update({Site.ward: new[0]["id"]}).where(Site.ward == ward["id"]).run()
            await (
                Business.update({Business.ward: new[0]["id"]})
                .where(Business.ward == ward["id"])
                .run()
            )
        city = await city_body()
        await (
            Account.update({Account.organizer: city})
            .where(
                (Account.organizer.is_null())
                & Account.role.is_in(["organizer", "gate_staff", "inspector"])
            )
            .run()
        )
        for site in await Site.select(Site.id, Site.ward, Site.ward.active).run():
            if site["ward.active"]:
                body = await ward_body(site["ward"])
                await Site.update({Site.organizer: body}).where(Site.id == site["id"]).run()


async def _reassign_officers(old_ward: int, new_wards: list[int]) -> None:
    """A ward officer of an abolished ward acts for the wards it went into."""
    if not new_wards:
        return
    for link in await AccountWard.select().where(AccountWard.ward == old_ward).run():
        for ward in new_wards:
            taken = (
                await AccountWard.exists()
                .where((AccountWard.account == link["account"]) & (AccountWard.ward == ward))
                .run()
            )
            if not taken:
                await AccountWard(account=link["account"], ward=ward).save().run()
        for ward in new_wards:
            await ward_body(ward)
    await AccountWard.delete().where(AccountWard.ward == old_ward).run()


@dataclass(frozen=True)
class Pending:
    kind: str  # "site" | "business"
    key: str  # the site's slug, or the business's id
    name: str
    address: str
    old_ward: str
    candidates: list[dict[str, Any]]  # {slug, name}


async def pending() -> list[Pending]:
    """Sites and businesses still in an abolished ward, with the wards they may now be in."""
    found: list[Pending] = []
    cache: dict[int, list[dict[str, Any]]] = {}
    old = {w["id"]: w for w in await Ward.select().where(Ward.active == False).run()}  # noqa: E712
    if not old:
        return found
    sites = (
        await Site.select(Site.slug, Site.name, Site.address, Site.ward)
        .where(Site.ward.is_in(list(old)))
        .run()
    )
    people = (
        await Business.select(
            Business.id, Business.trade_name, Business.legal_name, Business.address, Business.ward
        )
        .where(Business.ward.is_in(list(old)))
        .run()
    )
    for kind, rows in (("site", sites), ("business", people)):
        for row in rows:
            ward = old[row["ward"]]
            if ward["id"] not in cache:
                cache[ward["id"]] = await successors(ward)
            found.append(
                Pending(
                    kind=kind,
                    key=row["slug"] if kind == "site" else str(row["id"]),
                    name=row.get("name") or row.get("trade_name") or row.get("legal_name", ""),
                    address=row["address"],
                    old_ward=f"{ward['name']}, {ward['district']}",
                    candidates=[{"slug": w["slug"], "name": w["name"]} for w in cache[ward["id"]]],
                )
            )
    return found


async def decide(kind: str, key: str, ward_slug: str) -> str:
    """Move one site or business into a ward of today; a site goes to that ward's body."""
    ward = (
        await Ward.select(Ward.id, Ward.name, Ward.active)
        .where(Ward.slug == ward_slug)
        .first()
        .run()
    )
    if not ward or not ward["active"]:
        raise AppError(
            422,
            f"Không có phường/xã hiện hành “{ward_slug}”.",
            f"There is no ward or commune in force called “{ward_slug}”.",
        )
    async with write_txn(Ward._meta.db):
        if kind == "site":
            site = await Site.select(Site.id).where(Site.slug == key).first().run()
            if not site:
                raise AppError(404, f"Không có địa điểm “{key}”.", f"No site “{key}”.")
            body = await ward_body(ward["id"])
            await (
                Site.update({Site.ward: ward["id"], Site.organizer: body})
                .where(Site.id == site["id"])
                .run()
            )
        elif kind == "business":
            if (
                not key.isdigit()
                or not await Business.exists().where(Business.id == int(key)).run()
            ):
                raise AppError(404, f"Không có doanh nghiệp “{key}”.", f"No business “{key}”.")
            await Business.update({Business.ward: ward["id"]}).where(Business.id == int(key)).run()
        else:
            raise AppError(422, "Chọn site hoặc business.", "Choose site or business.")
    return ward["name"]


class HalfMoved(RuntimeError):
    """Sites still lie in abolished wards: the server does not start so, since their fairs
    would have no body to run them."""


async def ensure_moved() -> None:
    """Refuse to start while a person still has to say where some sites lie today. (A business
    left in an abolished ward is vetted by the city's committee until it is moved; `pending`
    lists those too.)"""
    old = Ward.select(Ward.id).where(Ward.active == False)  # noqa: E712
    sites = await Site.count().where(Site.ward.is_in(old) & (Site.active == True)).run()  # noqa: E712
    if sites:
        raise HalfMoved(
            f"{sites} địa điểm còn ở phường đã giải thể: chạy `python -m manage units pending` "
            "rồi `python -m manage units decide site <mã> <phường>`. / "
            f"{sites} sites are still in abolished wards: run `python -m manage units pending`, "
            "then `python -m manage units decide site <slug> <ward>`."
        )
