"""Migration helpers for the search box: fill the pinyin columns of existing rows, and trigram
indexes on PostgreSQL.

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER('%q%')``, so the trigram
GIN index is on ``UPPER(col)``; then ``LIKE '%…%'`` (Chinese included: pg_trgm hashes the
characters it does not classify) is answered from the index instead of a scan of every row.
SQLite has no such index; its ``LIKE`` scans, which at the sizes SQLite serves is fine.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import migrations


def fill_pinyin(app_label: str, model_name: str, compute: Callable[[str], str]):
    """A ``RunPython`` that sets ``search_pinyin`` from ``name`` on every existing row."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        batch = []
        for row in model.objects.only("pk", "name").iterator(chunk_size=2000):
            row.search_pinyin = compute(row.name)
            batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["search_pinyin"])
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["search_pinyin"])

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)


def trigram_indexes(*indexes: tuple[str, str, str]):
    """A ``RunPython`` that makes ``(index name, table, column)`` trigram GIN indexes on
    ``UPPER(column)`` on PostgreSQL and does nothing on other databases."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward)
