"""Uploaded certificates: checked by content, stored on disk under var/, served to the owner
and to the officers who vet the business."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from core.database import write_txn
from core.errors import AppError
from core.private_files import private_dir, write_private
from core.settings import get_settings
from core.text import clean
from core.timezone import today_local
from core.uploads import SIGNATURES, UploadRule, check_upload
from vendors.schemas import DocumentOut
from vendors.tables import Document, DocumentKind

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_UPLOAD = UploadRule(
    max_bytes=MAX_DOCUMENT_BYTES,
    types=frozenset({"application/pdf", "image/png", "image/jpeg"}),
    noun=("Tệp", "file"),
    refused_type=("Chỉ nhận tệp PDF, JPEG hoặc PNG.", "Only PDF, JPEG or PNG files are accepted."),
)


def storage_dir() -> Path:
    return private_dir(get_settings().var_dir / "uploads", tighten=True)


def document_out(row: Document | dict) -> DocumentOut:
    get = row.__getitem__ if isinstance(row, dict) else lambda k: getattr(row, k)
    return DocumentOut(
        id=get("id"),
        kind=get("kind"),
        filename=get("filename"),
        content_type=get("content_type"),
        size=get("size"),
        sha256=get("sha256"),
        expires_on=get("expires_on"),
        uploaded_at=get("uploaded_at"),
        url=f"/api/documents/{get('id')}",
    )


async def store_document(
    business_id: int, kind: str, filename: str, content: bytes, expires_on: dt.date | None
) -> DocumentOut:
    if kind not in {k.value for k in DocumentKind}:
        raise AppError(
            422, "Loại giấy tờ không hợp lệ.", "Unknown kind of document.", extra={"field": "kind"}
        )
    content_type, extension = check_upload(content, DOCUMENT_UPLOAD)
    if kind == DocumentKind.FOOD_SAFETY_CERTIFICATE and expires_on is None:
        raise AppError(
            422,
            "Giấy chứng nhận an toàn thực phẩm cần có ngày hết hạn.",
            "A food-safety certificate needs its expiry date.",
            extra={"field": "expires_on"},
        )
    # Taken as it is, it would count for nothing: say so now, not at the next food product.
    if kind == DocumentKind.FOOD_SAFETY_CERTIFICATE and expires_on < today_local():
        raise AppError(
            422,
            "Giấy chứng nhận an toàn thực phẩm này đã hết hạn: "
            "hãy tải lên giấy chứng nhận còn hạn.",
            "This food-safety certificate has expired: upload one that is still valid.",
            extra={"field": "expires_on"},
        )
    key = secrets.token_hex(16)
    path = storage_dir() / key
    write_private(path, content)
    stem = Path(clean(filename) or "tai-lieu").stem[:150] or "tai-lieu"
    try:
        async with write_txn(Document._meta.db):
            document = Document(
                business=business_id,
                kind=kind,
                filename=stem + extension,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                storage_key=key,
                expires_on=expires_on,
            )
            await document.save().run()
    except BaseException:
        path.unlink(missing_ok=True)  # no orphan file when the row was not written
        raise
    return document_out(document)


async def list_documents(business_id: int) -> list[DocumentOut]:
    rows = (
        await Document.select().where(Document.business == business_id).order_by(Document.id).run()
    )
    return [document_out(r) for r in rows]


async def find_document(document_id: int) -> dict:
    row = await Document.select().where(Document.id == document_id).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy giấy tờ.", "No such document.")
    return row


def read_document(row: dict) -> bytes:
    return (storage_dir() / row["storage_key"]).read_bytes()


async def has_valid_food_certificate(business_id: int, on: dt.date) -> bool:
    rows = (
        await Document.select(Document.expires_on)
        .where(
            (Document.business == business_id)
            & (Document.kind == DocumentKind.FOOD_SAFETY_CERTIFICATE.value)
        )
        .run()
    )
    return any(r["expires_on"] is not None and r["expires_on"] >= on for r in rows)


SIGNATURES_BY_TYPE = {content_type: extension for _, content_type, extension in SIGNATURES}
