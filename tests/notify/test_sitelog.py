"""Notification changes in the site's log: webhooks added, re-keyed, disabled (by a 410 too), removed; mail choices."""

from django.urls import reverse

from corrigo.notify import editors, webhooks
from tests.desk.conftest import admin, case_about
from tests.notify.conftest import run_worker


def lines(site):
    from corrigo.audit.models import Entry

    return list(Entry.objects.filter(site=site).order_by("pk").values_list("verb", "actor_name", "subject", "message"))


def test_every_webhook_change_is_a_line_of_the_site_log_without_its_secret(site, admin, client, receiver):
    client.force_login(admin)
    client.post(reverse("desk:webhook-add", args=[site.key]), {"url": receiver.url, "format": "standard"})
    endpoint = webhooks.WebhookEndpoint.objects.get()
    first_secret = endpoint.secret
    client.post(reverse("desk:webhook-rotate", args=[site.key, endpoint.pk]))
    client.post(reverse("desk:webhook-enable", args=[site.key, endpoint.pk]), {"enabled": "0"})
    client.post(reverse("desk:webhook-enable", args=[site.key, endpoint.pk]), {"enabled": "1"})
    endpoint.refresh_from_db()
    client.post(reverse("desk:webhook-remove", args=[site.key, endpoint.pk]))
    logged = lines(site)
    assert [verb for verb, *_ in logged] == [
        "webhook.add",
        "webhook.rotate",
        "webhook.disable",
        "webhook.enable",
        "webhook.remove",
    ]
    assert all(who == "ada" and subject == receiver.url for _, who, subject, _ in logged)
    assert logged[0][3] == f"ada added the standard webhook {receiver.url} (every event)"
    text = repr(logged)
    assert first_secret not in text and endpoint.secret not in text and "whsec_" not in text


def test_a_410_disabling_an_endpoint_is_logged_as_corrigo(site, receiver):
    _, receiver.secret = webhooks.add_endpoint(site, receiver.url)
    receiver.answers = [(410, {})]
    case_about()
    run_worker()
    verb, who, _, message = lines(site)[-1]
    assert (verb, who) == ("webhook.disable", "Corrigo") and "410 Gone" in message


def test_a_members_mail_choice_is_logged(site, editor):
    editors.set_choice(editor, site, "digest", "uk", by=editor)
    verb, who, subject, message = lines(site)[-1]
    assert (verb, who, subject) == ("member.notifications", "eddie", "eddie")
    assert message == "eddie set their mail about new cases to: a daily digest, in uk"
