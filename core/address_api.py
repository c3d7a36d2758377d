"""GET /api/addresses/convert: an address of before July 2025 in today's wards (public)."""

from __future__ import annotations

import msgspec
from anyio import to_thread
from litestar import get
from litestar.params import FromQuery

from core.addresses import MAX_LENGTH, convert
from core.errors import AppError
from core.text import clean


class CandidateOut(msgspec.Struct):
    address: str
    ward_slug: str
    ward_code: str
    ward_name: str


class ConversionOut(msgspec.Struct):
    candidates: list[CandidateOut]


@get(
    "/api/addresses/convert",
    tags=["places"],
    summary="An old address (ward, district) in today's wards: one, or each a split ward went into",
)
async def convert_old_address(address: FromQuery[str | None] = None) -> ConversionOut:
    text = clean(address or "")
    if not text:
        raise AppError(422, "Hãy nhập địa chỉ.", "Enter an address.", extra={"field": "address"})
    if len(text) > MAX_LENGTH:
        raise AppError(
            422,
            f"Địa chỉ dài quá {MAX_LENGTH} ký tự.",
            f"The address is longer than {MAX_LENGTH} characters.",
            extra={"field": "address"},
        )
    # In a worker thread: the first call loads the library's data (most of a second).
    candidates = [
        CandidateOut(
            address=c.address, ward_slug=c.ward_slug, ward_code=c.ward_code, ward_name=c.ward_name
        )
        for c in await to_thread.run_sync(convert, text)
    ]
    return ConversionOut(candidates=candidates)
