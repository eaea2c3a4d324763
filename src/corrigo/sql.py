"""Plain SQL for the hot paths, portable between SQLite (3.35+) and PostgreSQL.

Django's ORM builds and compiles each query in Python; on the intake path that
cost more than the database work itself (bench/intake.py). These helpers keep the
few hand-written statements short and parameterised.
"""

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

# Lone surrogates cannot be stored as UTF-8 and NUL cannot be stored by PostgreSQL.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
ROW_ID = "[0-9]{1,18}"  # any match fits a 64-bit integer column
_ROW_ID = re.compile(ROW_ID)


def row_id(value: object) -> int | None:
    """A row id from user input ("42"), or None when it is not one the database can hold.

    ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
    """
    return int(value) if isinstance(value, str) and _ROW_ID.fullmatch(value) else None


def _adapted(db, params: Sequence) -> list:
    adapt = db.ops.adapt_datetimefield_value
    return [adapt(p) if isinstance(p, datetime) else p for p in params]


def _run(sql: str, params: Sequence):
    # One lookup of the connection per statement: every attribute of django.db.connection
    # goes through a context-local proxy, which added up on the intake path.
    db = connections[DEFAULT_DB_ALIAS]
    cursor = db.cursor()
    cursor.execute(sql, _adapted(db, params))
    return cursor


def fetchone(sql: str, params: Sequence = ()) -> tuple | None:
    with _run(sql, params) as cursor:
        return cursor.fetchone()


def execute(sql: str, params: Sequence = ()) -> None:
    _run(sql, params).close()


def execute_many(sql: str, rows: Sequence[Sequence]) -> None:
    """One statement for many rows of parameters (executemany), datetimes adapted as in _run.

    Call it inside a transaction: outside one, SQLite commits row by row and keeps the
    rows before a failure.
    """
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.executemany(sql, [_adapted(db, row) for row in rows])


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], vendor: str, returning: bool) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    sql = f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    return sql + " RETURNING id" if returning else sql


def insert(model, values: dict, *, returning: bool = False) -> int | None:
    """INSERT one row of `model` from {column: value}; its id when `returning`."""
    sql = _insert_sql(model._meta.db_table, tuple(values), connection.vendor, returning)
    if not returning:
        execute(sql, list(values.values()))
        return None
    return fetchone(sql, list(values.values()))[0]


_lock_files: dict[str, int] = {}


def _forget_lock_files_after_fork() -> None:
    # A forked process shares the parent's open lock file, and with it the parent's flock:
    # it must open its own, or it would enter while the parent (the demo's worker thread) writes.
    for fd in _lock_files.values():
        os.close(fd)
    _lock_files.clear()


os.register_at_fork(after_in_child=_forget_lock_files_after_fork)


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
