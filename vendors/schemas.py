"""API contract for businesses, products, documents, vetting and applications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from vendors.tables import BusinessKind, BusinessStatus, DocumentKind

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=255)]
Reason = Annotated[str, msgspec.Meta(max_length=2000)]


class BusinessSignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, msgspec.Meta(max_length=128)]
    legal_name: Name
    kind: BusinessKind
    tax_code: Annotated[str, msgspec.Meta(max_length=30)]
    phone: Annotated[str, msgspec.Meta(max_length=30)]
    address: Name
    ward_slug: Short
    trade_name: Short = ""
    representative: Short = ""
    category_slugs: list[str] = msgspec.field(default_factory=list)
    club_ward_slug: str | None = None
    language: str = "vi"
    # The version of the personal-data notice (/privacy) the person agreed to; "" for none.
    consent_version: Annotated[str, msgspec.Meta(max_length=20)] = ""


class BusinessPatch(msgspec.Struct, forbid_unknown_fields=True):
    legal_name: Name | None = None
    trade_name: Short | None = None
    representative: Short | None = None
    phone: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    address: Name | None = None
    ward_slug: Short | None = None
    club_ward_slug: str | None = None
    category_slugs: list[str] | None = None


class CategoryOut(msgspec.Struct):
    slug: str
    name: str
    name_vi: str
    name_en: str
    is_food: bool


class FieldChangeOut(msgspec.Struct):
    field: str
    old: str
    new: str


class StatusChangeOut(msgspec.Struct):
    action: str
    from_status: str
    to_status: str
    reason: str
    by: str | None
    at: dt.datetime
    # What a profile change altered, old → new; empty for a vetting decision.
    changes: list[FieldChangeOut] = msgspec.field(default_factory=list)


class BusinessOut(msgspec.Struct):
    id: int
    email: str
    legal_name: str
    trade_name: str
    kind: BusinessKind
    tax_code: str
    representative: str
    phone: str
    address: str
    ward_slug: str
    ward_name: str
    club_ward_slug: str | None
    status: BusinessStatus
    categories: list[CategoryOut]
    warnings: int
    history: list[StatusChangeOut]


class BusinessSummary(msgspec.Struct):
    id: int
    legal_name: str
    trade_name: str
    kind: BusinessKind
    tax_code: str
    ward_slug: str
    ward_name: str
    status: BusinessStatus
    categories: list[str]


class VettingIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    category_slug: Short
    made_in: Short
    made_in_vietnam: bool
    brand: Short = ""
    producer: Short = ""
    hvncl_year: int | None = None
    hvncl_expires: dt.date | None = None


class ProductPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    category_slug: Short | None = None
    made_in: Short | None = None
    made_in_vietnam: bool | None = None
    brand: Short | None = None
    producer: Short | None = None
    hvncl_year: int | None = None
    hvncl_expires: dt.date | None = None


class ProductOut(msgspec.Struct):
    id: int
    name: str
    category_slug: str
    category_name: str
    is_food: bool
    brand: str
    producer: str
    made_in: str
    made_in_vietnam: bool
    hvncl_year: int | None
    hvncl_expires: dt.date | None
    hvncl_valid: bool


class DocumentOut(msgspec.Struct):
    id: int
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    expires_on: dt.date | None
    uploaded_at: dt.datetime
    url: str


class SignUpReceived(msgspec.Struct):
    """The answer to a sign-up whose address already has an account: it does not say so."""

    status: str
    messages: dict[str, str]
