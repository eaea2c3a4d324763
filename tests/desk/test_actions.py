"""Case outcomes, assignment, notes and merges, each with the site log line it must leave."""

import pytest
from django.urls import reverse

from corrigo.audit.models import Entry
from corrigo.reports import actions
from corrigo.reports.models import Case, CaseStatus, Report
from tests.conftest import make_user
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def log_of(case):
    return list(Entry.objects.filter(case=case).order_by("pk").values_list("actor_name", "verb", "before", "after", "text"))


def words_of(case):
    return list(Entry.objects.filter(case=case).order_by("pk").values_list("message", flat=True))


@pytest.mark.parametrize("outcome", ["fixed", "not_error", "wont_fix", "spam"])
def test_editor_closes_a_case_with_each_outcome(as_user, editor, case, outcome):
    response = as_user(editor).post(reverse("desk:resolve", args=[case.pk]), {"outcome": outcome})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[case.pk])
    stored = fresh(case)
    assert stored.status == outcome
    assert stored.resolved_at is not None
    assert log_of(case) == [("eddie", "case.status", "open", outcome, "")]
    label = {"fixed": "fixed", "not_error": "not an error", "wont_fix": "won't fix", "spam": "spam"}[outcome]
    assert words_of(case) == [f"eddie marked case {case.pk} as {label}"]


def test_unknown_outcome_is_refused(as_user, editor, case):
    response = as_user(editor).post(reverse("desk:resolve", args=[case.pk]), {"outcome": "open"})
    assert response.status_code == 400
    assert fresh(case).status == CaseStatus.OPEN
    assert log_of(case) == []


def test_the_same_outcome_twice_is_logged_once(editor, case):
    assert actions.resolve(case, "fixed", by=editor) is True
    assert actions.resolve(case, "fixed", by=editor) is False
    assert len(log_of(case)) == 1


def test_reopen_puts_the_case_back(as_user, editor, case):
    actions.resolve(case, "spam", by=editor)
    response = as_user(editor).post(reverse("desk:reopen", args=[case.pk]))
    assert response.status_code == 302
    stored = fresh(case)
    assert stored.status == CaseStatus.OPEN
    assert stored.resolved_at is None
    assert log_of(case) == [("eddie", "case.status", "open", "spam", ""), ("eddie", "case.status", "spam", "open", "")]
    assert words_of(case)[-1] == f"eddie reopened case {case.pk}"


def test_assign_to_an_editor_and_back_to_nobody(as_user, editor, admin, case):
    client = as_user(editor)
    assert client.post(reverse("desk:assign", args=[case.pk]), {"assignee": admin.pk}).status_code == 302
    assert fresh(case).assignee == admin
    assert client.post(reverse("desk:assign", args=[case.pk]), {"assignee": ""}).status_code == 302
    assert fresh(case).assignee is None
    assert log_of(case) == [("eddie", "case.assign", "", "ada", ""), ("eddie", "case.assign", "ada", "", "")]
    assert words_of(case) == [f"eddie assigned case {case.pk} to ada", f"eddie took case {case.pk} back from ada"]


def test_assign_to_a_viewer_or_a_stranger_is_refused(as_user, editor, viewer, outsider, case):
    client = as_user(editor)
    for user in (viewer, outsider):
        response = client.post(reverse("desk:assign", args=[case.pk]), {"assignee": user.pk})
        assert response.status_code == 400
    assert fresh(case).assignee is None
    assert log_of(case) == []
    with pytest.raises(actions.ActionError):
        actions.assign(case, viewer, by=editor)


def test_note_is_kept_as_written_and_shown_escaped(as_user, editor, case):
    client = as_user(editor)
    text = "Called the reporter <b>back</b>"
    assert client.post(reverse("desk:note", args=[case.pk]), {"text": text}).status_code == 302
    assert log_of(case) == [("eddie", "case.note", "", "", text)]
    page = client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "Called the reporter &lt;b&gt;back&lt;/b&gt;" in page
    assert "<b>back</b>" not in page


