"""Excel packages built by hand, part by part, so that a test can make a file whose parts unpack to far more
than they weigh (a gigabyte of shared strings in one megabyte) without ever holding the unpacked bytes.

A part is either bytes, compressed as usual, or a `Repeat(head, body, times, tail)`: the body is compressed
once into a self-contained run of deflate blocks, and the run is written `times` over. The CRC of the whole is
combined arithmetically, so a gigabyte-long part costs milliseconds to make.
"""

import struct
import zlib
from dataclasses import dataclass

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')


@dataclass(frozen=True)
class Repeat:
    head: bytes
    body: bytes
    times: int
    tail: bytes

    @property
    def size(self):
        return len(self.head) + len(self.body) * self.times + len(self.tail)


def _gf2_times(matrix, vector):
    result, i = 0, 0
    while vector:
        if vector & 1:
            result ^= matrix[i]
        vector >>= 1
        i += 1
    return result


def _gf2_square(matrix):
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_combine(crc1, crc2, len2):
    """zlib's crc32_combine: the CRC of A+B from the CRCs of A and B and the length of B."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << i for i in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _deflate_run(data, final):
    """Raw deflate blocks for `data` alone; byte-aligned and, unless final, not the stream's last block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _repeated_crc(body, times):
    crc, total, power = 0, zlib.crc32(body), len(body)
    while times:
        if times & 1:
            crc = crc32_combine(crc, total, power)
        times >>= 1
        if times:
            total = crc32_combine(total, total, power)
            power *= 2
    return crc


def _compressed(part, stored=False):
    """(method, data, crc, size) for one part."""
    if isinstance(part, str):
        part = part.encode()
    if isinstance(part, bytes):
        if stored:
            return 0, part, zlib.crc32(part), len(part)
        return 8, _deflate_run(part, final=True), zlib.crc32(part), len(part)
    run = _deflate_run(part.body, final=False)
    data = _deflate_run(part.head, final=False) + run * part.times + _deflate_run(part.tail, final=True)
    crc = zlib.crc32(part.head)
    crc = crc32_combine(crc, _repeated_crc(part.body, part.times), len(part.body) * part.times)
    crc = crc32_combine(crc, zlib.crc32(part.tail), len(part.tail))
    return 8, data, crc, part.size


def build_zip(parts, stored=(), declared=None, flags=0):
    """A zip file of `parts` ({name: bytes | str | Repeat}); names in `stored` are not compressed; `declared`
    ({name: size}) writes a size other than the real one into the directory, as a forged file would; `flags`
    are the general-purpose bits of every part (1: encrypted)."""
    declared = declared or {}
    out, directory = bytearray(), bytearray()
    for name, part in parts.items():
        method, data, crc, size = _compressed(part, stored=name in stored)
        size = declared.get(name, size)
        raw_name = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size,
                           len(raw_name), 0) + raw_name + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(data),
                                 size, len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(out), 0)
    return bytes(out + directory + end)


def workbook(sheet, strings=None, styles=STYLES, extra=None, stored=(), declared=None, flags=0, more_sheets=()):
    """An .xlsx with a sheet (its XML, or a Repeat of it), `more_sheets` after it, and, if given, a shared-strings
    part."""
    overrides = [("/xl/workbook.xml", WORKBOOK_TYPE), ("/xl/worksheets/sheet1.xml", SHEET_TYPE),
                 ("/xl/styles.xml", STYLES_TYPE)]
    relations = [("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml"), ("rId2", f"{REL}/styles", "styles.xml")]
    sheets = ['<sheet name="Sheet1" sheetId="1" r:id="rId1"/>']
    for number, _more in enumerate(more_sheets, start=2):
        overrides.append((f"/xl/worksheets/sheet{number}.xml", SHEET_TYPE))
        relations.append((f"rId{number + 10}", f"{REL}/worksheet", f"worksheets/sheet{number}.xml"))
        sheets.append(f'<sheet name="Sheet{number}" sheetId="{number}" r:id="rId{number + 10}"/>')
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", STRINGS_TYPE))
        relations.append(("rId3", f"{REL}/sharedStrings", "sharedStrings.xml"))
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
            + "</Types>"),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<sheets>{"".join(sheets)}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in relations)
            + "</Relationships>"),
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    for number, more in enumerate(more_sheets, start=2):
        parts[f"xl/worksheets/sheet{number}.xml"] = more
    parts.update(extra or {})
    return build_zip(parts, stored=stored, declared=declared, flags=flags)


