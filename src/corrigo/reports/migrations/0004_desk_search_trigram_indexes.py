"""The desk's search on PostgreSQL: trigram indexes for the quote, suggestion and comment of reports.

The desk searches with icontains, which PostgreSQL runs as UPPER(column) LIKE UPPER('%term%');
a pg_trgm GIN index on the same expression answers that without reading every report.
SQLite has no such index: there the search reads the reports table (bench/README.md, "Desk").
pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it; where
it cannot be created, the search still works, only slower.
"""

from django.db import migrations, transaction

COLUMNS = ("exact", "suggestion", "comment")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS report_search_{column} ON reports_report USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS report_search_{column}")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_desk_queue_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
