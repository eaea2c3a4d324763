"""The desk's notification pages: who may see them, what they change, and hostile input on every form."""

import pytest
from django.db import transaction
from django.urls import reverse

from corrigo.jobs.models import Job, JobStatus
from corrigo.notify import editors, webhooks
from corrigo.notify.models import EmailChoice, MemberNotification, WebhookEndpoint
from tests.desk.conftest import admin, case_about, viewer
from tests.notify.conftest import run_worker

NUL = "nul\x00here"


def test_a_member_sets_their_address_and_per_site_choice(site, other_site, editor, client):
    from corrigo.sites.services import add_member

    add_member(other_site, editor.username, "viewer")
    client.force_login(editor)
    page = client.get(reverse("desk:notifications"))
    assert page.status_code == 200 and "The Courier" in page.content.decode() and "The Gazette" in page.content.decode()
    answer = client.post(
        reverse("desk:notifications"),
        {
            "email": "eddie@news.example.org",
            f"site-{site.pk}-email": "digest",
            f"site-{site.pk}-language": "uk",
            f"site-{other_site.pk}-email": "instant",
            f"site-{other_site.pk}-language": "",
        },
    )
    assert answer.status_code == 302
    editor.refresh_from_db()
    assert editor.email == "eddie@news.example.org"
    assert editors.choice_of(editor, site) == (EmailChoice.DIGEST, "uk")
    assert editors.choice_of(editor, other_site) == (EmailChoice.INSTANT, "")


@pytest.mark.parametrize(
    "form",
    [
        {"email": "not an address"},
        {"email": "a@b.example\r\nBcc: x@evil.example"},
        {"email": "x" * 300 + "@example.org"},
        {"email": "ok@example.org", "site-{pk}-email": "always"},
        {"email": "ok@example.org", "site-{pk}-email": "instant", "site-{pk}-language": "de"},
        {"email": "ok@example.org", "site-{pk}-email": "\x00"},
    ],
)
def test_a_bad_notification_form_is_a_400_and_changes_nothing(site, editor, client, form):
    client.force_login(editor)
    data = {"site-{pk}-email": "none", **form}
    data = {key.format(pk=site.pk): value for key, value in data.items()}
    answer = client.post(reverse("desk:notifications"), data)
    assert answer.status_code == 400
    editor.refresh_from_db()
    assert editor.email == "" and not MemberNotification.objects.exists()


def test_only_the_sites_admins_reach_its_webhooks_dead_letters_and_mailbox(site, editor, viewer, admin, client):
    for name in ("desk:webhooks", "desk:dead-letters", "desk:mailbox"):
        client.force_login(admin)
        assert client.get(reverse(name, args=[site.key])).status_code == 200
        for user in (editor, viewer):
            client.force_login(user)
            assert client.get(reverse(name, args=[site.key])).status_code == 403
        client.logout()
        assert client.get(reverse(name, args=[site.key])).status_code == 302


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(site, admin, client, receiver):
    client.force_login(admin)
    answer = client.post(
        reverse("desk:webhook-add", args=[site.key]), {"url": receiver.url, "format": "standard", "events": ["case.created"]}
    )
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in answer.content.decode() and endpoint.events == ["case.created"]
    assert endpoint.secret not in client.get(reverse("desk:webhooks", args=[site.key])).content.decode()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "http://127.0.0.2/hook", "https://10.1.2.3/", "http://[fe80::1]/", "x" * 3000, "http://a b/", NUL],
)
def test_a_webhook_the_rules_refuse_is_a_400_with_the_reason(site, admin, client, url):
    client.force_login(admin)
    answer = client.post(reverse("desk:webhook-add", args=[site.key]), {"url": url, "format": "standard"})
    assert answer.status_code == 400 and "errorlist" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("field", [{"format": "xml"}, {"events": ["case.exploded"]}, {"format": ""}])
def test_a_webhook_form_with_unknown_choices_is_a_400(site, admin, client, receiver, field):
    client.force_login(admin)
    answer = client.post(reverse("desk:webhook-add", args=[site.key]), {"url": receiver.url, "format": "standard", **field})
    assert answer.status_code == 400 and not WebhookEndpoint.objects.exists()


def test_an_admin_rotates_disables_enables_and_removes_an_endpoint(site, admin, client, receiver):
    endpoint, secret = webhooks.add_endpoint(site, receiver.url)
    client.force_login(admin)
    rotated = client.post(reverse("desk:webhook-rotate", args=[site.key, endpoint.pk]))
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode() and endpoint.previous_secret == secret
    client.post(reverse("desk:webhook-enable", args=[site.key, endpoint.pk]), {"enabled": "0"})
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    client.post(reverse("desk:webhook-enable", args=[site.key, endpoint.pk]), {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    client.post(reverse("desk:webhook-remove", args=[site.key, endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


def test_another_sites_endpoint_is_a_404(site, other_site, admin, client, receiver):
    endpoint, _ = webhooks.add_endpoint(other_site, receiver.url)
    client.force_login(admin)
    for name in ("desk:webhook-rotate", "desk:webhook-remove", "desk:webhook-enable"):
        assert client.post(reverse(name, args=[site.key, endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(secret=endpoint.secret).exists()


def test_dead_letters_are_listed_and_sent_again_by_an_admin(site, admin, client, receiver):
    endpoint, receiver.secret = webhooks.add_endpoint(site, receiver.url)
    receiver.answers = [(410, {})]
    case_about()
    run_worker()
    job = Job.objects.get(kind=webhooks.WEBHOOK_JOB, status=JobStatus.DEAD)
    client.force_login(admin)
    page = client.get(reverse("desk:dead-letters", args=[site.key])).content.decode()
    assert f'data-job="{job.pk}"' in page and "A new case to " in page and "410" in page
    webhooks.set_enabled(endpoint, True)
    answer = client.post(reverse("desk:send-again", args=[site.key, job.pk]))
    assert answer.status_code == 302
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and len(receiver.verified) == 2
    assert receiver.verified[0][0] == receiver.verified[1][0]


def test_another_sites_dead_letter_cannot_be_sent_again(site, other_site, admin, client):
    from corrigo.jobs import queue

    with transaction.atomic():
        queue.enqueue("nobody.handles", site_id=other_site.pk)
    run_worker()
    job = Job.objects.get(kind="nobody.handles")
    client.force_login(admin)
    assert client.post(reverse("desk:send-again", args=[site.key, job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.DEAD
