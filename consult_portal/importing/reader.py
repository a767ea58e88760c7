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
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field

HEADER_SCAN_ROWS = 10
MAX_ROWS = 20_000
MAX_COLUMNS = 200

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


def _xlsx_grid(data: bytes) -> list[list[object]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise ImportFileError("文件不是有效的 Excel (.xlsx) 表格,请检查后重新上传。") from exc
    try:
        sheets = [workbook.active, *[ws for ws in workbook.worksheets if ws is not workbook.active]]
        for ws in sheets:
            if ws is None or ws.max_row < 1:
                continue
            if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
                raise ImportFileError(
                    f"表格过大(最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列),请拆分后分批导入。"
                )
            grid = [list(row) for row in ws.iter_rows(values_only=True)]
            # A merged range keeps its value in the top-left cell only: fill it down and across,
            # so a sector written once for three members applies to all three.
            for merged in ws.merged_cells.ranges:
                top_left = grid[merged.min_row - 1][merged.min_col - 1]
                for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                    row = grid[r]
                    for c in range(merged.min_col - 1, min(merged.max_col, len(row))):
                        row[c] = top_left
            if any(any(v not in (None, "") for v in row) for row in grid):
                return grid
        return []
    finally:
        workbook.close()


XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file (BIFF .xls)


def _xls_grid(data: bytes) -> list[list[object]]:
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
            if ws.nrows > MAX_ROWS or ws.ncols > MAX_COLUMNS:
                raise ImportFileError(
                    f"表格过大(最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列),请拆分后分批导入。"
                )
            grid = [
                [_xls_value(ws.cell(r, c), workbook.datemode) for c in range(ws.ncols)]
                for r in range(ws.nrows)
            ]
            for min_row, max_row, min_col, max_col in ws.merged_cells:  # half-open ranges
                top_left = grid[min_row][min_col]
                for r in range(min_row, min(max_row, len(grid))):
                    for c in range(min_col, min(max_col, len(grid[r]))):
                        grid[r][c] = top_left
            if any(any(v not in (None, "") for v in row) for row in grid):
                return grid
        return []
    finally:
        workbook.release_resources()


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
    if name.endswith(".xls") or data.startswith(XLS_MAGIC):
        if not data.startswith(XLS_MAGIC):
            raise ImportFileError("文件不是有效的 Excel (.xls) 表格,请检查后重新上传。")
        raw = _xls_grid(data)
    elif name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportFileError("文件不是有效的 Excel (.xlsx) 表格,请检查后重新上传。")
        raw = _xlsx_grid(data)
    elif name.endswith(".csv"):
        raw = _csv_grid(data)
    else:
        raise ImportFileError("只支持 .xlsx、.xls 和 .csv 文件。")
    if len(raw) > MAX_ROWS:
        raise ImportFileError(f"表格过大(最多 {MAX_ROWS} 行),请拆分后分批导入。")
    return [[clean_cell(v) for v in row[:MAX_COLUMNS]] for row in raw]


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
