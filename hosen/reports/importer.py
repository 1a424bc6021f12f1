"""Registers in from Excel and CSV: all or nothing, with row-by-row errors in the user's language.

A register describes its file once — the columns (the headers it accepts in Hebrew, Arabic and English),
a Django form that parses and validates one row, the fields whose values may not repeat inside the file —
and implements `write()`. `Importer.run()` then reads the file, checks every row, and writes only a fully
valid file, inside one transaction. A file with one bad row changes nothing and says which row, which
column and what is wrong, counting rows as the user sees them in Excel.

    class SiteImporter(Importer):
        columns = [ImportColumn("name", _("name"), required=True, headers={"he": ("שם",)}), ...]
        form_class = SiteRowForm
        unique = ("name", "code")

        def write(self, rows): ...  # [ImportRow], all valid; returns {"created": n, "updated": m}
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .tabular import XLSX_TYPE

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Tried in order for CSV files: UTF-8 (with or without BOM), then Hebrew Windows (Excel's "CSV" on a Hebrew PC).
CSV_ENCODINGS = ("utf-8-sig", "cp1255")
# No one reads more than this many error lines; the count says how many there are.
MAX_SHOWN_ERRORS = 300


def normalize_header(text: Any) -> str:
    """Headers match case-insensitively, trimmed, with inner runs of spaces as one and a required-mark '*' dropped."""
    text = "" if text is None else str(text)
    text = text.replace("\ufeff", "").replace("\u200f", "").replace("\u200e", "")
    return re.sub(r"\s+", " ", text).strip().rstrip("*").strip().casefold()


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import file.

    `label` (a lazy translation) names the column in messages and in the template, in the user's language;
    the file may use that label in any of the site's languages, the field name, or any of `headers`
    (extra spellings per language code, e.g. {"he": ("שם המוסד", "שם")}). The first spelling of the active
    language names the column in the template when `label` has no translation yet.
    """

    field: str
    label: Any
    required: bool = False
    headers: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    help: Any = ""
    choices: tuple = ()  # values offered in the template's drop-down list (lazy strings allowed)

    def accepted(self) -> set[str]:
        names = {normalize_header(self.field)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(normalize_header(str(self.label)))
        for spellings in self.headers.values():
            names.update(normalize_header(s) for s in spellings)
        return names

    def title(self) -> str:
        """The column's header in the active language."""
        text = str(self.label)
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        spellings = self.headers.get(language)
        if spellings and language != "en":
            with translation.override("en"):
                untranslated = text == str(self.label)
            if untranslated:
                return spellings[0]
        return text


@dataclass
class RowError:
    row: int  # as the user sees it in Excel (the header is row 1)
    column: str  # the header as written in the file, or "" for the whole row
    message: str


@dataclass
class ImportRow:
    """A valid row: its number and its cleaned values (only the columns the file has)."""

    number: int
    values: dict[str, Any]
    target: Any = None  # set by the importer's `match()`: the existing record this row updates


@dataclass
class ImportResult:
    ok: bool = False
    problem: str = ""  # a whole-file problem: not an Excel file, too big, wrong columns, empty…
    missing: list[str] = dataclass_field(default_factory=list)
    unknown: list[str] = dataclass_field(default_factory=list)
    errors: list[RowError] = dataclass_field(default_factory=list)
    rows: int = 0
    counts: dict[str, int] = dataclass_field(default_factory=dict)

    @property
    def shown_errors(self):
        return self.errors[:MAX_SHOWN_ERRORS]

    @property
    def hidden_errors(self):
        return max(0, len(self.errors) - MAX_SHOWN_ERRORS)

    @property
    def bad_rows(self):
        return len({e.row for e in self.errors})


class ImportProblem(Exception):
    """A whole-file problem, with a message for the user."""


def _cell_text(value) -> str:
    """A cell as the text a form field parses: Excel's 12.0 is "12", dates are ISO, nothing is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _blank(values: Iterable) -> bool:
    return all(_cell_text(v) == "" for v in values)


def _is_hxl_row(values) -> bool:
    """The HXL hashtag row our exports write under the header: skipped when a file brings it back."""
    texts = [_cell_text(v) for v in values if _cell_text(v)]
    return bool(texts) and all(t.startswith("#") for t in texts)


class Importer:
    columns: list[ImportColumn] = []
    form_class: type[forms.Form] = forms.Form
    unique: tuple[str, ...] = ()  # fields whose (non-empty) values may appear only once in the file
    max_bytes = MAX_BYTES
    max_rows = MAX_ROWS
    sheet_title = "Hosen"

    def __init__(self, *, user=None, **context):
        self.user = user
        self.context = context
        self.present: list[ImportColumn] = []  # the columns the file has, in file order

    # ---- for subclasses --------------------------------------------------------------------------

    def form_kwargs(self) -> dict:
        """Extra keyword arguments for each row's form (e.g. the authority)."""
        return {}

    def match(self, rows: list["ImportRow"], result: ImportResult) -> None:
        """After every row is valid on its own: find what each row updates (set `row.target`) and
        add errors that need the whole file or the database (one query, not one per row)."""

    def write(self, rows: list["ImportRow"]) -> dict[str, int]:
        """Store the rows (called inside one transaction, only when every row is valid); returns counts."""
        raise NotImplementedError

    # ---- the template ---------------------------------------------------------------------------

    def template(self, fmt: str) -> tuple[bytes, str]:
        """An empty file with the headers in the active language: (content, content type)."""
        titles = [c.title() for c in self.columns]
        if fmt == "csv":
            out = io.StringIO()
            csv.writer(out).writerow(titles)
            return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.sheet_title[:31]
        sheet.sheet_view.rightToLeft = translation.get_language_bidi()
        sheet.append(titles)
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(14, len(titles[index - 1]) + 4)
            options = [str(c).replace(",", " ").replace('"', "") for c in column.choices]
            if options and sum(len(o) + 1 for o in options) < 250:  # Excel's limit for a list in the rule
                rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
                rule.add(f"{cell.column_letter}2:{cell.column_letter}{self.max_rows + 1}")
                sheet.add_data_validation(rule)
        sheet.freeze_panes = "A2"
        guide = workbook.create_sheet(_("How to fill")[:31])
        guide.sheet_view.rightToLeft = translation.get_language_bidi()
        guide.append([_("column"), _("required"), _("what to write")])
        for column in self.columns:
            allowed = ", ".join(str(c) for c in column.choices)
            guide.append([column.title(), _("yes") if column.required else "",
                          " ".join(p for p in (str(column.help), allowed) if p)])
        guide.column_dimensions["A"].width = 24
        guide.column_dimensions["C"].width = 70
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), XLSX_TYPE

    # ---- reading --------------------------------------------------------------------------------

    def run(self, upload) -> ImportResult:
        """Read, check every row, and write the file only when all of it is valid."""
        result = self.check(upload)
        if result.ok:
            with transaction.atomic():
                result.counts = self.write(self._rows)
        return result

    def check(self, upload) -> ImportResult:
        result = ImportResult()
        self._rows: list[ImportRow] = []
        try:
            table = self._read(upload)
            header = next((values for _number, values in table if not _blank(values)), None)
            if header is None:
                raise ImportProblem(_("The file is empty."))
            mapping = self._map_header(header, result)
            if result.missing or result.unknown:
                raise ImportProblem(_("The file's columns do not match the template."))
            rows = self._validate_rows(table, mapping, result)
        except ImportProblem as problem:
            result.problem = str(problem)
            return result
        if not result.rows:
            result.problem = _("The file has headers but no rows.")
            return result
        if not result.errors:
            self.match(rows, result)
        result.errors.sort(key=lambda e: e.row)
        result.ok = not result.errors
        self._rows = rows if result.ok else []
        return result

    def _read(self, upload) -> Iterator[tuple[int, tuple]]:
        size = getattr(upload, "size", None)
        if size is not None and size > self.max_bytes:
            raise ImportProblem(_("The file is too big (%(size)s MB). The limit is %(limit)s MB.") % {
                "size": f"{size / 1024 / 1024:.1f}", "limit": self.max_bytes // (1024 * 1024)})
        if size == 0:
            raise ImportProblem(_("The file is empty."))
        name = (getattr(upload, "name", "") or "").lower()
        if name.endswith((".xlsx", ".xlsm")):
            return self._read_xlsx(upload)
        if name.endswith((".csv", ".txt")):
            return self._read_csv(upload)
        if name.endswith(".xls"):
            raise ImportProblem(_("This is an old Excel file (.xls). Save it as .xlsx (Excel Workbook) and try again."))
        raise ImportProblem(_("Upload an Excel (.xlsx) or CSV (.csv) file."))

    def _read_xlsx(self, upload):
        try:
            upload.seek(0)
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
            raise ImportProblem(_("This is not an Excel file. Save it as .xlsx (Excel Workbook) or as CSV and "
                                  "try again.")) from error
        return self._xlsx_rows(workbook)

    @staticmethod
    def _xlsx_rows(workbook):
        try:
            sheet = workbook.worksheets[0]
            # Some programs write a wrong size into the file; read every row and cell that is there.
            sheet.reset_dimensions()
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
            raise ImportProblem(_("This Excel file could not be read. Save it again in Excel and try again.")) \
                from error
        finally:
            workbook.close()

    def _read_csv(self, upload):
        upload.seek(0)
        raw = upload.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise ImportProblem(_("The file is too big. The limit is %(limit)s MB.") % {
                "limit": self.max_bytes // (1024 * 1024)})
        if raw.startswith(b"PK\x03\x04"):
            raise ImportProblem(_("This file is an Excel workbook, not CSV: upload it as .xlsx."))
        for encoding in CSV_ENCODINGS:
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportProblem(_("The file's text could not be read. Save it as \"CSV UTF-8\" and try again."))
        if "\x00" in text:
            raise ImportProblem(_("This is not a CSV text file."))
        if not text.strip():
            raise ImportProblem(_("The file is empty."))
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
        return self._csv_rows(text, delimiter)

    @staticmethod
    def _csv_rows(text, delimiter):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for values in reader:
                # Excel counts lines, and a quoted cell may span several: the reader knows where it is.
                yield reader.line_num, tuple(values)
        except csv.Error as error:
            raise ImportProblem(_("The CSV file is broken near line %(line)d.") % {"line": reader.line_num}) \
                from error

    def _map_header(self, header, result) -> dict[int, ImportColumn]:
        by_name = {}
        for column in self.columns:
            for name in column.accepted():
                by_name.setdefault(name, column)
        mapping: dict[int, ImportColumn] = {}
        seen: dict[str, str] = {}
        for index, text in enumerate(header):
            key = normalize_header(text)
            if not key:
                continue  # an empty header: Excel's trailing columns, ignored
            column = by_name.get(key)
            if column is None:
                result.unknown.append(str(text).strip())
            elif column.field in seen:
                result.unknown.append(_("%(header)s (a second time)") % {"header": str(text).strip()})
            else:
                seen[column.field] = str(text).strip()
                mapping[index] = column
        result.missing = [c.title() for c in self.columns if c.required and c.field not in seen]
        self.present = list(mapping.values())
        self._headers = seen
        return mapping

    def _validate_rows(self, table, mapping, result) -> list[ImportRow]:
        rows: list[ImportRow] = []
        first_values: dict[str, dict[str, int]] = {name: {} for name in self.unique}
        kwargs = self.form_kwargs()
        form = None
        checked_hxl = False
        for number, values in table:
            if not checked_hxl:
                checked_hxl = True
                if _is_hxl_row(values):
                    continue
            if _blank(values):
                continue
            result.rows += 1
            if result.rows > self.max_rows:
                raise ImportProblem(_("The file has more than %(limit)d rows. Split it into smaller files.")
                                    % {"limit": self.max_rows})
            data = {column.field: _cell_text(values[index]) if index < len(values) else ""
                    for index, column in mapping.items()}
            if form is None:
                form = self.form_class(data=data, **kwargs)
            else:
                # One form checks every row: building a form deep-copies its fields, and for 5,000 rows that
                # was half the time. Every row has the same columns, so re-binding the data is enough.
                form.data, form._errors = data, None
            valid = form.is_valid()
            if not valid:
                for name, messages in form.errors.items():
                    column = "" if name == "__all__" else self.header_for(name)
                    result.errors.extend(RowError(number, column, str(m)) for m in messages)
            for name in self.unique:
                value = form.cleaned_data.get(name)
                if name not in data or name in form.errors or value in (None, ""):
                    continue
                key = str(value).casefold()
                if key in first_values[name]:
                    result.errors.append(RowError(number, self.header_for(name), _(
                        "“%(value)s” is already in row %(row)d of this file.") % {
                        "value": value, "row": first_values[name][key]}))
                    valid = False
                else:
                    first_values[name][key] = number
            if not valid:
                continue
            rows.append(ImportRow(number, {name: form.cleaned_data.get(name) for name in data}))
        return rows

    def header_for(self, field_name: str) -> str:
        """The column as the file names it, for messages."""
        if field_name in getattr(self, "_headers", {}):
            return self._headers[field_name]
        column = next((c for c in self.columns if c.field == field_name), None)
        return column.title() if column else field_name


# A shared reading of yes / no cells in the three languages.
YES = {"1", "yes", "y", "true", "v", "x", "✓", "✔", "כן", "נכון", "يوجد", "نعم", "صحيح"}
NO = {"0", "no", "n", "false", "לא", "אין", "لا", "لا يوجد", "خطأ"}


class YesNoField(forms.Field):
    """A yes/no cell: כן/לא, نعم/لا, yes/no, 1/0, x; empty is no."""

    default_error_messages = {"invalid": gettext_lazy("Write yes or no.")}

    def to_python(self, value):
        text = _cell_text(value).casefold()
        if text == "":
            return False
        if text in YES or text == str(_("yes")).casefold():
            return True
        if text in NO or text == str(_("no")).casefold():
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass  # an empty cell is a valid "no"


class LabelChoiceField(forms.ChoiceField):
    """A choice written as its code or its label in any language (case-insensitive), e.g. "school",
    "בית ספר" or "مدرسة"; `aliases` adds spellings: {"גן": "kindergarten"}."""

    def __init__(self, *, choices, aliases=None, **kwargs):
        super().__init__(choices=choices, **kwargs)
        self.aliases = {normalize_header(k): v for k, v in (aliases or {}).items()}
        self._tables = {}  # shared by the copies each form makes of this field: built once per language

    def _lookup(self):
        language = translation.get_language()
        if language in self._tables:
            return self._tables[language]
        table = dict(self.aliases)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for value, label in self.choices:
                    if value != "":
                        table[normalize_header(label)] = value
        for value, _label in self.choices:
            if value != "":
                table[normalize_header(value)] = value
        self._tables[language] = table
        return table

    def to_python(self, value):
        text = normalize_header(value)
        if not text:
            return ""
        return self._lookup().get(text, str(value).strip())
