"""Per-site answer times (the desk's SLA colours), by category."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('corrigo_sites', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='site',
            name='sla_fact_hours',
            field=models.PositiveIntegerField(blank=True, default=24, help_text='Factual errors, in hours.', null=True),
        ),
        migrations.AddField(
            model_name='site',
            name='sla_other_hours',
            field=models.PositiveIntegerField(blank=True, help_text='Everything else, in hours.', null=True),
        ),
        migrations.AddField(
            model_name='site',
            name='sla_typo_hours',
            field=models.PositiveIntegerField(blank=True, default=72, help_text='Typos, in hours.', null=True),
        ),
    ]
