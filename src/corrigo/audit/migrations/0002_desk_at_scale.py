"""The site log's search at a million reports, on PostgreSQL: trigram indexes for its words.

The site log searches a line's message and note text with icontains, which PostgreSQL runs
as UPPER(column) LIKE UPPER('%term%'); without an index that reads every line of the log
(160,000 lines beside a million reports: 170 ms). A pg_trgm GIN index on the same
expression answers it from the index, as the reports' search indexes do
(reports/migrations/0004). SQLite has no such index. Where pg_trgm cannot be created the
search still works, only slower. (docs/decisions/0036)
"""

from django.db import migrations, transaction

COLUMNS = ("message", "text")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return
    for column in COLUMNS:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS log_search_{column} ON audit_entry USING gin (UPPER({column}) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS log_search_{column}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
