#!/usr/bin/env python
"""Peak memory of exporting the unfiltered topic list (100,000 topics) as CSV and as XLSX.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/export_memory.py

Each format runs in a fresh subprocess, so one export's memory cannot hide in another's. The
child sets Django up, signs in as the city-level office user (who sees every topic), requests
``/topics/?export=<fmt>`` through ``django.test.Client``, reads the (streaming) response to the
end into a temporary file, and reports its peak resident set size (``getrusage`` ru_maxrss: the
whole Python process, Django included) before and after the request. The parent counts the rows
in the file and prints a table.

Exit status: 0 when every export stayed under ``--limit-mb`` (default 200); 1 when one went over;
2 when the page answered with something that is not an export (the export is not on this branch
yet: the HTTP status and content type are printed). The dataset must be loaded first
(``bench/lists.py`` does it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

EXPORT_TYPES = ("text/csv", "application/vnd.openxmlformats", "application/octet-stream")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(fmt: str, out: str, user_key: str) -> None:
    common.setup_django()
    from django.test import Client
    from django.urls import reverse

    user = common.get_user(user_key)
    client = Client()
    client.force_login(user)
    url = f"{reverse('topics:list')}?export={fmt}"
    baseline = rss_mb()
    started = time.monotonic()
    response = client.get(url)
    content_type = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    is_export = response.status_code == 200 and (
        "attachment" in disposition or content_type.startswith(EXPORT_TYPES)
    )
    size = 0
    with open(out, "wb") as fh:
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            size += len(chunk)
            if is_export:
                fh.write(chunk)
    response.close()
    print(
        json.dumps(
            {
                "url": url,
                "status": response.status_code,
                "content_type": content_type,
                "streaming": response.streaming,
                "is_export": is_export,
                "bytes": size,
                "seconds": time.monotonic() - started,
                "baseline_mb": baseline,
                "peak_mb": rss_mb(),
            }
        )
    )


def count_rows(fmt: str, path: str) -> int:
    """Data rows in the file (the header row not counted)."""
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return max(rows - 1, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--limit-mb", type=float, default=200.0)
    parser.add_argument("--user", default="city", choices=sorted(common.USERS))
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", common.DEFAULT_DATABASE_URL)
    if "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
        raise SystemExit("Refusing to run: DATABASE_URL does not name a bench database.")

    if args.child:
        child(args.child, args.out, args.user)
        return 0

    results = []
    for fmt in [f.strip() for f in args.formats.split(",") if f.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, f"export.{fmt}")
            proc = subprocess.run(
                [sys.executable, __file__, "--child", fmt, "--out", out, "--user", args.user],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stdout + proc.stderr)
                raise SystemExit(f"the {fmt} child failed (exit {proc.returncode})")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["format"] = fmt
            result["rows"] = count_rows(fmt, out) if result["is_export"] else None
            results.append(result)

    print("| format | HTTP | streaming | rows | MiB sent | seconds | RSS before MB | peak RSS MB |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        rows = f"{r['rows']:,}" if r["rows"] is not None else "—"
        print(
            f"| {r['format']} | {r['status']} | {'yes' if r['streaming'] else 'no'} | {rows} "
            f"| {r['bytes'] / 2**20:.1f} | {r['seconds']:.1f} | {r['baseline_mb']:.0f} "
            f"| {r['peak_mb']:.0f} |"
        )
    missing = [r for r in results if not r["is_export"]]
    for r in missing:
        print(
            f"NOT AN EXPORT: {r['url']} answered HTTP {r['status']} {r['content_type']!r} "
            "(the export is not on this branch yet); re-run after merging."
        )
    over = [r for r in results if r["is_export"] and r["peak_mb"] > args.limit_mb]
    for r in over:
        print(
            f"OVER BUDGET: {r['format']} peaked at {r['peak_mb']:.0f} MB > {args.limit_mb:.0f} MB"
        )
    if over:
        return 1
    if missing:
        return 2
    print(f"every export stayed under {args.limit_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
