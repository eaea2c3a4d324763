"""The `corrigo` command: demo, serve, migrate and the few admin chores (docs/operations.md)."""

import argparse
import getpass
import os
import sys
import time

DEMO_USER = "editor"
DEMO_PASSWORD = "corrigo-demo"
# Reserved for ever (RFC 2606): mail to it is kept in the demo's mailbox, or bounces.
DEMO_EMAIL = "editor@demo.invalid"
# More would fork-bomb the machine; it is a typo, not a configuration.
MAX_WORKERS = 256
# Connections each worker holds at once (a thread each, most of them waiting on slow clients).
DEFAULT_CONNECTIONS = 100
MAX_CONNECTIONS = 2000


class CommandError(Exception):
    """A mistake in how the command was called: printed without a traceback."""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    # Loading the settings reads the environment and makes the data folder: what fails
    # there is the operator's to fix, and deserves a sentence rather than a traceback.
    try:
        settings.DATA_DIR  # noqa: B018 (reading it loads the settings)
    except FileExistsError as exc:
        raise CommandError(f"the data folder {exc.filename} (CORRIGO_DATA) is a file, not a folder") from None
    except OSError as exc:
        folder = os.path.abspath(os.environ.get("CORRIGO_DATA", "corrigo-data"))
        raise CommandError(f"cannot use the data folder {folder} (CORRIGO_DATA): {exc.strerror or exc}") from None
    except (ValueError, ImproperlyConfigured) as exc:
        raise CommandError(f"bad configuration: {exc}") from None
    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _number(value: str, low: int, high: int, out_of_range: str) -> int:
    # int() would also take " 8_000" and other scripts' digits: a typo should not become a number.
    if not (value.isascii() and value.isdigit()):
        shown = repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
        raise argparse.ArgumentTypeError(f"{shown} is not a whole number")
    digits = value.lstrip("0") or "0"
    if len(digits) > 9 or not low <= int(digits) <= high:  # int() refuses numbers of over 4300 digits
        raise argparse.ArgumentTypeError(out_of_range)
    return int(digits)


def _port(value: str) -> int:
    return _number(value, 1, 65535, "a port is between 1 and 65535")


def _positive(value: str) -> int:
    return _number(value, 1, MAX_WORKERS, f"must be between 1 and {MAX_WORKERS}")


def _site(key: str):
    from corrigo.sites.models import Site
    from corrigo.sites.services import SITE_KEY

    site = Site.objects.filter(key=key).first() if SITE_KEY.fullmatch(key) else None
    if site is None:
        raise CommandError(f"there is no site {key!r}")
    return site


def cmd_migrate(args: argparse.Namespace) -> None:
    _setup()
    _migrate()


