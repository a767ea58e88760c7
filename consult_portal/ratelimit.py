"""Counting uses against a limit in the shared cache, atomically.

``take`` adds one to a key's count and says whether the count is still within the limit, in one
step: with Redis (production) ``INCR`` is atomic across every worker and instance, and Django's
local-memory cache (development, tests) increments under a lock. There is no "check, then count
later" window, so twenty requests at the same instant against a limit of five let exactly five
through.
"""

from __future__ import annotations

from django.core.cache import cache


def take(key: str, *, limit: int, seconds: int) -> bool:
    """Count one use of ``key`` (the window starts with the first use and lasts ``seconds``);
    True while the count, this use included, is at most ``limit``."""
    if cache.add(key, 1, timeout=seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this use opens a new window
            cache.add(key, 1, timeout=seconds)
            count = 1
    return count <= limit


def used_up(key: str, *, limit: int) -> bool:
    """True when ``key`` has already been counted ``limit`` times in its window."""
    return (cache.get(key) or 0) >= limit
