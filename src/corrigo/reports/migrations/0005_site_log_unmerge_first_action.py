"""Unmerge, metrics and the site log: where a merged report came from, when a case was first
acted on (backfilled from the case log), and the indexes the metrics page reads by period
(for cases, covering every column it reads)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def backfill_first_action(apps, schema_editor):
    Case = apps.get_model("reports", "Case")
    CaseEvent = apps.get_model("reports", "CaseEvent")
    first = CaseEvent.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(at=Min("created_at")).values("at")
    Case.objects.filter(pk__in=CaseEvent.objects.values("case")).update(first_action_at=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_desk_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="first_action_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When someone first acted on it (an outcome, an assignment, a note, a merge).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="merged_from",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="reports.case"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["site", "created_at", "status", "category", "report_count", "article", "first_action_at", "resolved_at"],
                name="case_metrics",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["site", "created_at"], name="report_site_created"),
        ),
        migrations.RunPython(backfill_first_action, migrations.RunPython.noop),
    ]