def cmd_createsite(args: argparse.Namespace) -> None:
    _setup()
    from django.core.exceptions import ValidationError

    from corrigo.sites.services import create_site

    try:
        site = create_site(args.key, args.name or args.key, args.origin)
    except ValidationError as exc:
        raise CommandError("; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())) from None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(f"Created site {site.key!r} allowing {', '.join(site.origins) or 'no origins yet'}.")


LIMITS = {
    "per_client_minute": "reports_per_client_minute",
    "per_client_hour": "reports_per_client_hour",
    "per_site_minute": "reports_per_site_minute",
}


def cmd_limits(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.sites.services import set_intake_limits

    site = _site(args.key)
    changes = {field: getattr(args, option) for option, field in LIMITS.items() if getattr(args, option) is not None}
    if args.challenge is not None:
        changes["challenge"] = args.challenge
    if changes:
        set_intake_limits(site, **changes)
    print(
        f"Site {site.key!r}: {site.reports_per_client_minute} reports a minute and {site.reports_per_client_hour} an hour"
        f" per reader, {site.reports_per_site_minute} a minute in all (0: no limit); proof of work: {site.challenge}."
    )


def _have_terminal() -> bool:
    """True when getpass can ask on a terminal (without one it would read stdin, echoing)."""
    if os.name != "posix":
        return True
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return False
    return True


def _read_password(args: argparse.Namespace) -> str:
    from corrigo.sites.services import MAX_PASSWORD_LENGTH  # after _setup(): it imports the models

    try:
        if args.password_stdin:
            password = sys.stdin.readline(MAX_PASSWORD_LENGTH + 2).rstrip("\r\n")
        else:
            if not _have_terminal():
                raise CommandError("no terminal to ask for the password: pipe it in with --password-stdin")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        password.encode("utf-8")  # a non-UTF-8 stdin may come through as lone surrogates
    except UnicodeError:
        raise CommandError("the password is not UTF-8 text") from None
    except EOFError:
        raise CommandError("no password given (use --password-stdin to pipe one in)") from None
    if not password:
        raise CommandError("the password is empty")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise CommandError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")
    return password


def cmd_createuser(args: argparse.Namespace) -> None:
    _setup()
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from corrigo.sites.services import SiteRuleError, add_member, change_email, check_new_user

    site = _site(args.site)
    # Django stores names in NFKC form ("ｅｄｉｔｏｒ" is "editor"): look that one up.
    existing = User.objects.filter(username=User.normalize_username(args.name)).first()
    try:
        if existing is not None:
            with transaction.atomic():
                membership = add_member(site, existing.username, args.role).membership
                if args.email is not None:
                    change_email(existing, args.email)
            email = f", email {existing.email or 'none'}" if args.email is not None else ""
            print(f"User {existing.username!r} exists: now {membership.role} on {site.key!r}{email}; password unchanged.")
            return
        # Everything but the password first: nobody should type a password for a doomed command.
        user = check_new_user(args.name, args.email or "")
        password = _read_password(args)
        with transaction.atomic():
            added = add_member(site, user.username, args.role, password=password, email=user.email)
            if not added.new_user:  # made by someone else while the password was typed: change nothing
                raise CommandError(f"user {user.username!r} was created meanwhile: run the command again to give them the role")
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from None
    except SiteRuleError as exc:
        raise CommandError(str(exc)) from None
    print(f"Created user {user.username!r}, {added.membership.role} on {site.key!r}.")


def cmd_createtoken(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.sites.services import create_token

    site = _site(args.site)
    try:
        token = create_token(site, args.name or "", scopes=args.scope, can_see_email=args.with_email)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(token)
    print("Keep it now: Corrigo stores only its hash and cannot show it again.", file=sys.stderr)


def _read_source(name: str) -> str:
    if name == "-" and not hasattr(sys.stdin, "buffer"):  # already text (a test's StringIO)
        return sys.stdin.read()
    try:
        if name == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as source:
                raw = source.read()
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{'stdin' if name == '-' else name} is not UTF-8 text") from None


def cmd_push(args: argparse.Namespace) -> None:
    _setup()
    import json

    from pydantic import ValidationError

    from corrigo.articles.api import answer
    from corrigo.articles.publishing import Unpublishable, push_article
    from corrigo.articles.schemas import MAX_PUSH_BODY, ArticleIn
    from corrigo.reports.errors import pydantic_fields
    from corrigo.sql import UNSTORABLE

    site = _site(args.site)
    content = _read_source(args.file)
    if len(content.encode("utf-8")) > MAX_PUSH_BODY:
        raise CommandError("the file is over 2 MiB, the push API's limit")
    if UNSTORABLE.search(content):
        raise CommandError("the file contains NUL characters, which no article text can hold")
    fields = {
        "site": site.key,
        "url": args.url,
        "canonical_url": args.canonical_url,
        "article_id": args.article_id,
        "title": args.title,
        "published_at": args.published_at,
        "modified_at": args.modified_at,
        ("text" if args.text else "html"): content.strip() if args.text else content,
    }
    try:
        pushed = ArticleIn.model_validate({name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        problems = pydantic_fields(exc.errors(include_url=False, include_input=False))
        raise CommandError("; ".join(f"{name}: {why}" for name, why in problems.items())) from None
    try:
        publication = push_article(site, pushed)
    except Unpublishable as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(answer(publication), indent=2))
    moved = len(publication.cases)
    said = "a new version" if publication.new else "a version Corrigo already had"
    print(f"{said}; {moved} open case{'s' * (moved != 1)} re-anchored", file=sys.stderr)


def cmd_fetch(args: argparse.Namespace) -> None:
    _setup()
    import json

    from corrigo.articles.api import answer
    from corrigo.articles.fetching import FetchRefused, fetch_article
    from corrigo.lib.http import FetchFailed

    site = _site(args.site)
    try:
        fetched = fetch_article(site, args.url)
    except FetchRefused as exc:
        raise CommandError(f"refused: {exc}") from None
    except FetchFailed as exc:
        raise CommandError(f"the fetch failed: {exc}") from None
    print(json.dumps({**answer(fetched.publication), "url": fetched.url, "title": fetched.title}, indent=2))
    moved = len(fetched.publication.cases)
    said = "a new version" if fetched.publication.new else "no change: Corrigo already had this text"
    print(f"{said}; {moved} open case{'s' * (moved != 1)} re-anchored", file=sys.stderr)


def cmd_webhook_add(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.notify.webhooks import EndpointError, add_endpoint

    site = _site(args.site)
    events = [name for value in args.events or [] for name in value.split(",")]
    try:
        endpoint, secret = add_endpoint(site, args.url, format=args.format, events=events)
    except EndpointError as exc:
        raise CommandError(str(exc)) from None
    heard = ", ".join(endpoint.events) or "every event"
    if secret:
        print(secret)
        print(
            f"Webhook {endpoint.pk} on {site.key!r} hears {heard}. Above is its signing secret:"
            " keep it now, it is shown this once.",
            file=sys.stderr,
        )
    else:
        print(f"Webhook {endpoint.pk} on {site.key!r} hears {heard} (Slack messages are not signed).", file=sys.stderr)


def cmd_webhook_list(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.notify.models import WebhookEndpoint

    site = _site(args.site)
    for endpoint in WebhookEndpoint.objects.filter(site=site).order_by("pk"):
        state = f"disabled: {endpoint.disabled_reason}" if endpoint.disabled_at else "on"
        print(f"{endpoint.pk}\t{endpoint.format}\t{','.join(endpoint.events) or 'all'}\t{state}\t{endpoint.url}")


def _endpoint(site_key: str, number: int):
    from corrigo.notify.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.filter(site=_site(site_key), pk=number).first()
    if endpoint is None:
        raise CommandError(f"site {site_key!r} has no webhook {number}")
    return endpoint


def cmd_webhook_rotate(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.notify.webhooks import EndpointError, rotate_secret

    try:
        secret = rotate_secret(_endpoint(args.site, args.id))
    except EndpointError as exc:
        raise CommandError(str(exc)) from None
    print(secret)
    print("The new signing secret, shown this once; the old one keeps signing beside it for 24 hours.", file=sys.stderr)


def cmd_webhook_remove(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.notify.webhooks import remove_endpoint

    endpoint = _endpoint(args.site, args.id)
    remove_endpoint(endpoint)
    print(f"Removed webhook {args.id} ({endpoint.url}).")


def cmd_notice_list(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.corrections.models import CorrectionNotice
    from corrigo.notify.text import one_line

    site = _site(args.site)
    for notice in CorrectionNotice.objects.filter(site=site).select_related("article").order_by("-pk")[: args.limit]:
        state = f"withdrawn {notice.withdrawn_at:%Y-%m-%d %H:%M}" if notice.withdrawn else "published"
        kind = notice.kind + (" (minor)" if notice.minor else "")
        print(
            f"{notice.pk}\t{notice.published_at:%Y-%m-%d %H:%M}\t{kind}\t{state}\t{notice.article.url}\t{one_line(notice.text, 80)}"
        )


def cmd_notice_withdraw(args: argparse.Namespace) -> None:
    _setup()
    from django.contrib.auth.models import User

    from corrigo.corrections.models import CorrectionNotice
    from corrigo.corrections.services import withdraw
    from corrigo.reports.actions import ActionError

    notice = CorrectionNotice.objects.filter(site=_site(args.site), pk=args.id).first()
    if notice is None:
        raise CommandError(f"site {args.site!r} has no notice {args.id}")
    by = None
    if args.by:
        by = User.objects.filter(username=args.by, memberships__site=notice.site_id).first()
        if by is None:
            raise CommandError(f"{args.by!r} is not a member of {args.site!r}")
    try:
        withdraw(notice, by=by)
    except ActionError as exc:
        raise CommandError(str(exc)) from None
    print(f"Withdrew notice {notice.pk}: it is gone from the corrections page, the feeds and the article.")


def _serve(host: str, port: int, workers: int, threads: int = 1, connections: int = DEFAULT_CONNECTIONS) -> None:
    """gunicorn's threaded workers: a thread per connection, `threads` of them in Django at once (decision 0033)."""
    from django.conf import settings
    from django.db import connections as databases
    from gunicorn.app.base import BaseApplication

    from corrigo.monitoring import child_exit
    from corrigo.serving import BufferedBodies, worker_class
    from corrigo.wsgi import django_application

    # Workers are forked from this process: none may inherit its database connection
    # (SQLite forbids sharing one across processes, and connections now outlive requests).
    databases.close_all()
    application = BufferedBodies(
        django_application, limit=settings.REQUEST_BODY_LIMIT, seconds=settings.BODY_SECONDS, app_threads=threads
    )

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", worker_class(settings.BODY_SECONDS))
            # Slow clients wait in these threads, each on its own connection, not in Django's.
            self.cfg.set("threads", max(connections, threads))
            self.cfg.set("accesslog", os.environ.get("CORRIGO_ACCESS_LOG"))
            # JSON lines without any client address (corrigo.logs); the format names none either.
            self.cfg.set("logger_class", "corrigo.logs.GunicornLogger")
            self.cfg.set("access_log_format", '"%(r)s" %(s)s %(B)s %(M)sms')
            self.cfg.set("child_exit", child_exit)
            # X-Forwarded-Proto is believed from the same proxies as X-Forwarded-For (reports.clients).
            trusted = ",".join(str(network) for network in settings.TRUSTED_PROXIES) or "127.0.0.1"
            self.cfg.set("forwarded_allow_ips", os.environ.get("CORRIGO_FORWARDED_ALLOW_IPS", trusted))

        def load(self):
            return application

    Server().run()


def _share_metrics_between_workers() -> None:
    """A fresh folder where every gunicorn worker writes its metrics (corrigo.monitoring), gone at exit.

    Set before anything imports prometheus_client, which reads it once.
    """
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="corrigo-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    owner = os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))


def _start_worker_process():
    """The demo's job worker: `corrigo worker` in a process of its own, stopped with the demo.

    Not a thread of gunicorn's master: the master forks app workers (at start, and again
    whenever one is replaced), and a fork taken while that thread held a lock (the import
    lock while it renders its first mail, a logging lock) leaves the app worker stuck on it
    for ever. A process of its own shares nothing but the database.
    """
    import subprocess

    env = {**os.environ, DEMO_PARENT: str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "corrigo", "worker"], env=env)


# Set in the environment of the demo's worker: the demo's process id, so the worker ends with it.
DEMO_PARENT = "CORRIGO_WORKER_OF_DEMO"


def _end_with_the_demo(parent: int) -> None:
    """In the demo's worker: SIGTERM when the demo goes, however it goes (Linux's PR_SET_PDEATHSIG)."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    if os.getppid() != parent:  # it went before we asked
        raise CommandError("the demo that started this worker has stopped")


def _stop(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def cmd_metrics(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.desk.rollup import roll
    from corrigo.sites.models import Site

    sites = [_site(args.site)] if args.site else list(Site.objects.order_by("key"))
    for site in sites:
        started = time.monotonic()
        days = roll(site, rebuild=args.action == "rebuild")
        print(f"Site {site.key!r}: {days} days rolled up in {time.monotonic() - started:.1f} s.")


def cmd_worker(args: argparse.Namespace) -> None:
    _setup()
    import threading

    from corrigo.jobs.worker import run_forever, work

    if os.environ.get(DEMO_PARENT, "").isdigit():
        _end_with_the_demo(int(os.environ[DEMO_PARENT]))
    if args.once:
        ran = work(threading.Event(), once=True)
        print(f"Ran {ran} job{'s' if ran != 1 else ''}; none is due now.")
    else:
        run_forever()


def cmd_backup(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.backup import BackupError, backup

    try:
        copied = backup(args.path)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(f"Backed up {copied.summary()} to {copied.path}.")


def cmd_restore(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.backup import BackupError, live_database, restore

    try:
        copied = restore(args.path)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    _migrate(verbosity=0)  # a backup from an older release gets this release's tables
    print(f"Restored {copied.summary()} from {copied.path} into {live_database()}.")


def cmd_erase_reporter(args: argparse.Namespace) -> None:
    _setup()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from corrigo.reports.privacy import erase_reporter

    address = args.email.strip()
    try:
        if len(address) > 254:  # what a report can hold (Report.email)
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise CommandError(f"{address[:80]!r} is not an email address") from None
    print(erase_reporter(address).summary(address))


def cmd_serve(args: argparse.Namespace) -> None:
    import socket

    try:
        socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # gunicorn would retry for seconds, then log the same
        raise CommandError(f"cannot listen on {args.host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    _share_metrics_between_workers()
    _setup()
    _serve(args.host, args.port, args.workers, args.threads, args.connections)


def cmd_demo(args: argparse.Namespace) -> None:
    os.environ["CORRIGO_DEMO"] = "1"
    os.environ.setdefault("CORRIGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    os.environ.setdefault("CORRIGO_BASE_URL", f"http://127.0.0.1:{args.port}")  # links in the demo's mail
    _share_metrics_between_workers()
    # The demo site fetches its own article page, on this machine's loopback address.
    os.environ.setdefault("CORRIGO_ALLOW_PRIVATE_HOSTS", f"127.0.0.1:{args.port},localhost:{args.port}")
    _setup()
    from django.conf import settings

    from corrigo.demo.setup import ensure_demo, seed_demo_reports

    _migrate(verbosity=0)
    site = ensure_demo(args.port, DEMO_USER, DEMO_PASSWORD)
    _give_demo_editor_an_address()
    seed_demo_reports(site, f"http://127.0.0.1:{args.port}/")
    print(
        f"\nCorrigo demo (data in {settings.DATA_DIR})\n"
        f"  article with the widget: http://127.0.0.1:{args.port}/\n"
        f"  editors' desk:           http://127.0.0.1:{args.port}/desk/\n"
        f"  log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}\n"
        f"The desk starts with a few demo readers' reports, one of them already fixed by the newsroom's CMS.\n"
        f"Push a new version as a CMS would: corrigo createtoken --site demo --scope publish, then README.md's curl.\n"
        f"Select a phrase in the article and press Ctrl+Enter (⌘+Enter on a Mac).\n"
        f"{_where_mail_goes(site.key, args.port)}\n",
        flush=True,
    )
    worker = _start_worker_process()
    try:
        _serve("127.0.0.1", args.port, args.workers)
    finally:
        _stop(worker)


def _give_demo_editor_an_address() -> None:
    from django.contrib.auth.models import User

    from corrigo.sites.services import change_email

    user = User.objects.get(username=DEMO_USER)
    if not user.email:  # an address set in the desk stays
        change_email(user, DEMO_EMAIL)


def _where_mail_goes(site_key: str, port: int) -> str:
    from django.conf import settings

    if settings.SMTP_URL:
        return f"Mail goes out through CORRIGO_SMTP_URL ({settings.EMAIL_HOST}:{settings.EMAIL_PORT})."
    return f"Mail is kept in the desk's mailbox: http://127.0.0.1:{port}/desk/sites/{site_key}/mailbox/"


def build_parser() -> argparse.ArgumentParser:
    default_port = os.environ.get("PORT", "8000")
    parser = argparse.ArgumentParser(prog="corrigo", description="Reader corrections for news publishers.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="serve the demo on SQLite")
    demo.add_argument("--port", type=_port, default=default_port)
    demo.add_argument("--workers", type=_positive, default=2)
    demo.set_defaults(func=cmd_demo)

    serve = commands.add_parser("serve", help="run the production server")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=_port, default=default_port)
    serve.add_argument("--workers", type=_positive, default=os.environ.get("CORRIGO_WORKERS", "2"))
    serve.add_argument(
        "--threads",
        type=_positive,
        default=os.environ.get("CORRIGO_THREADS", "1"),
        help="threads per worker running the application at once (bench/README.md shows why 1 is the default)",
    )
    serve.add_argument(
        "--connections",
        type=_connections,
        default=os.environ.get("CORRIGO_CONNECTIONS", str(DEFAULT_CONNECTIONS)),
        help=f"connections each worker holds at once, slow ones included (default {DEFAULT_CONNECTIONS})",
    )
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="create or update the database tables").set_defaults(func=cmd_migrate)

    backup = commands.add_parser("backup", help="copy the SQLite database to a new file, safely while Corrigo runs")
    backup.add_argument("path", help="the new file (not an existing one)")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="replace the SQLite database's content by a backup's, then migrate")
    restore.add_argument("path", help="a file made by corrigo backup")
    restore.set_defaults(func=cmd_restore)

    erase = commands.add_parser("erase-reporter", help="erase everything stored under one reader's email address")
    erase.add_argument("email")
    erase.set_defaults(func=cmd_erase_reporter)

    worker = commands.add_parser("worker", help="run the job queue: deliveries, fetches, digests")
    worker.add_argument("--once", action="store_true", help="run the jobs that are due, then exit")
    worker.set_defaults(func=cmd_worker)

    site = commands.add_parser("createsite", help="add a site")
    site.add_argument("key")
    site.add_argument("--name")
    site.add_argument(
        "--origin", action="append", default=[], metavar="URL", help="an origin allowed to send reports (repeatable)"
    )
    site.set_defaults(func=cmd_createsite)

    limits = commands.add_parser("limits", help="show or change how many reports a site takes (docs/operations.md)")
    limits.add_argument("key")
    for option in LIMITS:
        limits.add_argument(f"--{option.replace('_', '-')}", dest=option, type=_limit, metavar="N", help="0: no limit")
    limits.add_argument(
        "--challenge", choices=["off", "auto", "always"], help="when readers must solve a proof-of-work challenge"
    )
    limits.set_defaults(func=cmd_limits)

    metrics = commands.add_parser(
        "metrics", help="roll up the metrics' closed days: the touched and new ones (roll), or all anew (rebuild)"
    )
    metrics.add_argument("action", choices=["roll", "rebuild"])
    metrics.add_argument("--site", help="one site's key (default: every site)")
    metrics.set_defaults(func=cmd_metrics)

    user = commands.add_parser("createuser", help="add a desk user with a role on a site")
    user.add_argument("name")
    user.add_argument("--site", required=True)
    user.add_argument("--role", required=True, choices=["admin", "editor", "viewer"])
    user.add_argument("--email")
    user.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    user.set_defaults(func=cmd_createuser)

    token = commands.add_parser("createtoken", help="create an API token for a site (printed once)")
    token.add_argument("--site", required=True)
    token.add_argument("--name")
    token.add_argument(
        "--scope",
        default="read",
        metavar="SCOPES",
        help="what the token may do, comma-separated: read (the default), publish, triage",
    )
    token.add_argument("--with-email", action="store_true", help="let the token see reporters' email addresses")
    token.set_defaults(func=cmd_createtoken)

    push = commands.add_parser(
        "push", help="publish an article version (HTML, or --text), as POST /api/v1/articles does; prints the answer"
    )
    push.add_argument("--site", required=True)
    push.add_argument("--url", required=True, help="the article's URL")
    push.add_argument("--canonical-url")
    push.add_argument("--article-id", help="the CMS's id for the article")
    push.add_argument("--title")
    push.add_argument("--published-at", metavar="ISO8601")
    push.add_argument("--modified-at", metavar="ISO8601")
    push.add_argument("--text", action="store_true", help="FILE is the article text in the text model, not HTML")
    push.add_argument("file", metavar="FILE|-", help="the page's HTML (or text with --text); - reads stdin")
    push.set_defaults(func=cmd_push)

    fetch = commands.add_parser(
        "fetch", help="fetch an article's page now (the site must fetch pages) and publish its text; prints what it found"
    )
    fetch.add_argument("--site", required=True)
    fetch.add_argument("--url", required=True, help="the article's page, on one of the site's allowed origins")
    fetch.set_defaults(func=cmd_fetch)

    webhook = commands.add_parser(
        "webhook", help="a site's webhook endpoints: add (prints the secret once), list, rotate, remove"
    )
    actions = webhook.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an endpoint; prints its signing secret once")
    add.add_argument("--site", required=True)
    add.add_argument("--url", required=True)
    add.add_argument("--format", choices=["standard", "slack"], default="standard")
    add.add_argument(
        "--events", nargs="+", metavar="TYPE", help="event types it hears of (default: all), e.g. case.created,case.resolved"
    )
    add.set_defaults(func=cmd_webhook_add)
    listing = actions.add_parser("list", help="the site's endpoints")
    listing.add_argument("--site", required=True)
    listing.set_defaults(func=cmd_webhook_list)
    for name, function, what in (
        ("rotate", cmd_webhook_rotate, "a new signing secret (the old one signs too for 24 hours)"),
        ("remove", cmd_webhook_remove, "remove an endpoint"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("--site", required=True)
        action.add_argument("id", type=_row_number, metavar="ID")
        action.set_defaults(func=function)

    notice = commands.add_parser("notice", help="a site's correction notices: list, withdraw")
    notice_actions = notice.add_subparsers(dest="action", required=True, metavar="ACTION")
    notice_list = notice_actions.add_parser("list", help="the site's notices, newest first")
    notice_list.add_argument("--site", required=True)
    notice_list.add_argument("--limit", type=lambda value: _number(value, 1, 10**6, "not a number of notices"), default=50)
    notice_list.set_defaults(func=cmd_notice_list)
    notice_withdraw = notice_actions.add_parser("withdraw", help="take a notice off every public surface (logged)")
    notice_withdraw.add_argument("--site", required=True)
    notice_withdraw.add_argument("--as", dest="by", metavar="USER", help="the member the site log names (default: Corrigo)")
    notice_withdraw.add_argument("id", type=_row_number, metavar="ID")
    notice_withdraw.set_defaults(func=cmd_notice_withdraw)
    return parser


def _connections(value: str) -> int:
    return _number(value, 1, MAX_CONNECTIONS, f"must be between 1 and {MAX_CONNECTIONS}")


def _limit(value: str) -> int:
    return _number(value, 0, 1_000_000, "must be between 0 (no limit) and 1000000")


def _row_number(value: str) -> int:
    return _number(value, 1, 10**18, "not a row number")


def main(argv: list[str] | None = None) -> int:
    from django.db.utils import OperationalError

    args = build_parser().parse_args(argv)
    try:
        # Arguments in another encoding arrive as lone surrogates, which no database can store.
        for value in sys.argv[1:] if argv is None else argv:
            try:
                value.encode("utf-8")
            except UnicodeError:
                raise CommandError(f"the argument {value!r} is not UTF-8 text") from None
        args.func(args)
    except CommandError as exc:
        print(f"corrigo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # the database is unreachable, locked or cannot be opened
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"corrigo {args.command}: error: the database cannot be used: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"corrigo {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
