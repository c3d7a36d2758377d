"""Businesses that make Vietnamese goods, and their products."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tables import Account, Ward


class BusinessKind(StrEnum):
    ENTERPRISE = "enterprise"
    BRANCH = "branch"
    HOUSEHOLD = "household"
    COOPERATIVE = "cooperative"


class BusinessStatus(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class Category(Table):
    """A goods category of the fairs' taxonomy (food and farm produce, garments, …)."""

    slug = Varchar(length=60, unique=True)
    name_vi = Varchar(length=120)
    name_en = Varchar(length=120)
    is_food = Boolean(default=False)
    position = Integer(default=0)


class Business(Table):
    account = ForeignKey(Account, unique=True, null=False, on_delete=OnDelete.cascade)
    legal_name = Varchar(length=300)
    trade_name = Varchar(length=200, default="")
    name_key = Varchar(length=300, index=True, help_text="Folded name for search and duplicates.")
    kind = Varchar(length=20, choices=BusinessKind)
    tax_code = Varchar(length=20, unique=True)
    representative = Varchar(length=200, default="")
    phone = Varchar(length=20)
    email = Varchar(length=255)
    address = Varchar(length=300)
    ward = ForeignKey(Ward, null=False, on_delete=OnDelete.restrict)
    club_ward = ForeignKey(
        Ward,
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="The ward whose Vietnamese-goods sellers' club the business belongs to.",
    )
    status = Varchar(
        length=20, choices=BusinessStatus, default=BusinessStatus.PENDING.value, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class BusinessCategory(Table):
    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    category = ForeignKey(Category, null=False, on_delete=OnDelete.restrict)
    # Unique (account, ward) / (business, category): a unique index made by the migration.


class Product(Table):
    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    category = ForeignKey(Category, null=False, on_delete=OnDelete.restrict)
    brand = Varchar(length=120, default="")
    producer = Varchar(length=300, default="")
    made_in = Varchar(length=120, help_text="Province or city where it is made.")
    made_in_vietnam = Boolean(
        default=False, help_text="The business declares it is made in Vietnam."
    )
    hvncl_year = Integer(null=True, default=None)
    hvncl_expires = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