def test_empty_note_is_refused(as_user, editor, case):
    response = as_user(editor).post(reverse("desk:note", args=[case.pk]), {"text": "   "})
    assert response.status_code == 400
    assert log_of(case) == []


def test_merge_moves_the_reports_and_recounts(as_user, editor, site):
    survivor = case_about("Augest", category="typo")
    report(exact="Augest", category="typo")  # a second reader, same passage
    duplicate = case_about("islanders", category="fact")
    Case.objects.filter(pk=survivor.pk).update(assignee=editor)
    before_priority = fresh(survivor).priority

    response = as_user(editor).post(reverse("desk:merge", args=[duplicate.pk]), {"into": survivor.pk, "confirmed": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[survivor.pk])
    merged, kept = fresh(duplicate), fresh(survivor)
    assert merged.status == CaseStatus.DUPLICATE
    assert merged.duplicate_of_id == survivor.pk
    assert merged.report_count == 0
    assert kept.report_count == 3
    assert Report.objects.filter(case=survivor).count() == 3
    assert Report.objects.filter(case=duplicate).count() == 0
    assert kept.category == "fact"  # the most serious of the merged reports
    assert kept.priority > before_priority
    assert log_of(duplicate) == [("eddie", "case.merge", "open", "duplicate", "")]
    assert words_of(duplicate) == [f"eddie merged case {duplicate.pk} into case {survivor.pk} (1 report moved)"]
    # One line for the merge, in both cases' timelines.
    assert Entry.objects.get().related_case_id == survivor.pk


def test_merge_repoints_earlier_duplicates(editor, site):
    a, b, c = case_about("Augest"), case_about("islanders"), case_about("ferry")
    actions.merge(c, b, by=editor)
    actions.merge(b, a, by=editor)
    assert fresh(c).duplicate_of_id == a.pk
    assert fresh(a).report_count == 3


@pytest.mark.parametrize("problem", ["itself", "merged_source", "merged_target"])
def test_merge_refuses_what_makes_no_sense(editor, site, problem):
    a, b, c = case_about("Augest"), case_about("islanders"), case_about("ferry")
    actions.merge(c, b, by=editor)
    events = Entry.objects.count()
    duplicate, into = {"itself": (a, a), "merged_source": (c, a), "merged_target": (a, c)}[problem]
    with pytest.raises(actions.ActionError):
        actions.merge(duplicate, into, by=editor)
    assert fresh(a).status == CaseStatus.OPEN
    assert fresh(a).report_count == 1
    assert Entry.objects.count() == events


def test_merged_case_cannot_be_closed_or_reopened(as_user, editor, site):
    a, b = case_about("Augest"), case_about("islanders")
    actions.merge(b, a, by=editor)
    client = as_user(editor)
    for name, data in (("desk:resolve", {"outcome": "fixed"}), ("desk:reopen", {})):
        response = client.post(reverse(name, args=[b.pk]), data)
        assert response.status_code == 302
        assert fresh(b).status == CaseStatus.DUPLICATE
    messages = [str(m) for m in client.get(reverse("desk:case", args=[b.pk])).context["messages"]]
    assert messages == [f"Case {b.pk} was merged into case {a.pk}; act on that case."] * 2


def test_merge_across_sites_is_refused_by_the_action(editor, site, other_site):
    mine = case_about("Augest")
    theirs = report("gazette", exact="ferry").case
    with pytest.raises(actions.ActionError):
        actions.merge(mine, theirs, by=editor)
    assert fresh(theirs).report_count == 1


def test_bulk_marks_spam_and_logs_each_case(as_user, editor, site):
    cases = [case_about(w) for w in ("Augest", "islanders", "ferry")]
    response = as_user(editor).post(
        reverse("desk:bulk"),
        {"outcome": "spam", "cases": [cases[0].pk, cases[1].pk], "return_query": "status=open&q=x&after=1_2", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue") + "?status=open&q=x"
    assert [fresh(c).status for c in cases] == ["spam", "spam", "open"]
    assert Entry.objects.filter(verb="case.status", after="spam").count() == 2
    assert len(set(Entry.objects.values_list("batch", flat=True))) == 1  # one action, one batch to undo


def test_bulk_without_a_selection_changes_nothing(as_user, editor, case):
    response = as_user(editor).post(reverse("desk:bulk"), {"outcome": "spam", "confirmed": "on"})
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.OPEN


def test_bulk_skips_merged_cases(editor, site):
    a, b = case_about("Augest"), case_about("islanders")
    actions.merge(b, a, by=editor)
    assert actions.resolve_many([a, b], "spam", by=editor) == 1
    assert fresh(b).status == CaseStatus.DUPLICATE


def test_htmx_outcome_from_the_queue_drops_the_card_and_redraws_counts_and_toast(as_user, editor, case):
    response = as_user(editor).post(
        reverse("desk:resolve", args=[case.pk]),
        {"outcome": "fixed", "from": "queue", "return_query": "status=open"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="case-{case.pk}"' not in html  # it left the open queue
    assert '<nav id="status-tabs" class="tabs" aria-label="Cases by status" hx-swap-oob="true">' in html
    assert 'data-status-tab="fixed"' in html and 'Fixed <span class="count">1</span>' in html
    assert 'id="toasts"' in html and f"Case {case.pk} marked fixed." in html and "data-undo" in html
    assert fresh(case).status == CaseStatus.FIXED


def test_htmx_outcome_on_the_all_statuses_queue_keeps_the_card(as_user, editor, case):
    response = as_user(editor).post(
        reverse("desk:resolve", args=[case.pk]),
        {"outcome": "fixed", "from": "queue", "return_query": "status=all"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="case" id="case-{case.pk}"')
    assert 'data-status="fixed"' in html


def test_log_is_shown_on_the_case_in_words(as_user, editor, case):
    client = as_user(editor)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "wont_fix"})
    page = client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert '<li class="event event-case" data-verb="case.status">' in page
    assert f"eddie marked case {case.pk} as won&#x27;t fix" in page


def test_audit_log_survives_the_user(editor, case):
    actions.resolve(case, "fixed", by=editor)
    editor.delete()
    assert log_of(case) == [("eddie", "case.status", "open", "fixed", "")]


def test_the_desk_has_no_way_to_edit_the_log():
    from corrigo.desk.urls import urlpatterns

    # Every desk address; none edits or deletes a log line (notes are added, never changed).
    assert {p.name for p in urlpatterns} == {
        "login",
        "logout",
        "password-change",
        "password-changed",
        "queue",
        "export",
        "bulk",
        "case",
        "resolve",
        "reopen",
        "assign",
        "note",
        "merge",
        "unmerge",
        "check",
        "undo",
        "filter-save",
        "filter-delete",
        "log-pick",
        "metrics-pick",
        "site-log",
        "site-log-csv",
        "site-metrics",
        "site-metrics-csv",
        "sites",
        "site-settings",
        "site-save",
        "site-origins",
        "member-add",
        "member-role",
        "member-remove",
        "token-new",
        "token-revoke",
        # Notifications: none of them touches a case's log.
        "notifications",
        "webhooks",
        "webhook-add",
        "webhook-rotate",
        "webhook-enable",
        "webhook-remove",
        "dead-letters",
        "send-again",
        "mailbox",
        "mailbox-mail",
        "mailbox-html",
        # Correction notices: edits and withdrawals add log lines, never change one.
        "fix-with-notice",
        "notice-edit",
        "notice-withdraw",
    }


def test_admin_shows_the_log_read_only(admin_client, editor, case):
    actions.resolve(case, "fixed", by=editor)
    event = Entry.objects.get()
    assert admin_client.get(reverse("admin:audit_entry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:audit_entry_add")).status_code == 403
    assert admin_client.post(reverse("admin:audit_entry_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    change = admin_client.post(reverse("admin:audit_entry_change", args=[event.pk]), {"after": "open"})
    assert change.status_code == 403
    assert Entry.objects.get().after == "fixed"


def test_a_second_editor_on_the_case_is_recorded_by_name(site, case):
    other = make_user("frida", site, "editor")
    actions.add_note(case, "second opinion", by=other)
    assert log_of(case) == [("frida", "case.note", "", "", "second opinion")]
