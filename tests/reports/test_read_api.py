"""The token-guarded read API: /api/v1/reports, /api/v1/cases, /api/v1/cases/ID, the OpenAPI document."""

import json

import pytest

from corrigo.reports.models import Case, Report
from corrigo.sites.services import create_token
from tests.conftest import ORIGIN, payload


def submit(client, **fields):
    response = client.post("/api/v1/reports", json.dumps(payload(**fields)), content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def get(client, path, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, **headers)


@pytest.fixture
def token(site):
    return create_token(site, "integration")


def test_it_needs_a_token(client, site):
    for path in ["/api/v1/reports", "/api/v1/cases", "/api/v1/cases/1"]:
        response = get(client, path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Basic abc", "Bearer crg_" + "x" * 43, "bearer"])
def test_it_rejects_wrong_tokens(client, site, header):
    response = client.get("/api/v1/reports", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_it_rejects_a_revoked_token(client, site, token):
    from django.utils import timezone

    from corrigo.sites.models import ApiToken

    ApiToken.objects.update(revoked_at=timezone.now())
    assert get(client, "/api/v1/reports", token).status_code == 401


def test_tokens_are_stored_hashed(site, token):
    from corrigo.sites.models import ApiToken

    stored = ApiToken.objects.get()
    assert token not in (stored.digest, stored.hint, stored.name)
    assert len(stored.digest) == 64


def test_it_lists_reports_newest_first(client, site, token):
    first = submit(client, exact="Augest", suggestion="August")
    second = submit(client, exact="340 islanders", suggestion="430 islanders", email="reader@example.org")
    response = get(client, "/api/v1/reports?site=courier", token)
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["reports"]] == [second, first]
    assert body["next"] is None
    newest = body["reports"][0]
    assert newest["quote"]["exact"] == "340 islanders"
    assert newest["suggestion"] == "430 islanders"
    assert newest["url"] == "https://news.example.org/2026/ferry"
    assert newest["case_id"] == Report.objects.get(uid=second).case_id
    assert "email" not in newest  # this token may not see reporters' addresses


def test_a_token_allowed_to_see_email_sees_it(client, site):
    token = create_token(site, can_see_email=True)
    submit(client, email="reader@example.org")
    report = get(client, "/api/v1/reports", token).json()["reports"][0]
    assert report["email"] == "reader@example.org"


def test_it_pages_with_a_cursor(client, site, token):
    ids = [submit(client, client_report_id=f"paging-{n:04d}") for n in range(5)]
    page1 = get(client, "/api/v1/reports?limit=2", token).json()
    page2 = get(client, f"/api/v1/reports?limit=2&cursor={page1['next']}", token).json()
    page3 = get(client, f"/api/v1/reports?limit=2&cursor={page2['next']}", token).json()
    seen = [r["id"] for page in (page1, page2, page3) for r in page["reports"]]
    assert seen == ids[::-1]
    assert page3["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "cursor=abc",
        "cursor=-1",
        "cursor=99999999999999999999999",
        "cursor=%C2%B2",
        "cursor=%00",
        "limit=0",
        "limit=201",
        "limit=x",
    ],
)
def test_it_rejects_bad_paging(client, site, token, query):
    response = get(client, f"/api/v1/reports?{query}", token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_token_for_site_a_sees_nothing_of_site_b(client, site, other_site):
    submit(client)
    other_token = create_token(other_site)
    case = Case.objects.get()
    assert get(client, "/api/v1/reports?site=courier", other_token).status_code == 403
    assert get(client, "/api/v1/cases?site=courier", other_token).status_code == 403
    assert get(client, f"/api/v1/cases/{case.pk}", other_token).status_code == 404
    assert get(client, "/api/v1/reports", other_token).json()["reports"] == []
    assert get(client, "/api/v1/cases", other_token).json()["cases"] == []


@pytest.mark.parametrize("key", ["nowhere", "%00", "a%20b", "x" * 65, "%C2%B2"])
def test_an_unknown_site_is_404(client, site, token, key):
    response = get(client, f"/api/v1/reports?site={key}", token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_site"


def test_it_lists_cases_with_counts(client, site, token):
    submit(client, exact="Augest")
    submit(client, exact="from Augest")
    body = get(client, "/api/v1/cases?site=courier", token).json()
    assert len(body["cases"]) == 1
    case = body["cases"][0]
    assert case["report_count"] == 2
    assert case["status"] == "open"
    assert case["quote"]["exact"] == "Augest"
    assert case["article"]["url"] == "https://news.example.org/2026/ferry"
    # A new case is anchored where the reader saw it: the article's latest text.
    anchor = case["anchor"]
    assert (anchor["status"], anchor["start"], anchor["end"]) == ("unchanged", case["quote"]["start"], case["quote"]["end"])
    assert anchor["version_id"] == Case.objects.get().version_id


def test_a_case_shows_who_has_it_and_how_it_ended(client, site, token):
    from corrigo.reports import actions
    from tests.conftest import make_user

    submit(client, exact="Augest")
    submit(client, exact="340 islanders")
    keep, duplicate = Case.objects.order_by("pk")
    editor = make_user("mira", site, "editor")
    actions.assign(keep, editor, by=editor)
    actions.resolve(keep, "fixed", by=editor)
    actions.merge(duplicate, keep, by=editor)
    cases = {c["id"]: c for c in get(client, "/api/v1/cases", token).json()["cases"]}
    assert cases[keep.pk]["assignee"] == "mira"
    assert cases[keep.pk]["status"] == "fixed" and cases[keep.pk]["resolved_at"]
    assert cases[duplicate.pk]["status"] == "duplicate"
    assert cases[duplicate.pk]["duplicate_of"] == keep.pk
    assert cases[keep.pk]["duplicate_of"] is None


def test_cases_filter_by_status(client, site, token):
    submit(client)
    assert len(get(client, "/api/v1/cases?status=open", token).json()["cases"]) == 1
    assert get(client, "/api/v1/cases?status=fixed", token).json()["cases"] == []
    assert get(client, "/api/v1/cases?status=bogus", token).status_code == 400


def test_a_case_comes_with_its_reports(client, site, token):
    a = submit(client, exact="Augest")
    b = submit(client, exact="Augest to", suggestion="August to")
    case = Case.objects.get()
    body = get(client, f"/api/v1/cases/{case.pk}", token).json()
    assert body["id"] == case.pk
    assert [r["id"] for r in body["reports"]] == [a, b]


@pytest.mark.parametrize("case_id", ["0", "99999999", "9" * 30, "abc", "-3"])
def test_a_missing_case_is_404_or_400(client, site, token, case_id):
    response = get(client, f"/api/v1/cases/{case_id}", token)
    assert response.status_code in (400, 404)
    assert "error" in response.json()


def test_answers_keep_their_documented_keys_in_order(client, site):
    token = create_token(site, can_see_email=True)
    submit(client, exact="Augest", email="reader@example.org")
    report = get(client, "/api/v1/reports", token).json()["reports"][0]
    assert list(report) == [
        "id",
        "created_at",
        "url",
        "canonical_url",
        "article_id",
        "quote",
        "suggestion",
        "comment",
        "category",
        "language",
        "case_id",
        "email",
    ]
    assert list(report["quote"]) == ["exact", "prefix", "suffix", "start", "end"]
    case = get(client, f"/api/v1/cases/{report['case_id']}", token).json()
    assert list(case) == [
        "id",
        "status",
        "category",
        "created_at",
        "updated_at",
        "article",
        "quote",
        "report_count",
        "reader_count",
        "anchor",
        "disputed",
        "assignee",
        "resolved_at",
        "duplicate_of",
        "reports",
        "notices",
    ]
    assert list(case["article"]) == ["id", "url", "title"]
    assert list(case["anchor"]) == ["status", "start", "end", "version_id", "checked_at"]
    assert case["reports"] == [report]


def test_stored_values_are_answered_as_stored(client, site, token):
    """Timestamps in Python's isoformat (microseconds and offset kept), empty texts as null, renamed columns by their API name."""
    uid = submit(client, exact="Augest", article_id="cms-7", canonical_url="https://news.example.org/c")
    stored = Report.objects.select_related("case").get(uid=uid)
    report = get(client, "/api/v1/reports", token).json()["reports"][0]
    assert report["created_at"] == stored.created_at.isoformat()
    assert (report["id"], report["article_id"], report["canonical_url"]) == (uid, "cms-7", "https://news.example.org/c")
    assert (report["language"], report["comment"]) == (None, "")
    case = get(client, "/api/v1/cases", token).json()["cases"][0]
    assert (case["created_at"], case["updated_at"]) == (stored.case.created_at.isoformat(), stored.case.updated_at.isoformat())
    assert case["anchor"]["checked_at"] == stored.case.anchor_checked_at.isoformat()
    assert case["anchor"]["version_id"] == stored.case.anchor_version_id


def test_a_case_without_quote_or_anchor_answers_null_for_both(client, site, token):
    submit(client, quote=None, article_text=None, comment="The headline is wrong.")
    case = get(client, "/api/v1/cases", token).json()["cases"][0]
    assert (case["quote"], case["anchor"], case["category"]) == (None, None, "typo")


def test_the_answer_is_the_schema_reading_the_case(client, site, token):
    """No view code builds an answer: the schema reads the objects, so a new key is one line in it."""
    from corrigo.reports.schemas import CaseWithReports

    submit(client, exact="Augest", email="reader@example.org")
    submit(client, exact="Augest to")
    case = Case.objects.select_related("article", "assignee").get()
    assert get(client, f"/api/v1/cases/{case.pk}", token).json() == CaseWithReports.model_validate(case).model_dump()


def test_a_case_sent_elsewhere_has_the_read_apis_shape(client, site, token):
    from corrigo.reports.api import case_json

    submit(client, exact="Augest")
    case = Case.objects.select_related("article", "assignee").get()
    assert case_json(case) == get(client, "/api/v1/cases", token).json()["cases"][0]


def test_the_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/cases", "/api/v1/cases/{case_id}"} <= set(spec["paths"])
    body = spec["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]
    assert "client_report_id" in body["application/json"]["schema"]["properties"]


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/cases", "/api/v1/cases/1"])
def test_a_token_without_the_read_scope_is_forbidden_and_says_why(client, site, path):
    from corrigo.sites.services import create_token

    token = create_token(site, "cms", scopes="publish")
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": "This token does not have the read scope."}}
