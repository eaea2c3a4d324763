"""`corrigo backup` and `corrigo restore` for SQLite, through SQLite's online backup API.

The copy is taken in one step, inside one read transaction: under WAL the writers go on
meanwhile, and the copy is the database as it was at one instant. It is written beside its
destination under a temporary name, checked, and linked into place only when whole.
PostgreSQL is backed up with pg_dump (docs/deploy.md).
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.db import connections


def _counted() -> tuple[tuple[str, str], ...]:
    """The tables whose rows a backup reports, so that an operator sees at once what it holds."""
    from corrigo.reports.models import Case, Report
    from corrigo.sites.models import Site

    return ((Report._meta.db_table, "reports"), (Case._meta.db_table, "cases"), (Site._meta.db_table, "sites"))


class BackupError(Exception):
    """Why a backup or restore was refused, in a sentence for the operator."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    counts: dict[str, int]

    def summary(self) -> str:
        counts = ", ".join(f"{number} {what}" for what, number in self.counts.items())
        return f"{counts}; {self.size / 1e6:.1f} MB"


def live_database() -> Path:
    settings = connections["default"].settings_dict
    if settings["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError("the database is PostgreSQL: back it up with pg_dump (docs/deploy.md, Backups)")
    return Path(settings["NAME"]).resolve()


def _check(database: sqlite3.Connection, name: str) -> dict[str, int]:
    """Row counts of a sound Corrigo database; BackupError for anything else."""
    try:
        verdict = database.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{name} is not a SQLite database ({exc})") from None
    if verdict != "ok":
        raise BackupError(f"{name} is damaged: {verdict}")
    counted = _counted()
    missing = [table for table, _ in counted if table not in tables] + (
        ["django_migrations"] if "django_migrations" not in tables else []
    )
    if missing:
        raise BackupError(f"{name} is not a Corrigo database (no {', '.join(missing)})")
    return {what: database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table, what in counted}


def backup(destination: str) -> Copied:
    source_path = live_database()
    target = Path(destination).expanduser().absolute()
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} exists already: give a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent}")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        source = sqlite3.connect(source_path, timeout=20)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the database {source_path}: {exc}") from None
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # pages=-1: all in one step, one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            counts = _check(copy, str(target))
        finally:
            copy.close()
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.link(partial, target)  # fails rather than replace a file made meanwhile
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"the backup failed: {exc}") from None
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, counts)


def restore(origin: str) -> Copied:
    """Replace the live database's content by the backup's; the caller migrates it afterwards."""
    target = live_database()
    path = Path(origin).expanduser().absolute()
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    if path.resolve() == target:
        raise BackupError(f"{path} is the live database itself")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None
    try:
        counts = _check(source, str(path))
        connections.close_all()
        live = sqlite3.connect(target, timeout=20)
        try:
            source.backup(live)  # under the write lock: other connections see the old or the new database
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed: {exc}") from None
    finally:
        source.close()
    return Copied(path, path.stat().st_size, counts)
