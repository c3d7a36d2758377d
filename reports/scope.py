"""The part of the district a report covers, and who may ask for it."""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts import Principal
from core.errors import AppError
from core.guards import ensure_body, ensure_ward
from core.tables import Organizer, Ward
from core.units import ward_title
from events.tables import SETTING_LABELS, Setting, Site


@dataclass(frozen=True)
class Scope:
    kind: str  # district (the whole city) | organizer | ward | site | setting
    slug: str = ""
    name: str = ""
    ward_id: int | None = None  # the ward, or the site's ward
    site_id: int | None = None
    organizer_id: int | None = None  # the body holding the site

    @property
    def title_vi(self) -> str:
        if self.kind == "district":
            return "Toàn thành phố"
        if self.kind == "organizer":
            return self.name
        if self.kind == "ward":
            return ward_title(self.name)
        if self.kind == "site":
            return f"Địa điểm: {self.name}"
        return f"Khu vực: {self.name}"

    @property
    def file_suffix(self) -> str:
        return "" if self.kind == "district" else f"-{self.slug}"


DISTRICT = Scope("district")


async def resolve_scope(
    ward: str | None = None,
    site: str | None = None,
    setting: str | None = None,
    organizer: str | None = None,
) -> Scope:
    named = (("organizer", organizer), ("ward", ward), ("site", site), ("setting", setting))
    given = [(k, v.strip()) for k, v in named if v]
    if len(given) > 1:
        raise AppError(
            400,
            "Chỉ chọn một phạm vi: đơn vị tổ chức, phường, địa điểm hoặc khu vực.",
            "Choose one scope only: an organizing body, a ward, a site or a setting.",
            extra={"field": given[1][0]},
        )
    if not given:
        return DISTRICT
    kind, slug = given[0]
    if kind == "organizer":
        body = (
            await Organizer.select(Organizer.id, Organizer.name, Organizer.ward)
            .where(Organizer.slug == slug)
            .first()
            .run()
        )
        if not body:
            raise AppError(
                404,
                f"Không có đơn vị tổ chức “{slug}”.",
                f"No organizing body “{slug}”.",
                extra={"field": "organizer"},
            )
        if body["ward"] is None:
            return DISTRICT  # the city's committee reports on the whole city
        return Scope("organizer", slug, body["name"], ward_id=body["ward"], organizer_id=body["id"])
    if kind == "ward":
        row = await Ward.select(Ward.id, Ward.name).where(Ward.slug == slug).first().run()
        if not row:
            raise AppError(
                404, f"Không có phường “{slug}”.", f"No ward “{slug}”.", extra={"field": "ward"}
            )
        return Scope("ward", slug, row["name"], ward_id=row["id"])
    if kind == "site":
        row = (
            await Site.select(Site.id, Site.name, Site.ward, Site.organizer)
            .where(Site.slug == slug)
            .first()
            .run()
        )
        if not row:
            raise AppError(
                404, f"Không có địa điểm “{slug}”.", f"No site “{slug}”.", extra={"field": "site"}
            )
        return Scope(
            "site",
            slug,
            row["name"],
            ward_id=row["ward"],
            site_id=row["id"],
            organizer_id=row["organizer"],
        )
    try:
        value = Setting(slug)
    except ValueError:
        raise AppError(
            400,
            f"Khu vực “{slug}” không hợp lệ: chọn residential, market hoặc school.",
            f"The setting “{slug}” is not valid: choose residential, market or school.",
            extra={"field": "setting"},
        ) from None
    return Scope("setting", value.value, SETTING_LABELS[value][0])


async def scope_for(
    principal: Principal,
    ward: str | None,
    site: str | None,
    setting: str | None,
    organizer: str | None = None,
) -> Scope:
    """The city's staff report on anything; a ward body's staff on their own body, their own
    ward or one of their body's sites, and by default on their ward."""
    ward_scoped = not principal.city_wide
    if ward_scoped and not (ward or site or setting or organizer):
        if len(principal.ward_ids) == 1:
            (ward_id,) = principal.ward_ids
            row = await Ward.select(Ward.slug).where(Ward.id == ward_id).first().run()
            ward = row["slug"] if row else None
        elif len(principal.organizer_ids) == 1:
            (body_id,) = principal.organizer_ids
            row = await Organizer.select(Organizer.slug).where(Organizer.id == body_id).first()
            organizer = row["slug"] if row else None
    scope = await resolve_scope(ward, site, setting, organizer)
    if ward_scoped:
        if scope.kind == "organizer":
            ensure_body(principal, scope.organizer_id)
            return scope
        if scope.kind not in ("ward", "site"):
            raise AppError(
                403,
                "Cán bộ phường chỉ xem báo cáo của phường mình: hãy chọn phường (ward=…).",
                "Ward officers see reports of their own wards only: choose the ward (ward=…).",
            )
        if scope.kind == "site":
            ensure_body(principal, scope.organizer_id)
        else:
            ensure_ward(principal, scope.ward_id)
    return scope
