"""Article section and author, for the desk's metrics; on PostgreSQL, trigram indexes for the
desk's search of titles and addresses (as reports 0004 does for reports' text)."""

from django.db import migrations, models, transaction

COLUMNS = ("title", "url")


def search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS article_search_{column} ON articles_article USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS article_search_{column}")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_latest_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='author',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
        migrations.AddField(
            model_name='article',
            name='section',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
        migrations.RunPython(search_indexes, drop_search_indexes),
    ]
