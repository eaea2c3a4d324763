"""The case log's lines now live in the site log (audit.Entry; audit 0001 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_site_log_unmerge_first_action"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="CaseEvent"),
    ]
