"""The province loader's COPY writer takes its columns from the model: the columns the generator
writes come first, every other column gets its field's default, so a new field with a default
needs no change to the loader and no database default."""

import datetime as dt

import pytest
from django.db import models
from django.test.utils import isolate_apps

from demo.copyload import CopyWriter, esc
from members.models import Duty, Member
from topics.models import Consultation

NOW = dt.datetime(2026, 11, 29, 9, 30, tzinfo=dt.UTC)


class FakeCursor:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def copy_expert(self, sql, buffer):
        self.sent.append((sql, buffer.read()))


def test_columns_the_generator_leaves_out_get_their_python_defaults():
    written = "id kind date title status outcome note created_at topic_id venue_id member_id"
    cursor = FakeCursor()
    w = CopyWriter(cursor, Duty, tuple(written.split()), now=NOW)
    w.add("1\tproposal\t2026-11-01\t关于…的提案\tdone\tfiled\t\tNOW\t\\N\t\\N\t7")
    w.add("2\tdeed\t2026-11-02\t走访\tdone\t\t\tNOW\t\\N\t\\N\t8")
    w.flush()

    every_column = {f.column for f in Duty._meta.concrete_fields}
    assert set(w.columns) == every_column and len(w.columns) == len(every_column)
    assert w.columns[:11] == tuple(written.split())
    left_out = dict(zip(w.columns[11:], w.suffix.split("\t")[1:], strict=True))
    # self_reported False, review_note "", no reviewer and no review time yet.
    assert left_out == {
        "self_reported": "f",
        "review_note": "",
        "reviewed_by_id": "\\N",
        "reviewed_at": "\\N",
    }
    [(sql, text)] = cursor.sent
    assert sql == f"COPY members_duty ({', '.join(w.columns)}) FROM STDIN"
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert all(len(line.split("\t")) == len(w.columns) for line in lines[:2])
    assert lines[0].endswith("\t7" + w.suffix)
    assert w.count == 2 and w.lines == []


def test_auto_timestamps_and_plain_defaults_left_out():
    written = "id name gender political_status committee_level area_id sector_id"
    w = CopyWriter(FakeCursor(), Member, tuple(written.split()), now=NOW)
    left_out = dict(zip(w.columns[7:], w.suffix.split("\t")[1:], strict=True))
    assert left_out["created_at"] == left_out["updated_at"] == "2026-11-29T09:30:00+00:00"
    assert left_out["is_active"] == "t"  # the field's default
    assert left_out["ethnicity"] == esc(Member._meta.get_field("ethnicity").default)
    assert left_out["user_id"] == left_out["term"] == "\\N"  # nullable, no default
    assert left_out["bio"] == ""  # blank text


def test_a_many_to_many_table_is_a_model_too():
    through = Consultation.departments.through
    w = CopyWriter(FakeCursor(), through, ("id", "consultation_id", "department_id"), now=NOW)
    assert w.table == "topics_consultation_departments" and w.suffix == ""


def test_a_not_null_column_without_any_default_is_refused_by_name():
    with pytest.raises(ValueError, match=r"members_duty\.date is NOT NULL and has no default"):
        CopyWriter(FakeCursor(), Duty, ("id", "kind", "title", "member_id"), now=NOW)


def test_unknown_or_repeated_columns_are_refused():
    with pytest.raises(ValueError, match="unknown or repeated"):
        CopyWriter(FakeCursor(), Duty, ("id", "kind", "no_such_column"), now=NOW)
    with pytest.raises(ValueError, match="unknown or repeated"):
        CopyWriter(FakeCursor(), Duty, ("id", "kind", "kind"), now=NOW)


@isolate_apps("demo")
def test_a_field_with_only_a_database_default_is_left_to_the_database():
    class WithDbDefault(models.Model):
        name = models.CharField(max_length=10)
        flag = models.BooleanField(db_default=True)

        class Meta:
            app_label = "demo"

        def __str__(self):
            return self.name

    w = CopyWriter(FakeCursor(), WithDbDefault, ("id", "name"), now=NOW)
    assert w.columns == ("id", "name") and w.suffix == ""
