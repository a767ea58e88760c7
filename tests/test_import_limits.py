"""Imports read a sheet as untrusted input: limits on rows, columns, merged ranges, cell text,
unpacked size and time, checked while streaming, in the page and on the command line alike.

The 1.8 KB bomb (one merged range A2:Z200000) used to hold a worker at 100 % CPU, grow it past
1.5 GB and get it killed after 60 s: openpyxl's full mode makes an object for each of its 5.2
million cells on load, before any limit is looked at."""

import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from consult_portal.importing import reader
from consult_portal.importing.reader import ImportFileError, load_grid, read_sheet
from members.importers import MemberImporter
from members.models import Member

from .conftest import client_for
from .import_sheets import MEMBER_HEADER, inline_row, member_rows, merge_bomb, raw_xlsx, xlsx

KNOWN = MemberImporter.known_headers()
ROSTER_XLS = Path(__file__).parent / "fixtures" / "roster.xls"
BOMB_MESSAGE = "合并单元格 A2:Z200000 超出了导入的上限"


def refused(data, filename="名册.xlsx") -> str:
    with pytest.raises(ImportFileError) as caught:
        read_sheet(data, filename, known_headers=KNOWN)
    return caught.value.message


def test_the_bomb_is_small_and_refused_in_under_a_second():
    data = merge_bomb()
    assert len(data) < 2_100
    started = time.monotonic()
    message = refused(data)
    assert time.monotonic() - started < 1.0
    assert BOMB_MESSAGE in message and "20000 行" in message


@pytest.mark.django_db
def test_the_bomb_is_refused_in_the_page(world, office_staff, settings, tmp_path, monkeypatch):
    """The page's own reading of the sheet is timed (the whole round trip — upload, storage,
    redirect, rendering — depends on how busy the machine is, not on the sheet)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    spent = []
    real_read = reader.read_sheet

    def timed_read(*args, **kwargs):
        started = time.monotonic()
        try:
            return real_read(*args, **kwargs)
        finally:
            spent.append(time.monotonic() - started)

    monkeypatch.setattr("consult_portal.importing.base.read_sheet", timed_read)
    response = client_for(office_staff).post(
        reverse("imports:upload", kwargs={"kind": "members"}),
        {"area": world.district_a.pk, "file": SimpleUploadedFile("名册.xlsx", merge_bomb())},
        follow=True,  # the upload is kept, then its preview reads it
    )
    assert response.status_code == 200
    assert BOMB_MESSAGE in response.content.decode()
    assert spent and max(spent) < 1.0


@pytest.mark.django_db
def test_the_bomb_is_refused_on_the_command_line(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(merge_bomb())
    started = time.monotonic()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--area", "西陵区", stderr=err)
    assert time.monotonic() - started < 1.0
    assert BOMB_MESSAGE in err.getvalue()
    assert not Member.objects.filter(name="张伟").exists()


def test_merged_ranges_inside_the_limits_are_still_filled():
    data = xlsx([MEMBER_HEADER, *member_rows(), [3, "王芳"]], merges=["D2:D4"])
    grid = load_grid(data, "名册.xlsx")
    assert [row[3] for row in grid[1:4]] == ["经济界", "经济界", "经济界"]


def test_too_many_merged_ranges(monkeypatch):
    monkeypatch.setattr(reader, "MAX_MERGED_RANGES", 2)
    data = xlsx([MEMBER_HEADER, *member_rows()], merges=["A2:A3", "B2:B3", "C2:C3"])
    assert "合并单元格过多(最多 2 处)" in refused(data)


def test_merged_ranges_covering_too_many_cells_together(monkeypatch):
    monkeypatch.setattr(reader, "MAX_MERGED_CELLS", 5)
    data = xlsx([MEMBER_HEADER, *member_rows()], merges=["A2:C3"])
    assert "合并单元格覆盖的范围过大" in refused(data)


def test_rows_past_the_limit_are_refused_while_streaming(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    rows = [MEMBER_HEADER] + [[i, f"委员{i}", "男"] for i in range(1, 8)]
    assert "表格过大(最多 5 行" in refused(xlsx(rows))


def test_formatted_blank_rows_past_the_limit_are_not_data(monkeypatch):
    """Excel keeps rows that only carry a format: they are no reason to refuse a roster."""
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    rows = inline_row(1, MEMBER_HEADER) + inline_row(2, ["1", "张伟"])
    blank = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 40))
    grid = load_grid(raw_xlsx(f"<sheetData>{rows}{blank}</sheetData>"), "名册.xlsx")
    assert len(grid) == 2 and grid[1][:2] == ["1", "张伟"]


def test_a_row_numbered_a_million_is_refused_quickly():
    rows = inline_row(1, MEMBER_HEADER) + inline_row(1_000_000, ["1", "张伟"])
    started = time.monotonic()
    assert "表格过大" in refused(raw_xlsx(f"<sheetData>{rows}</sheetData>"))
    assert time.monotonic() - started < 3.0


def test_a_lying_dimension_does_not_widen_every_row():
    """A <dimension> claiming A1:XFD20000 would pad each row to 16,384 cells."""
    rows = inline_row(1, MEMBER_HEADER) + inline_row(2, ["1", "张伟"])
    data = raw_xlsx(f'<dimension ref="A1:XFD20000"/><sheetData>{rows}</sheetData>')
    grid = load_grid(data, "名册.xlsx")
    assert len(grid) == 2 and len(grid[0]) == len(MEMBER_HEADER)


def test_a_value_past_the_last_column_is_refused():
    far = '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    rows = inline_row(1, MEMBER_HEADER) + f'<row r="2"><c r="A2"><v>1</v></c>{far}</row>'
    assert "表格过大" in refused(raw_xlsx(f"<sheetData>{rows}</sheetData>"))


def test_a_long_shared_string_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_CELL_CHARS", 100)
    rows = inline_row(1, MEMBER_HEADER) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    data = raw_xlsx(f"<sheetData>{rows}</sheetData>", shared_strings=["长" * 101])
    assert "超过 100 字" in refused(data)


def test_a_long_inline_string_names_its_cell(monkeypatch):
    monkeypatch.setattr(reader, "MAX_CELL_CHARS", 100)
    rows = inline_row(1, MEMBER_HEADER) + inline_row(2, ["1", "长" * 101])
    assert "第 2 行第 2 列有一个单元格超过 100 字" in refused(
        raw_xlsx(f"<sheetData>{rows}</sheetData>")
    )


def test_a_large_unpacked_archive_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 2_000)
    rows = "".join(inline_row(n, ["委员" * 20] * 5) for n in range(1, 30))
    assert "表格解压后过大" in refused(raw_xlsx(f"<sheetData>{rows}</sheetData>"))


def test_a_read_that_runs_out_of_time_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "READ_SECONDS", -1.0)
    assert "读取表格用时过长" in refused(xlsx([MEMBER_HEADER, *member_rows()]))
    assert "读取表格用时过长" in refused(ROSTER_XLS.read_bytes(), "名册.xls")


def test_xls_merged_ranges_are_held_to_the_same_limits(monkeypatch):
    monkeypatch.setattr(reader, "MAX_MERGED_RANGES", 0)
    assert "合并单元格过多" in refused(ROSTER_XLS.read_bytes(), "名册.xls")


def test_files_past_the_size_limit_are_refused_on_the_command_line(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "名册.csv"
    path.write_bytes(b"a" * (1024 * 1024 + 1))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--area", "西陵区", stderr=err)
    assert "文件不能超过 1 MB" in err.getvalue()
