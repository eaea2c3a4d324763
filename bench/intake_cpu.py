"""Intake's own cost per report, in one process: CPU time of POST /api/v1/reports through Django.

bench/intake.py measures throughput against a server on the shared 2 cores, which moves by
10-20 % with whatever else runs. This measures what a code change does to the cost of one
report: the same real report bodies (as bench/intake.py builds them) posted through Django's
test client to a fresh SQLite database, CPU seconds of this process per report (user and
system), so other processes on the machine move it far less than a throughput figure. The
database runs with synchronous=NORMAL: the log sync of each commit, which a code change does
not touch, would otherwise add the same kernel time to both sides.

    python bench/intake_cpu.py [--reports 2000] [--rounds 3]

Run it with PYTHONPATH pointing at another checkout's src/ to compare two versions.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from intake import ORIGIN, reader_address, report_bodies  # noqa: E402 (bench/ is not a package)


def use_fresh_database(data: str) -> None:
    """Point this process (and the processes it starts) at a SQLite database in `data`, synchronous=NORMAL."""
    os.environ.update(CORRIGO_DATA=str(data), DJANGO_SETTINGS_MODULE="corrigo.settings", CORRIGO_ALLOWED_HOSTS="testserver")
    os.environ.pop("DATABASE_URL", None)
    os.environ["CORRIGO_SQLITE_SYNCHRONOUS"] = "NORMAL"


def add_bench_site() -> None:
    """Migrate the database and add the bench site, its site-wide limit lifted (older code has none)."""
    from django.core.management import call_command

    from corrigo.sites.services import create_site

    call_command("migrate", verbosity=0)
    site = create_site("bench", "Bench", [ORIGIN])
    if hasattr(site, "reports_per_site_minute"):  # the site's limit (issue 12) would stop the run
        type(site).objects.filter(pk=site.pk).update(reports_per_site_minute=0)


def post_report(client, body: str, report_id: str, number: int) -> None:
    """POST one report body through Django's test client, from a reader of its own; a non-201 stops the bench."""
    response = client.post(
        "/api/v1/reports",
        body.replace("__ID__", report_id),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
        REMOTE_ADDR=reader_address(number),  # each report from another reader
    )
    if response.status_code != 201:
        raise SystemExit(f"intake answered {response.status_code}: {response.content[:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    use_fresh_database(tempfile.mkdtemp(prefix="corrigo-intake-cpu-"))
    import django

    django.setup()
    from django.test import Client

    import corrigo

    add_bench_site()
    bodies = report_bodies(args.reports)
    client = Client()
    serial = iter(range(10**9))

    def post_all() -> float:
        started = time.process_time()
        for body in bodies:
            number = next(serial)
            post_report(client, body, f"cpu-{number:010d}", number)
        return (time.process_time() - started) / len(bodies)

    post_all()  # warm up: statements built, articles and versions stored once
    rounds = [post_all() for _ in range(args.rounds)]
    print(
        json.dumps(
            {
                "code": str(Path(corrigo.__file__).parent),
                "reports": args.reports,
                "cpu_us_per_report": [round(r * 1e6) for r in rounds],
                "best_us": round(min(rounds) * 1e6),
            }
        )
    )


if __name__ == "__main__":
    main()
