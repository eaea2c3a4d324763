"""Plain SQL for the hot paths, portable between SQLite (3.35+) and PostgreSQL.

Django's ORM builds and compiles each query in Python; on the intake path that
cost more than the database work itself (bench/intake.py). These helpers keep the
few hand-written statements short and parameterised.
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import connection, transaction


def db_value(value):
    """Datetimes as the backend stores them (SQLite keeps text); everything else as is."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def fetchone(sql: str, params: Sequence = ()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_value(p) for p in params])
        return cursor.fetchone()


def execute(sql: str, params: Sequence = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_value(p) for p in params])


def insert(model, values: dict, *, returning: bool = False) -> int | None:
    """INSERT one row of `model` from {column: value}; its id when `returning`."""
    columns = ", ".join(connection.ops.quote_name(name) for name in values)
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(values))})"
    if not returning:
        execute(sql, list(values.values()))
        return None
    return fetchone(sql + " RETURNING id", list(values.values()))[0]


_lock_files: dict[str, int] = {}


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """transaction.atomic(), queued fairly between processes on SQLite.

    SQLite lets one writer in at a time and makes the others poll with growing
    sleeps (1, 2, 5, 10 ms…), which under a burst of reports costs far more than
    the writes. Taking an exclusive flock on a file next to the database first
    makes waiting writers queue in the kernel and start the moment the lock is
    free. PostgreSQL needs nothing of the kind.
    """
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or name.startswith("file:"):
        with transaction.atomic():
            yield
        return
    fd = _lock_files.get(name)
    if fd is None:
        fd = _lock_files[name] = os.open(name + ".write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with transaction.atomic():
            yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
