"""Unmerge gives a duplicate back its own reports; Undo takes back the last action while nothing changed since."""

import time

import pytest
from django.urls import reverse

from corrigo import audit
from corrigo.audit.models import Entry
from corrigo.reports import actions
from corrigo.reports.models import Case, CaseStatus, Report
from corrigo.sites.services import change_role
from tests.conftest import make_user
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def state(case):
    case = fresh(case)
    return (case.status, case.duplicate_of_id, case.report_count, case.category, case.priority, case.assignee_id)


# ---- unmerge ------------------------------------------------------------------


def test_unmerge_gives_the_duplicate_its_own_reports_and_counts_back(editor, site):
    survivor = case_about("Augest", category="typo")
    duplicate = case_about("islanders", category="fact")
    report(exact="islanders", category="fact")  # two readers on the duplicate
    before = {c.pk: state(c) for c in (survivor, duplicate)}
    own = set(Report.objects.filter(case=duplicate).values_list("pk", flat=True))

    actions.merge(duplicate, survivor, by=editor)
    assert fresh(survivor).report_count == 3 and fresh(survivor).category == "fact"
    restored = actions.unmerge(duplicate, by=editor)

    assert restored.pk == duplicate.pk
    assert set(Report.objects.filter(case=duplicate).values_list("pk", flat=True)) == own
    assert Report.objects.filter(merged_from__isnull=False).count() == 0
    assert {c.pk: state(c) for c in (survivor, duplicate)} == before  # counts, category and priority too
    assert fresh(duplicate).resolved_at is None
    line = Entry.objects.filter(verb="case.unmerge").get()
    assert (line.case_id, line.related_case_id, line.actor_name) == (duplicate.pk, survivor.pk, "eddie")
    assert line.message == f"eddie unmerged case {duplicate.pk} from case {survivor.pk} (2 reports back)"


def test_unmerge_brings_back_the_cases_merged_into_it_before(editor, site):
    a, b, c = case_about("Augest"), case_about("islanders"), case_about("ferry")
    actions.merge(c, b, by=editor)  # c's report now in b
    actions.merge(b, a, by=editor)  # b's two reports (its own and c's) now in a; c points at a
    assert fresh(c).duplicate_of_id == a.pk and fresh(a).report_count == 3

    actions.unmerge(b, by=editor)

    assert fresh(b).status == CaseStatus.OPEN and fresh(b).report_count == 2
    assert fresh(c).duplicate_of_id == b.pk and fresh(c).status == CaseStatus.DUPLICATE
    assert fresh(a).report_count == 1
    # And c can then be unmerged from b in its turn.
    actions.unmerge(c, by=editor)
    assert [fresh(x).report_count for x in (a, b, c)] == [1, 1, 1]


def test_unmerge_restores_the_status_the_duplicate_had(editor, site):
    survivor, duplicate = case_about("Augest"), case_about("islanders")
    actions.resolve(duplicate, "wont_fix", by=editor)
    actions.merge(duplicate, survivor, by=editor)
    actions.unmerge(duplicate, by=editor)
    assert fresh(duplicate).status == CaseStatus.WONT_FIX


def test_only_a_merged_case_can_be_unmerged(editor, case):
    with pytest.raises(actions.ActionError, match="is not merged"):
        actions.unmerge(case, by=editor)
    assert Entry.objects.count() == 0


