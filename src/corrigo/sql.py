"""Plain SQL for the hot paths, portable between SQLite (3.35+) and PostgreSQL.

Django's ORM builds and compiles each query in Python; on the intake path that
cost more than the database work itself (bench/intake.py). These helpers keep the
few hand-written statements short and parameterised, and take the column lists of
their INSERTs and UPDATEs from the models, so a new column is a change to its model
only: insert() fills what it is not given as the model would (defaults, auto_now).
"""

import contextlib
import fcntl
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

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
    """Execute one statement; its cursor (the caller closes it).

    While nothing watches the connection (no execute_wrapper(), no query log: tests and
    DEBUG turn those on), the statement goes straight to the driver's connection, with
    Django's error translation: Django's cursor layers, which turn SQLite's parameters
    from %s into ? with a regular expression on every call, cost the intake more than
    several of its statements do in SQLite itself.
    """
    # One lookup of the connection per statement: every attribute of django.db.connection
    # goes through a context-local proxy, which added up on the intake path.
    db = connections[DEFAULT_DB_ALIAS]
    params = _adapted(db, params)
    if db.execute_wrappers or db.queries_logged or db.connection is None:
        cursor = db.cursor()
        cursor.execute(sql, params)
        return cursor
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        return db.connection.execute(_native(db.vendor, sql), params)


@lru_cache(maxsize=512)
def _native(vendor: str, sql: str) -> str:
    """The statement in the driver's own parameter style (SQLite's ?), converted once."""
    # Django's SQLite backend's own conversion (SQLiteCursorWrapper.convert_query), done once.
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%") if vendor == "sqlite" else sql


def fetchone(sql: str, params: Sequence = ()) -> tuple | None:
    with contextlib.closing(_run(sql, params)) as cursor:  # a sqlite3 cursor is no context manager
        return cursor.fetchone()


def fetchall(sql: str, params: Sequence = ()) -> list[tuple]:
    with contextlib.closing(_run(sql, params)) as cursor:
        return cursor.fetchall()


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


_NOW, _CALL, _SAME = range(3)


class Columns:
    """The columns of a model's table as the hot-path SQL writes them, read from the model once.

    Keys are attribute names (`site_id`, not `site`). The primary key is the database's;
    `auto_now` / `auto_now_add` columns take the `now` of the write, as save() sets them.
    """

    def __init__(self, model: type[models.Model]):
        self.model, self.table = model, model._meta.db_table
        database_made = [f.name for f in model._meta.concrete_fields if f.db_default is not NOT_PROVIDED and not f.has_default()]
        if database_made:
            # The ORM sends DEFAULT for these; plain parameters cannot. A Python default= beside it works.
            raise NotImplementedError(
                f"{model.__name__}.{', '.join(database_made)}: corrigo.sql needs a default= beside db_default."
            )
        self.column = {field.attname: field.column for field in model._meta.concrete_fields}
        self.fields = {field.attname: field for field in model._meta.concrete_fields if not field.primary_key}
        self.on_insert = tuple(name for name, field in self.fields.items() if _is_auto(field, on_update=False))
        self.on_update = tuple(name for name, field in self.fields.items() if _is_auto(field, on_update=True))
        # How each column is filled when no value is given, worked out once: callables are called
        # for every row; any other default (None, "" or a constant) is the same for every row.
        self._plan = tuple(
            (name, _NOW, None)
            if name in self.on_insert
            else (name, _CALL, field.get_default)
            if field.has_default() and callable(field.default)
            else (name, _SAME, field.get_default())
            for name, field in self.fields.items()
        )
        self._settable = frozenset(self.fields) - frozenset(self.on_insert)
        self.position = {name: index for index, name in enumerate(self.fields)}
        # Columns a write must be given: NOT NULL, no default, no blank (where save() would store "").
        self.required = frozenset(
            name
            for name, field in self.fields.items()
            if not (field.has_default() or field.null or name in self.on_insert or (field.blank and field.empty_strings_allowed))
        )

    def quoted(self, names: Iterable[str]) -> str:
        quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
        return ", ".join(quote(self.column[name]) for name in names)

    def refuse_unknown(self, names: Iterable[str], *, settable: bool = True) -> None:
        """A name that is not a column, or with `settable` one the database or the model sets, is a TypeError."""
        if unknown := [name for name in names if name not in (self.fields if settable else self.column)]:
            if settable and all(name in self.column for name in unknown):
                raise TypeError(f"{self.model.__name__}.{', '.join(unknown)} is the database's to set.")
            raise TypeError(f"{self.model.__name__} has no column {', '.join(unknown)} (give attribute names such as site_id).")
        if settable and (automatic := [name for name in names if name in self.on_insert]):
            raise TypeError(f"{self.model.__name__}.{', '.join(automatic)} is set by the model (auto_now): pass now= instead.")

    def row(self, values: Mapping, now: datetime) -> list:
        """Every column in order: the given value, else `now` for auto_now(_add), else the field's default."""
        if not values.keys() <= self._settable:
            self.refuse_unknown(values)
        if missing := self.required - values.keys():
            raise TypeError(f"{self.model.__name__} needs a value for {', '.join(sorted(missing))}.")
        return [
            now if fill == _NOW else values[name] if name in values else default() if fill == _CALL else default
            for name, fill, default in self._plan
        ]


