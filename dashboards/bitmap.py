"""A year's days as six 61-bit chunks, for per-entity day bitmaps stored in plain integers.

Day ``d`` of a year (0 = 1 January .. 365 = 31 December of a leap year) is bit ``d % 61`` of
chunk ``d // 61``; six chunks hold 366 days and every chunk fits a signed 64-bit integer (the
highest bit used is 2**60), so the same columns and the same ``(chunk & mask) <> 0`` test work
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

CHUNK_BITS = 61
CHUNKS = 6
FULL_CHUNK = (1 << CHUNK_BITS) - 1


def day_of_year(day: datetime.date) -> int:
    """0-based day of the year."""
    return (day - datetime.date(day.year, 1, 1)).days


def position(day: datetime.date) -> tuple[int, int]:
    """``(chunk, bit)`` of a day in its year's bitmap."""
    return divmod(day_of_year(day), CHUNK_BITS)


def chunks_from_days(days: Iterable[datetime.date]) -> list[int]:
    """The six chunks with the given days set (all days of one year)."""
    chunks = [0] * CHUNKS
    for day in days:
        chunk, bit = position(day)
        chunks[chunk] |= 1 << bit
    return chunks


def days_from_chunks(year: int, chunks: Iterable[int]) -> list[datetime.date]:
    """The days set in a year's chunks, in order (for checks and debugging)."""
    first = datetime.date(year, 1, 1)
    days = []
    for k, value in enumerate(chunks):
        for bit in range(CHUNK_BITS):
            if value >> bit & 1:
                days.append(first + datetime.timedelta(days=k * CHUNK_BITS + bit))
    return days


def _mask(low: int, high: int) -> int:
    """Bits ``low`` .. ``high`` (inclusive) set."""
    return ((1 << (high - low + 1)) - 1) << low


def range_masks(start: datetime.date, end: datetime.date) -> dict[int, list[int]]:
    """For each year the inclusive range ``start`` .. ``end`` touches, the six chunk masks that
    select its days in that year. Empty when ``end < start``."""
    masks: dict[int, list[int]] = {}
    for year in range(start.year, end.year + 1):
        first = max(start, datetime.date(year, 1, 1))
        last = min(end, datetime.date(year, 12, 31))
        if last < first:
            continue
        lo, hi = day_of_year(first), day_of_year(last)
        chunks = [0] * CHUNKS
        for k in range(CHUNKS):
            a = max(lo, k * CHUNK_BITS)
            b = min(hi, k * CHUNK_BITS + CHUNK_BITS - 1)
            if a <= b:
                chunks[k] = _mask(a - k * CHUNK_BITS, b - k * CHUNK_BITS)
        masks[year] = chunks
    return masks


def any_set(year: int, chunks: list[int], start: datetime.date, end: datetime.date) -> bool:
    """Whether a year's bitmap has a day in ``start`` .. ``end`` (the Python form of the SQL
    test, for unit tests)."""
    masks = range_masks(start, end).get(year)
    return masks is not None and any(c & m for c, m in zip(chunks, masks, strict=True))
