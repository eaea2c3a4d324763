"""A case counts readers, not reports: one reader's many reports lift neither the count nor the queue."""

import json

from corrigo.reports.actions import merge
from corrigo.reports.models import Case, Report
from corrigo.reports.priority import case_priority
from corrigo.reports.schemas import ReportIn
from corrigo.reports.services import submit_report
from tests.conftest import ORIGIN, make_user, payload


def post(client, body, remote):
    response = client.post(
        "/api/v1/reports", data=json.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN, REMOTE_ADDR=remote
    )
    assert response.status_code in (200, 201), response.content
    return response


def test_a_case_counts_distinct_readers(client, site):
    # Limits are off in the suite, so one reader's second report is filed, not folded: it still counts once.
    post(client, payload("Augest"), "192.0.2.1")
    post(client, payload("Augest"), "192.0.2.1")
    post(client, payload("Augest to"), "192.0.2.2")
    case = Case.objects.get()
    assert (case.report_count, case.reader_count) == (3, 2)


def test_priority_follows_readers_not_reports(client, site):
    for _ in range(4):
        post(client, payload("Augest"), "192.0.2.1")
    one_reader = Case.objects.get()
    assert one_reader.priority == case_priority(1, one_reader.category, one_reader.last_reported_at)


def test_many_readers_rank_above_one_reader_with_many_reports(client, site):
    for _ in range(6):
        post(client, payload("Augest"), "192.0.2.1")
    for number in range(3):
        post(client, payload("islanders"), f"192.0.2.{10 + number}")
    spam, real = Case.objects.get(exact="Augest"), Case.objects.get(exact="islanders")
    assert (spam.report_count, spam.reader_count, real.reader_count) == (6, 1, 3)
    assert real.priority > spam.priority


def test_reports_without_an_address_are_a_reader_each(site):
    for _ in range(2):
        submit_report(site, ReportIn.model_validate(payload("Augest")))
    assert Case.objects.get().reader_count == 2


def test_a_merge_counts_the_readers_of_both_cases_once(client, site):
    post(client, payload("Augest"), "192.0.2.1")
    post(client, payload("islanders"), "192.0.2.1")
    post(client, payload("islanders"), "192.0.2.2")
    into, duplicate = Case.objects.get(exact="Augest"), Case.objects.get(exact="islanders")
    merge(duplicate, into, by=make_user("mira", site, "editor"))
    into.refresh_from_db()
    duplicate.refresh_from_db()
    assert (into.report_count, into.reader_count) == (3, 2)
    assert (duplicate.report_count, duplicate.reader_count) == (0, 0)


def test_the_read_api_shows_readers_beside_reports(client, site):
    from corrigo.sites.services import create_token

    post(client, payload("Augest"), "192.0.2.1")
    post(client, payload("Augest"), "192.0.2.1")
    token = create_token(site, name="reader-count test")
    answer = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    (case,) = answer["cases"]
    assert (case["report_count"], case["reader_count"]) == (2, 1)
    assert Report.objects.filter(case_id=case["id"]).count() == 2
