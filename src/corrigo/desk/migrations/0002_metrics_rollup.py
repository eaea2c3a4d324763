"""Daily roll-ups of the metrics figures (docs/decisions/0038-metrics-rollups.md).

MetricsDay holds a closed day's figures; BylineChange notes an article whose section or
author changed, written by a trigger so that every writer of articles (the CMS push, the
page fetcher, an operator's SQL) reaches the roll-ups: intake's article upsert never sets
those columns, so the trigger costs intake nothing. Then every site's history is rolled
up (a day per row; at a million reports over two years about ten seconds).
"""

import django.db.models.deletion
from django.db import migrations, models


SQLITE_TRIGGER = """
CREATE TRIGGER desk_byline_change AFTER UPDATE OF section, author ON articles_article
WHEN OLD.section IS NOT NEW.section OR OLD.author IS NOT NEW.author
BEGIN
    INSERT INTO desk_bylinechange (site_id, article_id, changed_at)
    VALUES (NEW.site_id, NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'));
END
"""

# The statement's time (clock_timestamp, as SQLite's 'now'), not the transaction's start (now()): a
# transaction that began before a roll-up must still count as a change after it when it writes after it.
POSTGRESQL_TRIGGER = [
    """
CREATE FUNCTION desk_byline_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO desk_bylinechange (site_id, article_id, changed_at) VALUES (NEW.site_id, NEW.id, clock_timestamp());
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER desk_byline_change AFTER UPDATE OF section, author ON articles_article FOR EACH ROW
WHEN (OLD.section IS DISTINCT FROM NEW.section OR OLD.author IS DISTINCT FROM NEW.author)
EXECUTE FUNCTION desk_byline_change()
""",
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":  # read whole, a row a day: not worth compressing
        schema_editor.execute("ALTER TABLE desk_metricsday ALTER COLUMN figures SET STORAGE EXTERNAL")
    for statement in [SQLITE_TRIGGER] if vendor == "sqlite" else POSTGRESQL_TRIGGER if vendor == "postgresql" else []:
        schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS desk_byline_change")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS desk_byline_change ON articles_article")
        schema_editor.execute("DROP FUNCTION IF EXISTS desk_byline_change()")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0004_article_provenance'),
        ('corrigo_sites', '0007_proof_of_work'),
        ('desk', '0001_initial'),
        ('audit', '0003_metrics_rollup'),
        ('reports', '0010_proof_of_work'),
    ]

    operations = [
        migrations.CreateModel(
            name='BylineChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField()),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corrigo_sites.site')),
            ],
            options={
                'indexes': [models.Index(fields=['site', 'changed_at'], name='byline_change_site_time')],
            },
        ),
        migrations.CreateModel(
            name='MetricsDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('rolled_at', models.DateTimeField()),
                ('figures', models.TextField()),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='corrigo_sites.site')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('site', 'day'), name='unique_metrics_day')],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
