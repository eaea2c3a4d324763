"""Unmerge, metrics and the site log: where a merged report came from, when a case was first
acted on (backfilled from the case log), and the indexes the metrics page reads by period
(for cases, covering every column it reads)."""

import django.db.models.deletion
from django.db import migrations, models, transaction
from django.db.models import Min, OuterRef, Subquery


def backfill_first_action(apps, schema_editor):
    Case = apps.get_model("reports", "Case")
    CaseEvent = apps.get_model("reports", "CaseEvent")
    first = CaseEvent.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(at=Min("created_at")).values("at")
    Case.objects.filter(pk__in=CaseEvent.objects.values("case")).update(first_action_at=Subquery(first))


def email_search_index(apps, schema_editor):
    """The desk's search reads reporters' addresses too: on PostgreSQL, as 0004 does for the text."""
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return
    schema_editor.execute("CREATE INDEX IF NOT EXISTS report_search_email ON reports_report USING gin (UPPER(email) gin_trgm_ops)")


def drop_email_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_search_email")


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
        migrations.RunPython(email_search_index, drop_email_search_index),
    ]
