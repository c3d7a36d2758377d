"""Tax codes and phone numbers of Vietnamese businesses: validated and written one way."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from core.errors import AppError

ENTERPRISE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_DIGITS = re.compile(r"\d+")
# 3-digit province codes of the citizen ID (Decree 137/2015): 001–096.
_PROVINCE_MAX = 96


@dataclass(frozen=True)
class Problem:
    vi: str
    en: str

    def error(self, field: str) -> AppError:
        return AppError(422, self.vi, self.en, extra={"field": field})


def _enterprise_problem(code: str) -> Problem | None:
    if len(code) != 10 or not code.isdigit():
        return Problem(
            "Mã số thuế doanh nghiệp gồm đúng 10 chữ số.",
            "An enterprise tax code has exactly 10 digits.",
        )
    check = 10 - sum(int(d) * w for d, w in zip(code, ENTERPRISE_WEIGHTS, strict=False)) % 11
    if check != int(code[9]):
        return Problem(
            "Mã số thuế không hợp lệ: chữ số kiểm tra (số thứ 10) không khớp. Hãy kiểm tra lại.",
            "The tax code is not valid: its check digit (the 10th) does not match. Check it.",
        )
    return None


def normalize_tax_code(kind: str, raw: str) -> str:
    """The tax code as stored (digits, and a dash before a branch suffix), or a 422 error."""
    compact = "".join(_DIGITS.findall(raw))
    if kind in {"enterprise", "cooperative"}:
        problem = _enterprise_problem(compact)
        if problem:
            raise problem.error("tax_code")
        return compact
    if kind == "branch":
        if len(compact) != 13:
            raise Problem(
                "Mã số thuế chi nhánh gồm 13 chữ số, dạng 0100109106-001.",
                "A branch tax code has 13 digits, written like 0100109106-001.",
            ).error("tax_code")
        problem = _enterprise_problem(compact[:10])
        if problem:
            raise problem.error("tax_code")
        if compact[10:] == "000":
            raise Problem(
                "Ba số cuối của mã chi nhánh phải từ 001 đến 999.",
                "The branch suffix must be between 001 and 999.",
            ).error("tax_code")
        return f"{compact[:10]}-{compact[10:]}"
    if kind == "household":
        if len(compact) != 12:
            raise Problem(
                "Hộ kinh doanh dùng số định danh cá nhân (CCCD) 12 chữ số làm mã số thuế.",
                "A household business uses the 12-digit personal ID (CCCD) as its tax code.",
            ).error("tax_code")
        if not 1 <= int(compact[:3]) <= _PROVINCE_MAX:
            raise Problem(
                "Ba số đầu của số định danh phải là mã tỉnh (001–096).",
                "The first three digits of a personal ID are a province code (001–096).",
            ).error("tax_code")
        return compact
    raise Problem("Loại hình doanh nghiệp không hợp lệ.", "Unknown kind of business.").error("kind")


_ACCEPTED_PHONES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(raw: str) -> str:
    """A Vietnamese mobile or landline in E.164 (+84…), or a 422 error."""
    problem = Problem(
        "Số điện thoại không hợp lệ. Ví dụ: 0903 123 456 hoặc 028 3822 1234.",
        "The phone number is not valid. For example: 0903 123 456 or 028 3822 1234.",
    )
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as exc:
        raise problem.error("phone") from exc
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _ACCEPTED_PHONES
    ):
        raise problem.error("phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
