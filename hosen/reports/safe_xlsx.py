"""The first sheet of an uploaded .xlsx, read within fixed bounds, and what openpyxl's values leave unsaid.

An .xlsx is a zip of XML parts, and a file of a megabyte can unpack into a gigabyte: a table of shared strings,
ten million empty rows, a row of two million cells. openpyxl builds what it reads in memory (whole parts for the
package's manifest, the workbook and its styles, every shared string, a Python object per cell), so:

1. the zip's directory is checked before anything is unpacked: how many parts, how large each one unpacks
   (zipfile never unpacks more than the directory says) and all of them together, and how tightly each is packed;
2. each part openpyxl is about to read is first read here with expat, streaming, keeping no tree: it counts
   what openpyxl would build from the part and stops at the first count past its limit. A DOCTYPE is refused
   outright, so no entity can expand (the "billion laughs");
3. openpyxl then reads only what the import needs: the manifest, the shared strings, the workbook and its
   relations, the styles and the first sheet — not the other sheets, properties, themes or external links —
   and only the sheet's rows and columns that hold anything.

The pass over the sheet also notes, per cell, what openpyxl's values hide: a formula without a saved result
and a cell showing an Excel error (both read as blanks or text), and the merged ranges (read-only mode has none).
"""

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_STYLE,
    ARC_WORKBOOK,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
    XLSM,
    XLSX,
    XLTM,
    XLTX,
)

MB = 1024 * 1024
CHUNK = 64 * 1024
EXCEL_ROWS = 1_048_576

FORMULA_WITHOUT_VALUE = "formula"
ERROR_VALUE = "error"


class ImportProblem(Exception):
    """A whole-file problem, with a message for the user."""


@dataclass(frozen=True)
class Limits:
    # The zip's directory, checked before anything is unpacked.
    parts: int = 1000
    part_bytes: int = 32 * MB
    unpacked_bytes: int = 128 * MB
    ratio: int = 100  # unpacked size / packed size, for parts that unpack to more than ratio_from
    ratio_from: int = 1 * MB
    # The parts openpyxl reads whole: the manifest, the workbook and its relations, the styles.
    whole_part_bytes: int = 8 * MB
    whole_elements: int = 60_000  # all these parts together; 64,000 cell styles took openpyxl 5 s and 105 MB
    whole_attributes: int = 400_000
    whole_chars: int = 2_000_000
    # The shared strings.
    strings: int = 100_000  # openpyxl takes about 24 µs a string
    string_chars: int = 16_000_000
    string_elements: int = 5_000  # rich-text runs and their formatting, in one string
    # The first sheet.
    rows: int = 20_000  # <row> elements, empty ones too, and the last row with anything in it
    columns: int = 200  # the last column with anything in it
    cells: int = 200_000  # <c> elements, empty ones too (openpyxl takes about 15 µs a cell)
    row_cells: int = 16_384  # Excel's own number of columns
    sheet_elements: int = 1_000_000
    row_elements: int = 50_000
    row_chars: int = 2_000_000
    other_elements: int = 30_000  # outside the rows: column widths, merged ranges, validations, links
    other_chars: int = 2_000_000
    merged: int = 10_000
    # Everywhere.
    cell_chars: int = 32_767  # Excel's own limit for the text of a cell
    attributes: int = 64  # on one element


@dataclass
class SheetFacts:
    """What the pass over the first sheet learnt, in Excel's numbering (row 1, column 1 = A1)."""

    path: str = ""
    rows: int = 0  # <row> elements
    cells: int = 0
    last_row: int = 0  # the last row with anything in it (a value, a formula or an inline text)
    last_column: int = 0
    problems: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, column) -> (kind, detail)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first col, first row, last col, last row)


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA; with no upper bound, for messages about columns beyond Excel's last."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def grouped(number) -> str:
    return number_format(number, use_l10n=True, force_grouping=True)


def _megabytes(size: int) -> str:
    return number_format(round(size / MB, 1), decimal_pos=1 if size < 10 * MB else 0, use_l10n=True,
                         force_grouping=True)


def not_excel() -> ImportProblem:
    return ImportProblem(_("This is not an Excel file. Save it as .xlsx (Excel Workbook) or as CSV and try again."))


