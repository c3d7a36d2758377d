"""The structure of a report: what reports.figures counts, and PDF, CSV and XLSX show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reports.period import Period
from reports.scope import Scope


@dataclass
class FairCounts:
    """The fair figures of one line: the whole scope, a month, a ward, a site or a setting."""

    name: str = ""
    held: int = 0
    cancelled: int = 0
    planned: int = 0
    stalls_offered: int = 0
    stalls_filled: int = 0
    passes: int = 0
    arrivals: int = 0
    no_shows: int = 0

    COUNTED = (
        "held",
        "cancelled",
        "planned",
        "stalls_offered",
        "stalls_filled",
        "passes",
        "arrivals",
        "no_shows",
    )

    def add(self, other: FairCounts) -> None:
        for name in self.COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def fill_rate(self) -> float:
        return percent(self.stalls_filled, self.stalls_offered)

    @property
    def arrival_rate(self) -> float:
        return percent(self.passes - self.no_shows, self.passes)


@dataclass
class BusinessCounts:
    registered: int = 0
    verified: int = 0
    suspended: int = 0
    taking_part: int = 0
    hvncl: int = 0

    @property
    def hvncl_share(self) -> float:
        return percent(self.hvncl, self.taking_part)


@dataclass
class CategoryRow:
    name: str
    businesses: int
    products: int


@dataclass
class InspectionCounts:
    completed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_place: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    by_violation: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    lifted: int = 0


@dataclass
class CommendedBusiness:
    name: str
    ward: str
    fairs: int


@dataclass
class CommendedWard:
    name: str
    held: int
    arrivals: int


@dataclass
class Report:
    period: Period
    scope: Scope
    generated_at: dt.datetime
    fairs: FairCounts
    by_month: list[FairCounts]
    by_ward: list[FairCounts]
    by_site: list[FairCounts]
    by_body: list[FairCounts]
    by_setting: list[FairCounts]
    businesses: BusinessCounts
    applications: dict[str, int]
    categories: list[CategoryRow]
    inspections: InspectionCounts
    commended_businesses: list[CommendedBusiness]
    commended_wards: list[CommendedWard]

    @property
    def applications_total(self) -> int:
        return sum(self.applications.values())


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
