"""Registers out to Excel and CSV: a header in the user's language, HXL hashtags as a second header row
(for humanitarian data exchange), and cell values that spreadsheets never run as formulas."""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation, rendered in the active language
    hxl: str = ""
    value: Callable[[Any], Any] | None = None

    def get(self, obj):
        if self.value is not None:
            return self.value(obj)
        value = obj
        for part in self.key.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        display = getattr(obj, f"get_{self.key}_display", None)
        return display() if callable(display) else value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


def _safe_text(value):
    """Text a spreadsheet would read as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable, columns: list[Column]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in columns])
    if any(c.hxl for c in columns):
        writer.writerow([c.hxl for c in columns])
    for obj in rows:
        writer.writerow([_safe_text(_plain(c.get(obj))) for c in columns])
    # The byte-order mark makes Excel read Hebrew and Arabic as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable, columns: list[Column], sheet_title: str = "Hosen", rtl: bool = True) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.sheet_view.rightToLeft = rtl
    sheet.append([str(c.label) for c in columns])
    if any(c.hxl for c in columns):
        sheet.append([c.hxl for c in columns])
    for row_number, obj in enumerate(rows, start=sheet.max_row + 1):
        for column_number, column in enumerate(columns, start=1):
            value = _plain(column.get(obj))
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(rows, columns: list[Column], filename: str, fmt: str, rtl: bool = True) -> HttpResponse:
    """An attachment response; `fmt` is "xlsx" or "csv" (anything else is the caller's 404)."""
    if fmt == "csv":
        response = HttpResponse(to_csv(rows, columns), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(rows, columns, filename, rtl), content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response