def unreadable() -> ImportProblem:
    return ImportProblem(_("This Excel file could not be read. Save it again in Excel and try again."))


def _too_complex(part: str, limit: int) -> ImportProblem:
    return ImportProblem(ngettext(
        "This Excel file is too complex to read: its part “%(part)s” has more than %(limit)s entry. Copy the "
        "data into a new workbook, or save it as CSV, and try again.",
        "This Excel file is too complex to read: its part “%(part)s” has more than %(limit)s entries. Copy the "
        "data into a new workbook, or save it as CSV, and try again.", limit) % {"part": part, "limit": grouped(limit)})


def _too_much_text(part: str, limit: int) -> ImportProblem:
    return ImportProblem(ngettext(
        "This Excel file is too complex to read: its part “%(part)s” holds more than %(limit)s character of text "
        "outside the cells. Copy the data into a new workbook, or save it as CSV, and try again.",
        "This Excel file is too complex to read: its part “%(part)s” holds more than %(limit)s characters of text "
        "outside the cells. Copy the data into a new workbook, or save it as CSV, and try again.", limit)
        % {"part": part, "limit": grouped(limit)})


def _long_cell(cell: str, limit: int) -> ImportProblem:
    return ImportProblem(ngettext(
        "Cell %(cell)s holds more than %(limit)s character, more than Excel allows in a cell.",
        "Cell %(cell)s holds more than %(limit)s characters, more than Excel allows in a cell.", limit)
        % {"cell": cell, "limit": grouped(limit)})


def _long_text(limit: int) -> ImportProblem:
    return ImportProblem(ngettext(
        "A text in the file holds more than %(limit)s character, more than Excel allows in a cell.",
        "A text in the file holds more than %(limit)s characters, more than Excel allows in a cell.", limit)
        % {"limit": grouped(limit)})


def too_many_rows(limit: int) -> ImportProblem:
    return ImportProblem(ngettext(
        "The file has more than %(limit)s row, counting empty ones. Delete the empty rows under the data, or copy "
        "the data into a new sheet, and try again.",
        "The file has more than %(limit)s rows, counting empty ones. Delete the empty rows under the data, or copy "
        "the data into a new sheet, and try again.", limit) % {"limit": grouped(limit)})


def data_beyond_column(column: int, limit: int, where: str) -> ImportProblem:
    return ImportProblem(ngettext(
        "%(where)s has data in column %(column)s, but only the first %(limit)s column is read (up to column "
        "%(last)s). Delete what is beyond it and try again.",
        "%(where)s has data in column %(column)s, but only the first %(limit)s columns are read (up to column "
        "%(last)s). Delete what is beyond them and try again.", limit)
        % {"where": where, "column": column_letter(column), "limit": grouped(limit), "last": column_letter(limit)})


# ---- 1. the zip's directory ---------------------------------------------------------------------------------


