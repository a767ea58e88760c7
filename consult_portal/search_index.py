"""Migration helpers for the search box: fill the pinyin columns of existing rows, and trigram
indexes on PostgreSQL.

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER('%q%')``, so the trigram
GIN index is on ``UPPER(col)``; then ``LIKE '%…%'`` (Chinese included: pg_trgm hashes the
characters it does not classify) is answered from the index instead of a scan of every row.
SQLite has no such index; its ``LIKE`` scans, which at the sizes SQLite serves is fine.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connection, migrations
from django.db.models import Func, Q, TextField, Value


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


# Two-character words (电梯, 路灯) have no whole trigram between LIKE's wildcards, so the
# trigram index cannot answer them; a GIN index on the set of a column's character pairs can.
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION cp_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT substr(upper($1), i, 2) FROM generate_series(1, length($1) - 1) AS i
    )
$$
"""


def bigram_indexes(*indexes: tuple[str, str, str]):
    """A ``RunPython`` that makes the ``cp_bigrams`` function and ``(index name, table, column)``
    GIN indexes on ``cp_bigrams(column)`` on PostgreSQL; nothing on other databases."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(BIGRAMS_FUNCTION)
        for name, table, column in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin (cp_bigrams("{column}"))'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        schema_editor.execute("DROP FUNCTION IF EXISTS cp_bigrams(text)")

    return migrations.RunPython(forward, backward)


class Bigrams(Func):
    """``cp_bigrams(column)``: the index expression of ``bigram_indexes`` (PostgreSQL only)."""

    function = "cp_bigrams"
    output_field = ArrayField(TextField())


def contains_q(model, value: str, *fields: str) -> Q:
    """Rows of ``model`` where any of ``fields`` contains ``value``, case-insensitively:
    ``icontains``, except a two-character value on PostgreSQL, which is looked up in the
    columns' character pairs (the same rows: for two characters, "contains" and "has this pair"
    are one thing). Only for columns with a ``bigram_indexes`` index (topic title and
    description).

    The pair lookup is an ``id IN (subquery)``: written inline, the planner walks the list's
    order index and computes ``cp_bigrams`` for every row until it has a page (5 s for a rare
    word on 100,000 topics); as a subquery the index gives the ids first (0.2 s at worst)."""
    key = value.upper()
    condition = Q()
    if connection.vendor == "postgresql" and len(value) == 2 and len(key) == 2:
        pair = Value([key], output_field=ArrayField(TextField()))
        for name in fields:
            condition |= Q(DataContains(Bigrams(name), pair))
        return Q(pk__in=model._base_manager.filter(condition).values("pk"))
    for name in fields:
        condition |= Q(**{f"{name}__icontains": value})
    return condition
