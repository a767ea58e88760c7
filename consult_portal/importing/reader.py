"""Read an office's sheet into rows: file → grid → header row → data rows with their row numbers.

Real sheets are made for printing, not for machines: a title row (often merged across) above the
header, headers with spaces or full-width spaces in them ("姓　名"), merged cells (a sector written
once for several members), blank rows, and notes and signatures under the table ("填表人:…").
Everything here is about finding the table inside such a sheet and keeping each row's spreadsheet
row number, so that an error can say "行 7, 列 联系电话".
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field

HEADER_SCAN_ROWS = 10

# What one import may hold. A sheet is refused, with a message saying which limit it met, before
# reading it costs more than a few seconds or a few hundred MB: the file is untrusted input, and
# the same reader serves the web page and the commands.
MAX_FILE_BYTES = 20 * 1024 * 1024  # the page allows 5 MB; the commands up to this
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_MERGED_RANGES = 5_000
MAX_MERGED_CELLS = 500_000  # cells covered by all merged ranges of a sheet together
MAX_CELL_CHARS = 10_000  # one cell's text, shared strings included (32,767 is Excel's own cap)
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: every member together, unpacked
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
READ_SECONDS = 20.0  # wall-clock time for turning the file into a grid

# A row under the table that starts with one of these is a note or a signature line: the table
# ends there.
FOOTER_PREFIXES = (
    "注",
    "备注",
    "说明",
    "填表",
    "填报",
    "制表",
    "审核",
    "审批",
    "经办",
    "签字",
    "签名",
    "盖章",
    "单位盖章",
    "负责人",
    "联系人",
    "合计",
    "总计",
    "共计",
    "报送",
    "日期",
    "时间",
)

_WHITESPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_HEADER_NOISE = re.compile(r"[*※★:()\[\]【】]|必填|选填|\(必填\)|\(选填\)")

Value = str | int | float | datetime.date


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    number: int  # the spreadsheet row number (1-based, as Excel shows it)
    values: list[Value]


@dataclass
class Sheet:
    headers: list[str]  # the header cells as written (cleaned), by column
    header_row: int
    rows: list[SheetRow]
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


_TOO_BIG_UNPACKED = "表格解压后过大,不像是一份名册或台账,请检查文件或拆分后分批导入。"


def _too_big() -> str:
    return f"表格过大(最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列),请拆分后分批导入。"


class _Budget:
    """The wall-clock time a read may take; ``check()`` refuses the file once it is spent."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportFileError(
                "读取表格用时过长,已停止。请删除多余的格式、合并单元格和空行,或拆分后分批导入。"
            )


def _check_text(text: object, row: int | None, column: int | None) -> None:
    if isinstance(text, str) and len(text) > MAX_CELL_CHARS:
        where = f"第 {row} 行第 {column} 列" if row else "表格中"
        raise ImportFileError(
            f"{where}有一个单元格超过 {MAX_CELL_CHARS} 字,不像是名册或台账的内容,请检查后再上传。"
        )


def _square(grid: list[list[object]]) -> None:
    """Pad every row to the widest one, as a worksheet's rectangle: the header row is then as
    wide as the widest data row, so data in a column without a header is still seen."""
    width = max((len(row) for row in grid), default=0)
    for row in grid:
        if len(row) < width:
            row.extend([None] * (width - len(row)))


def clean_text(text: str) -> str:
    """Unicode-normalise (full-width letters, digits and punctuation become ASCII) and collapse
    every kind of whitespace (U+3000, no-break space, zero-width ...) to one space, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", text).strip()


def header_key(text: object) -> str:
    """The form a header is compared in: no whitespace, no "*" or "(必填)" markers."""
    if text is None:
        return ""
    cleaned = _WHITESPACE.sub("", clean_text(str(text)))
    return _HEADER_NOISE.sub("", cleaned).lower()


def clean_cell(value: object) -> Value:
    """A cell value in the form parsers expect: text cleaned, dates as dates, whole numbers as
    ints (a phone number typed into Excel arrives as 13800138000.0), empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return clean_text(str(value))


def is_blank(values: list[Value]) -> bool:
    return all(v == "" for v in values)


