"""Inspection teams, their inspections of stalls and shops, checklist answers, photos, findings.

The report work reads these tables by these names (see docs); keep them additive."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.accounts import User
from core.tables import Ward
from events.tables import Fair, Stall
from vendors.tables import Business


class InspectionKind(StrEnum):
    PLANNED = "planned"
    SURPRISE = "surprise"


class PlaceKind(StrEnum):
    FAIR_STALL = "fair_stall"
    SHOP = "shop"
    MARKET_STALL = "market_stall"
    SUPERMARKET = "supermarket"
    AGENCY_PURCHASE = "agency_purchase"
    SCHOOL_PURCHASE = "school_purchase"


class InspectionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ItemResult(StrEnum):
    PASS = "pass"  # noqa: S105  (a checklist answer, not a secret)
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class FollowUp(StrEnum):
    NONE = "none"
    WARNING = "warning"
    SUSPENSION = "suspension"
    REFERRAL = "referral"


class InspectionTeam(Table):
    """An inspection team (đoàn kiểm tra)."""

    name = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TeamMember(Table):
    """A member of a team; the lead signs for it. Unique (team, user): made by the migration."""

    team = ForeignKey(InspectionTeam, null=False, on_delete=OnDelete.cascade)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    is_lead = Boolean(default=False)


class Inspection(Table):
    """One visit of a team to a place: a fair's stall, a shop, a market stall, a supermarket,
    or the purchases of an agency or a school."""

    team = ForeignKey(InspectionTeam, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=10, choices=InspectionKind)
    place_kind = Varchar(length=20, choices=PlaceKind)
    fair = ForeignKey(Fair, null=True, default=None, on_delete=OnDelete.set_null)
    stall = ForeignKey(Stall, null=True, default=None, on_delete=OnDelete.set_null)
    business = ForeignKey(Business, null=True, default=None, on_delete=OnDelete.set_null)
    place_name = Varchar(length=300)
    address = Varchar(length=300, default="")
    # For fair stalls: the ward of the fair's site.
    ward = ForeignKey(Ward, null=True, default=None, on_delete=OnDelete.set_null)
    scheduled_for = Timestamptz(null=True, default=None)
    status = Varchar(
        length=12, choices=InspectionStatus, default=InspectionStatus.PLANNED.value, index=True
    )
    started_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None, index=True)
    notes = Text(default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ChecklistResult(Table):
    """The answer to one checklist item. Unique (inspection, item), made by the migration: a
    retried or corrected answer replaces the earlier one; ChecklistAnswer keeps every answer."""

    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade)
    item = Varchar(length=40)
    result = Varchar(length=16, choices=ItemResult)
    notes = Text(default="")
    recorded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())


class ChecklistAnswer(Table):
    """Every answer ever given to a checklist item, in order: the history behind
    ChecklistResult, so a changed answer still shows who said what first."""

    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade)
    item = Varchar(length=40)
    result = Varchar(length=16, choices=ItemResult)
    notes = Text(default="")
    recorded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())


class InspectionPhoto(Table):
    """A photo taken during an inspection, stored under var/uploads/inspections."""

    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade)
    item = Varchar(length=40, null=True, default=None)
    file = Varchar(length=200, help_text="Path under var/uploads/inspections.")
    content_type = Varchar(length=40)
    size = Integer()
    uploaded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Finding(Table):
    """A violation found, with its follow-up: a warning or a suspension of the business
    (through vendors.vetting), or a referral to the market-management authority."""

    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade)
    business = ForeignKey(Business, null=True, default=None, on_delete=OnDelete.set_null)
    kind = Varchar(length=30)
    severity = Varchar(length=10, choices=Severity)
    description = Text(default="")
    follow_up = Varchar(length=12, choices=FollowUp, default=FollowUp.NONE.value)
    referred_to = Varchar(length=300, default="")
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    lift_reason = Text(default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class InspectionLog(Table):
    """Who did what and when, for the steps that have no row of their own: a team formed or
    changed, an inspection planned, started, completed or cancelled, its notes edited, a
    follow-up decided or lifted."""

    team = ForeignKey(InspectionTeam, null=True, default=None, on_delete=OnDelete.cascade)
    inspection = ForeignKey(Inspection, null=True, default=None, on_delete=OnDelete.cascade)
    action = Varchar(length=40)
    detail = Text(default="")
    by_user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())
