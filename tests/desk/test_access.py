"""Who may see and do what in the desk: every rule, with the stored state checked after."""

import pytest
from django.urls import reverse

from corrigo.audit.models import Entry
from corrigo.reports.models import Case, CaseStatus
from corrigo.sites.models import ApiToken, Membership
from corrigo.sites.services import create_token
from tests.conftest import make_user
from tests.desk.conftest import case_about

pytestmark = pytest.mark.django_db

# Every POST that changes a case, with a body that would succeed for an editor.
CASE_ACTIONS = [
    ("desk:resolve", {"outcome": "fixed"}),
    ("desk:resolve", {"outcome": "spam"}),
    ("desk:reopen", {}),
    ("desk:assign", {"assignee": ""}),
    ("desk:note", {"text": "checked with the reporter"}),
    ("desk:merge", {"into": "{other}"}),
]


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.assignee_id, case.duplicate_of_id, case.report_count, Entry.objects.count())


def _body(data, other):
    return {k: (v.format(other=other.pk) if isinstance(v, str) else v) for k, v in data.items()}


@pytest.fixture
def second_case(site):
    return case_about("islanders")


# ---- anonymous --------------------------------------------------------------


@pytest.mark.parametrize("name", ["desk:queue", "desk:sites", "desk:password-change", "desk:export"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:login") + "?next=" + reverse(name)


def test_anonymous_cannot_see_a_case(client, case):
    response = client.get(reverse("desk:case", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


@pytest.mark.parametrize("name,data", CASE_ACTIONS)
def test_anonymous_post_changes_nothing(client, case, second_case, name, data):
    before = _snapshot(case)
    response = client.post(reverse(name, args=[case.pk]), _body(data, second_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))
    assert _snapshot(case) == before


def test_anonymous_cannot_see_site_settings(client, site):
    response = client.get(reverse("desk:site-settings", args=[site.key]))
    assert response.status_code == 302


# ---- viewers ----------------------------------------------------------------


def test_viewer_sees_the_queue_and_the_case(as_user, viewer, case):
    client = as_user(viewer)
    assert client.get(reverse("desk:queue")).status_code == 200
    response = client.get(reverse("desk:case", args=[case.pk]))
    assert response.status_code == 200
    assert b'action="/desk/cases/%d/resolve/"' % case.pk not in response.content


@pytest.mark.parametrize("name,data", CASE_ACTIONS)
def test_viewer_post_is_forbidden_and_changes_nothing(as_user, viewer, case, second_case, name, data):
    before = _snapshot(case)
    response = as_user(viewer).post(reverse(name, args=[case.pk]), _body(data, second_case))
    assert response.status_code == 403
    assert _snapshot(case) == before


def test_viewer_bulk_action_is_forbidden_and_changes_nothing(as_user, viewer, case, second_case):
    response = as_user(viewer).post(reverse("desk:bulk"), {"outcome": "spam", "cases": [case.pk, second_case.pk]})
    assert response.status_code == 403
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.OPEN}
    assert Entry.objects.count() == 0


def test_viewer_does_not_see_reporter_emails(as_user, viewer, editor, site):
    case = case_about(email="reader@example.net")
    assert b"reader@example.net" not in as_user(viewer).get(reverse("desk:case", args=[case.pk])).content


def test_editor_sees_reporter_emails(as_user, editor, site):
    case = case_about(email="reader@example.net")
    assert b"reader@example.net" in as_user(editor).get(reverse("desk:case", args=[case.pk])).content


# ---- another site's cases ---------------------------------------------------


def test_another_sites_case_is_not_found(as_user, outsider, case):
    assert as_user(outsider).get(reverse("desk:case", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("name,data", CASE_ACTIONS)
def test_another_sites_editor_post_is_not_found_and_changes_nothing(as_user, outsider, case, second_case, name, data):
    before = _snapshot(case)
    response = as_user(outsider).post(reverse(name, args=[case.pk]), _body(data, second_case))
    assert response.status_code == 404
    assert _snapshot(case) == before


def test_another_sites_cases_are_not_in_the_queue(as_user, outsider, case, foreign_case):
    response = as_user(outsider).get(reverse("desk:queue"))
    ids = [c.pk for c in response.context["page"].cases]
    assert ids == [foreign_case.pk]


def test_bulk_with_one_foreign_case_is_refused_whole(as_user, editor, case, foreign_case):
    response = as_user(editor).post(reverse("desk:bulk"), {"outcome": "spam", "cases": [case.pk, foreign_case.pk]})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert Case.objects.get(pk=foreign_case.pk).status == CaseStatus.OPEN


def test_merge_into_another_sites_case_is_not_found(as_user, editor, case, foreign_case):
    response = as_user(editor).post(reverse("desk:merge", args=[case.pk]), {"into": foreign_case.pk})
    assert response.status_code == 400
    assert "There is no such case." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert Case.objects.get(pk=foreign_case.pk).report_count == 1


def test_merge_into_a_case_where_the_editor_is_only_viewer_is_forbidden(as_user, editor, case, other_site, foreign_case):
    from corrigo.sites.services import change_role

    change_role(other_site, editor, "viewer")
    response = as_user(editor).post(reverse("desk:merge", args=[case.pk]), {"into": foreign_case.pk})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_a_case_id_beyond_any_id_is_not_found(as_user, editor):
    assert as_user(editor).get(f"/desk/cases/{2**64}/").status_code == 404


def test_user_without_membership_sees_an_empty_queue(as_user, case):
    response = as_user(make_user("nobody")).get(reverse("desk:queue"))
    assert response.status_code == 200
    assert response.context["page"].cases == []


# ---- site settings are for admins -------------------------------------------

SETTINGS_POSTS = [
    ("desk:site-save", {"name": "Renamed", "default_language": "en"}),
    ("desk:site-origins", {"origins": "https://evil.example"}),
    ("desk:member-add", {"username": "mallory", "role": "admin", "password": "a long test password"}),
    ("desk:token-new", {"name": "sneaky"}),
]


def _site_snapshot(site):
    from corrigo.sites.models import Site

    s = Site.objects.get(pk=site.pk)
    return (s.name, sorted(s.origins), Membership.objects.count(), ApiToken.objects.count())


@pytest.mark.parametrize("user_fixture", ["editor", "viewer"])
def test_site_settings_page_is_for_admins_only(as_user, request, site, user_fixture):
    response = as_user(request.getfixturevalue(user_fixture)).get(reverse("desk:site-settings", args=[site.key]))
    assert response.status_code == 403


@pytest.mark.parametrize("user_fixture", ["editor", "viewer"])
@pytest.mark.parametrize("name,data", SETTINGS_POSTS)
def test_non_admin_settings_post_is_forbidden_and_changes_nothing(as_user, request, site, user_fixture, name, data):
    client = as_user(request.getfixturevalue(user_fixture))
    before = _site_snapshot(site)
    response = client.post(reverse(name, args=[site.key]), data)
    assert response.status_code == 403
    assert _site_snapshot(site) == before


def test_non_admin_cannot_revoke_a_token_or_change_roles(as_user, editor, admin, site):
    token = create_token(site, "feed")
    token_row = ApiToken.objects.get()
    client = as_user(editor)
    assert client.post(reverse("desk:token-revoke", args=[site.key, token_row.pk])).status_code == 403
    assert client.post(reverse("desk:member-role", args=[site.key, editor.pk]), {"role": "admin"}).status_code == 403
    assert client.post(reverse("desk:member-remove", args=[site.key, admin.pk])).status_code == 403
    assert ApiToken.objects.get().revoked_at is None
    assert Membership.objects.get(user=editor).role == "editor"
    assert Membership.objects.filter(user=admin).exists()
    assert token.startswith("crg_")


@pytest.mark.parametrize("name,data", SETTINGS_POSTS)
def test_admin_of_another_site_gets_not_found(as_user, site, other_site, name, data):
    other_admin = make_user("olga", other_site, "admin")
    before = _site_snapshot(site)
    from corrigo.sites.models import Site

    assert Site.objects.count() == 2
    assert as_user(other_admin).get(reverse("desk:site-settings", args=[site.key])).status_code == 404
    assert as_user(other_admin).post(reverse(name, args=[site.key]), data).status_code == 404
    assert _site_snapshot(site) == before


def test_admin_sees_only_their_sites_in_the_settings_list(as_user, admin, site, other_site):
    response = as_user(admin).get(reverse("desk:sites"))
    assert list(response.context["sites"]) == [site]


# ---- CSRF -------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(editor, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_post_with_csrf_token_from_the_page_works(editor, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.get(reverse("desk:case", args=[case.pk]))
    token = page.context["csrf_token"]
    response = client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "fixed", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FIXED


# ---- GET never changes anything ---------------------------------------------


@pytest.mark.parametrize("name", ["desk:resolve", "desk:reopen", "desk:assign", "desk:note", "desk:merge"])
def test_actions_refuse_get(as_user, editor, case, name):
    assert as_user(editor).get(reverse(name, args=[case.pk])).status_code == 405


# ---- ids in paths -----------------------------------------------------------

TOO_LARGE = "9" * 23  # more than a 64-bit column holds


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/desk/cases/{n}/", "GET"),
        ("/desk/cases/{n}/resolve/", "POST"),
        ("/desk/cases/{n}/merge/", "POST"),
        ("/desk/sites/courier/members/{n}/role/", "POST"),
        ("/desk/sites/courier/members/{n}/remove/", "POST"),
        ("/desk/sites/courier/tokens/{n}/revoke/", "POST"),
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(as_user, admin, editor, case, path, method):
    body = "outcome=fixed&role=viewer&into=1"
    response = as_user(admin).generic(method, path.format(n=TOO_LARGE), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert Membership.objects.get(user=editor).role == "editor"
