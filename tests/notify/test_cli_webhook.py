"""`corrigo webhook add|list|rotate|remove`: the secret printed once, errors in one line, nothing half-made."""

import pytest

from corrigo.notify.models import WebhookEndpoint
from tests.test_cli import run


def test_webhook_add_prints_the_secret_once_and_stores_the_endpoint(site, capsys, receiver):
    code, out, err = run(
        ["webhook", "add", "--site", "courier", "--url", receiver.url, "--events", "case.created,case.resolved"], capsys
    )
    assert code == 0
    endpoint = WebhookEndpoint.objects.get()
    assert out.strip() == endpoint.secret and out.startswith("whsec_")
    assert endpoint.events == ["case.created", "case.resolved"] and endpoint.format == "standard"
    assert "shown this once" in err
    code, out, _ = run(["webhook", "list", "--site", "courier"], capsys)
    assert code == 0 and endpoint.secret not in out and receiver.url in out


def test_webhook_add_takes_events_as_several_words_too(site, capsys, receiver):
    code, _, _ = run(
        ["webhook", "add", "--site", "courier", "--url", receiver.url, "--events", "case.created", "notice.published"], capsys
    )
    assert code == 0 and WebhookEndpoint.objects.get().events == ["case.created", "notice.published"]


def test_a_slack_webhook_has_no_secret_to_print(site, capsys, receiver):
    code, out, err = run(["webhook", "add", "--site", "courier", "--url", receiver.url, "--format", "slack"], capsys)
    assert code == 0 and out == "" and "not signed" in err
    assert WebhookEndpoint.objects.get().secret == ""


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--site", "nowhere", "--url", "https://example.org/hook"], "no site 'nowhere'"),
        (["--site", "courier", "--url", "http://169.254.169.254/latest"], "not a public address"),
        (["--site", "courier", "--url", "file:///etc/passwd"], "may not call"),
        (["--site", "courier", "--url", "https://example.org/hook", "--events", "case.exploded"], "Unknown event type"),
    ],
)
def test_webhook_add_refuses_bad_input_in_one_line(site, capsys, argv, says):
    code, out, err = run(["webhook", "add", *argv], capsys)
    assert code == 2 and out == "" and says in err and len(err.strip().splitlines()) == 1
    assert not WebhookEndpoint.objects.exists()


def test_webhook_rotate_prints_a_new_secret_and_keeps_the_old_one_signing(site, capsys, receiver):
    run(["webhook", "add", "--site", "courier", "--url", receiver.url], capsys)
    endpoint = WebhookEndpoint.objects.get()
    code, out, _ = run(["webhook", "rotate", "--site", "courier", str(endpoint.pk)], capsys)
    assert code == 0
    rotated = WebhookEndpoint.objects.get()
    assert out.strip() == rotated.secret != endpoint.secret and rotated.previous_secret == endpoint.secret


def test_webhook_remove_removes_only_the_sites_own_endpoint(site, other_site, capsys, receiver):
    run(["webhook", "add", "--site", "courier", "--url", receiver.url], capsys)
    endpoint = WebhookEndpoint.objects.get()
    code, _, err = run(["webhook", "remove", "--site", "gazette", str(endpoint.pk)], capsys)
    assert code == 2 and "no webhook" in err and WebhookEndpoint.objects.exists()
    code, _, _ = run(["webhook", "remove", "--site", "courier", str(endpoint.pk)], capsys)
    assert code == 0 and not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("number", ["0", "-1", "x", "99999999999999999999999"])
def test_webhook_numbers_that_are_not_numbers_are_refused(site, capsys, number):
    with pytest.raises(SystemExit) as exit_:
        run(["webhook", "remove", "--site", "courier", number], capsys)
    assert exit_.value.code == 2
