"""Sheets built in memory for the import tests: no binary fixtures in the repository."""

from __future__ import annotations

import csv
import io

import openpyxl


def xlsx(rows: list[list[object]], merges: list[str] = ()) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` from A1; ``merges`` like "A1:F1"."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


MEMBER_HEADER = ["序号", "姓名", "性别", "界别", "党派", "手机号码", "工作单位", "下沉阵地"]


def member_rows() -> list[list[object]]:
    return [
        [1, "张　伟", "男", "经济界", "民建", "138 0013 8000", "宜昌某公司", "桃花岭协商驿站"],
        [2, "刘洋", "女", "医药卫生界", "中共党员", 13900139000, "西陵区医院", ""],
    ]


def member_sheet() -> list[list[object]]:
    """A roster as an office keeps it: title row, header, rows, blank row, signature."""
    return [
        ["西陵区政协委员名册(2024年)", None, None, None, None, None, None, None],
        MEMBER_HEADER,
        *member_rows(),
        [None] * 8,
        ["填表人:王小红", None, None, "审核人:李主任", None, None, None, None],
    ]


def raw_xlsx(sheet_xml: str, shared_strings: list[str] = ()) -> bytes:
    """A minimal .xlsx written by hand from one worksheet's XML (``<sheetData>`` and what follows
    it), the way a hostile file is made: no spreadsheet program, nothing openpyxl would refuse to
    write. ``shared_strings`` become xl/sharedStrings.xml (cells refer to them with t="s")."""
    import zipfile
    from xml.sax.saxutils import escape

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">{sheet_xml}'
            "</worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" '
            f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared_strings)
            + "</sst>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def inline_row(number: int, values: list[str]) -> str:
    """One ``<row>`` of inline-string cells from column A."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    cells = "".join(
        f'<c r="{get_column_letter(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def merge_bomb() -> bytes:
    """The 1.8 KB sheet that once held a worker at 100 % CPU and 1.5 GB: a header row, one data
    row, and one merged range A2:Z200000 (5.2 million cells once filled in)."""
    rows = inline_row(1, MEMBER_HEADER) + inline_row(2, ["1", "张伟"])
    return raw_xlsx(
        f'<sheetData>{rows}</sheetData><mergeCells count="1"><mergeCell ref="A2:Z200000"/>'
        "</mergeCells>"
    )
