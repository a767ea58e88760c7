"""What the import preview page shows, as plain data (JSON): written by the queued preview
(portal.tasks.import_preview) into the default storage and read back by the page, or built in
the request when an import's confirmation finds errors."""

from __future__ import annotations

from consult_portal.importing.base import ACTION_LABELS, Importer, ImportResult


def preview_snapshot(importer: Importer, result: ImportResult) -> dict:
    """The preview table (the columns the sheet fills, per row its cells with their errors) and
    what the page says about the whole sheet."""
    shown = [c for c in importer.columns if any(row.raw.get(c.key) for row in result.rows)]
    rows = []
    for row in result.rows:
        by_column: dict[str, list[str]] = {}
        general = []
        for error in row.errors:
            if error.column:
                by_column.setdefault(error.column, []).append(error.message)
            else:
                general.append(error.message)
        rows.append(
            {
                "number": row.number,
                "ok": row.ok,
                "action": ACTION_LABELS[row.action] if row.ok else "有错误",
                "action_code": row.action if row.ok else "error",
                "cells": [[str(row.raw.get(c.key, "")), by_column.pop(c.label, [])] for c in shown],
                # Errors about columns not shown (e.g. a required column left empty everywhere).
                "other_errors": general + [m for ms in by_column.values() for m in ms],
                "changes": [importer.column(k).label for k in row.changes if row.ok],
                "notes": list(row.notes),
            }
        )
    unknown = [
        {
            "name": column.name,
            "index": column.index,
            "samples": list(column.samples),
            "duplicate_of": column.duplicate_of,
            "choice": column.choice,
            "has_data": column.has_data,
            "undecided": column.undecided,
        }
        for column in result.unknown_columns
    ]
    return {
        "columns": [{"key": c.key, "label": c.label} for c in shown],
        "rows": rows,
        "result": {
            "header_row": result.header_row,
            "row_count": len(result.rows),
            "ok": result.ok,
            "errors": [str(error) for error in result.errors],
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "ignored": [[number, why] for number, why in result.ignored],
            "unknown_columns": unknown,
            "undecided_columns": [c["name"] for c in unknown if c["undecided"]],
            "decidable_columns": [c["name"] for c in unknown if c["has_data"]],
            "committed": result.committed,
        },
    }