def sheet_xml(rows_xml, before="", after=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">{before}'
            f"<sheetData>{rows_xml}</sheetData>{after}</worksheet>")


def sheet_repeat(head_rows, body, times, tail_rows="", before="", after=""):
    """A sheet whose rows are `head_rows`, then `body` written `times` over, then `tail_rows`."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">{before}'
            f"<sheetData>{head_rows}").encode()
    return Repeat(head, body.encode(), times, f"{tail_rows}</sheetData>{after}</worksheet>".encode())


def strings_xml(texts):
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(texts)}" ' \
           f'uniqueCount="{len(texts)}">{items}</sst>'


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number(ref, value):
    return f'<c r="{ref}"><v>{value}</v></c>'


def letters(column):
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def register_workbook(rows=5000, notes=18):
    """The largest file a register takes, as Excel writes it: `rows` rows of a name, an age and `notes` more
    texts, every text different and in the shared strings (5,000 rows of 20 columns: 95,020 texts)."""
    header = ["full_name", "age"] + [f"note_{i}" for i in range(notes)]
    texts, lines = list(header), []
    lines.append('<row r="1">' + "".join(f'<c r="{letters(c)}1" t="s"><v>{c - 1}</v></c>'
                                         for c in range(1, len(header) + 1)) + "</row>")
    for r in range(2, rows + 2):
        cells = [f'<c r="A{r}" t="s"><v>{len(texts)}</v></c>', f'<c r="B{r}"><v>{r % 90}</v></c>']
        texts.append(f"person {r}")
        for c in range(3, notes + 3):
            cells.append(f'<c r="{letters(c)}{r}" t="s"><v>{len(texts)}</v></c>')
            texts.append(f"note {r} {c}")
        lines.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    dimension = f'<dimension ref="A1:{letters(notes + 2)}{rows + 1}"/>'
    return workbook(sheet_xml("".join(lines), before=dimension), strings=strings_xml(texts))


# ---- the bombs: each one a small upload that unpacks into far more -----------------------------------------

HEADER_ROW = '<row r="1">' + inline("A1", "full_name") + inline("B1", "age") + "</row>"


def strings_bomb():
    """A gigabyte of shared strings (250,000 texts of 4,000 characters) in about 1 MB."""
    body = f"<si><t>{'x' * 4000}</t></si>" * 250
    strings = Repeat(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode(), body.encode(), 1000,
                     b"</sst>")
    return workbook(sheet_xml(HEADER_ROW), strings=strings)


def empty_rows_bomb():
    """Ten million empty rows (<row/>), 60 MB of XML in about 60 KB."""
    return workbook(sheet_repeat(HEADER_ROW, "<row/>" * 100_000, 100))


def columns_bomb():
    """Two million cells in one row, one column after another."""
    return workbook(sheet_repeat(HEADER_ROW + '<row r="2">', "<c/>" * 100_000, 20, "</row>"))


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + "]>")


def laughs_bomb(part):
    """The billion laughs: nine levels of entities, each ten of the one before, in the sheet, strings or styles."""
    def laugh(xml):
        head, rest = xml.split("?>", 1)
        return f"{head}?>{LAUGHS}{rest.replace('<t>x</t>', '<t>&lol9;</t>').replace('Calibri', '&lol9;')}"
    sheet, strings, styles = sheet_xml(HEADER_ROW), strings_xml(["x"]), STYLES
    if part == "sheet":
        sheet = laugh(sheet_xml(HEADER_ROW + '<row r="2">' + inline("A2", "x") + "</row>"))
    elif part == "strings":
        strings = laugh(strings)
    else:
        styles = laugh(styles)
    return workbook(sheet, strings=strings, styles=styles)


def stored_rows_bomb():
    """800,000 empty rows, not compressed at all (so no ratio gives them away), in 4.6 MB."""
    return workbook(sheet_xml(HEADER_ROW + "<row/>" * 800_000), stored=(SHEET,))


def far_row_bomb(content=True):
    """One row at row ten million: openpyxl makes the ten million rows above it, empty, one by one."""
    far = '<row r="10000000">' + (number("A10000000", 1) if content else "") + "</row>"
    return workbook(sheet_xml(HEADER_ROW + '<row r="2">' + inline("A2", "Dana") + number("B2", 40) + "</row>" + far))


def wide_row_bomb():
    """A row of 20,000 cells, more than Excel's 16,384 columns, not compressed."""
    return workbook(sheet_xml(HEADER_ROW + '<row r="2">' + "<c/>" * 20_000 + "</row>"), stored=(SHEET,))


