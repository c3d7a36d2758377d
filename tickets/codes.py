"""The text in a pass's QR: a 16-byte payload and its Ed25519 signature, in base45.

80 bytes make 120 characters of QR alphanumeric mode, which fits a version-5 QR at error
correction M (pretix's base64 codes of 112–136 characters need about version 8). The payload
names the fair, the stall and the valid days, so a gate knows a pass of another fair or day
without a database.

    byte 0      version (high 4 bits) and kind (low 4 bits)
    byte 1      key id
    bytes 2-5   pass id
    bytes 6-8   fair id
    bytes 9-12  stall code, ASCII, space-padded ("" for staff passes)
    bytes 13-14 first valid day, days since 2020-01-01
    byte 15     number of valid days
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from enum import IntEnum

import base45
from cryptography.exceptions import InvalidSignature

from tickets.keys import key_by_id, signing_key

VERSION = 1
EPOCH = dt.date(2020, 1, 1)
PAYLOAD = struct.Struct(">BBI3s4sHB")
SIGNATURE_BYTES = 64
CODE_BYTES = PAYLOAD.size + SIGNATURE_BYTES
# Signed with this in front, so a pass signature can never be replayed as anything else.
DOMAIN = b"phien-cho-hang-viet/pass/v1\x00"


class Kind(IntEnum):
    BUSINESS = 1
    STAFF = 2
    VOLUNTEER = 3


# Each kind of pass named once: in lists ("Doanh nghiệp") and as the printed pass's title.
KIND_LABELS: dict[Kind, tuple[str, str]] = {
    Kind.BUSINESS: ("Doanh nghiệp", "Business"),
    Kind.STAFF: ("Ban tổ chức", "Staff"),
    Kind.VOLUNTEER: ("Tình nguyện viên", "Volunteer"),
}
KIND_TITLES: dict[Kind, tuple[str, str]] = {
    Kind.BUSINESS: ("THẺ GIAN HÀNG", "Stall pass"),
    Kind.STAFF: ("THẺ BAN TỔ CHỨC", "Staff pass"),
    Kind.VOLUNTEER: ("THẺ TÌNH NGUYỆN VIÊN", "Volunteer pass"),
}


@dataclass(frozen=True)
class PassData:
    pass_id: int
    fair_id: int
    stall: str
    first_day: dt.date
    days: int
    kind: Kind
    kid: int = 0

    def valid_on(self, day: dt.date) -> bool:
        return self.first_day <= day < self.first_day + dt.timedelta(days=self.days)


class CodeError(ValueError):
    """Not a pass this system made (garbled, forged, or signed with an unknown or retired key)."""

    def __init__(self, reason: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.reason, self.vi, self.en = reason, vi, en


def _pack(data: PassData, kid: int) -> bytes:
    stall = data.stall.encode("ascii")
    if len(stall) > 4:
        raise ValueError(f"A stall code on a pass has 4 characters at most: {data.stall!r}")
    return PAYLOAD.pack(
        (VERSION << 4) | int(data.kind),
        kid,
        data.pass_id,
        data.fair_id.to_bytes(3, "big"),
        stall.ljust(4, b" "),
        (data.first_day - EPOCH).days,
        data.days,
    )


def encode(data: PassData) -> str:
    key = signing_key()
    payload = _pack(data, key.kid)
    return base45.b45encode(payload + key.private.sign(DOMAIN + payload)).decode("ascii")


def decode(code: str) -> PassData:
    """The pass in a code, once its signature checks out; CodeError otherwise."""
    garbled = CodeError("invalid", "Mã không hợp lệ.", "Not a valid pass code.")
    try:
        # Space is a base45 digit: only the line ends a scanner may add are taken off.
        raw = base45.b45decode(code.strip("\r\n\t").upper())
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise garbled from exc
    if len(raw) != CODE_BYTES:
        raise garbled
    payload, signature = raw[: PAYLOAD.size], raw[PAYLOAD.size :]
    head, kid, pass_id, fair, stall, first_day, days = PAYLOAD.unpack(payload)
    if head >> 4 != VERSION or (head & 0x0F) not in {k.value for k in Kind}:
        raise garbled
    key = key_by_id(kid)
    if key is None:
        raise CodeError("unknown_key", "Mã ký bằng khóa không rõ.", "Signed with an unknown key.")
    try:
        key.public.verify(signature, DOMAIN + payload)
    except InvalidSignature as exc:
        raise CodeError(
            "bad_signature",
            "Chữ ký của mã không đúng: thẻ giả hoặc hỏng.",
            "The code's signature is wrong: a forged or damaged pass.",
        ) from exc
    if key.retired:
        raise CodeError(
            "retired_key",
            "Thẻ ký bằng khóa đã ngừng dùng: cần cấp lại thẻ.",
            "Signed with a retired key: the pass must be issued again.",
        )
    try:
        stall_code = stall.decode("ascii").strip()
        first = EPOCH + dt.timedelta(days=first_day)
    except (UnicodeDecodeError, OverflowError) as exc:
        raise garbled from exc
    return PassData(
        pass_id=pass_id,
        fair_id=int.from_bytes(fair, "big"),
        stall=stall_code,
        first_day=first,
        days=days,
        kind=Kind(head & 0x0F),
        kid=kid,
    )
