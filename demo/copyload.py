"""Bulk loading for the big synthetic datasets: PostgreSQL ``COPY`` from in-memory buffers.

``bulk_create`` of a million topics and their six million events would take hours; ``COPY``
takes minutes. Rows are plain tab-separated lines (COPY's text format, ``\\N`` for NULL) built
from tuples, never model instances. While the tables fill, their secondary indexes, unique and
foreign-key constraints are set aside (``deferred_indexes``) and rebuilt afterwards in one pass
each, which is several times faster than maintaining them row by row; rebuilding them validates
every foreign key and unique constraint, so nothing the load wrote goes unchecked.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def esc(value: str) -> str:
    """A text value escaped for COPY's text format."""
    return value.translate(_ESCAPES)


class CopyWriter:
    """Lines for one table, sent with ``COPY ... FROM STDIN`` every ``chunk_rows`` lines."""

    def __init__(self, cursor, table: str, columns: tuple[str, ...], chunk_rows: int = 200_000):
        self.cursor = cursor
        self.table = table
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
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
        buffer = io.StringIO("\n".join(self.lines) + "\n")
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