def test_unmerge_from_the_case_page(as_user, editor, site):
    survivor, duplicate = case_about("Augest"), case_about("islanders")
    actions.merge(duplicate, survivor, by=editor)
    client = as_user(editor)
    page = client.get(reverse("desk:case", args=[duplicate.pk])).content.decode()
    assert f"Unmerge from case {survivor.pk}" in page
    response = client.post(reverse("desk:unmerge", args=[duplicate.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("desk:case", args=[duplicate.pk])
    assert fresh(duplicate).status == CaseStatus.OPEN and fresh(duplicate).report_count == 1


def test_a_viewer_cannot_unmerge(as_user, editor, viewer, site):
    survivor, duplicate = case_about("Augest"), case_about("islanders")
    actions.merge(duplicate, survivor, by=editor)
    assert as_user(viewer).post(reverse("desk:unmerge", args=[duplicate.pk])).status_code == 403
    assert fresh(duplicate).status == CaseStatus.DUPLICATE


# ---- undo (the service) --------------------------------------------------------


def test_undo_takes_a_bulk_outcome_back_case_by_case(editor, site):
    cases = [case_about(w) for w in ("Augest", "islanders", "ferry")]
    actions.resolve(cases[2], "fixed", by=editor)
    batch = audit.new_batch()
    assert actions.resolve_many(cases, "spam", by=editor, batch=batch) == 3
    assert actions.undo(batch, by=editor) == 3
    assert [fresh(c).status for c in cases] == ["open", "open", "fixed"]
    undone = Entry.objects.filter(verb="case.status").exclude(batch=batch).order_by("-pk")[:3]
    assert all(line.message.endswith("(undo)") for line in undone)


def test_undo_takes_back_an_assignment_and_a_merge(editor, admin, site):
    a, b = case_about("Augest"), case_about("islanders")
    assign = audit.new_batch()
    actions.assign(a, admin, by=editor, batch=assign)
    actions.undo(assign, by=editor)
    assert fresh(a).assignee_id is None

    merge = audit.new_batch()
    actions.merge(b, a, by=editor, batch=merge)
    actions.undo(merge, by=editor)
    assert fresh(b).status == CaseStatus.OPEN and fresh(b).report_count == 1 and fresh(a).report_count == 1


def test_undo_of_an_unmerge_merges_again(editor, site):
    a, b = case_about("Augest"), case_about("islanders")
    actions.merge(b, a, by=editor)
    batch = audit.new_batch()
    actions.unmerge(b, by=editor, batch=batch)
    actions.undo(batch, by=editor)
    assert fresh(b).duplicate_of_id == a.pk and fresh(a).report_count == 2


def test_undo_refuses_when_someone_acted_since_and_changes_nothing(editor, site):
    other = make_user("frida", site, "editor")
    a, b = case_about("Augest"), case_about("islanders")
    batch = audit.new_batch()
    actions.resolve_many([a, b], "spam", by=editor, batch=batch)
    actions.reopen(b, by=other)
    lines = Entry.objects.count()
    with pytest.raises(actions.ActionError, match=f"Case {b.pk} has changed since"):
        actions.undo(batch, by=editor)
    assert (fresh(a).status, fresh(b).status) == ("spam", "open")
    assert Entry.objects.count() == lines


def test_undo_is_only_for_the_actions_author(editor, site):
    other = make_user("frida", site, "editor")
    case = case_about("Augest")
    batch = audit.new_batch()
    actions.resolve(case, "fixed", by=editor, batch=batch)
    with pytest.raises(actions.ActionError, match="nothing to undo"):
        actions.undo(batch, by=other)
    with pytest.raises(actions.ActionError, match="nothing to undo"):
        actions.undo("", by=editor)
    assert fresh(case).status == CaseStatus.FIXED


def test_undo_twice_is_refused_the_second_time(editor, case):
    batch = audit.new_batch()
    actions.resolve(case, "fixed", by=editor, batch=batch)
    actions.undo(batch, by=editor)
    with pytest.raises(actions.ActionError):
        actions.undo(batch, by=editor)
    assert fresh(case).status == CaseStatus.OPEN


# ---- undo (the desk) ----------------------------------------------------------


def test_the_toast_offers_undo_and_undo_restores(as_user, editor, case):
    client = as_user(editor)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed"})
    page = client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert f"Case {case.pk} marked fixed." in page and "data-undo" in page
    response = client.post(reverse("desk:undo"), {"next": reverse("desk:case", args=[case.pk])})
    assert response.status_code == 302 and response["Location"] == reverse("desk:case", args=[case.pk])
    assert fresh(case).status == CaseStatus.OPEN
    assert "Undone: 1 case is as before." in client.get(reverse("desk:queue")).content.decode()


def test_undo_in_the_queue_redraws_the_results_and_names_the_case_to_focus(as_user, editor, case):
    client = as_user(editor)
    client.post(
        reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed", "from": "queue", "return_query": ""}, HTTP_HX_REQUEST="true"
    )
    response = client.post(reverse("desk:undo"), {"return_query": "status=open"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-focus-case="{case.pk}"' in html
    assert f'id="case-{case.pk}"' in html and "<html" not in html
    assert 'id="toasts"' in html and "Undone" in html
    assert fresh(case).status == CaseStatus.OPEN


def test_undo_is_offered_once(as_user, editor, case):
    client = as_user(editor)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed"})
    client.post(reverse("desk:undo"))
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "spam"})
    client.post(reverse("desk:undo"))
    client.post(reverse("desk:undo"))  # nothing left to undo: the open case stays open
    assert fresh(case).status == CaseStatus.OPEN
    assert "There is nothing to undo." in client.get(reverse("desk:queue")).content.decode()


def test_undo_expires(as_user, editor, case, monkeypatch):
    from corrigo.desk import views

    client = as_user(editor)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed"})
    later = time.time() + views.UNDO_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    client.post(reverse("desk:undo"))
    assert fresh(case).status == CaseStatus.FIXED


def test_undo_after_losing_the_editor_role_is_forbidden(as_user, editor, site, case):
    client = as_user(editor)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed"})
    change_role(site, editor, "viewer")
    assert client.post(reverse("desk:undo")).status_code == 403
    assert fresh(case).status == CaseStatus.FIXED


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "\x00", "x" * 5000])
def test_undo_never_sends_anyone_off_the_desk(as_user, editor, case, next_url):
    response = as_user(editor).post(reverse("desk:undo"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")


def test_undo_needs_a_post_and_a_login(client, editor, case):
    assert client.post(reverse("desk:undo")).status_code == 302
    client.force_login(editor)
    assert client.get(reverse("desk:undo")).status_code == 405


def test_first_action_is_kept_for_the_metrics(editor, admin, site):
    a, b, c = case_about("Augest"), case_about("islanders"), case_about("ferry")
    assert fresh(a).first_action_at is None
    actions.add_note(a, "checking", by=editor)
    first = fresh(a).first_action_at
    assert first is not None
    actions.resolve(a, "fixed", by=editor)
    assert fresh(a).first_action_at == first  # the first one, not the last
    actions.assign(b, admin, by=editor)
    actions.resolve_many([c], "spam", by=editor)
    assert fresh(b).first_action_at is not None and fresh(c).first_action_at is not None
