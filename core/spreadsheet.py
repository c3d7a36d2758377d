"""Cells of the CSV files and workbooks the app hands out. Text that Excel or LibreOffice would
read as a formula (it begins with = + - @, a tab or a carriage return) gets a leading quote, as
OWASP advises; numbers the app computes are left as numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """The value to write: text that could start a formula is quoted, anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def unquote_cell(value: str) -> str:
    """A cell read back from a file the app wrote: its protective quote taken off again."""
    if value.startswith(QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def append_row(sheet: Any, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell stored as text, never a formula."""
    values = safe_row(row)
    sheet.append(values)
    if values:  # an empty row has no cells to look at
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
