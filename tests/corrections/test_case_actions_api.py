"""POST /api/v1/cases/{id}/actions: the desk's actions for integrations, with a triage token."""

import json

import pytest

from corrigo.audit.models import Entry
from corrigo.corrections.models import CorrectionNotice
from corrigo.reports.models import Case, CaseStatus
from corrigo.sites.services import create_token
from tests.conftest import make_user
from tests.desk.conftest import case_about

pytestmark = pytest.mark.django_db


@pytest.fixture
def triage(site):
    return create_token(site, "cms bot", scopes=["read", "triage"])


def act(client, case_id, body, token=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    return client.post(f"/api/v1/cases/{case_id}/actions", data, content_type="application/json", **headers)


def test_fixed_with_a_notice_answers_the_case_with_its_notice(client, case, triage):
    response = act(client, case.pk, {"action": "fixed", "notice": {"kind": "correction", "text": "It is August."}}, triage)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "fixed"
    [notice] = answer["notices"]
    assert (notice["kind"], notice["text"], notice["minor"]) == ("correction", "It is August.", False)
    assert notice["article"] == {"id": case.article_id, "url": case.article.url, "title": case.article.title}
    # The same shape GET /api/v1/cases/{id} answers.
    shown = client.get(f"/api/v1/cases/{case.pk}", HTTP_AUTHORIZATION=f"Bearer {triage}").json()
    assert shown == answer


def test_the_log_names_the_token(client, case, triage):
    act(client, case.pk, {"action": "fixed", "notice": {"kind": "update", "text": "Updated."}}, triage)
    lines = Entry.objects.filter(case=case).order_by("pk")
    assert [line.verb for line in lines] == ["case.status", "notice.publish"]
    assert all(line.actor_name.startswith("API token “cms bot”") and line.token_id for line in lines)
    assert CorrectionNotice.objects.get().author_name.startswith("API token “cms bot”")


@pytest.mark.parametrize("action", ["not_error", "wont_fix", "spam", "fixed"])
def test_each_outcome_closes_the_case(client, case, triage, action):
    assert act(client, case.pk, {"action": action}, triage).json()["status"] == action
    assert not CorrectionNotice.objects.exists()


def test_reopen_assign_note_and_duplicate_call_the_desks_actions(client, site, triage):
    first, second = case_about("Augest"), case_about("islanders")
    make_user("mira", site, "editor")
    assert act(client, first.pk, {"action": "assign", "assignee": "mira"}, triage).json()["assignee"] == "mira"
    assert act(client, first.pk, {"action": "assign", "assignee": None}, triage).json()["assignee"] is None
    act(client, first.pk, {"action": "spam"}, triage)
    assert act(client, first.pk, {"action": "reopen"}, triage).json()["status"] == "open"
    act(client, first.pk, {"action": "note", "note": "Checked with the desk."}, triage)
    assert Entry.objects.get(verb="case.note").text == "Checked with the desk."
    merged = act(client, second.pk, {"action": "duplicate", "duplicate_of": first.pk}, triage).json()
    assert (merged["status"], merged["duplicate_of"]) == ("duplicate", first.pk)


def test_it_needs_a_token(client, case):
    response = act(client, case.pk, {"action": "fixed"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    Case.objects.get(pk=case.pk, status=CaseStatus.OPEN)


def test_a_token_without_triage_is_403(client, site, case):
    reader = create_token(site, "reader")
    response = act(client, case.pk, {"action": "fixed"}, reader)
    assert response.status_code == 403
    assert "triage" in response.json()["error"]["message"]
    Case.objects.get(pk=case.pk, status=CaseStatus.OPEN)


def test_another_sites_case_is_403_and_a_missing_one_404(client, foreign_case, triage):
    assert act(client, foreign_case.pk, {"action": "spam"}, triage).status_code == 403
    assert Case.objects.get(pk=foreign_case.pk).status == CaseStatus.OPEN
    for case_id in (99999999, 0, 2**63):
        assert act(client, case_id, {"action": "spam"}, triage).status_code in (400, 404)


def test_what_the_state_does_not_allow_is_409(client, site, triage):
    first, second = case_about("Augest"), case_about("islanders")
    act(client, second.pk, {"action": "duplicate", "duplicate_of": first.pk}, triage)
    for body in (
        {"action": "reopen"},
        {"action": "fixed", "notice": {"kind": "correction", "text": "x"}},
        {"action": "duplicate", "duplicate_of": second.pk},
    ):
        response = act(client, second.pk, body, triage)
        assert response.status_code == 409, body
        assert response.json()["error"]["code"] == "conflict"
    assert act(client, first.pk, {"action": "duplicate", "duplicate_of": first.pk}, triage).status_code == 409
    assert act(client, first.pk, {"action": "assign", "assignee": "nobody"}, triage).status_code == 409
    assert not CorrectionNotice.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[]",
        '{"action": "delete"}',
        '{"action": "fixed", "extra": 1}',
        '{"action": "duplicate"}',
        '{"action": "note"}',
        '{"action": "note", "note": "   "}',
        '{"action": "spam", "notice": {"kind": "correction", "text": "x"}}',
        '{"action": "fixed", "notice": {"kind": "erratum", "text": "x"}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": ""}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": "   "}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": "x", "minor": "yes"}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": "' + "x" * 5001 + '"}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": "\\u0000"}}',
        '{"action": "fixed", "notice": {"kind": "correction", "text": "\\ud800"}}',
        '{"action": "duplicate", "duplicate_of": "3"}',
        '{"action": "duplicate", "duplicate_of": 99999999999999999999999}',
        '{"action": "assign", "assignee": ""}',
        '{"action": "assign"}',
        "[" * 10000,
    ],
)
def test_hostile_bodies_are_400_and_change_nothing(client, case, triage, raw):
    response = act(client, case.pk, None, triage, raw=raw)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert not CorrectionNotice.objects.exists()


def test_it_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/cases/{case_id}/actions"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"])
    assert "/api/v1/notices" in spec["paths"]
