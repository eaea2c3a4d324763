"""The `corrigo` command: demo, serve, migrate and the few admin chores (DESIGN.md, "CLI")."""

import argparse
import getpass
import os
import sys

DEMO_USER = "editor"
DEMO_PASSWORD = "corrigo-demo"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError("a port is between 1 and 65535")
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


class CommandError(Exception):
    """A mistake in how the command was called: printed without a traceback."""


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


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the passwords differ")
    if not password:
        raise CommandError("the password is empty")
    return password


def cmd_createuser(args: argparse.Namespace) -> None:
    _setup()
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from corrigo.sites.models import Site
    from corrigo.sites.services import set_membership

    site = Site.objects.filter(key=args.site).first()
    if site is None:
        raise CommandError(f"there is no site {args.site!r}")
    if User.objects.filter(username=args.name).exists():
        raise CommandError(f"user {args.name!r} exists already")
    password = _read_password(args)
    user = User(username=args.name, email=args.email or "")
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        set_membership(user, site, args.role)
    print(f"Created user {user.username!r}, {args.role} on {site.key!r}.")


def cmd_createtoken(args: argparse.Namespace) -> None:
    _setup()
    from corrigo.sites.models import Site
    from corrigo.sites.services import create_token

    site = Site.objects.filter(key=args.site).first()
    if site is None:
        raise CommandError(f"there is no site {args.site!r}")
    try:
        token = create_token(site, args.name or "", can_see_email=args.with_email)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(token)
    print("Keep it now: Corrigo stores only its hash and cannot show it again.", file=sys.stderr)


def _serve(host: str, port: int, workers: int, threads: int = 1) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from corrigo.wsgi import application

    # Workers are forked from this process: none may inherit its database connection
    # (SQLite forbids sharing one across processes, and connections now outlive requests).
    connections.close_all()

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", os.environ.get("CORRIGO_ACCESS_LOG"))
            self.cfg.set("forwarded_allow_ips", os.environ.get("CORRIGO_FORWARDED_ALLOW_IPS", "127.0.0.1"))

        def load(self):
            return application

    Server().run()


def cmd_serve(args: argparse.Namespace) -> None:
    _setup()
    _serve(args.host, args.port, args.workers, args.threads)


def cmd_demo(args: argparse.Namespace) -> None:
    os.environ["CORRIGO_DEMO"] = "1"
    os.environ.setdefault("CORRIGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    _setup()
    from django.conf import settings

    from corrigo.demo.setup import ensure_demo

    _migrate(verbosity=0)
    ensure_demo(args.port, DEMO_USER, DEMO_PASSWORD)
    print(
        f"\nCorrigo demo (data in {settings.DATA_DIR})\n"
        f"  article with the widget: http://127.0.0.1:{args.port}/\n"
        f"  editors' desk:           http://127.0.0.1:{args.port}/desk/\n"
        f"  log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}\n"
        f"Select a phrase in the article and press Ctrl+Enter (⌘+Enter on a Mac).\n",
        flush=True,
    )
    _serve("127.0.0.1", args.port, args.workers)


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
    serve.add_argument("--threads", type=_positive, default=os.environ.get("CORRIGO_THREADS", "1"),
                       help="threads per worker (more than 1 uses gunicorn's gthread workers)")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="create or update the database tables").set_defaults(func=cmd_migrate)

    site = commands.add_parser("createsite", help="add a site")
    site.add_argument("key")
    site.add_argument("--name")
    site.add_argument("--origin", action="append", default=[], metavar="URL", help="an origin allowed to send reports (repeatable)")
    site.set_defaults(func=cmd_createsite)

    user = commands.add_parser("createuser", help="add a desk user with a role on a site")
    user.add_argument("name")
    user.add_argument("--site", required=True)
    user.add_argument("--role", required=True, choices=["admin", "editor", "viewer"])
    user.add_argument("--email")
    user.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    user.set_defaults(func=cmd_createuser)

    token = commands.add_parser("createtoken", help="create a read-API token for a site (printed once)")
    token.add_argument("--site", required=True)
    token.add_argument("--name")
    token.add_argument("--with-email", action="store_true", help="let the token see reporters' email addresses")
    token.set_defaults(func=cmd_createtoken)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CommandError as exc:
        print(f"corrigo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0
