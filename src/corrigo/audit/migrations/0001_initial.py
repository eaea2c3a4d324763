"""The site log, with the case log's lines copied in, phrased as the log phrases them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


STATUS_WORDS = {
    "fixed": "fixed",
    "not_error": "not an error",
    "wont_fix": "won't fix",
    "spam": "spam",
    "duplicate": "duplicate",
}


def _line(event):
    """(verb, message, related case id) for one case log line, or None for a line the merge already says."""
    who, case = event.actor_name, f"case {event.case_id}"
    if event.action == "status":
        if event.after == "open":
            return "case.status", f"{who} reopened {case}", None
        return "case.status", f"{who} marked {case} as {STATUS_WORDS.get(event.after, event.after)}", None
    if event.action == "assign":
        if event.after:
            return "case.assign", f"{who} assigned {case} to {event.after}", None
        return "case.assign", f"{who} took {case} back from {event.before}" if event.before else f"{who} unassigned {case}", None
    if event.action == "note":
        return "case.note", f"{who} added a note to {case}", None
    if event.action == "merge_into":
        other = event.after.rsplit(" ", 1)[-1]
        other_id = int(other) if other.isascii() and other.isdigit() else None
        return "case.merge", f"{who} merged {case} into case {other_id}", other_id
    return None  # merged_from: the survivor's side of a merge, now the same line as the duplicate's


def copy_case_log(apps, schema_editor):
    CaseEvent = apps.get_model("reports", "CaseEvent")
    Case = apps.get_model("reports", "Case")
    Entry = apps.get_model("audit", "Entry")
    known = set(Case.objects.values_list("pk", flat=True))
    lines = []
    for event in CaseEvent.objects.select_related("case").order_by("pk").iterator(chunk_size=2000):
        said = _line(event)
        if said is None:
            continue
        verb, message, other_id = said
        lines.append(
            Entry(
                site_id=event.case.site_id,
                created_at=event.created_at,
                actor_id=event.actor_id,
                actor_name=event.actor_name,
                verb=verb,
                case_id=event.case_id,
                related_case_id=other_id if other_id in known else None,
                before=event.before,
                after="duplicate" if verb == "case.merge" else event.after,
                text=event.text,
                message=message,
            )
        )
        if len(lines) >= 2000:
            Entry.objects.bulk_create(lines)
            lines = []
    Entry.objects.bulk_create(lines)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('corrigo_sites', '0001_initial'),
        ('reports', '0005_site_log_unmerge_first_action'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Entry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('actor_name', models.CharField(help_text='Who, as named when it happened.', max_length=200)),
                ('verb', models.CharField(choices=[('case.status', 'Case outcome'), ('case.assign', 'Case assignment'), ('case.note', 'Case note'), ('case.merge', 'Case merge'), ('case.unmerge', 'Case unmerge'), ('site.setting', 'Site setting'), ('origin.add', 'Allowed origin added'), ('origin.remove', 'Allowed origin removed'), ('member.add', 'Member added'), ('member.role', "Member's role changed"), ('member.remove', 'Member removed'), ('token.create', 'API token created'), ('token.revoke', 'API token revoked')], max_length=40)),
                ('subject', models.TextField(blank=True, help_text='What it is about: a user, an origin, a setting, a token.')),
                ('before', models.TextField(blank=True)),
                ('after', models.TextField(blank=True)),
                ('text', models.TextField(blank=True, help_text="A note's text, as written.")),
                ('message', models.TextField(help_text='The change in words.')),
                ('batch', models.CharField(blank=True, db_index=True, max_length=32)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='log_entries', to='reports.case')),
                ('related_case', models.ForeignKey(blank=True, help_text='The other case of a merge.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reports.case')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='log_entries', to='corrigo_sites.site')),
                ('token', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='corrigo_sites.apitoken')),
            ],
            options={
                'verbose_name_plural': 'entries',
                'indexes': [models.Index(fields=['site', '-id'], name='audit_site_newest'), models.Index(fields=['case', 'id'], name='audit_case_timeline')],
            },
        ),
        migrations.RunPython(copy_case_log, migrations.RunPython.noop),
    ]
