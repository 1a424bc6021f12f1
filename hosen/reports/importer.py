"""Registers in from Excel and CSV: all or nothing, with row-by-row errors in the user's language.

A register describes its file once — the columns (the headers it accepts in Hebrew, Arabic and English),
a Django form that parses and validates one row, the fields whose values may not repeat inside the file —
and implements `write()`. `Importer.run()` then reads the file, checks every row, and writes only a fully
valid file, inside one transaction. A file with one bad row changes nothing and says which row, which
column and what is wrong, counting rows as the user sees them in Excel.

A file is bounded before it is parsed (see `safe_xlsx` for Excel: what it unpacks to, its rows, columns, cells
and texts; and for CSV its bytes, rows, columns and cells), and refused with a message that names what is too
large and the limit. A cell whose value Excel did not save (a formula without a saved result), a cell showing an
Excel error, and a cell inside merged cells other than their first one are row errors, not blanks.

    class SiteImporter(Importer):
        columns = [ImportColumn("name", _("name"), required=True, headers={"he": ("שם",)}), ...]
        form_class = SiteRowForm
        unique = ("name", "code")

        def write(self, rows): ...  # [ImportRow], all valid; returns {"created": n, "updated": m}
"""

import bisect
import csv
import io
import re
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
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from .safe_xlsx import (
    FORMULA_WITHOUT_VALUE,
    ImportProblem,
    Limits,
    column_letter,
    data_beyond_column,
    grouped,
    open_first_sheet,
    too_many_rows,
)
from .tabular import XLSX_TYPE, never_formulas

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Rows as the file has them, empty ones too (formatted rows under the data, blank lines at the end of a CSV).
MAX_SHEET_ROWS = 4 * MAX_ROWS
# The last column that may hold anything; the registers have a few dozen at most.
MAX_COLUMNS = 200
# Excel's own limit for the text of a cell.
MAX_CELL_CHARS = 32_767
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
    if isinstance(values, (tuple, list)) and values.count(None) + values.count("") == len(values):
        return True  # the common case, at C speed: a row of ten thousand empty cells costs nothing
    return all(_cell_text(v) == "" for v in values)


def _cell_message(kind: str, detail: str) -> str:
    if kind == FORMULA_WITHOUT_VALUE:
        return _("This cell has a formula whose result was not saved in the file, so its value is unknown. Open "
                 "the file in Excel and save it again, or paste the values instead of the formulas.")
    return _("This cell shows the Excel error %(error)s. Correct it in Excel or clear the cell.") % {"error": detail}


def _merged_message(ref: str, anchor: str) -> str:
    return _("This cell is inside the merged cells %(range)s, whose value Excel keeps only in %(first)s. Unmerge "
             "the cells and fill in each one.") % {"range": ref, "first": anchor}


