"""The hot-path SQL takes its columns from the models (corrigo.sql): nothing a model fills is left out.

A column added to a model is written by intake without touching the SQL: these tests hold
insert(), upsert(), update() and update_each() to what the ORM would store, and check the
statements intake really sends against the models' own column lists.
"""

import contextlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from corrigo import sql
from corrigo.articles.models import Article, ArticleVersion
from corrigo.articles.services import upsert_article
from corrigo.jobs.models import Job
from corrigo.reports.models import Case, ClientSalt, Report
from tests.conftest import ORIGIN, payload

WRITTEN_AT = datetime(2026, 11, 25, 8, 30, 1, 123456, tzinfo=UTC)
LATER = WRITTEN_AT + timedelta(hours=1)


@pytest.fixture
def article(site):
    return Article.objects.create(site=site, identity="a" * 64, url="https://news.example.org/a")


def stored_values(model, pk) -> dict:
    row = model.objects.get(pk=pk)
    return {name: getattr(row, name) for name in sql.columns(model).fields}


def test_insert_fills_every_column_it_is_not_given_as_the_model_would(site, article):
    (case_id,) = sql.insert(Case, {"site_id": site.pk, "article_id": article.pk}, now=WRITTEN_AT, returning=("id",))
    by_the_orm = Case(site_id=site.pk, article_id=article.pk)
    expected = {name: getattr(by_the_orm, name) for name in sql.columns(Case).fields}
    expected.update(created_at=WRITTEN_AT, updated_at=WRITTEN_AT)
    assert stored_values(Case, case_id) == expected


def test_insert_calls_a_callable_default_for_every_row(site, article):
    case = Case.objects.create(site=site, article=article)
    base = {"site_id": site.pk, "case_id": case.pk, "article_id": article.pk, "url": "https://news.example.org/a"}
    uids = {sql.insert(Report, dict(base, client_report_id=f"row-{n:04d}"), returning=("uid",))[0] for n in range(3)}
    assert len(uids) == 3
    assert set(Report.objects.values_list("uid", flat=True)) == uids
    assert all(len(uid) == 16 for uid in uids)  # secrets.token_urlsafe(12), as the model's default makes them


def test_a_given_value_wins_over_the_default(site, article):
    (case_id,) = sql.insert(Case, {"site_id": site.pk, "article_id": article.pk, "status": "fixed"}, returning=("id",))
    assert Case.objects.get(pk=case_id).status == "fixed"


@pytest.mark.parametrize(
    "extra,refusal",
    [({"readers": 1}, "has no column"), ({"site": 1}, "has no column"), ({"id": 99}, "the database's to set")],
    ids=["not-a-column", "field-name-not-attname", "primary-key"],
)
def test_insert_refuses_a_key_that_is_not_a_column_it_writes(site, article, extra, refusal):
    with pytest.raises(TypeError, match=refusal):
        sql.insert(Case, {"site_id": site.pk, "article_id": article.pk, **extra})
    assert Case.objects.count() == 0


def test_insert_refuses_to_leave_out_a_column_the_model_cannot_fill(article):
    with pytest.raises(TypeError, match="needs a value for text"):
        sql.insert(ArticleVersion, {"article_id": article.pk, "text_hash": "0" * 64})
    assert ArticleVersion.objects.count() == 0


@pytest.mark.parametrize("column", ["created_at", "updated_at"])
def test_auto_now_columns_come_from_now_not_from_the_values(site, article, column):
    with pytest.raises(TypeError, match="pass now="):
        sql.insert(Case, {"site_id": site.pk, "article_id": article.pk, column: WRITTEN_AT})
    assert Case.objects.count() == 0


def test_update_moves_auto_now_as_save_does(site, article):
    (case_id,) = sql.insert(Case, {"site_id": site.pk, "article_id": article.pk}, now=WRITTEN_AT, returning=("id",))
    sql.update(Case, case_id, {"report_count": 5}, now=LATER)
    case = Case.objects.get(pk=case_id)
    assert (case.report_count, case.created_at, case.updated_at) == (5, WRITTEN_AT, LATER)


def test_update_refuses_a_key_that_is_not_a_column(site, article):
    case = Case.objects.create(site=site, article=article)
    with pytest.raises(TypeError, match="has no column"):
        sql.update(Case, case.pk, {"report_count": 5, "readers": 2})
    assert Case.objects.get(pk=case.pk).report_count == 0