def check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.parts:
        raise ImportProblem(ngettext(
            "This Excel file holds %(count)s part inside it, and the limit is %(limit)s. Save it again in Excel, or "
            "as CSV, and try again.",
            "This Excel file holds %(count)s parts inside it, and the limit is %(limit)s. Save it again in Excel, "
            "or as CSV, and try again.", len(members)) % {"count": grouped(len(members)),
                                                           "limit": grouped(limits.parts)})
    total = 0
    for member in members:
        if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportProblem(_("This Excel file is encrypted or packed in a way Excel does not use. Save it "
                                  "again in Excel, without a password, and try again."))
        if member.file_size > limits.part_bytes:
            raise ImportProblem(_("This Excel file is too large once unpacked: its part “%(part)s” comes to "
                                  "%(size)s MB, and the limit is %(limit)s MB.") % {
                "part": member.filename, "size": _megabytes(member.file_size),
                "limit": _megabytes(limits.part_bytes)})
        if member.file_size > limits.ratio_from and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise ImportProblem(_("This Excel file is packed too tightly to be read safely: its part “%(part)s” "
                                  "is packed at %(ratio)s to 1, and the limit is %(limit)s to 1.") % {
                "part": member.filename, "ratio": grouped(member.file_size // max(member.compress_size, 1)),
                "limit": grouped(limits.ratio)})
        total += member.file_size
    if total > limits.unpacked_bytes:
        raise ImportProblem(_("This Excel file is too large once unpacked: it comes to %(size)s MB, and the limit "
                              "is %(limit)s MB.") % {"size": _megabytes(total),
                                                     "limit": _megabytes(limits.unpacked_bytes)})


# ---- 2. streaming passes over the parts openpyxl will read ---------------------------------------------------


class _Scan:
    """One part, read with expat in chunks of the unpacked stream; subclasses count what matters.

    The handlers run once per element and text, so they are written for speed: no calls they can do without."""

    def __init__(self, limits: Limits, part: str):
        self.limits = limits
        self.part = part
        self.text = 0  # characters since the last start tag
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self.start
        parser.CharacterDataHandler = self.chars
        self.parser = parser

    def _doctype(self, *args):
        raise ImportProblem(_("This Excel file contains a DOCTYPE declaration, which Excel never writes, and is "
                              "not read for safety. Save it again in Excel and try again."))

    def _attributes(self, attrs):
        if len(attrs) > self.limits.attributes or max(map(len, attrs.values())) > self.limits.cell_chars:
            raise unreadable()

    def run(self, archive: zipfile.ZipFile):
        try:
            with archive.open(self.part) as stream:
                while chunk := stream.read(CHUNK):
                    self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise unreadable() from error
        return self

    def start(self, name, attrs):
        raise NotImplementedError

    def chars(self, data):
        self.text += len(data)
        if self.text > self.limits.cell_chars:
            raise _long_text(self.limits.cell_chars)


@dataclass
class _WholeBudget:
    elements: int = 0
    attributes: int = 0
    chars: int = 0


class _WholePartScan(_Scan):
    """A part openpyxl parses whole into a tree: its elements, attributes and text count against one budget."""

    def __init__(self, limits, part, budget: _WholeBudget):
        super().__init__(limits, part)
        self.budget = budget

    def start(self, name, attrs):
        self.text = 0
        budget = self.budget
        budget.elements += 1
        if budget.elements > self.limits.whole_elements:
            raise _too_complex(self.part, self.limits.whole_elements)
        if attrs:
            self._attributes(attrs)
            budget.attributes += len(attrs)
            if budget.attributes > self.limits.whole_attributes:
                raise _too_complex(self.part, self.limits.whole_attributes)

    def chars(self, data):
        size = len(data)
        self.text += size
        self.budget.chars += size
        if self.text > self.limits.cell_chars:
            raise _long_text(self.limits.cell_chars)
        if self.budget.chars > self.limits.whole_chars:
            raise _too_much_text(self.part, self.limits.whole_chars)


MAIN = SHEET_MAIN_NS + " "
SI, ROW, F, V, IS, MERGE_CELL = (MAIN + tag for tag in ("si", "row", "f", "v", "is", "mergeCell"))


class _StringsScan(_Scan):
    """The shared strings: openpyxl keeps every one in a list, and builds each from its tree."""

    def __init__(self, limits, part):
        super().__init__(limits, part)
        self.parser.EndElementHandler = self.end
        self.strings = 0
        self.open = 0  # <si> elements open
        self.string_elements = self.string_chars = 0  # in the outermost open <si>
        self.outside = 0
        self.total_chars = 0

    def start(self, name, attrs):
        self.text = 0
        if attrs:
            self._attributes(attrs)
        limits = self.limits
        if name == SI:  # nested ones too: openpyxl keeps each <si> it meets, wherever it is
            self.strings += 1
            if self.strings > limits.strings:
                raise ImportProblem(ngettext(
                    "The file holds more than %(limit)s different text, the most it may hold. Split it into smaller "
                    "files and try again.",
                    "The file holds more than %(limit)s different texts, the most it may hold. Split it into smaller "
                    "files and try again.", limits.strings) % {"limit": grouped(limits.strings)})
            self.open += 1
            if self.open == 1:
                self.string_elements = self.string_chars = 0
                return
        if self.open:
            self.string_elements += 1
            if self.string_elements > limits.string_elements:
                raise _too_complex(self.part, limits.string_elements)
        else:
            self.outside += 1  # kept by openpyxl until the end of the part
            if self.outside > limits.other_elements:
                raise _too_complex(self.part, limits.other_elements)

    def end(self, name):
        if name == SI:
            self.open -= 1

    def chars(self, data):
        size = len(data)
        self.text += size
        self.string_chars += size
        self.total_chars += size
        limits = self.limits
        if self.text > limits.cell_chars or self.string_chars > 2 * limits.cell_chars:
            raise _long_text(limits.cell_chars)
        if self.total_chars > limits.string_chars:
            raise ImportProblem(ngettext(
                "The file's texts come to more than %(limit)s character in all, the most it may hold. Split it into "
                "smaller files and try again.",
                "The file's texts come to more than %(limit)s characters in all, the most it may hold. Split it "
                "into smaller files and try again.", limits.string_chars) % {"limit": grouped(limits.string_chars)})


_RANGE_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?")
_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}  # "AB" -> 28, filled as cells name them (at most A..ZZZ in either case)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell_column(ref: str) -> int:
    """The column of a cell reference such as "AB12", as openpyxl reads it (one to three letters, then digits)."""
    letters = ref.rstrip(_DIGITS)
    column = _COLUMNS.get(letters)
    if column is None:
        if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
            raise unreadable()
        column = _COLUMNS[letters] = _column_number(letters)
    if len(letters) == len(ref):
        raise unreadable()
    return column


