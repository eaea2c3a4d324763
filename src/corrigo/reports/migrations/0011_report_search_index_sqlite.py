"""The desk's search on SQLite: an FTS5 trigram index of the reports' text (decision 0039).

A contentless FTS5 table (the text stays in reports_report only) over quote, suggestion,
comment and address, and a one-row high-water mark: every report up to it is indexed, the
ones after it are searched by LIKE until the periodic job (reports/search.py) indexes them.
Triggers keep indexed reports' entries right when their text changes or they are deleted
(an erased address leaves the index too), and count the deletions, so that the job merges
their tombstones away. The reports already stored are indexed here.
A no-op on PostgreSQL (pg_trgm, 0004 and 0005), and on SQLite without the trigram tokenizer
(before 3.34), where the search reads the reports as before.
"""

from django.db import migrations

TABLE = "reports_report_search"
MARK = "reports_report_search_mark"
COLUMNS = ("exact", "suggestion", "comment", "email")


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in COLUMNS)


def _indexed(row: str) -> str:
    return f"{row}.id <= (SELECT reports_upto FROM {MARK})"


def _has_trigram(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.corrigo_trigram_probe USING fts5(text, tokenize='trigram')")
        except Exception:  # no FTS5, or no trigram tokenizer in this SQLite
            return False
        cursor.execute("DROP TABLE temp.corrigo_trigram_probe")
    return True


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite" or not _has_trigram(schema_editor):
        return
    columns = ", ".join(COLUMNS)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COLUMNS)
    # FTS5 deletes by tombstone: the count tells the job that old entries wait for a merge.
    delete_old = (
        f"INSERT INTO {TABLE} ({TABLE}, rowid, {columns}) VALUES ('delete', old.id, {_values('old')});"
        f" UPDATE {MARK} SET deleted = deleted + 1;"
    )
    for statement in (
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({columns}, content='', tokenize='trigram')",
        f"CREATE TABLE {MARK} (id INTEGER PRIMARY KEY CHECK (id = 1), reports_upto INTEGER NOT NULL,"
        " deleted INTEGER NOT NULL DEFAULT 0, purged_at REAL NOT NULL DEFAULT 0)",
        f"INSERT INTO {TABLE} (rowid, {columns}) SELECT id, {columns} FROM reports_report",
        f"INSERT INTO {MARK} (id, reports_upto) SELECT 1, COALESCE(MAX(id), 0) FROM reports_report",
        f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {columns} ON reports_report
            WHEN {_indexed('old')} AND ({changed})
            BEGIN
                {delete_old}
                INSERT INTO {TABLE} (rowid, {columns}) VALUES (new.id, {_values('new')});
            END""",
        f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON reports_report
            WHEN {_indexed('old')}
            BEGIN
                {delete_old}
            END""",
    ):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (
        f"DROP TRIGGER IF EXISTS {TABLE}_update",
        f"DROP TRIGGER IF EXISTS {TABLE}_delete",
        f"DROP TABLE IF EXISTS {MARK}",
        f"DROP TABLE IF EXISTS {TABLE}",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0010_proof_of_work"),
    ]

    operations = [migrations.RunPython(create, drop)]
