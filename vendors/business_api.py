"""HTTP: sign-up, a business's own profile, products and documents; categories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, JSONBody, MultipartBody

from core.calendar_links import subscribe_links
from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.roles import Right
from vendors import businesses, documents, personal_data, products, vetting
from vendors.guards import may_see_business
from vendors.schemas import (
    BusinessOut,
    BusinessPatch,
    CategoryOut,
    DocumentOut,
    ProductIn,
    ProductOut,
    ProductPatch,
)


class ErasureIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(max_length=128)]


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    consent_version: Annotated[str, msgspec.Meta(max_length=20)]


@dataclass
class DocumentUpload:
    file: UploadFile
    kind: str
    expires_on: str | None = None


def _expiry(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise AppError(
            422,
            "Ngày hết hạn phải có dạng YYYY-MM-DD.",
            "The expiry date must look like YYYY-MM-DD.",
            extra={"field": "expires_on"},
        ) from exc


async def _my_business(request: Request[Any, Any, Any]) -> int:
    return await businesses.business_id_for(current_principal(request))


class CategoryController(Controller):
    tags = ["businesses"]

    @get("/api/categories", summary="Goods categories (public)")
    async def list_categories(self, request: Request[Any, Any, Any]) -> list[CategoryOut]:
        return await businesses.list_categories(request_language(request))


class MyBusinessController(Controller):
    tags = ["businesses"]
    guards = [requires(Right.ACT_AS_BUSINESS)]

    @get("/api/businesses/me", summary="The signed-in business")
    async def me(self, request: Request[Any, Any, Any]) -> BusinessOut:
        return await businesses.business_out(await _my_business(request), request_language(request))

    @patch("/api/businesses/me", summary="Change the business profile")
    async def update(
        self, request: Request[Any, Any, Any], data: JSONBody[BusinessPatch]
    ) -> BusinessOut:
        business_id = await _my_business(request)
        await businesses.update_business(business_id, data, current_principal(request).account_id)
        return await businesses.business_out(business_id, request_language(request))

    @post(
        "/api/businesses/me/resubmit", status_code=200, summary="Send the profile for vetting again"
    )
    async def resubmit(self, request: Request[Any, Any, Any]) -> BusinessOut:
        business_id = await _my_business(request)
        await vetting.apply_action(current_principal(request), business_id, "resubmit", "")
        return await businesses.business_out(business_id, request_language(request))

    @get("/api/businesses/me/products", summary="The business's products")
    async def list_products(self, request: Request[Any, Any, Any]) -> list[ProductOut]:
        return await products.list_products(await _my_business(request), request_language(request))

    @post("/api/businesses/me/products", summary="Add a product")
    async def create_product(
        self, request: Request[Any, Any, Any], data: JSONBody[ProductIn]
    ) -> ProductOut:
        return await products.create_product(await _my_business(request), data)

    @patch("/api/businesses/me/products/{product_id:int}", summary="Change a product")
    async def update_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[int],
        data: JSONBody[ProductPatch],
    ) -> ProductOut:
        return await products.update_product(await _my_business(request), product_id, data)

    @delete("/api/businesses/me/products/{product_id:int}", summary="Remove a product")
    async def delete_product(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> None:
        await products.delete_product(await _my_business(request), product_id)

    @get("/api/businesses/me/calendar", summary="Links to the business's private calendar feed")
    async def calendar(self, request: Request[Any, Any, Any]) -> dict[str, str]:
        token = await businesses.calendar_token(await _my_business(request))
        return subscribe_links(f"/calendar/private/{token}.ics")

    @post(
        "/api/businesses/me/calendar/reset",
        status_code=200,
        summary="Make a new private calendar link; the old one stops working",
    )
    async def reset_calendar(self, request: Request[Any, Any, Any]) -> dict[str, str]:
        token = await businesses.calendar_token(await _my_business(request), reset=True)
        return subscribe_links(f"/calendar/private/{token}.ics")

    @get("/api/businesses/me/documents", summary="The business's documents")
    async def list_documents(self, request: Request[Any, Any, Any]) -> list[DocumentOut]:
        return await documents.list_documents(await _my_business(request))

    @post(
        "/api/businesses/me/documents",
        summary="Upload a certificate (PDF, JPEG or PNG, 5 MB at most)",
    )
    async def upload(
        self, request: Request[Any, Any, Any], data: MultipartBody[DocumentUpload]
    ) -> DocumentOut:
        content = await data.file.read(documents.MAX_DOCUMENT_BYTES + 1)
        return await documents.store_document(
            await _my_business(request),
            data.kind,
            data.file.filename or "",
            content,
            _expiry(data.expires_on),
        )


class DocumentController(Controller):
    tags = ["businesses"]

    @get(
        "/api/documents/{document_id:int}",
        summary="Download a document (its business and vetting officers)",
    )
    async def download(
        self, request: Request[Any, Any, Any], document_id: FromPath[int]
    ) -> Response[bytes]:
        principal = current_principal(request)
        row = await documents.find_document(document_id)
        await may_see_business(principal, row["business"])
        return Response(
            documents.read_document(row),
            media_type=row["content_type"],
            headers={
                "content-disposition": f'attachment; filename="document-{row["id"]}'
                f'{documents.SIGNATURES_BY_TYPE[row["content_type"]]}"',
                "x-content-type-options": "nosniff",
                "cache-control": "private, no-store",
            },
        )


class MyDataController(Controller):
    """The business's rights over its personal data (Law 91/2025/QH15)."""

    tags = ["businesses"]
    guards = [requires(Right.ACT_AS_BUSINESS)]

    @get(
        "/api/me/data-export",
        summary="All the business's data, with its documents, as one ZIP",
        media_type="application/zip",
    )
    async def export(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        name, content = await personal_data.export_data(current_principal(request))
        return Response(
            content,
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="{name}"',
                "cache-control": "private, no-store",
            },
        )

    @post("/api/me/erasure", status_code=200, summary="Erase the account's personal data")
    async def erasure(
        self, request: Request[Any, Any, Any], data: JSONBody[ErasureIn]
    ) -> dict[str, str]:
        await personal_data.erase(current_principal(request), data.password)
        return {"status": "erased"}

    @post("/api/me/consent", status_code=200, summary="Agree to the personal data notice")
    async def consent(
        self, request: Request[Any, Any, Any], data: JSONBody[ConsentIn]
    ) -> dict[str, str]:
        principal = current_principal(request)
        await personal_data.record_consent(principal.account_id, data.consent_version)
        return {"consent_version": data.consent_version}
