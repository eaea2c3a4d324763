"""The search through SQLite's trigram index finds exactly what reading every report finds.

On SQLite the reports up to a high-water mark are read through an FTS5 trigram index and
the ones past it by LIKE (decision 0039); on PostgreSQL every search goes to the pg_trgm
indexes and these tests check the same answers there.
"""

import random

import pytest
from django.db import connection
from django.urls import reverse

from corrigo.desk import queue
from corrigo.jobs import queue as jobs
from corrigo.reports import privacy, search
from corrigo.reports.models import Report
from corrigo.sites.models import Site
from tests.conftest import ARTICLE_TEXT
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the FTS5 index is SQLite's")

# Texts that a substring search can trip on: case, accents, quotes, LIKE's wildcards,
# FTS5's own syntax, scripts that fold differently, and the same word in several places;
# each quotes another word of the article, so each is a case of its own.
TEXTS = [
    ("Augest", "August", "The month is wrong."),
    ("islanders", "ÄRGER im Hafen", "ärger, not Ärger"),
    ("ferry", '"night" ferry', "100% wrong_name here"),
    ("council", "Straße", "STRASSE is how the sign spells it"),
    ("Tuesday", "Tallinn", "NEAR(a b) OR c* AND -d"),
    ("March", "Ζεύς", "ζεύς in lower case"),
    ("crossing", "the harbour", "Tallinn again, the harbour again"),
]


def ids(response):
    return [c.pk for c in response.context["page"].cases]


def found(q, emails=True):
    """The cases a search on the courier matches, as the queue finds them (None: too many to list)."""
    courier = Site.objects.get(key="courier").pk
    return queue.matching_case_ids([courier], q, [courier] if emails else [])


def found_by_reading_every_report(q, emails=True, monkeypatch=None):
    with monkeypatch.context() as patched:
        patched.setattr(search, "candidates", lambda term: None)
        return found(q, emails)


def terms_from(texts, rng, count):
    """Substrings of the stored texts with their letters' case flipped here and there, and a few strings no text holds."""
    words = [part for row in texts for part in row] + ["reader-7@example.net"]
    terms = []
    for _ in range(count):
        text = rng.choice(words)
        start = rng.randrange(len(text))
        term = text[start : start + rng.randint(1, 12)]
        terms.append("".join(ch.swapcase() if rng.random() < 0.3 else ch for ch in term).strip())
    return [t for t in terms if t] + ["zzzq", "Tallinx", "%", "_", '"', "e ", "wrong_", "100%"]


@pytest.fixture
def stored(site):
    cases = [case_about(exact, suggestion=s, comment=c, email=f"reader-{i}@example.net") for i, (exact, s, c) in enumerate(TEXTS)]
    return [case.pk for case in cases]


@sqlite_only  # PostgreSQL has no such index: both sides would run the same code
@pytest.mark.parametrize("indexed", [False, True], ids=["past the mark", "indexed"])
def test_search_finds_the_same_cases_through_the_index_as_by_reading_every_report(stored, monkeypatch, indexed):
    if indexed:
        search.catch_up()
    rng = random.Random(39)
    for term in terms_from(TEXTS, rng, 300):
        for emails in (True, False):
            assert found(term, emails) == found_by_reading_every_report(term, emails, monkeypatch), (term, emails)


def test_search_answers_on_both_databases(as_user, editor, stored):
    search.catch_up()
    client = as_user(editor)
    augest, islanders, ferry, council, tallinn, zeus, harbour = stored
    expected = {
        "TALLINN": [harbour, tallinn],  # case-blind
        "MONTH IS": [augest],
        "Ζεύς": [zeus],
        "wrong_name": [ferry],  # LIKE's wildcard taken literally
        "100%": [ferry],
        '"night" ferry': [ferry],
        "NEAR(a b)": [tallinn],
        "Straße": [council],
        "ÄRGER": [islanders],
        "reader-3@": [council],
        "ße": [council],  # two characters: no trigram, still found
        "Tallinx": [],
    }
    for term, cases in expected.items():
        assert sorted(ids(client.get(reverse("desk:queue"), {"q": term}))) == sorted(cases), term


def test_viewer_does_not_find_reports_by_address_through_the_index(as_user, viewer, editor, stored):
    search.catch_up()
    assert ids(as_user(viewer).get(reverse("desk:queue"), {"q": "reader-3@"})) == []
    assert ids(as_user(editor).get(reverse("desk:queue"), {"q": "reader-3@"})) == [stored[3]]


