"""API contract for inspection teams, inspections, checklist answers, photos and findings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from inspections.tables import FollowUp, InspectionKind, ItemResult, PlaceKind, Severity

Name = Annotated[str, msgspec.Meta(max_length=300)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=255)]


class MemberIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    is_lead: bool = False


class TeamIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    members: list[MemberIn] = msgspec.field(default_factory=list)


class TeamPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    active: bool | None = None


class MemberOut(msgspec.Struct, kw_only=True):
    user_id: int
    email: str
    full_name: str
    is_lead: bool


class TeamOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    active: bool
    created_at: dt.datetime
    members: list[MemberOut]


class InspectionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A planned inspection (organizers, with `scheduled_for`) or a surprise one opened on the
    spot by a member of the team. A fair stall is named by `fair_id` and `stall_code`; other
    places by `place_name` and `address`."""

    team_id: int
    kind: InspectionKind
    place_kind: PlaceKind
    fair_id: int | None = None
    stall_code: Annotated[str, msgspec.Meta(max_length=10)] | None = None
    business_id: int | None = None
    place_name: Name = ""
    address: Name = ""
    ward_slug: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    scheduled_for: dt.datetime | None = None
    notes: LongText = ""


class NotesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    notes: LongText


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    result: ItemResult
    notes: LongText = ""


class ChecklistItemOut(msgspec.Struct, kw_only=True):
    item: str
    label: str
    result: str | None
    notes: str
    recorded_by: str | None
    recorded_at: dt.datetime | None


class PhotoOut(msgspec.Struct, kw_only=True):
    id: int
    item: str | None
    content_type: str
    size: int
    uploaded_by: str | None
    uploaded_at: dt.datetime
    url: str


class FindingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Annotated[str, msgspec.Meta(max_length=30)]
    severity: Severity
    description: LongText = ""
    business_id: int | None = None
    follow_up: FollowUp = FollowUp.NONE
    referred_to: Name = ""


class FollowUpIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    follow_up: FollowUp
    referred_to: Name = ""


class FindingOut(msgspec.Struct, kw_only=True):
    id: int
    inspection_id: int
    business_id: int | None
    business_name: str | None
    kind: str
    kind_label: str
    severity: str
    description: str
    follow_up: str
    referred_to: str
    created_by: str | None
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by: str | None
    lift_reason: str


class LogOut(msgspec.Struct, kw_only=True):
    action: str
    detail: str
    by: str | None
    at: dt.datetime


class InspectionSummary(msgspec.Struct, kw_only=True):
    id: int
    team_id: int
    team_name: str
    kind: str
    place_kind: str
    place_name: str
    address: str
    ward_slug: str | None
    fair_id: int | None
    stall_code: str | None
    business_id: int | None
    business_name: str | None
    scheduled_for: dt.datetime | None
    status: str
    started_at: dt.datetime | None
    completed_at: dt.datetime | None


class InspectionOut(InspectionSummary, kw_only=True):
    notes: str
    created_by: str | None
    created_at: dt.datetime
    checklist: list[ChecklistItemOut]
    photos: list[PhotoOut]
    findings: list[FindingOut]
    log: list[LogOut]
