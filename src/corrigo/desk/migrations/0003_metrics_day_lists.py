"""Metrics roll-ups keep their lists packed (docs/decisions/0042-metrics-lists-packed.md).

A day's durations and article ids move out of the JSON into `lists`, 64-bit integers. The
rows of the old form are dropped rather than converted: a roll-up is a cache of the cases,
the page counts a day without one from its cases, and the worker's next roll (every five
minutes) makes them anew, as after a first install.
"""

from django.db import migrations, models


def drop_old_rollups(apps, schema_editor):
    apps.get_model("desk", "MetricsDay").objects.all().delete()


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # read whole, a row a day: not worth compressing
        schema_editor.execute("ALTER TABLE desk_metricsday ALTER COLUMN lists SET STORAGE EXTERNAL")


class Migration(migrations.Migration):

    dependencies = [
        ("desk", "0002_metrics_rollup"),
    ]

    operations = [
        migrations.RunPython(drop_old_rollups, migrations.RunPython.noop),
        migrations.AddField(
            model_name="metricsday",
            name="lists",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(uncompressed, migrations.RunPython.noop),
    ]
