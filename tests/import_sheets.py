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
