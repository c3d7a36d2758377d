"""Roles and the rights each one holds: written once here, enforced by core.guards."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ORGANIZER = "organizer"
    WARD_OFFICER = "ward_officer"
    GATE_STAFF = "gate_staff"
    INSPECTOR = "inspector"
    BUSINESS = "business"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ORGANIZER: ("Ban tổ chức", "Organizer"),
    Role.WARD_OFFICER: ("Cán bộ phường", "Ward officer"),
    Role.GATE_STAFF: ("Nhân viên cổng", "Gate staff"),
    Role.INSPECTOR: ("Đoàn kiểm tra", "Inspector"),
    Role.BUSINESS: ("Doanh nghiệp", "Business"),
}


class Right(StrEnum):
    """What a signed-in account may do; endpoints ask for a right, never for a role."""

    USE_ADMIN = "use_admin"  # raw data fixes in Piccolo Admin
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_WARDS = "manage_wards"
    MANAGE_SITES = "manage_sites"  # ward officers: only sites of their wards
    MANAGE_FAIRS = "manage_fairs"  # ward officers: only fairs at sites of their wards
    VET_BUSINESSES = "vet_businesses"  # ward officers: businesses of their wards
    DECIDE_APPLICATIONS = "decide_applications"  # ward officers: fairs at their wards' sites
    CHECK_IN = "check_in"
    INSPECT = "inspect"
    # Form inspection teams, plan inspections, cancel them, lift suspensions they led to.
    MANAGE_INSPECTIONS = "manage_inspections"
    VIEW_REPORTS = "view_reports"  # ward officers: reports on their own wards
    ACT_AS_BUSINESS = "act_as_business"


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.ORGANIZER: frozenset(
        {
            Right.USE_ADMIN,
            Right.MANAGE_ACCOUNTS,
            Right.VET_BUSINESSES,
            Right.DECIDE_APPLICATIONS,
            Right.MANAGE_WARDS,
            Right.MANAGE_SITES,
            Right.MANAGE_FAIRS,
            Right.CHECK_IN,
            Right.INSPECT,
            Right.MANAGE_INSPECTIONS,
            Right.VIEW_REPORTS,
        }
    ),
    Role.WARD_OFFICER: frozenset(
        {
            Right.MANAGE_SITES,
            Right.MANAGE_FAIRS,
            Right.VET_BUSINESSES,
            Right.DECIDE_APPLICATIONS,
            Right.CHECK_IN,
            Right.VIEW_REPORTS,
        }
    ),
    Role.GATE_STAFF: frozenset({Right.CHECK_IN}),
    Role.INSPECTOR: frozenset({Right.INSPECT}),
    Role.BUSINESS: frozenset({Right.ACT_AS_BUSINESS}),
}

# Rights limited to the wards an account is assigned; organizers act district-wide.
WARD_SCOPED_ROLES = frozenset({Role.WARD_OFFICER})