class _SheetScan(_Scan):
    """The first sheet, as openpyxl reads it: every <row> (its number from `r`, or one more than the last), every
    child of a row a cell (its column from `r`, or one more than the last), and the merged ranges."""

    def __init__(self, limits, part):
        super().__init__(limits, part)
        self.parser.EndElementHandler = self.end
        self.facts = SheetFacts(path=part)
        self.depth = 0
        self.elements = 0
        self.other = 0  # elements outside the rows: openpyxl keeps them until the end
        self.other_chars = 0
        self.row_depth = 0  # the depth of the open <row>, 0 outside one
        self.row = 0
        self.column = 0
        self.row_cells = self.row_elements = self.row_chars = 0
        self.cell_depth = 0  # the depth of the open cell, 0 outside one
        self.cell_type = "n"
        self.formula = self.value = self.inline = self.in_value = False
        self.value_chars = self.cell_chars = 0
        self.value_text = ""

    def start(self, name, attrs):
        self.text = 0
        depth = self.depth = self.depth + 1
        if attrs:
            self._attributes(attrs)
        self.elements += 1
        if self.elements > self.limits.sheet_elements:
            raise _too_complex(self.part, self.limits.sheet_elements)
        if self.row_depth:
            if name == ROW:  # openpyxl would read it as a row of its own, out of order
                raise unreadable()
            self.row_elements += 1
            if self.row_elements > self.limits.row_elements:
                raise _too_complex(self.part, self.limits.row_elements)
            if not self.cell_depth:
                self._start_cell(attrs)  # every child of a row
            elif depth == self.cell_depth + 1:
                if name == V:
                    self.value = self.in_value = True
                elif name == F:
                    self.formula = True
                elif name == IS:
                    self.inline = True
        elif name == ROW:
            self._start_row(attrs)
        else:
            self.other += 1
            if self.other > self.limits.other_elements:
                raise _too_complex(self.part, self.limits.other_elements)
            if name == MERGE_CELL:
                self._merge(attrs.get("ref", ""))

    def end(self, name):
        depth = self.depth
        self.depth = depth - 1
        if self.cell_depth:
            if depth == self.cell_depth:
                self._end_cell()
            elif self.in_value and name == V and depth == self.cell_depth + 1:
                self.in_value = False
        elif depth == self.row_depth:
            self.row_depth = 0

    def chars(self, data):
        size = len(data)
        self.text += size
        limits = self.limits
        if self.row_depth:
            self.row_chars += size
            if self.cell_depth:
                self.cell_chars += size
                if self.in_value:
                    self.value_chars += size
                    if self.cell_type == "e" and len(self.value_text) < 40:
                        self.value_text += data[:40]
                if self.text > limits.cell_chars or self.cell_chars > 2 * limits.cell_chars:
                    raise _long_cell(f"{column_letter(self.column)}{self.row}", limits.cell_chars)
            if self.row_chars > limits.row_chars:
                raise ImportProblem(ngettext(
                    "Row %(row)s holds more than %(limit)s character.",
                    "Row %(row)s holds more than %(limit)s characters.", limits.row_chars) % {
                    "row": grouped(self.row), "limit": grouped(limits.row_chars)})
        else:
            self.other_chars += size
            if self.other_chars > limits.other_chars:
                raise _too_much_text(self.part, limits.other_chars)
        if self.text > limits.cell_chars:
            raise _long_text(limits.cell_chars)

    def _start_row(self, attrs):
        facts, limits = self.facts, self.limits
        facts.rows += 1
        if facts.rows > limits.rows:
            raise too_many_rows(limits.rows)
        number = attrs.get("r")
        if number is None:
            number = self.row + 1
        else:
            try:
                number = int(number)
            except ValueError:
                try:
                    value = float(number)
                except ValueError:
                    raise unreadable() from None
                if not value.is_integer():
                    raise unreadable() from None
                number = int(value)
        if number <= self.row:  # openpyxl drops a row that does not come after the last one
            raise unreadable()
        self.row = number
        self.column = self.row_cells = self.row_elements = self.row_chars = 0
        self.row_depth = self.depth

    def _start_cell(self, attrs):
        facts, limits = self.facts, self.limits
        facts.cells += 1
        if facts.cells > limits.cells:
            raise ImportProblem(ngettext(
                "The sheet has more than %(limit)s cell, counting empty cells that were formatted. Copy the data "
                "into a new sheet, or save it as CSV, and try again.",
                "The sheet has more than %(limit)s cells, counting empty cells that were formatted. Copy the data "
                "into a new sheet, or save it as CSV, and try again.", limits.cells) % {
                "limit": grouped(limits.cells)})
        self.row_cells += 1
        if self.row_cells > limits.row_cells:
            raise ImportProblem(ngettext(
                "Row %(row)s has more than %(limit)s cell, more than Excel allows.",
                "Row %(row)s has more than %(limit)s cells, more than Excel allows.", limits.row_cells) % {
                "row": grouped(self.row), "limit": grouped(limits.row_cells)})
        ref = attrs.get("r")
        if ref:
            self.column = _cell_column(ref)
        else:
            self.column += 1
        self.cell_type = attrs.get("t", "n")
        self.formula = self.value = self.inline = self.in_value = False
        self.value_chars = self.cell_chars = 0
        self.value_text = ""
        self.cell_depth = self.depth

    def _end_cell(self):
        facts, limits = self.facts, self.limits
        row, column = self.row, self.column
        if self.formula and not (self.value and (self.value_chars or self.cell_type == "str")):
            facts.problems[row, column] = (FORMULA_WITHOUT_VALUE, "")
        elif self.cell_type == "e" and self.value_chars:
            facts.problems[row, column] = (ERROR_VALUE, self.value_text.strip())
        if self.value_chars or self.inline or self.formula:
            if column > limits.columns:
                raise data_beyond_column(column, limits.columns, _("Row %(row)s") % {"row": grouped(row)})
            if row > limits.rows:
                raise ImportProblem(ngettext(
                    "The sheet has data down to row %(row)s, and only the first %(limit)s row is read. Delete what "
                    "is below it and try again.",
                    "The sheet has data down to row %(row)s, and only the first %(limit)s rows are read. Delete "
                    "what is below them and try again.", limits.rows) % {
                    "row": grouped(row), "limit": grouped(limits.rows)})
            facts.last_row = row
            if column > facts.last_column:
                facts.last_column = column
        self.cell_depth = 0

    def _merge(self, ref):
        facts = self.facts
        if len(facts.merged) >= self.limits.merged:
            raise ImportProblem(ngettext(
                "The sheet has more than %(limit)s merged range. Unmerge the cells and try again.",
                "The sheet has more than %(limit)s merged ranges. Unmerge the cells and try again.",
                self.limits.merged) % {"limit": grouped(self.limits.merged)})
        match = _RANGE_REF.fullmatch(ref)
        if not match:
            return  # openpyxl reads merged ranges only after the rows, which the import stops short of
        first_col, first_row = _column_number(match.group(1)), int(match.group(2))
        last_col = _column_number(match.group(3)) if match.group(3) else first_col
        last_row = int(match.group(4)) if match.group(4) else first_row
        first_col, last_col = sorted((first_col, last_col))
        first_row, last_row = sorted((first_row, last_row))
        if (first_col, first_row) != (last_col, last_row):
            facts.merged.append((first_col, first_row, last_col, last_row))