def far_column_bomb():
    """A value in column GS (201), beyond the columns read."""
    return workbook(sheet_xml(HEADER_ROW + '<row r="2">' + inline("A2", "Dana") + number("GS2", 1) + "</row>"))


def many_cells_bomb():
    """13 rows of 16,384 empty cells: 212,992 cells."""
    rows = "".join(f'<row r="{r}">' + "<c/>" * 16_384 + "</row>" for r in range(2, 15))
    return workbook(sheet_xml(HEADER_ROW + rows), stored=(SHEET,))


def many_strings_bomb():
    """260,000 different short texts."""
    return workbook(sheet_xml(HEADER_ROW), strings=strings_xml([str(i) for i in range(260_000)]))


def many_styles_bomb():
    """70,000 cell styles, not compressed."""
    return workbook(sheet_xml(HEADER_ROW), styles=STYLES.replace('<cellXfs count="2">', '<cellXfs count="2">'
                                                                 + "<xf/>" * 70_000), stored=("xl/styles.xml",))


def many_merges_bomb():
    merges = "".join(f'<mergeCell ref="C{r}:D{r}"/>' for r in range(1, 10_002))
    return workbook(sheet_xml(HEADER_ROW, after=f'<mergeCells count="10001">{merges}</mergeCells>'))


def long_cell_bomb():
    return workbook(sheet_xml(HEADER_ROW + '<row r="2">' + inline("A2", "x" * 40_000) + "</row>"))


def many_parts_bomb():
    extra = {f"customXml/item{i}.xml": "<a/>" for i in range(1001)}
    return workbook(sheet_xml(HEADER_ROW), extra=extra)


def unpacked_bomb():
    """Five parts of 30 MB each, each packed about 30 to 1: 150 MB in all, in under 5 MB."""
    import random

    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefgh") for _ in range(100)) for _ in range(32)]
    body = "".join(rng.choice(words) for _ in range(10_000)).encode()
    extra = {f"customXml/item{i}.xml": Repeat(b"<a>", body, 30 * 1024 * 1024 // len(body), b"</a>")
             for i in range(5)}
    return workbook(sheet_xml(HEADER_ROW), extra=extra)


def encrypted_bomb():
    return workbook(sheet_xml(HEADER_ROW), flags=1)


BOMBS = {"strings": strings_bomb, "empty_rows": empty_rows_bomb, "columns": columns_bomb,
         "stored_rows": stored_rows_bomb, "far_row": far_row_bomb, "wide_row": wide_row_bomb,
         "far_column": far_column_bomb, "many_cells": many_cells_bomb, "many_strings": many_strings_bomb,
         "many_styles": many_styles_bomb, "many_merges": many_merges_bomb, "long_cell": long_cell_bomb,
         "many_parts": many_parts_bomb, "unpacked": unpacked_bomb, "encrypted": encrypted_bomb,
         "laughs_sheet": lambda: laughs_bomb("sheet"), "laughs_strings": lambda: laughs_bomb("strings"),
         "laughs_styles": lambda: laughs_bomb("styles")}
