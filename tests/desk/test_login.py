"""Logging in and out, password changes, lockouts after repeated failures, cookie flags."""

import pytest
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a long test password"


def test_login_takes_an_editor_to_the_queue(client, editor):
    response = client.post(reverse("desk:login"), {"username": "eddie", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")
    assert client.get(reverse("desk:queue")).status_code == 200


def test_wrong_password_is_refused(client, editor):
    response = client.post(reverse("desk:login"), {"username": "eddie", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert client.get(reverse("desk:queue")).status_code == 302


def test_repeated_failures_lock_the_account_out(client, editor, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("desk:login"), {"username": "eddie", "password": "guess"})
    # Now even the right password is refused, with the lockout page.
    response = client.post(reverse("desk:login"), {"username": "eddie", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get(reverse("desk:queue")).status_code == 302
    attempt = AccessAttempt.objects.get(username="eddie")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT + 1  # the refused one counts too
    assert attempt.ip_address is None  # no address is kept


def test_lockout_of_one_user_leaves_others_alone(client, editor, site):
    make_user("frida", site, "editor")
    for _ in range(6):
        client.post(reverse("desk:login"), {"username": "eddie", "password": "guess"})
    response = client.post(reverse("desk:login"), {"username": "frida", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_needs_a_post_and_ends_the_session(as_user, editor):
    client = as_user(editor)
    assert client.get(reverse("desk:logout")).status_code == 405
    response = client.post(reverse("desk:logout"))
    assert response.status_code == 302
    assert client.get(reverse("desk:queue")).status_code == 302


def test_password_change(client, editor):
    client.post(reverse("desk:login"), {"username": "eddie", "password": PASSWORD})
    new = "another long pass phrase"
    response = client.post(
        reverse("desk:password-change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:password-changed")
    editor.refresh_from_db()
    assert editor.check_password(new)
    assert client.get(reverse("desk:queue")).status_code == 200  # still logged in


def test_password_change_needs_the_old_password(as_user, editor):
    new = "another long pass phrase"
    response = as_user(editor).post(
        reverse("desk:password-change"), {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_password_fields_allow_pasting(client):
    html = client.get(reverse("desk:login")).content.decode()
    assert "onpaste" not in html and 'autocomplete="off"' not in html


def test_cookies_are_secure_and_http_only_outside_demo(tmp_path):
    import os
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE)"
    env = {k: v for k, v in os.environ.items() if k not in ("CORRIGO_DEBUG", "CORRIGO_DEMO", "CORRIGO_SECURE_COOKIES")}
    env["DJANGO_SETTINGS_MODULE"] = "corrigo.settings"
    env["CORRIGO_DATA"] = str(tmp_path)
    production = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    demo = subprocess.run(
        [sys.executable, "-c", code], env=env | {"CORRIGO_DEMO": "1"}, capture_output=True, text=True, check=True
    ).stdout.split()
    assert production == ["True", "True", "True"]
    assert demo == ["False", "True", "False"]