# ---- 3. openpyxl, part by part ------------------------------------------------------------------------------

WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)
# What openpyxl may raise on a file that is not what it should be; anything else is a bug here.
BROKEN = (KeyError, ValueError, TypeError, AttributeError, IndexError, SyntaxError, RecursionError, EOFError,
          OSError, zipfile.BadZipFile, zlib.error, InvalidFileException)


class FirstSheet:
    """The first worksheet of a checked workbook: `facts`, and `rows()` with Excel's row numbers."""

    def __init__(self, archive, worksheet, facts: SheetFacts):
        self.archive = archive
        self.worksheet = worksheet
        self.facts = facts

    def rows(self):
        facts = self.facts
        try:
            if self.worksheet is not None and facts.last_row:
                # Only the rows and columns that hold anything: formatted empty cells beyond them cost nothing.
                rows = self.worksheet.iter_rows(max_row=facts.last_row, max_col=facts.last_column, values_only=True)
                yield from enumerate(rows, start=1)
        except BROKEN as error:
            raise unreadable() from error
        finally:
            self.archive.close()

    def close(self):
        self.archive.close()


def _present(archive, name):
    return name in archive.NameToInfo


def _scan_whole(archive, name, limits, budget):
    if not _present(archive, name):
        return  # openpyxl then fails on its own, and says so
    size = archive.getinfo(name).file_size
    if size > limits.whole_part_bytes:
        raise ImportProblem(_("This Excel file is too large once unpacked: its part “%(part)s” comes to "
                              "%(size)s MB, and the limit is %(limit)s MB.") % {
            "part": name, "size": _megabytes(size), "limit": _megabytes(limits.whole_part_bytes)})
    _WholePartScan(limits, name, budget).run(archive)


