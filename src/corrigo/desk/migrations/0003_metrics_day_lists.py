"""Metrics roll-ups keep their lists packed, and span a day or a month (docs/decisions/0042-metrics-packed-and-monthly.md).

A day's durations and article ids move out of the JSON into `lists`, 64-bit integers, and a
row says its last day (a month's row spans the month). The rows of the old form are dropped
rather than converted: a roll-up is a cache of the cases, the page counts a day without one
from its cases, and the worker's next roll (every five minutes) makes them anew, as after a
first install.
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
        migrations.AddField(
            model_name="metricsday",
            name="last_day",
            field=models.DateField(default="2000-01-01"),  # no row is left to take it
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="metricsday", name="unique_metrics_day"),
        migrations.AddConstraint(
            model_name="metricsday",
            constraint=models.UniqueConstraint(fields=("site", "day", "last_day"), name="unique_metrics_span"),
        ),
        migrations.RunPython(uncompressed, migrations.RunPython.noop),
    ]
