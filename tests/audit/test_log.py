"""The site log: each kind of change in words, naming a user, a token or Corrigo, and never edited."""

import pytest
from django.db import IntegrityError, transaction

from corrigo import audit
from corrigo.audit.models import Entry, ReadOnly, Verb
from corrigo.reports import actions
from corrigo.sites.models import ApiToken
from corrigo.sites.services import create_token
from tests.conftest import make_user
from tests.desk.conftest import case, case_about

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "verb,fields,words",
    [
        (Verb.CASE_STATUS, {"case": 12, "before": "open", "after": "not_error"}, "mira marked case 12 as not an error"),
        (Verb.CASE_STATUS, {"case": 12, "before": "fixed", "after": "open"}, "mira reopened case 12"),
        (Verb.CASE_ASSIGN, {"case": 12, "after": "ada"}, "mira assigned case 12 to ada"),
        (Verb.CASE_ASSIGN, {"case": 12, "before": "ada"}, "mira took case 12 back from ada"),
        (Verb.CASE_NOTE, {"case": 12}, "mira added a note to case 12"),
        (
            Verb.CASE_MERGE,
            {"case": 12, "related_case": 7, "subject": "2 reports moved"},
            "mira merged case 12 into case 7 (2 reports moved)",
        ),
        (Verb.CASE_UNMERGE, {"case": 12, "related_case": 7}, "mira unmerged case 12 from case 7"),
        (
            Verb.SITE_SETTING,
            {"subject": "article_selector", "before": "", "after": "article"},
            "mira changed the article selector from nothing to “article”",
        ),
        (Verb.ORIGIN_ADD, {"subject": "https://m.example.org"}, "mira added https://m.example.org to the allowed origins"),
        (Verb.ORIGIN_REMOVE, {"subject": "https://m.example.org"}, "mira removed https://m.example.org from the allowed origins"),
        (Verb.MEMBER_ADD, {"subject": "gus", "after": "editor"}, "mira added gus as editor"),
        (Verb.MEMBER_ADD, {"subject": "gus", "before": "viewer", "after": "admin"}, "mira made gus admin (was viewer)"),
        (
            Verb.MEMBER_ROLE,
            {"subject": "gus", "before": "viewer", "after": "editor"},
            "mira changed gus's role from viewer to editor",
        ),
        (Verb.MEMBER_REMOVE, {"subject": "gus", "before": "editor"}, "mira removed gus from the site (was editor)"),
        (Verb.TOKEN_CREATE, {"subject": "“feed” (crg_abc123…)"}, "mira created the API token “feed” (crg_abc123…)"),
        (Verb.TOKEN_REVOKE, {"subject": "“feed” (crg_abc123…)"}, "mira revoked the API token “feed” (crg_abc123…)"),
    ],
)
def test_each_change_is_said_in_words(site, verb, fields, words):
    mira = make_user("mira", site, "editor")
    line = audit.entry(site, mira, verb, **fields)  # unsaved: cases 12 and 7 need not exist
    assert (line.message, line.actor_name, line.actor, line.verb) == (words, "mira", mira, verb)


def test_a_new_kind_of_change_brings_its_own_words(site):
    line = audit.record(site, None, "notice.publish", subject="correction", message="Corrigo published a correction")
    assert (line.actor_name, line.message, line.kind) == ("Corrigo", "Corrigo published a correction", "notice")


def test_an_api_token_is_named_by_name_and_hint_never_by_secret(site, case):
    secret = create_token(site, "CMS bridge")
    token = ApiToken.objects.get()
    actions.resolve(case, "fixed", by=token)
    line = Entry.objects.get()
    assert line.token == token and line.actor is None
    assert line.actor_name == f"API token “CMS bridge” ({token.hint}…)"
    assert line.message.startswith(f"API token “CMS bridge” ({token.hint}…) marked case {case.pk} as fixed")
    assert secret not in line.message


def test_a_line_is_never_changed_or_deleted(site, case, editor):
    actions.resolve(case, "fixed", by=editor)
    line = Entry.objects.get()
    line.message = "nothing happened"
    with pytest.raises(ReadOnly):
        line.save()
    with pytest.raises(ReadOnly):
        line.delete()
    with pytest.raises(ReadOnly):
        Entry.objects.filter(pk=line.pk).update(message="nothing happened")
    with pytest.raises(ReadOnly):
        Entry.objects.filter(pk=line.pk).update(actor=make_user("someone-else"))
    with pytest.raises(ReadOnly):
        Entry.objects.all().delete()
    assert Entry.objects.get().message == f"eddie marked case {case.pk} as fixed"


def test_a_deleted_user_leaves_the_sentence_and_its_name(site, case, editor):
    actions.resolve(case, "fixed", by=editor)
    editor.delete()
    line = Entry.objects.get()
    assert (line.actor_id, line.actor_name, line.message) == (None, "eddie", f"eddie marked case {case.pk} as fixed")


def test_the_log_goes_with_its_site_only(site, other_site, editor):
    audit.record(site, editor, Verb.ORIGIN_ADD, subject="https://a.example")
    audit.record(other_site, editor, Verb.ORIGIN_ADD, subject="https://b.example")
    other_site.delete()
    assert list(Entry.objects.values_list("subject", flat=True)) == ["https://a.example"]


def test_a_line_is_written_in_the_transaction_of_its_change(site, editor):
    case = case_about("Augest")
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.resolve(case, "fixed", by=editor)
        raise IntegrityError("the change failed after the line was written")
    assert Entry.objects.count() == 0
    case.refresh_from_db()
    assert case.status == "open"


def test_a_bulk_action_writes_one_line_per_case_in_one_batch(site, editor):
    cases = [case_about(w) for w in ("Augest", "islanders", "ferry")]
    batch = audit.new_batch()
    assert actions.resolve_many(cases, "spam", by=editor, batch=batch) == 3
    assert sorted(Entry.objects.filter(batch=batch).values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
