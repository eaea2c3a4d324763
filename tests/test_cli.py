"""The `corrigo` command (docs/operations.md): each subcommand, its errors, and real servers."""

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from corrigo.cli import main
from corrigo.sites.models import AllowedOrigin, ApiToken, Membership, Site


def run(argv, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_createsite_creates_a_site_with_its_origins(db, capsys):
    code, out, _ = run(
        [
            "createsite",
            "courier",
            "--name",
            "The Courier",
            "--origin",
            "https://WWW.Courier.example/",
            "--origin",
            "http://localhost:3000",
        ],
        capsys,
    )
    assert code == 0
    site = Site.objects.get(key="courier")
    assert site.name == "The Courier"
    assert sorted(site.origins) == ["http://localhost:3000", "https://www.courier.example"]
    assert "courier" in out


def test_createsite_refuses_a_duplicate_key(db, capsys):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createsite", "courier"], capsys)
    assert code == 2
    assert "already exists" in err
    assert Site.objects.count() == 1


@pytest.mark.parametrize("origin", ["ftp://x.example", "not an origin", "null", "https://" + "a" * 400 + ".example"])
def test_createsite_refuses_a_bad_origin(db, capsys, origin):
    code, _, err = run(["createsite", "courier", "--origin", origin], capsys)
    assert code == 2
    assert "origin" in err
    assert not Site.objects.exists()


def test_createsite_needs_a_key(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["createsite"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("key,field", [("bad key", "key"), ("k" * 65, "key"), ("<script>", "key")])
def test_createsite_refuses_a_bad_key(db, capsys, key, field):
    code, _, err = run(["createsite", key], capsys)
    assert code == 2
    assert f"{field}:" in err
    assert not Site.objects.exists()


def test_createsite_refuses_an_overlong_name(db, capsys):
    code, _, err = run(["createsite", "courier", "--name", "n" * 201], capsys)
    assert code == 2 and "name:" in err
    assert not Site.objects.exists()


def test_createuser_reads_the_password_from_stdin(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, _out, _ = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert code == 0
    user = User.objects.get(username="mira")
    assert user.check_password("a long enough passphrase")
    assert Membership.objects.get(user=user).role == "editor"


def test_createuser_refuses_a_weak_password(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, _, err = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys, "123\n", monkeypatch
    )
    assert code == 2
    assert "too short" in err
    assert not User.objects.exists()


def test_createuser_refuses_an_unknown_site(db, capsys, monkeypatch):
    code, _, err = run(
        ["createuser", "mira", "--site", "nowhere", "--role", "admin", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert code == 2
    assert "no site" in err


def test_createuser_refuses_an_unknown_role(db, capsys):
    with pytest.raises(SystemExit):
        main(["createuser", "mira", "--site", "courier", "--role", "owner"])


def test_createuser_gives_an_existing_user_a_role_without_asking_for_a_password(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("mira", password="the first password")
    code, out, err = run(
        ["createuser", "mira", "--site", "courier", "--role", "viewer", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert (code, out, err) == (0, "User 'mira' exists: now viewer on 'courier'; password unchanged.\n", "")
    assert sys.stdin.read() == "a long enough passphrase\n"  # never read
    assert User.objects.get().check_password("the first password")
    assert list(Membership.objects.values_list("user__username", "site__key", "role")) == [("mira", "courier", "viewer")]


def test_createuser_finds_an_existing_user_by_another_unicode_form_of_the_name(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("mira", password="the first password")
    code, out, _ = run(
        ["createuser", "ｍｉｒａ", "--site", "courier", "--role", "admin", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert (code, out) == (0, "User 'mira' exists: now admin on 'courier'; password unchanged.\n")
    assert User.objects.get().check_password("the first password")
    assert list(Membership.objects.values_list("user__username", "role")) == [("mira", "admin")]


def test_createuser_refuses_a_bad_user_name(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, _, _err = run(
        ["createuser", "<script>", "--site", "courier", "--role", "viewer", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert code == 2
    assert not User.objects.exists()


def test_createtoken_prints_a_working_token_once(db, client, capsys):
    run(["createsite", "courier"], capsys)
    code, out, err = run(["createtoken", "--site", "courier"], capsys)
    assert code == 0
    token = out.strip()
    assert token.startswith("crg_")
    assert "only its hash" in err
    assert ApiToken.objects.get().digest != token
    response = client.get("/api/v1/reports", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_createtoken_gives_the_scopes_asked_for(db, capsys):
    run(["createsite", "courier"], capsys)
    code, out, _ = run(["createtoken", "--site", "courier", "--scope", "publish,triage"], capsys)
    assert code == 0
    token = ApiToken.objects.get()
    assert token.scope_list == ["publish", "triage"] and token.hint == out.strip()[:10]


def test_createtoken_refuses_an_unknown_scope_in_one_line(db, capsys):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createtoken", "--site", "courier", "--scope", "read,everything"], capsys)
    assert code == 2
    assert err == "corrigo createtoken: error: 'everything' is not a scope: use read, publish, triage\n"
    assert not ApiToken.objects.exists()


def test_createtoken_refuses_an_overlong_name(db, capsys):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createtoken", "--site", "courier", "--name", "n" * 101], capsys)
    assert code == 2 and "too long" in err
    assert not ApiToken.objects.exists()


def test_createtoken_refuses_an_unknown_site(db, capsys):
    code, _, err = run(["createtoken", "--site", "nowhere"], capsys)
    assert code == 2 and "no site" in err


def one_line_error(code, err, command):
    """Our own errors: a non-zero exit and exactly one line on stderr, never a traceback."""
    assert code != 0
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"corrigo {command}: error: "), err
    return err


def usage_error(exit_info, err, command):
    """argparse's errors: exit 2, its usage, then one line saying what is wrong."""
    assert exit_info.value.code == 2
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    # argparse names the subcommand, except for arguments no parser took
    assert last.startswith((f"corrigo {command}: error: ", "corrigo: error: unrecognized arguments")), last
    return last.split(": error: ", 1)[1]


def stdin_bytes(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    "origin,reason",
    [
        ("https://editor:secret@news.example.org", "it carries a user name or password"),
        ("javascript:alert(1)", "URL must start with http:// or https://"),
        ("file:///etc/passwd", "URL must start with http:// or https://"),
        ("https://news.example.org\\evil", "the host is not a valid host name"),
        ("https://<script>.example", "the host is not a valid host name"),
        ("https://news.example.org:0", "port 0 is not a port a page can be served from"),
        ("https://news.example.org..", "the host is not a valid host name"),
    ],
)
def test_createsite_says_why_an_origin_is_refused(db, capsys, origin, reason):
    code, _, err = run(["createsite", "courier", "--origin", "https://ok.example", "--origin", origin], capsys)
    assert (
        one_line_error(code, err, "createsite") == f"corrigo createsite: error: {origin!r} is not an http(s) origin: {reason}\n"
    )
    assert not Site.objects.exists() and not AllowedOrigin.objects.exists()


def test_createsite_stores_each_origin_once_in_the_form_browsers_send(db, capsys):
    code, out, _ = run(
        [
            "createsite",
            "courier",
            "--origin",
            "https://bücher.example",
            "--origin",
            "https://xn--bcher-kva.example:443/",
            "--origin",
            "https://BÜCHER.example.",
        ],
        capsys,
    )
    assert code == 0
    assert out == "Created site 'courier' allowing https://xn--bcher-kva.example.\n"
    assert list(AllowedOrigin.objects.values_list("origin", flat=True)) == ["https://xn--bcher-kva.example"]


def test_createsite_with_a_taken_key_leaves_the_first_site_as_it_was(db, capsys):
    run(["createsite", "courier", "--name", "The Courier", "--origin", "https://news.example.org"], capsys)
    code, _, err = run(["createsite", "courier", "--name", "Impostor", "--origin", "https://evil.example"], capsys)
    assert one_line_error(code, err, "createsite") == "corrigo createsite: error: key: Site with this Key already exists.\n"
    site = Site.objects.get()
    assert (site.name, site.origins) == ("The Courier", ["https://news.example.org"])


@pytest.mark.parametrize(
    "argv",
    [
        ["createsite", "\udcff"],
        ["createsite", "courier", "--name", "Caf\udce9"],
        ["createsite", "courier", "--origin", "https://caf\udce9.example"],
        ["createtoken", "--site", "\udcff"],
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--email", "m\udce9@example.org", "--password-stdin"],
    ],
)
def test_an_argument_that_is_not_utf8_is_refused(db, capsys, argv):
    # The shell hands Python undecodable bytes as lone surrogates, which no database stores.
    code, _, err = run(argv, capsys)
    assert one_line_error(code, err, argv[0]).endswith("is not UTF-8 text\n")
    assert not Site.objects.exists() and not User.objects.exists() and not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "argv,missing",
    [
        (["createsite"], "the following arguments are required: key"),
        (["createsite", "courier", "--origin"], "argument --origin: expected one argument"),
        (["createuser", "mira", "--role", "editor"], "the following arguments are required: --site"),
        (["createuser", "mira", "--site", "courier"], "the following arguments are required: --role"),
        (["createuser", "--site", "courier", "--role", "editor"], "the following arguments are required: name"),
        (["createtoken"], "the following arguments are required: --site"),
        (["createtoken", "--site"], "argument --site: expected one argument"),
        (["migrate", "now"], "unrecognized arguments: now"),
    ],
)
def test_a_missing_argument_is_named(db, capsys, argv, missing):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert usage_error(exit_info, capsys.readouterr().err, argv[0]) == missing
    assert not Site.objects.exists() and not User.objects.exists()


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


@pytest.mark.parametrize("role", ["owner", "Admin", "", "admin "])
def test_createuser_names_the_roles_it_knows(db, capsys, role):
    with pytest.raises(SystemExit) as exit_info:
        main(["createuser", "mira", "--site", "courier", "--role", role, "--password-stdin"])
    message = usage_error(exit_info, capsys.readouterr().err, "createuser")
    assert message.startswith(f"argument --role: invalid choice: {role!r} (choose from ")
    assert all(known in message for known in ("admin", "editor", "viewer"))
    assert not User.objects.exists()


@pytest.mark.parametrize("key", ["nowhere", "bad key", "<script>", "x" * 1000, ""])
def test_createuser_for_a_site_that_does_not_exist_stores_nothing(db, capsys, monkeypatch, key):
    run(["createsite", "courier"], capsys)
    code, _, err = run(
        ["createuser", "mira", "--site", key, "--role", "admin", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert one_line_error(code, err, "createuser") == f"corrigo createuser: error: there is no site {key!r}\n"
    assert not User.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize(
    "stdin,message",
    [
        ("\n", "the password is empty"),
        ("", "the password is empty"),
        ("\r\n", "the password is empty"),
        ("p" * 4097 + "\n", "the password is longer than 4096 characters"),
        ("p" * 1_000_000, "the password is longer than 4096 characters"),
    ],
)
def test_createuser_refuses_an_empty_or_over_long_password(db, capsys, monkeypatch, stdin, message):
    run(["createsite", "courier"], capsys)
    code, _, err = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys, stdin, monkeypatch
    )
    assert one_line_error(code, err, "createuser") == f"corrigo createuser: error: {message}\n"
    assert not User.objects.exists() and not Membership.objects.exists()


def test_createuser_takes_a_password_of_the_longest_allowed_length(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    password = "a long enough passphrase " * 163 + "x" * 21  # 4096 characters
    code, _, _ = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys, password + "\n", monkeypatch
    )
    assert code == 0 and User.objects.get().check_password(password)


def test_createuser_keeps_the_spaces_in_a_password(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"],
        capsys,
        "  spaced out passphrase  \r\nsecond line\n",
        monkeypatch,
    )
    assert User.objects.get().check_password("  spaced out passphrase  ")


def test_createuser_refuses_a_password_that_is_not_utf8(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    stdin_bytes(monkeypatch, b"caf\xe9 au lait, long enough\n")
    code, _, err = run(["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys)
    assert one_line_error(code, err, "createuser") == "corrigo createuser: error: the password is not UTF-8 text\n"
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "email", ["not-an-address", "mira@", "m" * 300 + "@example.org", "mira@example.org\n", "<script>@example.org", "a\x00@b.org"]
)
def test_createuser_refuses_a_bad_email_before_asking_for_a_password(db, capsys, monkeypatch, email):
    run(["createsite", "courier"], capsys)
    code, _, err = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--email", email, "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert one_line_error(code, err, "createuser")
    assert sys.stdin.read() == "a long enough passphrase\n"  # not read: nobody types a password for nothing
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["<script>", "a b", "", "x" * 151, "mira\n"])
def test_createuser_refuses_a_bad_name_before_asking_for_a_password(db, capsys, monkeypatch, name):
    run(["createsite", "courier"], capsys)
    code, _, err = run(
        ["createuser", name, "--site", "courier", "--role", "editor", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert one_line_error(code, err, "createuser")
    assert sys.stdin.read() == "a long enough passphrase\n"
    assert not User.objects.exists()


def test_createuser_gives_an_existing_user_a_role_on_another_site(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    run(["createsite", "gazette"], capsys)
    run(
        ["createuser", "mira", "--site", "courier", "--role", "viewer", "--password-stdin"],
        capsys,
        "the first passphrase\n",
        monkeypatch,
    )
    code, out, err = run(["createuser", "mira", "--site", "gazette", "--role", "admin"], capsys)
    assert (code, out, err) == (0, "User 'mira' exists: now admin on 'gazette'; password unchanged.\n", "")
    assert User.objects.get().check_password("the first passphrase")
    assert sorted(Membership.objects.values_list("site__key", "role")) == [("courier", "viewer"), ("gazette", "admin")]


def test_createuser_changes_the_role_an_existing_member_has(db, capsys):
    run(["createsite", "courier"], capsys)
    mira = User.objects.create_user("mira")
    User.objects.create_user("ada")
    run(["createuser", "ada", "--site", "courier", "--role", "admin"], capsys)
    run(["createuser", "mira", "--site", "courier", "--role", "admin"], capsys)
    code, out, _ = run(["createuser", "mira", "--site", "courier", "--role", "editor"], capsys)
    assert (code, out) == (0, "User 'mira' exists: now editor on 'courier'; password unchanged.\n")
    assert Membership.objects.get(user=mira).role == "editor"


def test_createuser_will_not_leave_a_site_without_an_admin(db, capsys):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("ada")
    run(["createuser", "ada", "--site", "courier", "--role", "admin"], capsys)
    code, _, err = run(["createuser", "ada", "--site", "courier", "--role", "viewer"], capsys)
    assert one_line_error(code, err, "createuser") == (
        "corrigo createuser: error: A site needs at least one admin: make someone else admin first.\n"
    )
    assert list(Membership.objects.values_list("role", flat=True)) == ["admin"]


def test_createuser_sets_a_new_users_email(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, out, _ = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--email", "Mira@Newsroom.EXAMPLE", "--password-stdin"],
        capsys,
        "a long enough passphrase\n",
        monkeypatch,
    )
    assert (code, out) == (0, "Created user 'mira', editor on 'courier'.\n")
    assert User.objects.get().email == "Mira@newsroom.example"


def test_createuser_updates_an_existing_users_email(db, capsys):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("mira", email="old@newsroom.example", password="the first password")
    code, out, _ = run(
        ["createuser", "mira", "--site", "courier", "--role", "editor", "--email", "mira@newsroom.example"], capsys
    )
    assert (code, out) == (0, "User 'mira' exists: now editor on 'courier', email mira@newsroom.example; password unchanged.\n")
    user = User.objects.get()
    assert user.email == "mira@newsroom.example" and user.check_password("the first password")


@pytest.mark.parametrize(
    "email", ["not-an-address", "mira@", "m" * 300 + "@example.org", "mira@example.org\n", "<script>@example.org", "a\x00@b.org"]
)
def test_createuser_refuses_a_bad_email_for_an_existing_user_and_changes_nothing(db, capsys, email):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("mira", email="old@newsroom.example")
    code, _, err = run(["createuser", "mira", "--site", "courier", "--role", "editor", "--email", email], capsys)
    assert one_line_error(code, err, "createuser")
    assert User.objects.get().email == "old@newsroom.example"
    assert not Membership.objects.exists()  # no role either: the command did nothing


@pytest.mark.parametrize("key", ["<script>", "bad key", "x" * 1000])
def test_createtoken_for_a_key_that_is_not_a_slug_finds_no_site(db, capsys, key):
    code, _, err = run(["createtoken", "--site", key], capsys)
    assert one_line_error(code, err, "createtoken") == f"corrigo createtoken: error: there is no site {key!r}\n"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize(
    "port,message",
    [
        ("0", "a port is between 1 and 65535"),
        ("65536", "a port is between 1 and 65535"),
        ("-1", "'-1' is not a whole number"),
        ("abc", "'abc' is not a whole number"),
        ("80.0", "'80.0' is not a whole number"),
        ("", "'' is not a whole number"),
        (" 8000", "' 8000' is not a whole number"),
        ("8_000", "'8_000' is not a whole number"),
        ("\u0668\u0660\u0660\u0660", "'\u0668\u0660\u0660\u0660' is not a whole number"),  # Arabic-Indic 8000
        ("9" * 5000, "a port is between 1 and 65535"),
        ("0" * 5000 + "70000", "a port is between 1 and 65535"),
        ("x" * 5000, "'" + "x" * 40 + "'… is not a whole number"),
    ],
)
def test_a_bad_port_is_refused(capsys, command, port, message):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--port", port])
    assert message in usage_error(exit_info, capsys.readouterr().err, command)


@pytest.mark.parametrize("option", ["--workers", "--threads"])
@pytest.mark.parametrize(
    "value,message",
    [
        ("0", "must be between 1 and 256"),
        ("257", "must be between 1 and 256"),
        ("two", "'two' is not a whole number"),
        ("1.5", "'1.5' is not a whole number"),
    ],
)
def test_a_bad_worker_or_thread_count_is_refused(capsys, option, value, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", option, value])
    assert usage_error(exit_info, capsys.readouterr().err, "serve") == f"argument {option}: {message}"


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("PORT", "http", "argument --port: 'http' is not a whole number"),
        ("CORRIGO_WORKERS", "0", "argument --workers: must be between 1 and 256"),
        ("CORRIGO_THREADS", "many", "argument --threads: 'many' is not a whole number"),
    ],
)
def test_a_bad_default_from_the_environment_is_refused(capsys, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as exit_info:
        main(["serve"])
    assert usage_error(exit_info, capsys.readouterr().err, "serve") == message


@pytest.mark.parametrize("host", ["news..example", "a" * 300])
def test_serve_refuses_a_host_it_cannot_listen_on(capsys, host):
    # Names that fail before any DNS query: gunicorn would retry for seconds, then log the same.
    code, _, err = run(["serve", "--host", host, "--port", "8000"], capsys)
    assert one_line_error(code, err, "serve").startswith(f"corrigo serve: error: cannot listen on {host!r}: ")


# ---- real servers ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def corrigo_env(data: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO", "DJANGO_SETTINGS_MODULE"}}
    env.update(CORRIGO_DATA=str(data), **extra)
    return env


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def start_server(env: dict, *options: str, workers: int = 1) -> tuple[subprocess.Popen, int]:
    """`corrigo serve` on a free port, its output piped; the caller waits for it and ends it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "serve", "--port", str(port), "--workers", str(workers), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def corrigo(*args: str, env: dict, stdin: bytes = b"", **options) -> subprocess.CompletedProcess:
    """Run the real command; its output decoded, its stdin given as bytes (as a pipe gives them)."""
    result = subprocess.run(
        [sys.executable, "-m", "corrigo", *args], env=env, input=stdin, capture_output=True, timeout=120, check=False, **options
    )
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def rows(data: Path, table: str) -> int:
    with sqlite3.connect(data / "corrigo.sqlite3") as database:
        return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def assert_one_line_error(result: subprocess.CompletedProcess, command: str, message: str) -> None:
    assert result.returncode != 0
    assert result.stderr == f"corrigo {command}: error: {message}\n"
    assert result.stdout == ""


def test_demo_serves_the_article_and_the_desk(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "demo"],
        env=corrigo_env(tmp_path, PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert 'src="/widget.js"' in page and 'data-site="demo"' in page
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/desk/login/").status == 200
        # The demo readers' reports are waiting in the desk, one case already fixed in the article.
        with sqlite3.connect(tmp_path / "corrigo.sqlite3") as db:
            cases = db.execute("SELECT exact, report_count, anchor_status FROM reports_case ORDER BY exact").fetchall()
        assert cases == [("", 1, ""), ("Augest", 2, "unchanged"), ("€18,000", 2, "changed")]
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "corrigo-demo" in output  # the printed credentials
    assert f"http://127.0.0.1:{port}/desk/" in output


def test_serve_takes_reports_on_a_migrated_database(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    created = corrigo("createsite", "courier", "--origin", "https://news.example.org", env=env)
    assert created.returncode == 0, created.stderr
    token = corrigo("createtoken", "--site", "courier", env=env).stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/api/v1/health", process)
        # Load balancers that poll with HEAD get the health answer's status, without its body.
        with urllib.request.urlopen(urllib.request.Request(base + "/api/v1/health", method="HEAD")) as response:
            assert (response.status, response.read()) == (200, b"")
        from tests.conftest import payload

        body = json.dumps(payload()).encode()
        request = urllib.request.Request(
            base + "/api/v1/reports", data=body, headers={"Content-Type": "text/plain", "Origin": "https://news.example.org"}
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
            uid = json.loads(response.read())["id"]
        listing = urllib.request.Request(base + "/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
        reports = json.loads(urllib.request.urlopen(listing).read())["reports"]
        assert [r["id"] for r in reports] == [uid]
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_demo_rejects_a_bad_port(tmp_path):
    result = corrigo("demo", "--port", "99999", env=corrigo_env(tmp_path))
    assert result.returncode == 2
    assert "port" in result.stderr


def test_the_real_command_refuses_a_password_that_is_not_utf8(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", env=env).returncode == 0
    result = corrigo(
        "createuser",
        "mira",
        "--site",
        "courier",
        "--role",
        "editor",
        "--password-stdin",
        env=env,
        stdin=b"\xff\xfe long enough, but Latin-1\n",
    )
    assert_one_line_error(result, "createuser", "the password is not UTF-8 text")
    assert rows(tmp_path, "auth_user") == 0 and rows(tmp_path, "corrigo_sites_membership") == 0


def test_the_real_command_refuses_arguments_that_are_not_utf8(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "corrigo", "createsite", "courier", "--name", b"Caf\xe9"],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == b"corrigo createsite: error: the argument 'Caf\\udce9' is not UTF-8 text\n"
    assert rows(tmp_path, "corrigo_sites_site") == 0


def test_createuser_without_a_terminal_or_stdin_flag_says_how_to_give_a_password(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", env=env).returncode == 0
    # A new session has no controlling terminal, as under cron or in a container.
    result = corrigo("createuser", "mira", "--site", "courier", "--role", "editor", env=env, start_new_session=True)
    assert_one_line_error(result, "createuser", "no terminal to ask for the password: pipe it in with --password-stdin")
    assert rows(tmp_path, "auth_user") == 0


def test_the_real_command_gives_an_existing_user_a_role_with_no_terminal_and_no_password(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    for key in ("courier", "other"):
        assert corrigo("createsite", key, env=env).returncode == 0
    first_role = ["createuser", "editor", "--site", "courier", "--role", "editor", "--password-stdin"]
    created = corrigo(*first_role, env=env, stdin=b"a long enough passphrase\n")
    assert created.returncode == 0, created.stderr
    # A new session has no controlling terminal: a password prompt would fail the command.
    result = corrigo("createuser", "editor", "--site", "other", "--role", "admin", env=env, start_new_session=True)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "User 'editor' exists: now admin on 'other'; password unchanged.\n",
        "",
    )
    with sqlite3.connect(tmp_path / "corrigo.sqlite3") as database:
        granted = database.execute(
            "SELECT s.key, m.role FROM corrigo_sites_membership m JOIN corrigo_sites_site s ON s.id = m.site_id ORDER BY s.key"
        ).fetchall()
    assert granted == [("courier", "editor"), ("other", "admin")]


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["createsite", "courier"],
        ["createtoken", "--site", "courier"],
        ["serve", "--port", "1"],
        ["demo", "--port", "1"],
    ],
)
def test_a_data_folder_that_is_a_file_is_named(tmp_path, command):
    data = tmp_path / "corrigo-data"
    data.write_text("not a folder")
    result = corrigo(*command, env=corrigo_env(data))
    assert_one_line_error(result, command[0], f"the data folder {data} (CORRIGO_DATA) is a file, not a folder")
    assert data.read_text() == "not a folder"


def test_a_data_folder_inside_a_file_is_named(tmp_path):
    (tmp_path / "file").write_text("")
    data = tmp_path / "file" / "corrigo-data"
    result = corrigo("migrate", env=corrigo_env(data))
    assert_one_line_error(result, "migrate", f"cannot use the data folder {data} (CORRIGO_DATA): Not a directory")


def unwritable_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    candidates = [folder, Path("/sys/kernel")]  # root writes anywhere but in sysfs
    for candidate in candidates:
        try:
            with open(candidate / ".probe", "x"):
                pass
        except OSError:
            return candidate
        (candidate / ".probe").unlink()
    pytest.skip("no folder here is unwritable for this user")


@pytest.mark.parametrize("secret_key", [None, "from-the-environment"])
def test_an_unwritable_data_folder_is_named(tmp_path, secret_key):
    data = unwritable_folder(tmp_path)
    env = corrigo_env(data)
    env.pop("CORRIGO_SECRET_KEY", None)
    if secret_key:
        env["CORRIGO_SECRET_KEY"] = secret_key
    result = corrigo("migrate", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"corrigo migrate: error: cannot use the data folder {data} (CORRIGO_DATA): ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line(tmp_path):
    env = corrigo_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/corrigo")
    result = corrigo("migrate", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("corrigo migrate: error: the database cannot be used: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_database_url_of_an_unknown_kind_is_one_line(tmp_path):
    result = corrigo("migrate", env=corrigo_env(tmp_path, DATABASE_URL="mongodb://127.0.0.1/corrigo"))
    assert result.returncode == 2
    assert result.stderr.startswith("corrigo migrate: error: bad configuration: Scheme 'mongodb://' is unknown.")
    assert result.stderr.count("\n") == 1


def test_limits_shows_and_changes_a_sites_limits_and_proof_of_work(db, capsys):
    run(["createsite", "courier"], capsys)
    code, out, _ = run(["limits", "courier"], capsys)
    assert code == 0
    assert "5 reports a minute and 30 an hour per reader, 600 a minute in all" in out
    code, out, _ = run(
        ["limits", "courier", "--per-client-minute", "2", "--per-site-minute", "0", "--challenge", "always"], capsys
    )
    assert code == 0
    site = Site.objects.get(key="courier")
    assert (site.reports_per_client_minute, site.reports_per_client_hour, site.reports_per_site_minute) == (2, 30, 0)
    assert site.challenge == "always"
    assert "proof of work: always" in out


@pytest.mark.parametrize(
    "argv", [["limits", "courier", "--per-client-minute", "-1"], ["limits", "courier", "--challenge", "maybe"]]
)
def test_limits_refuses_what_is_not_a_limit(db, capsys, argv):
    run(["createsite", "courier"], capsys)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2  # argparse's usage error, naming the argument
    assert "argument --" in capsys.readouterr().err
    assert Site.objects.get(key="courier").reports_per_client_minute == 5


def test_limits_of_an_unknown_site_is_one_line(db, capsys):
    code, _, err = run(["limits", "nowhere"], capsys)
    assert code != 0
    assert "there is no site 'nowhere'" in err
