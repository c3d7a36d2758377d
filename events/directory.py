"""Who sells what at a fair: the public vendor directory, grouped by goods category.

Shown only once the fair's allocation is published, as the stall map is (events.fair_map)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.text import fold, vi_sort_key
from events.tables import ApplicationProduct, Assignment, Fair
from vendors.tables import BusinessCategory


@dataclass
class Vendor:
    name: str
    stalls: list[str]
    categories: list[tuple[str, str]]  # (Vietnamese, English) names
    products: list[str]
    search_key: str = ""


@dataclass
class Section:
    category: tuple[str, str]
    vendors: list[Vendor] = field(default_factory=list)


async def fair_vendors(fair_id: int) -> list[Vendor]:
    fair = await Fair.select(Fair.allocation_published_at).where(Fair.id == fair_id).first().run()
    if not fair or fair["allocation_published_at"] is None:
        return []
    rows = (
        await Assignment.select(
            Assignment.application,
            Assignment.stall.code,
            Assignment.application.business,
            Assignment.application.business.legal_name,
            Assignment.application.business.trade_name,
        )
        .where(Assignment.fair == fair_id)
        .run()
    )
    by_application: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = by_application.setdefault(row["application"], {"row": row, "stalls": []})
        entry["stalls"].append(row["stall.code"])
    businesses = [e["row"]["application.business"] for e in by_application.values()]
    categories = await _categories(businesses)
    products = await _products(list(by_application))
    vendors = []
    for application_id, entry in by_application.items():
        row = entry["row"]
        name = row["application.business.trade_name"] or row["application.business.legal_name"]
        kinds = categories.get(row["application.business"], [])
        goods = products.get(application_id, [])
        vendors.append(
            Vendor(
                name=name,
                stalls=sorted(entry["stalls"], key=lambda c: (len(c), c)),
                categories=kinds,
                products=goods,
                search_key=fold(
                    " ".join([name, row["application.business.legal_name"], *goods])
                    + " "
                    + " ".join(vi + " " + en for vi, en in kinds)
                ),
            )
        )
    vendors.sort(key=lambda v: vi_sort_key(v.name))
    return vendors


def matching(vendors: list[Vendor], query: str) -> list[Vendor]:
    """Every word of the query, without diacritics: “gom” finds “Gốm”."""
    words = fold(query).split()
    return [v for v in vendors if all(w in v.search_key for w in words)]


def by_category(vendors: list[Vendor]) -> list[Section]:
    """One section per category, in the taxonomy's order; a vendor is listed under each of its
    categories, so that someone looking for pottery finds every potter."""
    sections: dict[tuple[str, str], Section] = {}
    for vendor in vendors:
        for category in vendor.categories or [("Khác", "Other")]:
            sections.setdefault(category, Section(category)).vendors.append(vendor)
    return sorted(sections.values(), key=lambda s: vi_sort_key(s.category[0]))


async def _categories(business_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    rows = (
        await BusinessCategory.select(
            BusinessCategory.business,
            BusinessCategory.category.name_vi,
            BusinessCategory.category.name_en,
            BusinessCategory.category.position,
        )
        .where(BusinessCategory.business.is_in(business_ids or [0]))
        .run()
    )
    rows.sort(key=lambda r: r["category.position"])
    found: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["business"], []).append(
            (row["category.name_vi"], row["category.name_en"])
        )
    return found


async def _products(application_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        await ApplicationProduct.select(
            ApplicationProduct.application, ApplicationProduct.product.name
        )
        .where(ApplicationProduct.application.is_in(application_ids or [0]))
        .order_by(ApplicationProduct.product.name)
        .run()
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["application"], []).append(row["product.name"])
    return found
