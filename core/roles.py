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
    MANAGE_SITES = "manage_sites"  # a ward body's staff: only its own sites
    MANAGE_FAIRS = "manage_fairs"  # a ward body's staff: only fairs at its own sites
    VET_BUSINESSES = "vet_businesses"  # a ward body's staff: businesses of its ward
    DECIDE_APPLICATIONS = "decide_applications"  # a ward body's staff: its own fairs
    CHECK_IN = "check_in"
    INSPECT = "inspect"
    # Form inspection teams, plan inspections, cancel them, lift suspensions they led to.
    MANAGE_INSPECTIONS = "manage_inspections"
    VIEW_REPORTS = "view_reports"  # a ward body's staff: reports on its own fairs
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

# Roles whose scope, when the account belongs to no body, is the wards it is assigned.
WARD_SCOPED_ROLES = frozenset({Role.WARD_OFFICER})

# Rights over the whole system, held by the city's staff only: raw data in the admin, every
# account, the list of units. A ward body's organizer holds the rest, within the body.
CITY_RIGHTS = frozenset({Right.USE_ADMIN, Right.MANAGE_ACCOUNTS, Right.MANAGE_WARDS})
