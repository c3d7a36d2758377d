"""Wards and the role profile of each account (the account itself is Piccolo's user row)."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.roles import Role


class Ward(Table):
    """A ward (phường); data an organizer edits, since ward boundaries change by law."""

    slug = Varchar(length=80, unique=True)
    name = Varchar(length=120)
    # The pre-2025 names and district, kept so old addresses still find their ward.
    aliases = Varchar(length=400, default="")
    active = Boolean(default=True)


class Account(Table):
    """The role profile of a Piccolo user: role, display name, phone, language."""

    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, choices=Role, index=True)
    full_name = Varchar(length=200)
    phone = Varchar(length=20, default="")
    language = Varchar(length=2, default="vi")
    created_at = Timestamptz(default=TimestamptzNow())


class AccountWard(Table):
    """The wards a ward officer acts for."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade)
    ward = ForeignKey(Ward, null=False, on_delete=OnDelete.cascade)
    # Unique (account, ward) / (business, category): a unique index made by the migration.
