"""The case log of earlier versions moves into the site log, in words, and dates each case's first action."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reports", "0004_desk_search_trigram_indexes")]


@pytest.mark.django_db(transaction=True)
def test_case_events_become_site_log_lines():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Site, Article, Case = (
        old.get_model("corrigo_sites", "Site"),
        old.get_model("articles", "Article"),
        old.get_model("reports", "Case"),
    )
    User, CaseEvent = old.get_model("auth", "User"), old.get_model("reports", "CaseEvent")
    site = Site.objects.create(key="courier", name="The Courier")
    article = Article.objects.create(site=site, identity="x" * 64, url="https://news.example.org/a")
    survivor = Case.objects.create(site=site, article=article)
    duplicate = Case.objects.create(site=site, article=article)
    untouched = Case.objects.create(site=site, article=article)
    mira = User.objects.create(username="mira")

    def event(case, action, before="", after="", text="", at="2026-11-01 10:00"):
        made = CaseEvent.objects.create(
            case=case, actor=mira, actor_name="mira", action=action, before=before, after=after, text=text
        )
        CaseEvent.objects.filter(pk=made.pk).update(created_at=datetime.strptime(at, "%Y-%m-%d %H:%M").replace(tzinfo=UTC))

    event(survivor, "assign", "", "ada", at="2026-11-01 09:00")
    event(survivor, "status", "open", "not_error", at="2026-11-01 10:00")
    event(survivor, "status", "not_error", "open", at="2026-11-01 11:00")
    event(survivor, "note", text="Checked the minutes", at="2026-11-01 12:00")
    event(survivor, "merged_from", "1", "2", f"1 report(s) from case {duplicate.pk}", at="2026-11-01 13:00")
    event(duplicate, "merge_into", "open", f"duplicate of case {survivor.pk}", at="2026-11-01 13:00")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Entry, NewCase = new.get_model("audit", "Entry"), new.get_model("reports", "Case")
    lines = list(Entry.objects.order_by("created_at", "pk").values_list("case_id", "verb", "message", "text", "related_case_id"))
    assert lines == [
        (survivor.pk, "case.assign", f"mira assigned case {survivor.pk} to ada", "", None),
        (survivor.pk, "case.status", f"mira marked case {survivor.pk} as not an error", "", None),
        (survivor.pk, "case.status", f"mira reopened case {survivor.pk}", "", None),
        (survivor.pk, "case.note", f"mira added a note to case {survivor.pk}", "Checked the minutes", None),
        (duplicate.pk, "case.merge", f"mira merged case {duplicate.pk} into case {survivor.pk}", "", survivor.pk),
    ]
    assert set(Entry.objects.values_list("site_id", flat=True)) == {site.pk}
    first = dict(NewCase.objects.values_list("pk", "first_action_at"))
    assert first[survivor.pk] == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert first[duplicate.pk] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert first[untouched.pk] is None
