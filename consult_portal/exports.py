"""Exports of the lists as filtered: CSV (streamed, UTF-8 with BOM so Excel opens it) and XLSX.

Rows are read with ``values()`` and ``iterator(chunk_size=2000)``, never as model instances, and
written as they arrive: a CSV is streamed to the client, an XLSX is built by openpyxl's write-only
workbook into a temporary file and sent with ``FileResponse``. Memory stays flat whatever the
number of rows (100,000 topics export well under 200 MB).
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000
CSV_BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel; prefix it so it stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    """One column: a Chinese header, the ``values()`` field it reads, and how it is shown.

    ``choices`` maps stored values to labels; ``func`` computes the cell from the whole row
    (its inputs listed in ``needs``).
    """

    header: str
    field: str | None = None
    choices: dict | None = None
    func: Callable[[dict], Any] | None = None
    needs: tuple[str, ...] = ()
    width: int = 14

    def value(self, row: dict) -> Any:
        if self.func is not None:
            return self.func(row)
        raw = row[self.field]
        if self.choices is not None:
            return self.choices.get(raw, raw or "")
        return raw


@dataclass(frozen=True)
class ExportSpec:
    basename: str  # Chinese, e.g. "议题"; the file is 议题_西陵区_20261129.csv
    ascii_name: str  # fallback for old clients, e.g. "topics"
    columns: tuple[ExportColumn, ...] = field(default_factory=tuple)
    # Annotations only the export reads (e.g. a subquery per row): added to the list's
    # queryset when exporting, so the page itself does not pay for them.
    annotate: Callable[[QuerySet], QuerySet] | None = None

    @property
    def fields(self) -> list[str]:
        names: list[str] = []
        for column in self.columns:
            for name in (column.field, *column.needs):
                if name and name not in names:
                    names.append(name)
        return names


def yes_no(value) -> str:
    return "是" if value else "否"


def _cell(value: Any, *, for_csv: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M") if for_csv else value
    if isinstance(value, datetime.date):
        return value.isoformat() if for_csv else value
    if isinstance(value, str):
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
        return value
    return value


def xlsx_row(values: Iterable[Any]) -> list:
    """One workbook row as it may be written: every text neutralised, dates kept as dates.

    Every workbook the portal writes (list exports, the dashboard's overview, a chart's table,
    the work report, the import templates) appends its rows through this or ``append_row``, so a
    resident's ``=HYPERLINK(...)`` is text in a leader's workbook, never a live formula.
    """
    return [_cell(value, for_csv=False) for value in values]


def append_row(sheet, values: Iterable[Any]) -> None:
    sheet.append(xlsx_row(values))


def rows(queryset: QuerySet, spec: ExportSpec, *, for_csv: bool) -> Iterator[list]:
    for row in queryset.values(*spec.fields).iterator(chunk_size=CHUNK_SIZE):
        yield [_cell(column.value(row), for_csv=for_csv) for column in spec.columns]


def _filename(spec: ExportSpec, ext: str, area_name: str = "") -> tuple[str, str]:
    """``议题_西陵区_20261204.xlsx`` (the area left out when there is none) and an ASCII
    fallback without the area, like the dashboard's ``chart_filename``."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    parts = [spec.basename, area_name.replace("/", "-"), stamp]
    name = "_".join(part for part in parts if part)
    return f"{name}.{ext}", f"{spec.ascii_name}_{stamp}.{ext}"


def _disposition(name: str, ascii_name: str) -> str:
    """RFC 6266 / 5987: a plain ASCII ``filename`` for old clients, ``filename*`` in UTF-8."""
    utf8 = content_disposition_header(True, name)  # attachment; filename*=utf-8''...
    return f'attachment; filename="{ascii_name}"; {utf8.removeprefix("attachment; ")}'


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(queryset: QuerySet, spec: ExportSpec) -> Iterable[str]:
    return csv_lines([c.header for c in spec.columns], rows(queryset, spec, for_csv=True))


def csv_lines(header: list[str], values: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV as Excel opens it (BOM, UTF-8), every cell neutralised like the workbooks'."""
    writer = csv.writer(_Echo())
    yield CSV_BOM + writer.writerow(header)
    for row in values:
        yield writer.writerow([_cell(value, for_csv=True) for value in row])


def csv_response(
    queryset: QuerySet, spec: ExportSpec, area_name: str = ""
) -> StreamingHttpResponse:
    name, ascii_name = _filename(spec, "csv", area_name)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(queryset, spec)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _disposition(name, ascii_name)
    return response


def xlsx_response(queryset: QuerySet, spec: ExportSpec, area_name: str = "") -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=spec.basename[:31])
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    append_row(sheet, [c.header for c in spec.columns])
    for row in rows(queryset, spec, for_csv=False):
        sheet.append(row)  # already neutralised by rows()
    # An anonymous temporary file: gone from disk once FileResponse closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    name, ascii_name = _filename(spec, "xlsx", area_name)
    response = FileResponse(
        handle,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _disposition(name, ascii_name)
    return response


def export_response(queryset: QuerySet, *, spec: ExportSpec, fmt: str, area_name: str = ""):
    """The list as a file; ``area_name`` (the area filtered on, else the user's) goes into the
    file name."""
    if spec.annotate is not None:
        queryset = spec.annotate(queryset)
    if fmt == "xlsx":
        return xlsx_response(queryset, spec, area_name)
    return csv_response(queryset, spec, area_name)
