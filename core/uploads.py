"""The one check of an uploaded file (certificates, inspection photos): not empty, not too
large, and of an accepted type judged by its first bytes, never by its name or the browser's
claim. Each caller says what it accepts and how the file is called to the person."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import AppError

# What the bytes begin with decides the type.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class UploadRule:
    max_bytes: int
    types: frozenset[str]
    noun: tuple[str, str]  # ("Tệp", "file"): how the person calls what they upload
    refused_type: tuple[str, str]  # the message for a type not accepted


def check_upload(content: bytes, rule: UploadRule) -> tuple[str, str]:
    """(content type, file extension) of an acceptable upload; a clear 4xx otherwise."""
    vi, en = rule.noun
    if not content:
        raise AppError(422, "Tệp trống.", "The file is empty.", extra={"field": "file"})
    if len(content) > rule.max_bytes:
        megabytes = rule.max_bytes // (1024 * 1024)
        raise AppError(
            413,
            f"{vi} quá lớn: tối đa {megabytes} MB.",
            f"The {en} is too large: {megabytes} MB at most.",
            extra={"field": "file"},
        )
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic) and content_type in rule.types:
            return content_type, extension
    raise AppError(415, *rule.refused_type, extra={"field": "file"})