def _range_text(first_col: int, first_row: int, last_col: int, last_row: int) -> str:
    return f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"


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
    max_sheet_rows = MAX_SHEET_ROWS
    max_columns = MAX_COLUMNS
    max_cell_chars = MAX_CELL_CHARS
    sheet_title = "Hosen"

    def __init__(self, *, user=None, **context):
        self.user = user
        self.context = context
        self.present: list[ImportColumn] = []  # the columns the file has, in file order
        self._facts = None  # what the pass over an Excel sheet learnt; None for CSV
        self._problem_rows: dict[int, dict[int, tuple[str, str]]] = {}

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
        never_formulas(workbook)  # the choices can be names people typed (skills)
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
        self._facts = None
        self._problem_rows: dict[int, dict[int, tuple[str, str]]] = {}  # row -> column -> (kind, detail)
        try:
            table = self._read(upload)
            header_number, header = next(((number, values) for number, values in table
                                          if not _blank(values) or number in self._problem_rows), (0, None))
            if header is None:
                raise ImportProblem(_("The file is empty."))
            self._check_header_cells(header_number)
            mapping = self._map_header(header, result)
            if result.missing or result.unknown:
                raise ImportProblem(_("The file's columns do not match the template."))
            rows = self._validate_rows(table, mapping, result, header_number)
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

    def limits(self) -> Limits:
        return Limits(rows=self.max_sheet_rows, columns=self.max_columns, cell_chars=self.max_cell_chars)

    def _read_xlsx(self, upload):
        sheet = open_first_sheet(upload, self.limits())
        self._facts = sheet.facts
        for (row, column), problem in sheet.facts.problems.items():
            self._problem_rows.setdefault(row, {})[column] = problem
        # The sheet's own size (its <dimension>) is not trusted: the rows and columns read are those the pass over
        # the sheet saw holding anything.
        return sheet.rows()

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

    def _csv_rows(self, text, delimiter):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = 0
        try:
            for values in reader:
                records += 1
                if records > self.max_sheet_rows:
                    raise too_many_rows(self.max_sheet_rows)
                # Excel counts lines, and a quoted cell may span several: the reader knows where it is.
                line = reader.line_num
                if values and max(map(len, values)) > self.max_cell_chars:
                    raise self._long_csv_cell(line)
                if len(values) > self.max_columns:
                    beyond = values[self.max_columns:]
                    if "".join(beyond).strip():
                        column = self.max_columns + next(i for i, v in enumerate(beyond, start=1) if v.strip())
                        raise data_beyond_column(column, self.max_columns, _("Line %(line)s") % {"line": line})
                    values = values[:self.max_columns]  # empty cells that Excel's CSV writes out to the right
                yield line, tuple(values)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise self._long_csv_cell(reader.line_num) from error
            raise ImportProblem(_("The CSV file is broken near line %(line)d.") % {"line": reader.line_num}) \
                from error

    def _long_csv_cell(self, line):
        return ImportProblem(ngettext(
            "A cell in line %(line)s holds more than %(limit)s character, more than Excel allows in a cell.",
            "A cell in line %(line)s holds more than %(limit)s characters, more than Excel allows in a cell.",
            self.max_cell_chars) % {"line": line, "limit": grouped(self.max_cell_chars)})

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

    def _check_header_cells(self, header_number):
        """A header cell that is a formula without a saved result, or shows an error, names no column."""
        for column, (kind, detail) in sorted(self._problem_rows.get(header_number, {}).items()):
            cell = f"{column_letter(column)}{header_number}"
            if kind == FORMULA_WITHOUT_VALUE:
                raise ImportProblem(_("The header cell %(cell)s has a formula whose result was not saved in the "
                                      "file. Type the header as text, or open the file in Excel and save it again.")
                                    % {"cell": cell})
            raise ImportProblem(_("The header cell %(cell)s shows the Excel error %(error)s. Type the header as "
                                  "text and try again.") % {"cell": cell, "error": detail})

    def _merged_cover(self, mapping, header_number):
        """For each column read, the merged ranges that hide rows below the header: the rows each one covers apart
        from its first cell (sorted, for bisect); and the header cells merged into another one."""
        covered: dict[int, tuple[list[int], list[tuple[int, str, str]]]] = {}
        header_covered: dict[int, tuple[str, str]] = {}
        merged = self._facts.merged if self._facts is not None else []
        for first_col, first_row, last_col, last_row in merged:
            ref = _range_text(first_col, first_row, last_col, last_row)
            anchor = f"{column_letter(first_col)}{first_row}"
            if first_row <= header_number <= last_row:
                for column in range(first_col, min(last_col, self._facts.last_column) + 1):
                    if (column, header_number) != (first_col, first_row) and column - 1 not in mapping:
                        header_covered.setdefault(column - 1, (ref, anchor))
            if last_row <= header_number:
                continue
            for index in mapping:
                column = index + 1
                if first_col <= column <= last_col:
                    start = max(first_row + (column == first_col), header_number + 1)
                    if start <= last_row:
                        covered.setdefault(index, ([], []))
                        covered[index][1].append((start, last_row, ref, anchor))
        for starts, spans in covered.values():
            spans.sort()
            starts.extend(span[0] for span in spans)
        return covered, header_covered

    def _cell_issues(self, number, mapping, covered) -> dict[int, str]:
        """Row errors for the cells of this row in the columns read: {column index: message}."""
        issues = {}
        for column, (kind, detail) in self._problem_rows.get(number, {}).items():
            if column - 1 in mapping:
                issues[column - 1] = _cell_message(kind, detail)
        for index, (starts, spans) in covered.items():
            at = bisect.bisect_right(starts, number) - 1
            if at >= 0 and spans[at][1] >= number and index not in issues:
                issues[index] = _merged_message(spans[at][2], spans[at][3])
        return issues

    def _validate_rows(self, table, mapping, result, header_number=0) -> list[ImportRow]:
        rows: list[ImportRow] = []
        first_values: dict[str, dict[str, int]] = {name: {} for name in self.unique}
        kwargs = self.form_kwargs()
        form = None
        checked_hxl = False
        covered, header_covered = self._merged_cover(mapping, header_number)
        headless: tuple[int, int] | None = None  # the first data cell under a header merged into another one
        for number, values in table:
            if not checked_hxl:
                checked_hxl = True
                if _is_hxl_row(values):
                    continue
            issues = self._cell_issues(number, mapping, covered) if self._facts is not None else {}
            unsaved = any(column - 1 in mapping for column in self._problem_rows.get(number, ()))
            if _blank(values) and not unsaved:
                continue  # a row that is empty but for merged cells reaching into it is empty too
            if headless is None and header_covered:
                headless = next(((index, number) for index in sorted(header_covered)
                                 if index < len(values) and _cell_text(values[index]) != ""), None)
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
            flagged = {mapping[index].field for index in issues}
            if not valid:
                for name, messages in form.errors.items():
                    if name in flagged:
                        continue  # the cell's own problem says more than "this field is required"
                    column = "" if name == "__all__" else self.header_for(name)
                    result.errors.extend(RowError(number, column, str(m)) for m in messages)
            if issues:
                valid = False
                result.errors.extend(RowError(number, self.header_for(mapping[index].field), message)
                                     for index, message in sorted(issues.items()))
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
        if headless is not None:
            index, number = headless
            ref = header_covered[index][0]
            raise ImportProblem(_("Column %(column)s has data (from row %(row)s) but no header of its own: its "
                                  "header cell is inside the merged cells %(range)s. Unmerge the header cells, give "
                                  "each column its own header, and try again.") % {
                "column": column_letter(index + 1), "row": number, "range": ref})
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
