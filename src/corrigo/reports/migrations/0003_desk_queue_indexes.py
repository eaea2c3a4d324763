"""The desk's queue: an index for "all statuses" by priority, and one that covers the per-status counts."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_latest_version'),
        ('corrigo_sites', '0001_initial'),
        ('reports', '0002_desk_priority_and_audit_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['site', '-priority', '-id'], name='case_desk_queue_any_status'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['site', 'status', 'category', 'anchor_status', 'assignee'], name='case_desk_counts'),
        ),
    ]