def _is_auto(field: models.Field, *, on_update: bool) -> bool:
    return bool(getattr(field, "auto_now", False) or (not on_update and getattr(field, "auto_now_add", False)))


@cache
def columns(model: type[models.Model]) -> Columns:
    return Columns(model)


def values_of(instance: models.Model) -> dict:
    """The column values of an unsaved model instance, as insert() takes them (its defaults already filled in)."""
    table = columns(type(instance))
    return {name: getattr(instance, name) for name in table.fields if name not in table.on_insert}


# The statements are cached per model and column names, not per database: a process writes to
# one default database, and looking the connection up costs more than the rest of a call.
@lru_cache(maxsize=64)
def _insert_sql(model: type[models.Model], returning: tuple[str, ...], conflict: tuple) -> str:
    table = columns(model)
    table.refuse_unknown(returning, settable=False)
    sql = f"INSERT INTO {table.table} ({table.quoted(table.fields)}) VALUES ({', '.join(['%s'] * len(table.fields))})"
    if conflict:
        unique, update = conflict
        table.refuse_unknown(unique, settable=False)
        table.refuse_unknown(dict(update))
        quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
        # On conflict the row is updated, so its auto_now columns take the new row's time, as save() would.
        assignments = [*update, *((name, f"excluded.{quote(table.column[name])}") for name in table.on_update)]
        sql += f" ON CONFLICT ({table.quoted(unique)}) DO UPDATE SET " + ", ".join(
            f"{quote(table.column[name])} = {expression}" for name, expression in assignments
        )
    return sql + f" RETURNING {table.quoted(returning)}" if returning else sql


def insert(
    model: type[models.Model], values: Mapping, *, now: datetime | None = None, returning: tuple[str, ...] = ()
) -> tuple | None:
    """INSERT one row of `model`: every column, those not in `values` as the model fills them.

    Callable defaults are called and auto_now(_add) columns take `now` (the time of the
    write, so one transaction can give all its rows the same one). A key that is not a
    column, or a missing column the model cannot fill, is refused before anything is sent.
    Answers the `returning` columns of the new row; only the id is asked of the database
    (RETURNING), the rest were filled here.
    """
    table = columns(model)
    row = table.row(values, now or timezone.now())
    from_database = tuple(name for name in returning if name not in table.position)
    sql = _insert_sql(model, from_database, ())
    if not from_database:
        execute(sql, row)
        return tuple(row[table.position[name]] for name in returning) if returning else None
    answer = iter(fetchone(sql, row))
    return tuple(row[table.position[name]] if name in table.position else next(answer) for name in returning)


def upsert(
    model: type[models.Model],
    values: Mapping,
    *,
    unique: tuple[str, ...],
    update: Mapping[str, str],
    returning: tuple[str, ...],
    now: datetime | None = None,
) -> tuple:
    """insert(), or on a conflict on the `unique` columns an UPDATE of the row already there.

    `update` maps a column to the SQL expression it takes on conflict (`excluded.<column>`
    is the value just offered); auto_now columns take the new time as well.
    """
    row = columns(model).row(values, now or timezone.now())
    sql = _insert_sql(model, returning, (unique, tuple(update.items())))
    return fetchone(sql, row)


@lru_cache(maxsize=64)
def _update_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    table = columns(model)
    table.refuse_unknown(names)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    assigned = ", ".join(f"{quote(table.column[name])} = %s" for name in (*names, *table.on_update))
    return f"UPDATE {table.table} SET {assigned} WHERE {quote(model._meta.pk.column)} = %s"


def update(model: type[models.Model], pk: int, values: Mapping, *, now: datetime | None = None) -> None:
    """UPDATE the given columns of one row of `model`, and its auto_now columns to `now`, as save() would."""
    sql = _update_sql(model, tuple(values))
    execute(sql, [*values.values(), *[now or timezone.now()] * len(columns(model).on_update), pk])


def update_each(model: type[models.Model], rows: Sequence[tuple[int, Mapping]], *, now: datetime | None = None) -> None:
    """update() for many rows that set the same columns: one prepared statement (executemany).

    Call it inside a transaction (see execute_many).
    """
    if not rows:
        return
    names = tuple(rows[0][1])
    sql = _update_sql(model, names)
    auto = [now or timezone.now()] * len(columns(model).on_update)
    params = []
    for pk, values in rows:
        if tuple(values) != names:
            raise TypeError(f"update_each sets the same columns on every row: {names}, not {tuple(values)}.")
        params.append([*values.values(), *auto, pk])
    execute_many(sql, params)


_lock_files: dict[str, int] = {}


def _forget_lock_files_after_fork() -> None:
    # A forked process shares the parent's open lock file, and with it the parent's flock:
    # it must open its own, or it would enter while the parent (or a thread of it) writes.
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