# --- file → grid --------------------------------------------------------------------------


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        attempts = [(data[3:], "utf-8")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        attempts = [(data, "utf-16")]
    else:
        # GB18030 is a superset of GBK and GB2312: what Excel on a Chinese Windows writes.
        attempts = [(data, "utf-8"), (data, "gb18030")]
    for payload, encoding in attempts:
        try:
            return payload.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        "无法识别 CSV 文件的编码,请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV 后再上传。"
    )


def _csv_grid(data: bytes) -> list[list[object]]:
    text = _decode_csv(data)
    # Comma unless the file is clearly tab- or semicolon-separated (Excel's "Unicode text" and
    # some European-locale exports); csv.Sniffer guesses wrong on Chinese text with commas.
    sample = text[:20_000]
    delimiter = max(("\t", ";"), key=sample.count)
    if sample.count(delimiter) <= sample.count(","):
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 文件格式有误:{exc}") from exc


def _xlsx_grid(data: bytes, budget: _Budget) -> list[list[object]]:
    """The first non-empty worksheet (the active one first) in openpyxl's read-only, streaming
    mode: rows are parsed one at a time and checked against the limits as they come, so a sheet
    that is small on disk but huge once unpacked (a merged range over 200,000 rows, a cell at
    column XFD, a row numbered 1,000,000) is refused before it costs memory or minutes."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    bad = ImportFileError("文件不是有效的 Excel (.xlsx) 表格,请检查后重新上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise bad from exc
    # zipfile never inflates a member past the size its directory declares, so these sums bound
    # what reading can unpack (a zip bomb declares its real size or is cut short as corrupt).
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_TOO_BIG_UNPACKED)
    strings = next((m for m in members if m.filename.lower().endswith("sharedstrings.xml")), None)
    if strings is not None and strings.file_size > MAX_SHARED_STRINGS_BYTES:
        raise ImportFileError(_TOO_BIG_UNPACKED)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise bad from exc
    try:
        for text in getattr(workbook, "shared_strings", ()):
            _check_text(text, None, None)
        budget.check()
        sheets = [workbook.active, *[ws for ws in workbook.worksheets if ws is not workbook.active]]
        for ws in sheets:
            if ws is None or not hasattr(ws, "_get_source"):  # a chart sheet has no cells
                continue
            merged = _xlsx_merged_ranges(ws, budget)
            grid = _xlsx_rows(ws, budget)
            _fill_merged(grid, merged)
            _square(grid)
            if any(any(v not in (None, "") for v in row) for row in grid):
                return grid
        return []
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        # SyntaxError: ElementTree's ParseError, on XML that is not well formed.
        raise bad from exc
    finally:
        workbook.close()


# <mergeCell ref="A2:Z9"/>, with or without a namespace prefix (x:mergeCell).
_MERGE_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z0-9:$]+)[\"']"
)


def _xlsx_merged_ranges(ws, budget: _Budget) -> list[tuple[int, int, int, int]]:
    """The worksheet's merged ranges as (min_row, max_row, min_col, max_col), 1-based inclusive,
    read from its XML (read-only worksheets do not offer them), each checked against the limits
    before anything is filled."""
    from openpyxl.utils.cell import range_boundaries

    with ws._get_source() as source:  # the worksheet's XML, as openpyxl's own reader opens it
        xml = source.read()
    budget.check()
    ranges = []
    for match in _MERGE_REF.finditer(xml):
        ref = match.group(1).decode("ascii").replace("$", "")
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # not a range Excel would write: nothing to fill
        if None in (min_col, min_row, max_col, max_row):
            continue
        if max_row > MAX_ROWS or max_col > MAX_COLUMNS:
            raise ImportFileError(
                f"合并单元格 {ref} 超出了导入的上限(最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列),"
                "请取消这处合并或拆分表格后再上传。"
            )
        ranges.append((min_row, max_row, min_col, max_col))
        if len(ranges) > MAX_MERGED_RANGES:
            raise ImportFileError(
                f"表格中的合并单元格过多(最多 {MAX_MERGED_RANGES} 处),请取消合并后再上传。"
            )
    if sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, r1, c0, c1 in ranges) > MAX_MERGED_CELLS:
        raise ImportFileError(
            f"合并单元格覆盖的范围过大(合计最多 {MAX_MERGED_CELLS} 个单元格),请取消合并后再上传。"
        )
    return ranges


def _xlsx_rows(ws, budget: _Budget) -> list[list[object]]:
    # The declared dimension is the file's claim, not a fact: ignore it, so each row is only as
    # wide as its own last cell and no row is padded to a width the file made up.
    ws.reset_dimensions()
    grid: list[list[object]] = []
    blank_tail = 0  # blank rows read since the last row with a value (kept only if one follows)
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        budget.check()
        values = list(row)
        if len(values) > MAX_COLUMNS:
            if any(v not in (None, "") for v in values[MAX_COLUMNS:]):
                raise ImportFileError(_too_big())
            values = values[:MAX_COLUMNS]
        if all(v in (None, "") for v in values):
            # Rows that are only formatted (Excel keeps them, sometimes to row 1,048,576) are
            # not data: they count against the limit only if a filled row comes after them.
            blank_tail += 1
            continue
        if number > MAX_ROWS:
            raise ImportFileError(_too_big())
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                _check_text(value, number, column)
        grid.extend([] for _ in range(blank_tail))
        blank_tail = 0
        grid.append(values)
    budget.check()
    return grid


def _fill_merged(grid: list[list[object]], ranges: list[tuple[int, int, int, int]]) -> None:
    """A merged range keeps its value in the top-left cell only: fill it down and across, so a
    sector written once for three members applies to all three. Ranges are 1-based inclusive;
    the fill stays inside the rows and columns the sheet has."""
    for min_row, max_row, min_col, max_col in ranges:
        if min_row > len(grid) or min_col > len(grid[min_row - 1]):
            continue
        top_left = grid[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(grid))):
            row = grid[r]
            if len(row) < min(max_col, MAX_COLUMNS):
                row.extend([None] * (min(max_col, MAX_COLUMNS) - len(row)))
            for c in range(min_col - 1, min(max_col, len(row))):
                row[c] = top_left


XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file (BIFF .xls)


def _xls_grid(data: bytes, budget: _Budget) -> list[list[object]]:
    """The pre-2007 format, read with xlrd: the same sheet choice, limits and merged-cell fill
    as .xlsx; dates come back as dates (xlrd gives them as numbers with a date format)."""
    import struct

    import xlrd
    from xlrd.compdoc import CompDocError

    # What xlrd raises on a damaged or disguised file: it has no single error class for it.
    xls_errors = (
        xlrd.XLRDError,
        CompDocError,
        struct.error,
        AssertionError,
        IndexError,
        KeyError,
        ValueError,
        EOFError,
        OSError,
    )
    bad = ImportFileError("文件不是有效的 Excel (.xls) 表格,请检查后重新上传。")
    try:
        workbook = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
    except xls_errors as exc:
        raise bad from exc
    try:
        for index in range(workbook.nsheets):
            try:
                ws = workbook.sheet_by_index(index)
            except xls_errors as exc:
                raise bad from exc
            budget.check()
            if ws.nrows > MAX_ROWS or ws.ncols > MAX_COLUMNS:
                raise ImportFileError(_too_big())
            merged = _xls_merged_ranges(ws.merged_cells)
            grid = []
            for r in range(ws.nrows):
                budget.check()
                row = [_xls_value(ws.cell(r, c), workbook.datemode) for c in range(ws.ncols)]
                for c, value in enumerate(row, start=1):
                    _check_text(value, r + 1, c)
                grid.append(row)
            _fill_merged(grid, merged)
            _square(grid)
            if any(any(v not in (None, "") for v in row) for row in grid):
                return grid
        return []
    finally:
        workbook.release_resources()


def _xls_merged_ranges(cells) -> list[tuple[int, int, int, int]]:
    """xlrd's half-open, 0-based merged ranges as the 1-based inclusive ones ``_fill_merged``
    takes, under the same limits as .xlsx."""
    from openpyxl.utils import get_column_letter

    ranges = []
    for min_row, max_row, min_col, max_col in cells:
        if max_row > MAX_ROWS or max_col > MAX_COLUMNS:
            ref = f"{get_column_letter(min_col + 1)}{min_row + 1}:"
            ref += f"{get_column_letter(max_col)}{max_row}"
            raise ImportFileError(
                f"合并单元格 {ref} 超出了导入的上限(最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列),"
                "请取消这处合并或拆分表格后再上传。"
            )
        ranges.append((min_row + 1, max_row, min_col + 1, max_col))
    if len(ranges) > MAX_MERGED_RANGES:
        raise ImportFileError(
            f"表格中的合并单元格过多(最多 {MAX_MERGED_RANGES} 处),请取消合并后再上传。"
        )
    if sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, r1, c0, c1 in ranges) > MAX_MERGED_CELLS:
        raise ImportFileError(
            f"合并单元格覆盖的范围过大(合计最多 {MAX_MERGED_CELLS} 个单元格),请取消合并后再上传。"
        )
    return ranges


def _xls_value(cell, datemode: int) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def load_grid(data: bytes, filename: str) -> list[list[Value]]:
    """Every row of the file (first non-empty worksheet for .xlsx and .xls), cells cleaned."""
    name = filename.lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"文件不能超过 {MAX_FILE_BYTES // (1024 * 1024)} MB,请拆分后分批导入。"
        )
    budget = _Budget(READ_SECONDS)
    if name.endswith(".xls") or data.startswith(XLS_MAGIC):
        if not data.startswith(XLS_MAGIC):
            raise ImportFileError("文件不是有效的 Excel (.xls) 表格,请检查后重新上传。")
        raw = _xls_grid(data, budget)
    elif name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportFileError("文件不是有效的 Excel (.xlsx) 表格,请检查后重新上传。")
        raw = _xlsx_grid(data, budget)
    elif name.endswith(".csv"):
        raw = _csv_grid(data)
    else:
        raise ImportFileError("只支持 .xlsx、.xls 和 .csv 文件。")
    if len(raw) > MAX_ROWS:
        raise ImportFileError(_too_big())
    grid = []
    for number, row in enumerate(raw, start=1):
        budget.check()
        for column, value in enumerate(row[:MAX_COLUMNS], start=1):
            _check_text(value, number, column)
        grid.append([clean_cell(v) for v in row[:MAX_COLUMNS]])
    return grid


# --- grid → table -------------------------------------------------------------------------


def find_header(grid: list[list[Value]], known: Collection[str]) -> int | None:
    """Index of the row among the first ``HEADER_SCAN_ROWS`` non-blank ones that names the most
    known headers (a title row merged across names none); ``None`` if no row names any."""
    best, best_score = None, 0
    seen = 0
    for index, row in enumerate(grid):
        if is_blank(row):
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            break
        keys = {header_key(v) for v in row if isinstance(v, str)}
        score = len(keys & set(known))
        if score > best_score:
            best, best_score = index, score
    return best


def _is_footer(values: list[Value]) -> bool:
    texts = [v for v in values if v != ""]
    first = str(texts[0]) if texts else ""
    return len({str(v) for v in texts}) <= 2 and first.startswith(FOOTER_PREFIXES)


def _is_merged_across(values: list[Value]) -> bool:
    """A heading or note merged across the table ("一、经济界"): every filled cell says the same."""
    texts = [v for v in values if v != ""]
    return len(texts) >= 3 and len({str(v) for v in texts}) == 1


def read_sheet(data: bytes, filename: str, *, known_headers: Collection[str]) -> Sheet:
    """Read ``data`` and return its table. ``known_headers`` are the ``header_key`` forms of every
    header name the caller understands; they locate the header row."""
    grid = load_grid(data, filename)
    if all(is_blank(row) for row in grid):
        raise ImportFileError("表格是空的,没有任何内容。请填写数据后再上传。")
    header_index = find_header(grid, known_headers)
    if header_index is None:
        raise ImportFileError(
            f"在前 {HEADER_SCAN_ROWS} 行中找不到表头:没有一列的列名可以识别。请使用下载的模板,"
            "或检查列名(如“姓名”“联系电话”)。"
        )
    headers = [str(v) for v in grid[header_index]]
    width = len(headers)
    rows: list[SheetRow] = []
    ignored: list[tuple[int, str]] = []
    footer = False
    for index in range(header_index + 1, len(grid)):
        number = index + 1
        values = (grid[index] + [""] * width)[:width]
        if is_blank(values):
            continue
        if footer:
            ignored.append((number, "表格下方的说明或签名"))
            continue
        if _is_footer(values):
            footer = True
            ignored.append((number, "表格下方的说明或签名"))
            continue
        if _is_merged_across(values):
            ignored.append((number, "跨列合并的标题或分组行"))
            continue
        rows.append(SheetRow(number=number, values=values))
    if not rows:
        raise ImportFileError(
            f"表格只有表头(第 {header_index + 1} 行),没有数据行。请在表头下方填写数据后再上传。"
        )
    return Sheet(headers=headers, header_row=header_index + 1, rows=rows, ignored=ignored)
