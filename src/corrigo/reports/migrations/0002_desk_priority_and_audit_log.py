"""The desk: a stored queue priority (backfilled), resolved_at, and the case audit log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_priority(apps, schema_editor):
    from corrigo.reports.priority import case_priority

    Case = apps.get_model("reports", "Case")
    for case in Case.objects.only("pk", "report_count", "category", "last_reported_at", "created_at").iterator():
        case.priority = case_priority(case.report_count, case.category, case.last_reported_at or case.created_at)
        case.save(update_fields=["priority"])


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
        ('corrigo_sites', '0001_initial'),
        ('reports', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_name', models.CharField(max_length=150)),
                ('action', models.CharField(choices=[('status', 'Changed status'), ('assign', 'Assigned'), ('note', 'Added a note'), ('merge_into', 'Merged into another case'), ('merged_from', 'Took the reports of a duplicate')], max_length=12)),
                ('before', models.CharField(blank=True, max_length=200)),
                ('after', models.CharField(blank=True, max_length=200)),
                ('text', models.TextField(blank=True, help_text='The note, for notes.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name='case',
            name='priority',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='case',
            name='resolved_at',
            field=models.DateTimeField(blank=True, help_text="When the case last left 'open'.", null=True),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['site', 'status', '-priority', '-id'], name='case_desk_queue'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', '-priority', '-id'], name='case_desk_queue_all_sites'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reports.case'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['case', 'created_at'], name='case_event_timeline'),
        ),
        migrations.RunPython(backfill_priority, migrations.RunPython.noop),
    ]
