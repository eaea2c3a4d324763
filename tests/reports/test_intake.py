"""POST /api/v1/reports: every field rule, the answers, and hostile input (docs/api.md, sending a report)."""

import json
import threading

import pytest

from corrigo.reports.models import Case, Report
from tests.conftest import ARTICLE_TEXT, ORIGIN, payload

URL = "/api/v1/reports"


def post(client, body, origin=ORIGIN, content_type="text/plain", **extra):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(URL, data=data, content_type=content_type, **headers, **extra)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_it_stores_a_report_and_answers_201(client, site):
    body = payload()
    response = post(client, body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "received"
    report = Report.objects.get(uid=answer["id"])
    assert (report.exact, report.start, report.end) == ("Augest", body["quote"]["start"], body["quote"]["end"])
    assert report.suggestion == "August"
    assert report.category == "typo"
    assert report.version.text == ARTICLE_TEXT
    assert report.case.report_count == 1


def test_it_accepts_application_json_too(client, site):
    response = post(client, payload(), content_type="application/json")
    assert response.status_code == 201


def test_it_answers_cors_for_an_allowed_origin(client, site):
    response = post(client, payload())
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response["Vary"]


def test_it_accepts_requests_without_origin(client, site):
    # Server-to-server integrations send no Origin header.
    assert post(client, payload(), origin=None).status_code == 201


def test_it_canonicalises_the_url(client, site):
    body = payload(url="HTTPS://News.Example.org:443/2026/ferry?id=7&utm_source=x&gclid=abc&fbclid=q#top")
    uid = post(client, body).json()["id"]
    report = Report.objects.get(uid=uid)
    assert report.url == "https://news.example.org/2026/ferry?id=7"
    assert report.article.url == report.url


def test_context_is_taken_from_the_article_text(client, site):
    body = payload()
    body["quote"]["prefix"] = "whatever the client says"
    report = Report.objects.get(uid=post(client, body).json()["id"])
    start = body["quote"]["start"]
    assert report.prefix == ARTICLE_TEXT[start - 32 : start]
    assert report.suffix == ARTICLE_TEXT[body["quote"]["end"] : body["quote"]["end"] + 32]


def test_a_general_message_needs_only_a_comment(client, site):
    body = {
        "site": "courier",
        "url": "https://news.example.org/a",
        "comment": "The headline is wrong.",
        "client_report_id": "general-0001",
    }
    response = post(client, body)
    assert response.status_code == 201
    report = Report.objects.get(uid=response.json()["id"])
    assert report.start is None and report.version is None
    assert report.case.exact == ""


# ---- idempotency -------------------------------------------------------------


def test_replayed_report_returns_the_same_id(client, site):
    body = payload()
    first = post(client, body)
    second = post(client, body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Report.objects.count() == 1
    assert Case.objects.get().report_count == 1


def test_the_same_client_id_on_another_site_is_another_report(client, site, other_site):
    body = payload(client_report_id="shared-id-123")
    post(client, body)
    other = dict(body, site="gazette")
    assert post(client, other, origin="https://gazette.example.com").status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_make_one_report(live_server):
    """Eight simultaneous requests with one client_report_id: one 201, seven 200, one row."""
    import urllib.request

    from corrigo.sites.services import create_site

    create_site("courier", "The Courier", [ORIGIN])
    data = json.dumps(payload(client_report_id="race-condition-1")).encode()
    results, barrier = [], threading.Barrier(8)

    def send():
        request = urllib.request.Request(live_server.url + URL, data=data, headers={"Content-Type": "text/plain"})
        barrier.wait()
        with urllib.request.urlopen(request) as response:
            results.append((response.status, json.loads(response.read())["id"]))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({uid for _, uid in results}) == 1
    assert Report.objects.count() == 1


# ---- grouping ----------------------------------------------------------------


def test_overlapping_reports_join_one_case(client, site):
    post(client, payload("Augest"))
    post(client, payload("from Augest to March", category="fact"))
    case = Case.objects.get()
    assert case.report_count == 2
    assert case.category == "fact"  # the more serious kind wins


def test_separate_passages_make_separate_cases(client, site):
    post(client, payload("Augest"))
    post(client, payload("340 islanders"))
    assert Case.objects.count() == 2


# ---- errors: site and origin -------------------------------------------------


def test_a_long_international_url_is_stored_as_sent(client, site):
    url = "https://news.example.org/a?q=" + "é" * 1000 + "&utm_source=x"
    report = Report.objects.get(uid=post(client, payload(url=url)).json()["id"])
    assert report.url == "https://news.example.org/a?q=" + "é" * 1000


def test_it_rejects_an_unknown_site(client, site):
    assert_error(post(client, payload(site="nope")), 404, "unknown_site")
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://news.example.org", "https://news.example.org.evil.example", "not a url"]
)
def test_it_rejects_a_foreign_origin(client, site, origin):
    response = post(client, payload(), origin=origin)
    assert_error(response, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in response  # CORS for allowed origins only
    assert Report.objects.count() == 0


def test_origin_of_another_site_is_foreign(client, site, other_site):
    assert_error(post(client, payload(), origin="https://gazette.example.com"), 403, "origin_not_allowed")


def test_errors_carry_cors_so_the_widget_can_read_them(client, site):
    response = post(client, payload(suggestion="x" * 2001))
    assert_error(response, 400, "invalid")
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    unknown = post(client, payload(site="nope"))  # an origin some site allows may learn this
    assert_error(unknown, 404, "unknown_site")
    assert unknown["Access-Control-Allow-Origin"] == ORIGIN
    foreign = post(client, payload(site="nope"), origin="https://evil.example")
    assert_error(foreign, 404, "unknown_site")
    assert "Access-Control-Allow-Origin" not in foreign


def test_the_widget_may_read_retry_after(client, site):
    response = post(client, payload())
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


def test_preflight_is_answered_for_allowed_origins_only(client, site):
    good = client.options(URL, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert good.status_code == 204
    assert good["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in good["Access-Control-Allow-Methods"]
    bad = client.options(URL, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in bad


# ---- errors: hostile and malformed bodies -------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"not json",
        b"[1, 2]",
        b'"a string"',
        b"null",
        b"\xff\xfe{}",
        b"[" * 100000 + b"]" * 100000,
        b'{"start": 1' + b"0" * 5000 + b"}",
    ],
    ids=["empty", "truncated", "text", "array", "string", "null", "bad-utf8", "deep-nesting", "huge-int"],
)
def test_it_rejects_malformed_bodies(client, site, raw):
    assert_error(post(client, raw), 400, "invalid")
    assert Report.objects.count() == 0


def test_it_rejects_a_form_encoded_body(client, site):
    response = client.post(URL, data={"site": "courier"}, HTTP_ORIGIN=ORIGIN)
    assert_error(response, 400, "invalid")


WRONG = [
    ("site", None),
    ("site", 5),
    ("url", None),
    ("url", "ftp://news.example.org/a"),
    ("url", "javascript:alert(1)"),
    ("url", "https://"),
    ("url", "https://news.example.org/" + "a" * 2100),
    ("url", "https://exa mple.org/"),
    ("client_report_id", None),
    ("client_report_id", "short"),
    ("client_report_id", "x" * 65),
    ("client_report_id", "has spaces in it"),
    ("client_report_id", 12345678),
    ("category", "rude"),
    ("email", "not-an-address"),
    ("email", 42),
    ("language", "english please"),
    ("language", "x" * 40),
    ("suggestion", "s" * 2001),
    ("suggestion", ["a list"]),
    ("comment", "c" * 5001),
    ("title", "t" * 501),
    ("article_id", {"an": "object"}),
    ("canonical_url", "mailto:x@example.org"),
    ("article_text", None),
    ("article_text", 7),
    ("article_text", "w" * 200_001),
    ("quote", "a string"),
]


@pytest.mark.parametrize("field,value", WRONG, ids=[f"{f}={str(v)[:20]}" for f, v in WRONG])
def test_it_rejects_wrong_fields(client, site, field, value):
    body = payload(**{field: value})
    if value is None:
        del body[field]
    error = assert_error(post(client, body), 400, "invalid")
    assert field in error["fields"] or any(key.startswith(field) for key in error["fields"]), error
    assert Report.objects.count() == 0


QUOTE_WRONG = [
    ("exact", ""),
    ("exact", "x" * 1001),
    ("exact", None),
    ("start", -1),
    ("start", "5"),
    ("start", 1.5),
    ("start", True),
    ("end", 10**12),
    ("prefix", "p" * 33),
    ("suffix", 5),
]


@pytest.mark.parametrize("field,value", QUOTE_WRONG, ids=[f"{f}={str(v)[:20]}" for f, v in QUOTE_WRONG])
def test_it_rejects_wrong_quote_fields(client, site, field, value):
    body = payload()
    if value is None:
        del body["quote"][field]
    else:
        body["quote"][field] = value
    error = assert_error(post(client, body), 400, "invalid")
    assert any(key.startswith("quote") for key in error["fields"]), error
    assert Report.objects.count() == 0


def test_it_rejects_exact_that_does_not_match_the_text(client, site):
    body = payload()
    body["quote"]["exact"] = "August"
    error = assert_error(post(client, body), 400, "invalid")
    assert "quote.exact" in error["fields"]


def test_it_rejects_a_span_past_the_end_of_the_text(client, site):
    body = payload()
    n = len(ARTICLE_TEXT)
    body["quote"].update(start=n - 2, end=n + 4, exact="ng.xyz")
    assert_error(post(client, body), 400, "invalid")


def test_offsets_count_code_points_not_utf16_units(client, site):
    text = "Emoji 🦀 before the Typo here"
    good = payload("Typo", text=text)  # Python indices are code points
    assert post(client, good).status_code == 201
    utf16 = payload("here", text=text)
    utf16["quote"].update(start=utf16["quote"]["start"] + 1, end=utf16["quote"]["end"] + 1)
    assert_error(post(client, utf16), 400, "invalid")


def test_a_quote_needs_the_article_text(client, site):
    body = payload()
    del body["article_text"]
    error = assert_error(post(client, body), 400, "invalid")
    assert "article_text" in error["fields"]


def test_a_report_without_quote_needs_a_comment(client, site):
    body = {"site": "courier", "url": "https://news.example.org/a", "comment": "   ", "client_report_id": "general-0002"}
    error = assert_error(post(client, body), 400, "invalid")
    assert "comment" in error["fields"]


@pytest.mark.parametrize("field", ["suggestion", "comment", "title", "site", "article_text"])
@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\udfff tail"], ids=["nul", "lone-high", "lone-low"])
def test_it_rejects_unstorable_characters(client, site, field, bad):
    body = payload()
    if field == "article_text":
        body[field] = body[field] + bad
    else:
        body[field] = "before " + bad
    raw = json.dumps(body)  # escapes as \u0000 / \ud800, as a hostile client would send
    error = assert_error(post(client, raw), 400, "invalid")
    assert field in error["fields"]
    assert Report.objects.count() == 0


def test_unstorable_characters_inside_the_quote_are_rejected(client, site):
    body = payload()
    body["quote"]["prefix"] = "\x00"
    error = assert_error(post(client, json.dumps(body)), 400, "invalid")
    assert "quote.prefix" in error["fields"]


def test_a_paired_surrogate_escape_is_a_real_character(client, site):
    text = "Crab \U0001f980 Typo"
    body = payload("Typo", text=text)
    raw = json.dumps(body, ensure_ascii=True)  # sends the crab as \ud83e\udd80
    assert "\\ud83e\\udd80" in raw
    assert post(client, raw).status_code == 201


def test_it_rejects_a_body_over_one_mebibyte(client, site):
    body = payload(comment="x" * (1024 * 1024))
    assert_error(post(client, body), 413, "too_large")
    assert Report.objects.count() == 0


def test_it_rejects_a_lying_content_length(client, site):
    response = post(client, payload(), CONTENT_LENGTH=str(5 * 1024 * 1024))
    assert_error(response, 413, "too_large")


def test_unknown_fields_are_ignored(client, site):
    assert post(client, payload(future_field={"x": 1})).status_code == 201


def test_blank_optional_fields_count_as_absent(client, site):
    body = payload(email="  ", language="", suggestion="", canonical_url="")
    report = Report.objects.get(uid=post(client, body).json()["id"])
    assert (report.email, report.language, report.suggestion, report.canonical_url) == ("", "", "", "")


@pytest.fixture
def report_rows_refused(db):
    """The database refuses the last write of intake (the report row), as a full disk would."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports_report BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_reports() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports_report FOR EACH ROW EXECUTE FUNCTION refuse_reports()"
            )


def test_a_failed_write_stores_nothing(client, site, report_rows_refused):
    """The answer comes after the commit: a refusal at the last step leaves no article, version or case."""
    from corrigo.articles.models import Article, ArticleVersion

    client.raise_request_exception = False
    response = post(client, payload())
    assert response.status_code == 500
    assert (Article.objects.count(), ArticleVersion.objects.count(), Case.objects.count(), Report.objects.count()) == (0, 0, 0, 0)


def test_versions_are_deduplicated_by_text(client, site):
    from corrigo.articles.models import ArticleVersion

    post(client, payload("Augest"))
    post(client, payload("340 islanders"))
    assert ArticleVersion.objects.count() == 1


# ---- the cross-field rules hold for every caller of the service --------------


def submit_directly(site, body):
    """Call the intake service as the desk, the demo or a CLI would: past the API view."""
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report

    return submit_report(site, ReportIn.model_validate(body))


def assert_nothing_stored():
    from corrigo.articles.models import Article, ArticleVersion

    assert (Article.objects.count(), ArticleVersion.objects.count(), Case.objects.count(), Report.objects.count()) == (0, 0, 0, 0)


def without_article_text():
    body = payload()
    del body["article_text"]
    return body


def with_wrong_exact():
    body = payload()
    body["quote"]["exact"] = "August"  # the same length as the "Augest" at start:end
    return body


def without_quote_or_comment():
    return {"site": "courier", "url": "https://news.example.org/a", "client_report_id": "general-0003"}


# Each rule, and the field an author is told to fix (the keys of the API's error.fields).
RULE_BREAKERS = [(without_article_text, "article_text"), (with_wrong_exact, "quote.exact"), (without_quote_or_comment, "comment")]


@pytest.mark.parametrize("body,field", RULE_BREAKERS, ids=["quote-without-text", "exact-not-in-text", "no-quote-no-comment"])
def test_the_service_refuses_a_report_that_breaks_a_cross_field_rule(site, body, field):
    from corrigo.reports.services import InvalidReport

    with pytest.raises(InvalidReport) as refused:
        submit_directly(site, body())
    assert set(refused.value.fields) == {field}
    assert str(refused.value) == refused.value.fields[field]
    assert_nothing_stored()


@pytest.mark.parametrize("body,field", RULE_BREAKERS, ids=["quote-without-text", "exact-not-in-text", "no-quote-no-comment"])
def test_the_api_answers_the_services_refusal_as_a_400_on_the_same_field(client, site, body, field):
    error = assert_error(post(client, body()), 400, "invalid")
    assert error["fields"] == {field: error["message"]}
    assert_nothing_stored()
