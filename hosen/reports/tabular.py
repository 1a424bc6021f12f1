"""Registers out to Excel and CSV: a header in the user's language, HXL hashtags as a second header row
(for humanitarian data exchange), and cell values that spreadsheets never run as formulas.

Date-times are written as ISO 8601 text with the offset, in local time (2026-10-25T01:30:00+02:00), in CSV
and in Excel alike: an Excel date cell has no offset, and the hour that repeats when the clocks go back
would read twice the same. Dates stay dates."""

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
ISO_WIDTH = 27  # 2026-10-25T01:30:00+02:00 and a margin


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


def iso_local(moment: datetime) -> str:
    """A date-time as ISO 8601 text in the current time zone's local time, with its offset and seconds:
    2026-10-25T01:30:00+02:00. The offset tells apart the hour that happens twice when the clocks go back,
    which a bare local time (or an Excel date cell, which has no offset) cannot."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    else:  # taken as local wall-clock time; `fold` picks the occurrence of a repeated hour
        moment = moment.replace(tzinfo=timezone.get_current_timezone())
    return moment.isoformat(timespec="seconds")


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return iso_local(value)
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


def _safe_text(value):
    """Text a spreadsheet would read as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def never_formulas(workbook) -> None:
    """Every text cell of every sheet stays text. openpyxl stores a string that starts with "=" as a formula,
    so a name someone typed ("=HYPERLINK(…)") would run in whoever opens the file; call this before saving
    any workbook that holds what people typed."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING


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
    with_times = set()
    for row_number, obj in enumerate(rows, start=sheet.max_row + 1):
        for column_number, column in enumerate(columns, start=1):
            raw = column.get(obj)
            value = _plain(raw)
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
            if isinstance(raw, datetime):
                with_times.add(column_number)
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        wide = ISO_WIDTH if index in with_times else 12
        sheet.column_dimensions[letter].width = max(wide, len(str(column.label)) + 4)
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
