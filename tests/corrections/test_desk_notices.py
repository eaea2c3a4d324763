"""The desk side of notices: "Fixed, with a notice" on the case page, editing and withdrawing, who may."""

import pytest
from django.urls import reverse

from corrigo.audit.models import Entry
from corrigo.corrections.models import CorrectionNotice
from corrigo.reports.models import CaseStatus

pytestmark = pytest.mark.django_db


def fix(client, case, **fields):
    data = {"kind": "correction", "text": "It is August.", **fields}
    return client.post(reverse("desk:fix-with-notice", args=[case.pk]), data)


def test_the_case_page_offers_fixed_with_a_notice_with_a_prefilled_draft(as_user, editor, case):
    html = as_user(editor).get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "Fixed, with a notice" in html
    assert "An earlier version of this article said “Augest”; it now says “August”." in html
    assert f'action="/desk/cases/{case.pk}/fix-with-notice/"' in html


def test_a_viewer_sees_no_notice_form_and_may_not_post_one(as_user, viewer, case):
    client = as_user(viewer)
    assert "Fixed, with a notice" not in client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert fix(client, case).status_code == 403
    assert not CorrectionNotice.objects.exists()


def test_another_sites_editor_gets_a_404(as_user, outsider, case):
    assert fix(as_user(outsider), case).status_code == 404
    assert not CorrectionNotice.objects.exists()


def test_an_editor_fixes_with_a_notice_and_sees_it_on_the_case(as_user, editor, case):
    client = as_user(editor)
    response = fix(client, case, kind="retraction", text="<script>alert(1)</script> We retract.")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FIXED
    html = client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; We retract." in html
    assert "<script>alert(1)" not in html
    assert "Retraction" in html


@pytest.mark.parametrize("fields", [{"text": ""}, {"text": "x" * 5001}, {"kind": "erratum"}, {"text": "\x00"}])
def test_an_invalid_notice_shows_the_form_again_and_changes_nothing(as_user, editor, case, fields):
    response = fix(as_user(editor), case, **fields)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not CorrectionNotice.objects.exists()


def test_editing_and_withdrawing_from_the_desk_are_logged(as_user, editor, notice):
    client = as_user(editor)
    edit = client.post(reverse("desk:notice-edit", args=[notice.pk]), {"kind": "clarification", "text": "Clearer now."})
    assert edit.status_code == 302
    notice.refresh_from_db()
    assert (notice.kind, notice.text) == ("clarification", "Clearer now.")
    assert client.post(reverse("desk:notice-withdraw", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.withdrawn
    assert list(Entry.objects.filter(verb__startswith="notice.").order_by("pk").values_list("verb", flat=True)) == [
        "notice.publish",
        "notice.edit",
        "notice.withdraw",
    ]


def test_a_viewer_or_outsider_may_not_edit_or_withdraw(as_user, viewer, outsider, notice):
    for user, status in ((viewer, 403), (outsider, 404)):
        client = as_user(user)
        assert client.post(reverse("desk:notice-edit", args=[notice.pk]), {"kind": "update", "text": "x"}).status_code == status
        assert client.post(reverse("desk:notice-withdraw", args=[notice.pk])).status_code == status
    notice.refresh_from_db()
    assert not notice.withdrawn and notice.kind == "correction"


def test_the_corrections_policy_is_a_site_setting_in_the_log(as_user, admin, site):
    client = as_user(admin)
    data = {
        "name": site.name,
        "article_selector": "",
        "ignore_selectors": "",
        "default_language": "en",
        "sla_fact_hours": 24,
        "sla_typo_hours": 72,
        "sla_other_hours": "",
        "corrections_policy": "We correct errors promptly.",
    }
    assert client.post(reverse("desk:site-save", args=[site.key]), data).status_code == 302
    site.refresh_from_db()
    assert site.corrections_policy == "We correct errors promptly."
    assert Entry.objects.get(verb="site.setting", subject="corrections_policy").message.startswith(
        "ada changed the corrections policy"
    )
