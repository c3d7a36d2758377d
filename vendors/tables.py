"""Businesses that make Vietnamese goods, and their products."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
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
    # Case- and tone-placement-insensitive name ("Hòa" = "Hoà"): duplicates are refused.
    name_key = Varchar(length=300, unique=True)
    # Diacritic-free text for search: names, tax code, representative.
    search_key = Varchar(length=800, default="")
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
    # The secret in the URL of the business's private calendar; reset to cut off old links.
    # Unique: a unique index made by the migration (SQLite cannot add a UNIQUE column).
    calendar_token = Varchar(length=64, null=True, default=None)
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


class BusinessStatusChange(Table):
    """Every vetting decision, warning and suspension: who, when and why."""

    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    action = Varchar(length=30)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    reason = Text(default="")
    # For a profile change: JSON list of {"field", "old", "new"}, what the officers re-vet.
    changes = Text(default="")
    by_account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())


class DocumentKind(StrEnum):
    REGISTRATION_CERTIFICATE = "registration_certificate"
    FOOD_SAFETY_CERTIFICATE = "food_safety_certificate"
    OTHER = "other"


class Document(Table):
    """An uploaded certificate; the file itself is kept on disk under var/, not in the DB."""

    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=40, choices=DocumentKind)
    filename = Varchar(length=200)
    content_type = Varchar(length=60)
    size = Integer()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=64, unique=True)
    expires_on = Date(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class PersonalIdView(Table):
    """Each time an officer saw a household owner's unmasked personal ID (CCCD): who, when."""

    business = ForeignKey(Business, null=False, on_delete=OnDelete.cascade, index=True)
    viewer = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
