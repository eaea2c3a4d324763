"""A flood of made-up article texts cannot fill the database: each text is stored once, and only so many a day."""

import json

from corrigo.articles.models import ArticleVersion
from corrigo.reports.models import Report
from tests.conftest import ARTICLE_TEXT, ORIGIN, payload


def post(client, body):
    response = client.post("/api/v1/reports", data=json.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code in (200, 201), response.content
    return Report.objects.get(uid=response.json()["id"])


def text(number):
    return ARTICLE_TEXT + f"\nUpdated {number} minutes ago."


def test_a_text_sent_by_many_readers_is_stored_once(client, site):
    for _ in range(3):
        post(client, payload("Augest"))
    assert ArticleVersion.objects.count() == 1


def test_over_the_days_share_of_new_texts_a_report_keeps_its_quote_only(client, site, settings):
    settings.READER_TEXTS_PER_DAY = 2
    kept = [post(client, payload("Augest", text=text(n))) for n in range(2)]
    over = post(client, payload("Augest", text=text(3)))
    assert ArticleVersion.objects.count() == 2
    assert all(report.version_id is not None for report in kept)
    assert (over.version_id, over.start, over.end) == (None, None, None)
    assert over.exact == "Augest" and over.suffix.startswith(" to March.")
    assert over.prefix.endswith("running from ")


def test_a_text_already_stored_is_still_used_when_the_day_is_full(client, site, settings):
    settings.READER_TEXTS_PER_DAY = 1
    first = post(client, payload("Augest", text=text(1)))
    post(client, payload("islanders", text=text(2)))  # over: not kept
    again = post(client, payload("Tuesday", text=text(1)))
    assert again.version_id == first.version_id
    assert again.start is not None
