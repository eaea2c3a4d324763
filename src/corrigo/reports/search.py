"""The reports' search index on SQLite: an FTS5 trigram table, kept up by the job queue.

The desk searches reports by substring (icontains). PostgreSQL answers that from pg_trgm
indexes (migrations 0004, 0005); SQLite has none, and read every report: 0.9 s at a million.
Here an FTS5 table with the `trigram` tokenizer narrows a search to the reports holding the
term's trigrams, and the desk's own icontains test then decides, so the results are exactly
those of a full scan (decision 0039).

Triggers on insert would have cost intake a fifth of its CPU per report (an FTS5 segment
written per commit), so the index is kept up by a periodic job from a high-water mark:
reports past the mark are searched as before, by LIKE over the few rows past it, so a
report is found the moment it is stored. Updates and deletes of indexed reports (erasing an
address, deleting a site) are rare and follow at once, by triggers, so nothing erased is
found again; the job then merges the index so that the erased entries leave the file too.
PostgreSQL has no such table and nothing here runs there.
"""

import time
from functools import lru_cache

from django.db import connection

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.sql import execute, fetchone, write_transaction

TABLE = "reports_report_search"
MARK = "reports_report_search_mark"
COLUMNS = ("exact", "suggestion", "comment", "email")
# Shorter terms have no trigram: they are searched by reading the reports, as before.
SHORTEST = 3
INDEX_JOB = "reports.index_search"
INDEX_EVERY_SECONDS = 60
# A batch holds SQLite's write lock while it is indexed (about 10 µs a report): intake waits that long.
BATCH = 1000
# Purging rewrites the whole index (226 MB, 3.8 s of CPU at a million reports): once a day at most.
PURGE_EVERY_SECONDS = 24 * 3600
# Pages of FTS5 merge work per write transaction when tombstones are purged (~5 ms of the lock).
MERGE_PAGES = 50


@lru_cache
def _indexed(database: str) -> bool:
    # The migration leaves the table out where SQLite lacks FTS5's trigram tokenizer (< 3.34).
    row = fetchone("SELECT COUNT(*) FROM sqlite_master WHERE name IN (%s, %s)", [TABLE, MARK])
    return row[0] == 2


def available() -> bool:
    """Whether this database has the index (SQLite with FTS5 trigram, migrated)."""
    return connection.vendor == "sqlite" and _indexed(str(connection.settings_dict["NAME"]))


def candidates(term: str) -> tuple[str, list] | None:
    """SQL for the ids of the reports that may hold `term`, a superset of those that do; None
    when the index cannot answer (PostgreSQL, a term under three characters).

    The indexed reports whose text has every trigram of the term in order (the tokenizer folds
    case more widely than LIKE does, so it finds no fewer), and every report past the mark.
    Rows come in id order, one at a time, so a LIMIT over a join stops the index early.
    """
    if len(term) < SHORTEST or not available():
        return None
    phrase = '"' + term.replace('"', '""') + '"'
    sql = (
        f"SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s"
        f" UNION ALL SELECT id FROM reports_report WHERE id > (SELECT reports_upto FROM {MARK})"
    )
    return sql, [phrase]


def index_new_reports(batch: int = BATCH) -> int:
    """Index the next `batch` reports past the mark and move it; how many were indexed.

    One write transaction: SQLite lets one writer in at a time, so every report with a lower
    id than the new mark is committed, and none is skipped. Nothing to do without the index.
    """
    if not available():
        return 0
    with write_transaction():
        (mark,) = fetchone(f"SELECT reports_upto FROM {MARK}")
        upto, count = fetchone(
            "SELECT MAX(id), COUNT(*) FROM (SELECT id FROM reports_report WHERE id > %s ORDER BY id LIMIT %s)", [mark, batch]
        )
        if not count:
            return 0
        columns = ", ".join(COLUMNS)
        execute(
            f"INSERT INTO {TABLE} (rowid, {columns}) SELECT id, {columns} FROM reports_report WHERE id > %s AND id <= %s",
            [mark, upto],
        )
        execute(f"UPDATE {MARK} SET reports_upto = %s", [upto])
    return count


def purge_deleted(pages: int = MERGE_PAGES, every: float = PURGE_EVERY_SECONDS) -> bool:
    """After deletions (an erased address, a deleted site), merge the whole index into one
    segment, which drops FTS5's tombstones and the entries they hide, at most once `every`
    seconds; whether it did. Until then the deleted entries are in the file but found by no search.

    FTS5's incremental merge, `pages` of work per write transaction (a few milliseconds of
    the write lock each), until a step does nothing: a full 'optimize' would hold the lock
    for seconds at a million reports.
    """
    if not available():
        return False
    deleted, purged_at = fetchone(f"SELECT deleted, purged_at FROM {MARK}")
    if not deleted or time.time() - purged_at < every:
        return False
    database = connection.connection
    while True:
        with write_transaction():
            before = database.total_changes
            execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('merge', %s)", [-pages])
            worked = database.total_changes - before > 1
        if not worked:
            break
    with write_transaction():  # deletions made while merging wait for the next run
        execute(f"UPDATE {MARK} SET deleted = deleted - %s, purged_at = %s", [deleted, time.time()])
    return True


def catch_up() -> int:
    """Index every report past the mark, in batches; how many."""
    total = 0
    while count := index_new_reports():
        total += count
    return total


def _index_job(job: Job) -> None:
    catch_up()
    purge_deleted()


if connection.vendor == "sqlite":
    queue.periodic(INDEX_JOB, INDEX_EVERY_SECONDS)(_index_job)
