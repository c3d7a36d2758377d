"""What every web page's forms share: they keep what was typed and say what to fix next to the
field. Pages use the same guards as the API (core.guards); a browser
asked to sign in is sent to the sign-in form and back (core.errors.error_page)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from core.errors import AppError
from core.i18n import current_language, gettext
from core.text import clean

GENERAL = "__all__"  # the key of an error that belongs to no one field


async def form_values(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form as a dict: text NFC-cleaned, repeated fields (checkboxes) as lists."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        texts = [clean(v) if isinstance(v, str) else v for v in form.getall(key)]
        values[key] = texts if len(texts) > 1 or key.endswith("[]") else texts[0]
    return {k.removesuffix("[]"): v for k, v in values.items()}


def form_errors(exc: Exception) -> dict[str, str]:
    """One message per field, in the page's language, from an AppError or a failed conversion."""
    if isinstance(exc, AppError):
        message = exc.en if current_language() == "en" else exc.vi
        field = exc.extra.get("field") if isinstance(exc.extra, dict) else None
        return {field or GENERAL: message}
    if isinstance(exc, msgspec.ValidationError):
        text = str(exc)
        field = text.rsplit("at `$.", 1)[1].rstrip("`").split("[")[0] if "at `$." in text else None
        if "missing required field" in text:
            field = text.split("`")[1]
            return {field: gettext("Vui lòng điền mục này.")}
        return {field or GENERAL: gettext("Giá trị này không hợp lệ.")}
    raise exc


def convert_form(values: dict[str, Any], into: type[Any]) -> Any:
    """Form strings into the API's Struct (numbers, booleans, dates), as the JSON API would."""
    cleaned = {k: v for k, v in values.items() if v != ""}
    return msgspec.convert(cleaned, into, strict=False)
