"""Correction notices: published with the fix in one step, edited with history, withdrawn on the record."""

import pytest
from django.db import IntegrityError, transaction

from corrigo.audit.models import Entry
from corrigo.corrections import services
from corrigo.corrections.models import CorrectionNotice
from corrigo.jobs.models import Job
from corrigo.notify.models import Event
from corrigo.reports import actions
from corrigo.reports.models import Case, CaseStatus
from tests.desk.conftest import case_about, report
from tests.notify.conftest import run_worker, smtp


def test_fixed_with_a_notice_closes_the_case_and_publishes_in_one_step(case, editor):
    notice = services.fix_with_notice(case, kind="correction", text="  It is August.\n", by=editor, minor=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.FIXED
    assert (notice.kind, notice.text, notice.minor, notice.language) == ("correction", "It is August.", True, "en")
    assert list(notice.cases.all()) == [case]
    assert (notice.article_id, notice.author, notice.author_name) == (case.article_id, editor, "eddie")
    verbs = list(Entry.objects.filter(case=case).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["case.status", "notice.publish"]
    assert "eddie published a correction (minor) on case" in Entry.objects.get(verb="notice.publish").message


def test_notice_published_is_emitted_in_the_same_transaction(case, editor):
    notice = services.fix_with_notice(case, kind="retraction", text="We retract this article.", by=editor)
    payloads = [job.payload for job in Job.objects.order_by("pk")]
    assert {"type": "notice.published", "notice_id": notice.pk} in [
        {k: v for k, v in p.items() if k in ("type", "notice_id")} for p in payloads
    ]
    run_worker()
    event = Event.objects.get(type="notice.published")
    assert event.data["notice"]["id"] == notice.pk
    assert event.data["notice"]["kind"] == "retraction"
    assert event.data["notice"]["url"].endswith(f"/corrections/courier/#notice-{notice.pk}")
    assert event.data["notice"]["case_ids"] == [case.pk]


def test_a_failed_publish_leaves_the_case_open_and_no_event(case, editor, monkeypatch):
    jobs_before = Job.objects.count()
    with pytest.raises(services.InvalidNotice):
        services.fix_with_notice(case, kind="correction", text=" \n\t ", by=editor)
    with pytest.raises(services.InvalidNotice):
        services.fix_with_notice(case, kind="erratum", text="Text", by=editor)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert Job.objects.count() == jobs_before
    assert not CorrectionNotice.objects.exists()


def test_the_database_refusing_the_notice_rolls_the_fix_back(case, editor):
    """Failure injection: the notice's INSERT fails after the case was resolved; both are undone."""
    from django.db import connection

    table = CorrectionNotice._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END")
        else:
            cursor.execute(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()")
    with pytest.raises(IntegrityError if connection.vendor == "sqlite" else Exception), transaction.atomic():
        services.fix_with_notice(case, kind="correction", text="It is August.", by=editor)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not Entry.objects.filter(case=case).exists()
    assert not Job.objects.filter(payload__type="case.resolved").exists()


def test_a_merged_case_gets_no_notice(site, editor):
    first, second = case_about("Augest"), case_about("islanders")
    actions.merge(second, first, by=editor)
    with pytest.raises(actions.ActionError):
        services.fix_with_notice(Case.objects.get(pk=second.pk), kind="correction", text="x", by=editor)
    assert not CorrectionNotice.objects.exists()


def test_the_draft_says_what_was_wrong_and_what_is_right_in_the_sites_language(site, case):
    assert services.draft(case) == "An earlier version of this article said “Augest”; it now says “August”."
    site.default_language = "uk"
    site.save()
    case.refresh_from_db()
    assert services.draft(case) == "У попередній версії цієї статті було написано «Augest»; правильно — «August»."
    site.default_language = "ru-RU"
    site.save()
    case.refresh_from_db()
    assert services.draft(case).startswith("В предыдущей версии этой статьи было написано «Augest»")


def test_a_draft_without_a_suggestion_or_quote_still_reads(site):
    quoted = report(exact="islanders", suggestion="").case
    general = report(quote=None, article_text=None, comment="The ferry runs all year.").case
    assert services.draft(quoted) == "An earlier version of this article said “islanders”. This has been corrected."
    assert services.draft(general) == "An earlier version of this article contained an error. This has been corrected."


def test_an_edit_keeps_what_the_notice_said_before_in_the_log(notice, editor):
    assert services.edit(notice, by=editor, text="It is August, not Augest.", kind="clarification") is True
    notice.refresh_from_db()
    assert (notice.kind, notice.text) == ("clarification", "It is August, not Augest.")
    assert notice.updated_at > notice.published_at
    line = Entry.objects.get(verb="notice.edit")
    assert line.before == "An earlier version said “Augest”; it is August."
    assert line.after == "It is August, not Augest."
    assert line.data["before"]["kind"] == "correction"
    assert services.edit(notice, by=editor, text="It is August, not Augest.") is False
    assert Entry.objects.filter(verb="notice.edit").count() == 1


def test_a_withdrawn_notice_is_logged_and_can_be_neither_edited_nor_withdrawn_again(notice, editor):
    services.withdraw(notice, by=editor)
    notice.refresh_from_db()
    assert notice.withdrawn
    assert not CorrectionNotice.objects.live().exists()
    assert Entry.objects.get(verb="notice.withdraw").message == f"eddie withdrew notice {notice.pk}"
    with pytest.raises(actions.ActionError):
        services.withdraw(notice, by=editor)
    with pytest.raises(actions.ActionError):
        services.edit(notice, by=editor, text="again")


@pytest.mark.parametrize("text", ["\x00", "a" * 5001, "\ud800", "\u202e\u202e"])
def test_hostile_notice_text_is_refused(case, editor, text):
    with pytest.raises(services.InvalidNotice):
        services.fix_with_notice(case, kind="correction", text=text, by=editor)


def test_control_and_bidi_characters_are_taken_out_of_the_text(case, editor):
    notice = services.fix_with_notice(case, kind="correction", text="It is \u202eAugust\x07.", by=editor)
    assert notice.text == "It is August."


def test_the_readers_thank_you_carries_the_notice(site, case, editor, smtp):
    from corrigo.reports.models import Report

    Report.objects.filter(case=case).update(email="ann@readers.example")
    notice = services.fix_with_notice(case, kind="correction", text="It says August now.", by=editor)
    run_worker()
    [message] = smtp.messages
    text = message.get_body(("plain",)).get_content()
    assert "It says August now." in text
    assert f"/corrections/courier/#notice-{notice.pk}" in text


def test_a_token_publishing_is_named_in_the_log(case, site):
    from corrigo.sites.models import ApiToken
    from corrigo.sites.services import create_token

    create_token(site, "cms bot", scopes=["triage"])
    token = ApiToken.objects.get()
    notice = services.fix_with_notice(case, kind="update", text="Updated.", by=token)
    assert notice.author is None
    assert notice.author_name.startswith("API token “cms bot”")
    assert Entry.objects.get(verb="notice.publish").token == token


def test_a_notice_answers_only_cases_of_its_own_article(site, editor):
    case = case_about("Augest")
    elsewhere = report(url="https://news.example.org/2026/other").case
    assert case.article_id != elsewhere.article_id
    with pytest.raises(services.InvalidNotice):
        services.publish(case.article, kind="correction", text="x", by=editor, cases=[case, elsewhere])