def open_first_sheet(upload, limits: Limits) -> FirstSheet:
    """Check the workbook part by part and open its first worksheet; raise ImportProblem for a whole-file problem."""
    try:
        upload.seek(0)
        reader = ExcelReader(upload, read_only=True, data_only=True, keep_links=False)
    except BROKEN as error:
        raise not_excel() from error
    archive = reader.archive
    try:
        check_directory(archive, limits)
        budget = _WholeBudget()
        if not _present(archive, ARC_CONTENT_TYPES):
            raise not_excel()
        _scan_whole(archive, ARC_CONTENT_TYPES, limits, budget)
        try:
            reader.read_manifest()
        except BROKEN as error:
            raise not_excel() from error
        try:
            strings = reader.package.find(SHARED_STRINGS)
            if strings is not None and _present(archive, strings.PartName[1:]):
                _StringsScan(limits, strings.PartName[1:]).run(archive)
            reader.read_strings()
            # Every part openpyxl may take for the workbook, and their relations.
            candidates = {part.PartName[1:] for part in reader.package.Override if part.ContentType in WORKBOOK_TYPES}
            candidates.add(ARC_WORKBOOK)
            for part in sorted(candidates):
                _scan_whole(archive, part, limits, budget)
                _scan_whole(archive, get_rels_path(part), limits, budget)
            reader.read_workbook()
            _scan_whole(archive, ARC_STYLE, limits, budget)
            apply_stylesheet(archive, reader.wb)
            # openpyxl's `worksheets[0]`: the first sheet of the workbook that is there and is not a chart sheet.
            first = next(((sheet, rel.target) for sheet, rel in reader.parser.find_sheets()
                          if rel.target in reader.valid_files and "chartsheet" not in rel.Type), None)
            if first is None:
                return FirstSheet(archive, None, SheetFacts())
            sheet, path = first
            if archive.getinfo(path).file_size > limits.part_bytes:  # the directory check has seen it already
                raise unreadable()
            facts = _SheetScan(limits, path).run(archive).facts
            worksheet = ReadOnlyWorksheet(reader.wb, sheet.name, path, reader.shared_strings)
        except BROKEN as error:
            raise unreadable() from error
    except BaseException:
        archive.close()
        raise
    return FirstSheet(archive, worksheet, facts)
