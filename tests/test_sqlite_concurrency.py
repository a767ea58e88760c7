"""Twenty people saving at the same instant on the embedded SQLite database: all succeed.

Each thread opens its own connection to one database file with the settings' SQLITE_OPTIONS and
runs a transaction that reads, then writes (as a form save does). With SQLite's defaults some of
them answer "database is locked"; with WAL, IMMEDIATE transactions and a busy timeout they wait
their turn and none fails.
"""

import threading

from django.db import connections, transaction

from consult_portal.settings.base import SQLITE_OPTIONS

THREADS = 20


def _race(tmp_path, options) -> tuple[list[str], int]:
    alias = f"race_{id(options)}"
    connections.settings[alias] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "race.sqlite3"),
        "OPTIONS": options,
        "TEST": {},
    }
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS saves (id INTEGER PRIMARY KEY, n INTEGER)")
        cursor.execute("INSERT INTO saves (id, n) VALUES (1, 0)")
    connections[alias].close()
    barrier = threading.Barrier(THREADS)
    errors = []

    def save():
        try:
            barrier.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM saves WHERE id = 1")
                (n,) = cursor.fetchone()
                cursor.execute("UPDATE saves SET n = %s WHERE id = 1", [n + 1])
        except Exception as error:  # every failure is what we count
            errors.append(str(error))
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=save) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT n FROM saves WHERE id = 1")
        (n,) = cursor.fetchone()
    connections[alias].close()
    del connections.settings[alias]
    return errors, n


def test_twenty_concurrent_saves_all_succeed_and_none_is_lost(tmp_path, django_db_blocker):
    # A database of its own (a file), not the test database: unblock pytest-django's guard.
    with django_db_blocker.unblock():
        errors, n = _race(tmp_path, SQLITE_OPTIONS)
    assert errors == []
    assert n == THREADS  # each read-then-write saw the one before it: no lost update


def test_the_defaults_would_lock(tmp_path, django_db_blocker):
    """The race is real: with SQLite's defaults (and a short wait) saves fail."""
    with django_db_blocker.unblock():
        errors, _n = _race(tmp_path, {"timeout": 0.05})
    assert errors and all("locked" in e for e in errors)
