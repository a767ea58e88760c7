"""Bulk loading for the big synthetic datasets: PostgreSQL ``COPY`` from in-memory buffers.

``bulk_create`` of a million topics and their six million events would take hours; ``COPY``
takes minutes. Rows are plain tab-separated lines (COPY's text format, ``\\N`` for NULL) built
from tuples, never model instances. While the tables fill, their secondary indexes, unique and
foreign-key constraints are set aside (``deferred_indexes``) and rebuilt afterwards in one pass
each, which is several times faster than maintaining them row by row; rebuilding them validates
every foreign key and unique constraint, so nothing the load wrote goes unchecked.

A writer is made for a model, naming the columns its lines carry, in their order. The ``COPY``
column list comes from the model itself (``_meta.concrete_fields``): every column the generator
does not write is filled from its field's default (Python ``default``, ``auto_now``/
``auto_now_add`` as the load's time, ``""`` for blank text, NULL where the column allows it), or
left to the database when the field only has a ``db_default``. So a new field with a default
needs nothing here and nothing in the schema; a new NOT NULL field without any default is
refused by name when the writer is made, before a row is sent.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import models

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def esc(value: str) -> str:
    """A text value escaped for COPY's text format."""
    return value.translate(_ESCAPES)


def copy_text(value) -> str:
    """One Python value as COPY text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return esc(json.dumps(value))
    return esc(str(value))


def default_text(field: models.Field, now: dt.datetime) -> str:
    """COPY text for a column the generator does not write: what saving a new instance
    without that value would store."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return copy_text(now.date() if type(field) is models.DateField else now)
    if not field.has_default() and not field.null and not field.empty_strings_allowed:
        raise ValueError(
            f"{field.model._meta.db_table}.{field.column} is NOT NULL and has no default: "
            "the generator must write it."
        )
    value = field.get_default()
    if isinstance(field, models.JSONField):
        return NULL if value is None else esc(json.dumps(value, cls=field.encoder))
    return copy_text(field.get_prep_value(value))


class CopyWriter:
    """Lines for one model's table, sent with ``COPY ... FROM STDIN`` every ``chunk_rows``
    lines. ``columns`` are the columns each line carries, in order; the model's other columns
    get their defaults (the same text appended to every line)."""

    def __init__(
        self,
        cursor,
        model: type[models.Model],
        columns: tuple[str, ...],
        *,
        now: dt.datetime | None = None,
        chunk_rows: int = 200_000,
    ):
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown or len(set(columns)) != len(columns):
            raise ValueError(f"{model._meta.db_table}: unknown or repeated columns {columns}")
        now = now or dt.datetime.now(dt.UTC)
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.column not in columns
            and not (f.db_default is not models.NOT_PROVIDED and not f.has_default())
        ]
        self.cursor = cursor
        self.table = model._meta.db_table
        self.columns = (*columns, *(f.column for f in rest))
        self.suffix = "".join("\t" + default_text(f, now) for f in rest)
        self.sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        self.chunk_rows = chunk_rows
        self.lines: list[str] = []
        self.count = 0
        self.copy_seconds = 0.0

    def add(self, line: str) -> None:
        """One row: its values already as COPY text, joined by tabs."""
        self.lines.append(line)
        if len(self.lines) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        end = self.suffix + "\n"
        buffer = io.StringIO(end.join(self.lines) + end)
        started = time.monotonic()
        self.cursor.copy_expert(self.sql, buffer)
        self.copy_seconds += time.monotonic() - started
        self.count += len(self.lines)
        self.lines = []


def _constraints(cursor, tables: list[str]) -> list[tuple]:
    """Foreign keys and unique constraints of ``tables``, and foreign keys pointing at them."""
    cursor.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.contype IN ('f', 'u')
          AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
        ORDER BY c.contype DESC, c.conname
        """,
        [tables, tables],
    )
    return cursor.fetchall()


def _plain_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef
        FROM pg_indexes i
        JOIN pg_class ic ON ic.relname = i.indexname
        JOIN pg_index x ON x.indexrelid = ic.oid
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ic.oid)
        ORDER BY i.tablename, i.indexname
        """,
        [tables],
    )
    return cursor.fetchall()


@contextmanager
def deferred_indexes(
    cursor, tables: list[str], report: Callable[[str, float], None]
) -> Iterator[None]:
    """Drop the secondary indexes, unique and foreign-key constraints of ``tables`` for the
    body, then build them again (indexes first, then unique, then foreign keys). ``report`` is
    called with (table, seconds) for the time each table's rebuild took."""
    # Rows written earlier in the transaction may have deferred key checks pending, which
    # would block ALTER TABLE: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    constraints = _constraints(cursor, tables)
    # Foreign keys first: a unique constraint may be what another table's key points at.
    constraints.sort(key=lambda c: 0 if c[3] == "f" else 1)
    for name, table, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    indexes = _plain_indexes(cursor, tables)
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    seconds: dict[str, float] = {}
    for _name, definition in indexes:
        table = definition.split(" ON ", 1)[1].split()[0].split(".")[-1]
        started = time.monotonic()
        cursor.execute(definition)
        seconds[table] = seconds.get(table, 0.0) + time.monotonic() - started
    for kind in ("u", "f"):
        for name, table, definition, this_kind in constraints:
            if this_kind != kind:
                continue
            started = time.monotonic()
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            seconds[table] = seconds.get(table, 0.0) + time.monotonic() - started
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, spent in seconds.items():
        report(table, spent)


def reset_sequences(cursor, tables: list[str]) -> None:
    """Move each table's id sequence past the ids the load wrote."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )
