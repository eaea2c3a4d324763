"""The site log page: every kind of change on a site, in words, searchable, exportable, never editable."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from corrigo import audit
from corrigo.audit.models import Entry, Verb
from corrigo.reports import actions
from corrigo.sites.models import ApiToken
from tests.conftest import make_user
from tests.desk.conftest import case_about

pytestmark = pytest.mark.django_db


def said(client, site, **query):
    page = client.get(reverse("desk:site-log", args=[site.key]), query).context["page"]
    return [line.message for line in page.lines]


def settings_post(client, site, name, data, *args):
    return client.post(reverse(name, args=[site.key, *args]), data)


def test_every_kind_of_change_lands_in_the_site_log_in_words(as_user, admin, editor, site):
    """Case actions, settings, origins, members, roles and tokens: each one line, as an admin would say it."""
    case = case_about("Augest")
    other = case_about("islanders")
    client = as_user(admin)
    client.post(reverse("desk:resolve", args=[case.pk]), {"outcome": "not_error"})
    client.post(reverse("desk:assign", args=[other.pk]), {"assignee": editor.pk})
    client.post(reverse("desk:note", args=[other.pk]), {"text": "asked the reporter"})
    client.post(reverse("desk:merge", args=[other.pk]), {"into": case.pk, "confirmed": "on"})
    client.post(reverse("desk:unmerge", args=[other.pk]))
    settings_post(
        client,
        site,
        "desk:site-save",
        {"name": "The Courier", "article_selector": "article", "default_language": "en", "sla_fact_hours": "12"},
    )
    settings_post(client, site, "desk:site-origins", {"origins": "https://news.example.org\nhttps://m.example.org"})
    settings_post(client, site, "desk:site-origins", {"origins": "https://m.example.org"})
    settings_post(client, site, "desk:member-add", {"username": "gus", "role": "viewer", "password": "a fine long password"})
    gus = User.objects.get(username="gus")
    settings_post(client, site, "desk:member-role", {"role": "editor"}, gus.pk)
    settings_post(client, site, "desk:member-remove", {}, gus.pk)
    settings_post(client, site, "desk:token-new", {"name": "CMS", "scopes": ["read", "triage"]})
    token = ApiToken.objects.get()
    settings_post(client, site, "desk:token-revoke", {}, token.pk)

    lines = list(reversed(said(client, site)))
    hint = f"“CMS” ({token.hint}…)"
    assert lines == [
        f"ada marked case {case.pk} as not an error",
        f"ada assigned case {other.pk} to eddie",
        f"ada added a note to case {other.pk}",
        f"ada merged case {other.pk} into case {case.pk} (1 report moved)",
        f"ada unmerged case {other.pk} from case {case.pk} (1 report back)",
        "ada changed the article selector from nothing to “article”",
        "ada changed the answer time for factual errors from “24” to “12”",
        "ada added https://m.example.org to the allowed origins",
        "ada removed https://news.example.org from the allowed origins",
        "ada added gus as viewer",
        "ada changed gus's role from viewer to editor",
        "ada removed gus from the site (was editor)",
        f"ada created the API token {hint}",
        f"ada revoked the API token {hint}",
    ]
    kinds = list(Entry.objects.order_by("pk").values_list("verb", flat=True))
    assert {kind.split(".")[0] for kind in kinds} == {"case", "site", "origin", "member", "token"}


def test_saving_unchanged_settings_writes_nothing(as_user, admin, site):
    client = as_user(admin)
    data = {
        "name": site.name,
        "article_selector": "",
        "ignore_selectors": "",
        "default_language": "en",
        "sla_fact_hours": "24",
        "sla_typo_hours": "72",
    }
    assert settings_post(client, site, "desk:site-save", data).status_code == 302
    settings_post(client, site, "desk:site-origins", {"origins": "https://news.example.org"})
    settings_post(client, site, "desk:member-role", {"role": "admin"}, admin.pk)
    assert Entry.objects.count() == 0


def test_a_refused_change_writes_nothing(as_user, admin, site):
    client = as_user(admin)
    settings_post(client, site, "desk:site-origins", {"origins": "javascript:alert(1)"})
    settings_post(client, site, "desk:member-role", {"role": "viewer"}, admin.pk)  # the last admin stays
    settings_post(client, site, "desk:site-save", {"name": "", "default_language": "en"})
    assert Entry.objects.count() == 0


def test_search_kind_who_and_days(as_user, admin, editor, site):
    case = case_about("Augest")
    actions.resolve(case, "fixed", by=editor)
    actions.add_note(case, "The reporter was right about the month", by=admin)
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="https://m.example.org")
    client = as_user(admin)
    assert said(client, site, q="M.EXAMPLE") == ["ada added https://m.example.org to the allowed origins"]
    assert said(client, site, q="right about the month") == [f"ada added a note to case {case.pk}"]  # notes' text too
    assert said(client, site, kind="case") == [f"ada added a note to case {case.pk}", f"eddie marked case {case.pk} as fixed"]
    assert said(client, site, kind="origin", actor="ADA") == ["ada added https://m.example.org to the allowed origins"]
    assert said(client, site, actor="eddie") == [f"eddie marked case {case.pk} as fixed"]
    assert len(said(client, site, day_from="2000-01-01", day_to="9999-12-31")) == 3
    assert said(client, site, day_to="2000-01-01") == []


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=%ED%A0%80",
        "q=" + "x" * 5000,
        "kind=nope",
        "kind=%00",
        "actor=" + "y" * 5000,
        "day_from=yesterday",
        "day_to=9999-12-31",
        "day_from=0001-01-01",
        "after=99999999999999999999999",
        "after=-1",
        "after=%00",
    ],
)
def test_hostile_log_queries_get_a_log_page(as_user, admin, site, query):
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="https://m.example.org")
    for name in ("desk:site-log", "desk:site-log-csv"):
        response = as_user(admin).generic("GET", reverse(name, args=[site.key]) + "?" + query)
        assert response.status_code == 200, (name, query)


def test_the_log_pages_by_id_without_skipping_or_repeating(as_user, admin, site, monkeypatch):
    from corrigo.desk import site_log

    monkeypatch.setattr(site_log, "PAGE_SIZE", 4)
    for n in range(10):
        audit.record(site, admin, Verb.ORIGIN_ADD, subject=f"https://{n}.example.org")
    client = as_user(admin)
    seen, after = [], None
    while True:
        page = client.get(reverse("desk:site-log", args=[site.key]), {"after": after} if after else {}).context["page"]
        seen += [line.subject for line in page.lines]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [f"https://{n}.example.org" for n in reversed(range(10))]


def test_every_member_reads_the_log_and_nobody_else(as_user, viewer, outsider, site):
    audit.record(site, viewer, Verb.ORIGIN_ADD, subject="https://m.example.org")
    assert as_user(viewer).get(reverse("desk:site-log", args=[site.key])).status_code == 200
    assert as_user(outsider).get(reverse("desk:site-log", args=[site.key])).status_code == 404
    assert as_user(outsider).get(reverse("desk:site-log-csv", args=[site.key])).status_code == 404


def test_the_log_shows_only_its_sites_lines(as_user, admin, site, other_site):
    audit.record(other_site, admin, Verb.ORIGIN_ADD, subject="https://gazette-secret.example")
    make_user("olga", other_site, "admin")
    assert "gazette-secret" not in as_user(admin).get(reverse("desk:site-log", args=[site.key])).content.decode()


def test_the_log_exports_as_formula_safe_csv(as_user, admin, site):
    case = case_about("Augest")
    actions.add_note(case, '=HYPERLINK("http://evil")', by=admin)
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="https://m.example.org")
    response = as_user(admin).get(reverse("desk:site-log-csv", args=[site.key]), {"kind": "case"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="corrigo-log-courier.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["when", "who", "kind", "change", "case", "in words", "before", "after", "text"]
    assert [row[1:6] for row in rows[1:]] == [["ada", "case", "case.note", str(case.pk), f"ada added a note to case {case.pk}"]]
    assert rows[1][8] == '\'=HYPERLINK("http://evil")'


def test_hostile_names_and_notes_are_shown_as_text(as_user, admin, site):
    case = case_about("Augest")
    actions.add_note(case, "<script>alert(1)</script>\u202eexe", by=admin)
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="<img src=x onerror=alert(1)>")
    html = as_user(admin).get(reverse("desk:site-log", args=[site.key])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]exe" in html


def test_the_log_page_query_count_does_not_grow(as_user, admin, site, django_assert_max_num_queries):
    client = as_user(admin)
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="https://0.example.org")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("desk:site-log", args=[site.key]))
    case = case_about("Augest")
    for n in range(120):
        audit.record(site, admin, Verb.CASE_NOTE, case=case, text=f"note {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("desk:site-log", args=[site.key]))
    assert len(response.context["page"].lines) == 100


def test_one_site_goes_straight_to_its_log_and_metrics(as_user, editor, site, other_site):
    client = as_user(editor)
    assert client.get(reverse("desk:log-pick"))["Location"] == reverse("desk:site-log", args=[site.key])
    assert client.get(reverse("desk:metrics-pick"))["Location"] == reverse("desk:site-metrics", args=[site.key])
    from corrigo.sites.services import change_role

    change_role(other_site, editor, "viewer")
    page = client.get(reverse("desk:log-pick"))
    assert page.status_code == 200
    assert [s.key for s in page.context["sites"]] == ["courier", "gazette"]


def test_on_postgresql_the_log_search_has_trigram_indexes(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_entry' AND indexname LIKE 'log_search_%'")
        assert sorted(row[0] for row in cursor.fetchall()) == ["log_search_message", "log_search_text"]