def test_a_report_stored_after_the_catch_up_is_found_at_once(stored):
    search.catch_up()
    late = case_about("council", suggestion="a newer word, quayside")
    assert found("quaysid") == [late.pk]
    search.catch_up()
    assert found("quaysid") == [late.pk]


def test_a_broad_search_through_the_index_still_pages(as_user, editor, stored, monkeypatch):
    search.catch_up()
    monkeypatch.setattr(queue, "SEARCH_IDS_AT_ONCE", 1)
    response = as_user(editor).get(reverse("desk:queue"), {"q": "TALLINN"})
    assert response.context["page"].counts is None
    assert sorted(ids(response)) == [stored[4], stored[6]]


def indexed_ids(term):
    return [
        row[0]
        for row in connection.cursor().execute(f"SELECT rowid FROM {search.TABLE} WHERE {search.TABLE} MATCH %s", [f'"{term}"'])
    ]


@sqlite_only
def test_catch_up_indexes_in_batches_from_the_mark(stored):
    assert indexed_ids("exa") == []  # intake itself writes nothing to the index
    assert [search.index_new_reports(batch=3) for _ in range(4)] == [3, 3, 1, 0]
    assert len(indexed_ids("exa")) == len(TEXTS)  # every report's address, once
    mark = connection.cursor().execute(f"SELECT reports_upto FROM {search.MARK}").fetchone()[0]
    assert mark == Report.objects.order_by("-pk").values_list("pk", flat=True)[0]


@sqlite_only
def test_the_index_is_used_for_terms_of_three_characters_or_more(stored):
    assert search.candidates("ab") is None
    _, params = search.candidates('say "no"')
    assert params == ['"say ""no"""']


@sqlite_only
def test_erased_address_and_comment_leave_the_index(stored):
    search.catch_up()
    assert len(indexed_ids("reader-2@")) == 1
    privacy.erase_reporter("READER-2@example.net")
    assert indexed_ids("reader-2@") == []
    assert indexed_ids("100% wrong") == []  # the erased comment
    assert found("reader-2@") == []
    assert found("night") == [stored[2]]  # the suggestion stays, and is still found


def segments():
    return connection.cursor().execute(f"SELECT COUNT(DISTINCT segid) FROM {search.TABLE}_idx").fetchone()[0]


def deletions_waiting():
    return connection.cursor().execute(f"SELECT deleted FROM {search.MARK}").fetchone()[0]


@sqlite_only
def test_after_an_erasure_the_job_merges_the_tombstones_away(stored):
    while search.index_new_reports(batch=2):
        pass
    assert segments() > 1 and deletions_waiting() == 0
    assert search.purge_deleted() is False  # nothing deleted: no merge
    privacy.erase_reporter("reader-2@example.net")
    assert deletions_waiting() == 1
    assert search.purge_deleted(pages=1) is True  # in many small steps
    assert segments() == 1 and deletions_waiting() == 0
    assert indexed_ids("reader-2@") == [] and len(indexed_ids("exa")) == len(TEXTS) - 1
    assert found("Tallinn") == sorted([stored[4], stored[6]])


@sqlite_only
def test_the_index_is_purged_once_a_day_at_most(stored):
    search.catch_up()
    privacy.erase_reporter("reader-2@example.net")
    assert search.purge_deleted() is True
    privacy.erase_reporter("reader-3@example.net")
    assert search.purge_deleted() is False  # purged less than a day ago
    assert deletions_waiting() == 1 and indexed_ids("reader-3@") == []  # waiting, and found by no search
    assert search.purge_deleted(every=0) is True and deletions_waiting() == 0


@sqlite_only
def test_deleted_reports_leave_the_index(stored):
    search.catch_up()
    Site.objects.get(key="courier").delete()
    assert indexed_ids("Tallinn") == []
    assert indexed_ids("exa") == []


@sqlite_only
def test_unchanged_text_does_not_touch_the_index(stored):
    search.catch_up()
    for one in Report.objects.all():
        one.save()  # every column written back as it was
    assert len(indexed_ids("exa")) == len(TEXTS)
    assert found("Tallinn") == sorted([stored[4], stored[6]])


@sqlite_only
def test_the_worker_keeps_the_index(stored):
    assert search.INDEX_JOB in jobs.PERIODIC
    jobs.HANDLERS[search.INDEX_JOB](None)
    assert len(indexed_ids("exa")) == len(TEXTS)


def test_fixture_texts_quote_the_article():
    for exact, *_ in TEXTS:
        assert exact in ARTICLE_TEXT