def test_update_each_sets_the_same_columns_on_every_row(site, article):
    first, second = (Case.objects.create(site=site, article=article) for _ in range(2))
    sql.update_each(Case, [(first.pk, {"report_count": 2}), (second.pk, {"report_count": 3})], now=LATER)
    assert list(Case.objects.order_by("pk").values_list("report_count", "updated_at")) == [(2, LATER), (3, LATER)]
    with pytest.raises(TypeError, match="same columns"):
        sql.update_each(Case, [(first.pk, {"report_count": 4}), (second.pk, {"priority": 4})])


def test_an_upsert_keeps_created_at_and_moves_updated_at(site):
    page = {"url": "https://news.example.org/a", "canonical_url": "", "external_id": ""}
    first = upsert_article(site.pk, title="Ferry vote", now=WRITTEN_AT, **page)
    again = upsert_article(site.pk, title="", now=LATER, **page)
    assert again == first
    article = Article.objects.get(pk=first[0])
    assert (article.created_at, article.updated_at, article.title) == (WRITTEN_AT, LATER, "Ferry vote")


# ---- what intake really sends -------------------------------------------------

INSERT = re.compile(r'INSERT INTO "?(\w+)"? \(([^)]*)\)')
UPDATE = re.compile(r'UPDATE "?(\w+)"? SET (.*?) WHERE', re.DOTALL)
# Intake writes these, the outbox's job (case.created, case.updated) among them, and the
# day's salt of client hashes on the first report of the day.
MODELS = {model._meta.db_table: model for model in (Article, ArticleVersion, Case, Report, Job, ClientSalt)}


def post(client, body):
    response = client.post("/api/v1/reports", json.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201, response.content
    return response


def statements_of_intake(client) -> list[str]:
    """The SQL of three reports that take every write path of intake."""
    text = "The ferry runs from Augest to March, and 340 islanders use it."
    with CaptureQueriesContext(connection) as queries:
        post(client, payload("Augest", text=text))  # a new article, text and case
        post(client, payload("340 islanders", text=text.replace("Augest", "August")))  # a new text: re-anchoring
        post(client, payload("Augest to", text=text))  # joins the first case
    return [query["sql"] for query in queries.captured_queries]


def test_every_intake_insert_writes_every_column_of_its_model(client, site):
    inserted = {}
    for statement in statements_of_intake(client):
        if match := INSERT.search(statement):
            inserted.setdefault(match[1], set()).add(tuple(c.strip().strip('"') for c in match[2].split(",")))
    assert set(inserted) == set(MODELS)
    for table, column_lists in inserted.items():
        model = MODELS[table]
        every_column = tuple(f.column for f in model._meta.concrete_fields if not f.primary_key)
        assert column_lists == {every_column}, table


def test_every_intake_update_moves_updated_at(client, site):
    updates = [match.groups() for statement in statements_of_intake(client) if (match := UPDATE.search(statement))]
    assert {table for table, _ in updates} == {Article._meta.db_table, Case._meta.db_table}
    assert all("updated_at" in assignments for _, assignments in updates)


# ---- how statements reach the driver ---------------------------------------------


def test_statements_go_past_django_cursors_but_keep_its_errors(site):
    """Unwatched, a statement goes to the driver; a broken constraint is still Django's IntegrityError."""
    values = {"site_id": site.pk, "identity": "b" * 64, "url": "https://news.example.org/b"}
    sql.insert(Article, values, now=WRITTEN_AT)
    assert not connection.queries_logged and not connection.execute_wrappers
    with contextlib.closing(sql._run("SELECT 1", ())) as cursor:
        assert not isinstance(cursor, CursorWrapper)  # the driver's own cursor
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert(Article, values, now=WRITTEN_AT)
    # Watched (the test tools, DEBUG), the same statement goes through Django's cursor and is seen.
    with CaptureQueriesContext(connection) as seen:
        assert sql.fetchone(f"SELECT count(*) FROM {Article._meta.db_table} WHERE identity = %s", ["b" * 64]) == (1,)
        with contextlib.closing(sql._run("SELECT 1", ())) as cursor:
            assert isinstance(cursor, CursorWrapper)
    assert len(seen.captured_queries) == 2
