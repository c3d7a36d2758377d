"""Photos taken at an inspection: JPEG or PNG by their bytes (core.uploads), stored under
var/uploads/inspections, served to inspectors and organizers."""

from __future__ import annotations

import secrets
from pathlib import Path

from core.database import write_txn
from core.errors import AppError
from core.private_files import private_dir, write_private
from core.settings import get_settings
from core.uploads import UploadRule, check_upload
from inspections import history
from inspections.checklist import CHECKLIST
from inspections.schemas import PhotoOut
from inspections.tables import InspectionPhoto

MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_UPLOAD = UploadRule(
    max_bytes=MAX_PHOTO_BYTES,
    types=frozenset({"image/jpeg", "image/png"}),
    noun=("Ảnh", "photo"),
    refused_type=("Chỉ nhận ảnh JPEG hoặc PNG.", "Only JPEG or PNG photos are accepted."),
)


def storage_dir() -> Path:
    return private_dir(get_settings().var_dir / "uploads" / "inspections", tighten=True)


def photo_out(row: dict, names: dict[int, str]) -> PhotoOut:
    return PhotoOut(
        id=row["id"],
        item=row["item"],
        content_type=row["content_type"],
        size=row["size"],
        uploaded_by=names.get(row["uploaded_by"]),
        uploaded_at=row["uploaded_at"],
        url=f"/api/inspections/photos/{row['id']}",
    )


async def photos_of(inspection_id: int) -> list[PhotoOut]:
    rows = (
        await InspectionPhoto.select()
        .where(InspectionPhoto.inspection == inspection_id)
        .order_by(InspectionPhoto.id)
        .run()
    )
    names = await history.people(r["uploaded_by"] for r in rows)
    return [photo_out(r, names) for r in rows]


async def store_photo(
    user_id: int, inspection_id: int, item: str | None, content: bytes
) -> PhotoOut:
    if item is not None and item not in CHECKLIST:
        raise AppError(
            422, "Không có mục kiểm tra này.", "No such checklist item.", extra={"field": "item"}
        )
    content_type, extension = check_upload(content, PHOTO_UPLOAD)
    name = f"{inspection_id}-{secrets.token_hex(16)}{extension}"
    path = storage_dir() / name
    write_private(path, content)
    try:
        async with write_txn(InspectionPhoto._meta.db):
            photo = InspectionPhoto(
                inspection=inspection_id,
                item=item,
                file=name,
                content_type=content_type,
                size=len(content),
                uploaded_by=user_id,
            )
            await photo.save().run()
    except BaseException:
        path.unlink(missing_ok=True)  # no orphan file when the row was not written
        raise
    row = await InspectionPhoto.select().where(InspectionPhoto.id == photo.id).first()
    return photo_out(row, await history.people([user_id]))


async def find_photo(photo_id: int) -> dict:
    row = await InspectionPhoto.select().where(InspectionPhoto.id == photo_id).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy ảnh.", "No such photo.")
    return row


def read_photo(row: dict) -> bytes:
    # The stored name is ours (no path from the request), so it cannot leave the folder.
    return (storage_dir() / Path(row["file"]).name).read_bytes()
