"""Places, fairs, and the applications businesses make to fairs."""

from enum import StrEnum

from piccolo.columns import Boolean, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tables import Account, Organizer, Ward
from vendors.tables import Business, Product


class Setting(StrEnum):
    """The three settings of the campaign: residential areas, markets, schools."""

    RESIDENTIAL = "residential"
    MARKET = "market"
    SCHOOL = "school"


SETTING_LABELS = {
    Setting.RESIDENTIAL: ("Địa bàn dân cư", "Residential area"),
    Setting.MARKET: ("Chợ", "Market"),
    Setting.SCHOOL: ("Trường học", "School"),
}


class Site(Table):
    name = Varchar(length=200)
    slug = Varchar(length=100, unique=True)
    address = Varchar(length=300)
    # The ward the site lies in today.
    ward = ForeignKey(Ward, null=False, on_delete=OnDelete.restrict)
    # The body that holds fairs here; its staff alone (and the city's) act on them.
    organizer = ForeignKey(Organizer, null=True, default=None, on_delete=OnDelete.restrict)
    setting = Varchar(length=20, choices=Setting)
    lat = Float()
    lon = Float()
    capacity = Integer(default=0, help_text="How many stalls the site holds.")
    description = Text(default="")
    active = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class FairStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class FairSeries(Table):
    """A recurring rule ("every second Sunday 07:00–12:00, January–June") that made fairs."""

    title = Varchar(length=200)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict)
    rule = Varchar(length=300, help_text="RFC 5545 RRULE, in Asia/Ho_Chi_Minh local time.")
    start_time = Varchar(length=5)
    end_time = Varchar(length=5)
    created_at = Timestamptz(default=TimestamptzNow())


class Fair(Table):
    """One market day (phiên chợ) at a site; times are stored in UTC, shown in Asia/Ho_Chi_Minh."""

    title = Varchar(length=200)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict)
    setting = Varchar(length=20, choices=Setting)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    applications_open_at = Timestamptz()
    applications_close_at = Timestamptz()
    withdrawal_cutoff_at = Timestamptz()
    description = Text(default="")
    audience = Varchar(length=300, default="")
    status = Varchar(length=20, choices=FairStatus, default=FairStatus.DRAFT.value, index=True)
    cancel_reason = Text(default="")
    sequence = Integer(default=0)
    series = ForeignKey(FairSeries, null=True, default=None, on_delete=OnDelete.set_null)
    allocation_published_at = Timestamptz(null=True, default=None)
    # Counted when the fair is marked completed: the site's map may change afterwards, and a
    # report on a past fair must say what that fair offered.
    stalls_offered = Integer(null=True, default=None)
    # Where a fair before 1 July 2025 was held, as the units then were (the old ward, with
    # its district); null for fairs held under today's units, which are the site's ward.
    held_in_ward = ForeignKey(Ward, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(Table):
    """A business's request for stalls at a fair (kept with the fair: allocation reads it)."""

    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    stalls_requested = Integer(default=1)
    needs_power = Boolean(default=False)
    needs_water = Boolean(default=False)
    food_handling = Boolean(default=False)
    needs_shade = Boolean(default=False)
    needs_accessible = Boolean(default=False)
    preferred_zones = Varchar(length=200, default="")
    preferred_stalls = Varchar(length=200, default="")
    note = Text(default="")
    status = Varchar(
        length=20, choices=ApplicationStatus, default=ApplicationStatus.SUBMITTED.value, index=True
    )
    reason = Text(default="")
    allocation_note = Text(default="", help_text="Why the allocation left it out (JSON).")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Unique (business, fair): a unique index made by the migration.


class ApplicationProduct(Table):
    application = ForeignKey(Application, null=False, on_delete=OnDelete.cascade)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.cascade)
    # Unique (application, product): a unique index made by the migration.


class ApplicationStatusChange(Table):
    application = ForeignKey(Application, null=False, on_delete=OnDelete.cascade)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    reason = Text(default="")
    by_account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())


class Stall(Table):
    """A stall on a site's plan: position and size in metres, and what it offers."""

    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade)
    code = Varchar(length=10)
    zone = Varchar(length=20, default="")
    x = Float()
    y = Float()
    width = Float(default=3.0)
    depth = Float(default=3.0)
    power = Boolean(default=False)
    water = Boolean(default=False)
    food_allowed = Boolean(default=False)
    shade = Boolean(default=False)
    accessible = Boolean(default=False)
    corner = Boolean(default=False)
    prime = Boolean(default=False, help_text="A sought-after spot; prime spots rotate.")
    joinable = Boolean(default=False, help_text="Can be joined with a neighbour into a double.")
    active = Boolean(default=True)
    # Unique (site, code): a unique index made by the migration.


class ClosedStall(Table):
    """A stall of the site's map that is closed for one fair."""

    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    stall = ForeignKey(Stall, null=False, on_delete=OnDelete.cascade)
    # Unique (fair, stall): a unique index made by the migration.


class Assignment(Table):
    """A stall given to an application at a fair. One row per stall: the unique index on
    (fair, stall) is what lets exactly one of two racing organizers win a stall."""

    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    stall = ForeignKey(Stall, null=False, on_delete=OnDelete.cascade)
    application = ForeignKey(Application, null=False, on_delete=OnDelete.cascade)
    pinned = Boolean(default=False)
    reasons = Text(default="", help_text="Why it got this stall (JSON list of reason codes).")
    created_at = Timestamptz(default=TimestamptzNow())


class AllocationRun(Table):
    """Each automatic allocation of a fair: who ran it, when, with which weights, and how its
    score compared with first-come-first-served, so the board can show it again later."""

    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade, index=True)
    by_account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())
    objective = Float()
    baseline_objective = Float()
    assigned = Integer()
    baseline_assigned = Integer()
    left_out = Integer()
    solve_seconds = Float()
    weights = Text(default="{}", help_text="The weights of the run (JSON).")


class AssignmentMove(Table):
    """Every manual change to the board after a proposal: who, when, from, to, why."""

    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    application = ForeignKey(Application, null=False, on_delete=OnDelete.cascade)
    action = Varchar(length=20)
    from_stalls = Varchar(length=40, default="")
    to_stalls = Varchar(length=40, default="")
    reason = Text(default="")
    by_account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())


class BodyRefusal(Table):
    """A body's refusal of a business at its own fairs, with why. The business's verification
    holds at every other body's fairs; lifting keeps the row, with who lifted it and why."""

    organizer = ForeignKey(Organizer, null=False, on_delete=OnDelete.cascade)
    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    reason = Text()
    refused_by = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    refused_at = Timestamptz(default=TimestamptzNow())
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    lift_reason = Text(default="")
