"""Time the metrics figures (`period_metrics`) and the whole metrics page per period on the bench seed.

For each period (days ending today) prints the fastest of --rounds runs of this process's CPU
and of wall time, for the figures alone and for the page through Django's test client as the
bench editor (bench/desk_seed.py). The fastest is what a quiet machine gives; on SQLite the
CPU is all the server's work. With --callgrind, each period's figures are also counted in
instructions (valgrind's callgrind, which load does not move): the script runs itself under
valgrind with one call and with two, and prints the difference. With --check, each period's
figures from the roll-ups are compared with those counted from every case (the roll-ups
removed in a transaction that is rolled back): every figure the page shows must be equal.

    CORRIGO_DATA=/tmp/corrigo-bench python bench/metrics_figures.py [--rounds 8] [--days 30,90,365,731]
    CORRIGO_DATA=/tmp/corrigo-bench python bench/metrics_figures.py --callgrind --days 90
    CORRIGO_DATA=/tmp/corrigo-bench python bench/metrics_figures.py --check
"""

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import timedelta


def setup():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    os.environ["CORRIGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def fastest(run, rounds: int) -> tuple[float, float]:
    """The fastest CPU and the fastest wall time of `rounds` runs, in milliseconds."""
    cpus, walls = [], []
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(cpus) * 1000, min(walls) * 1000


def instructions(days: int, calls: int) -> int:
    """Instructions callgrind counts for this script making `calls` calls of the figures."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    done = subprocess.run(
        [*command, "--days", str(days), "--calls", str(calls)], capture_output=True, text=True, check=True, env=os.environ
    )
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def shown(metrics) -> tuple:
    """Every figure the metrics page shows, as plain values."""

    def figures(f):
        hours = (f.median_first_action_h, f.p90_first_action_h, f.median_fix_h, f.p90_fix_h)
        return (f.name, f.label, f.cases, f.readers, sorted(f.outcomes.items()), hours)

    groups = [figures(f) for f in (metrics.total, *metrics.by_category, *metrics.by_section, *metrics.by_author)]
    articles = [(a.article_id, a.title, a.fixed, a.cases) for a in metrics.top_articles]
    return metrics.reports, groups, articles, [(b.start, b.cases, b.fixed) for b in metrics.buckets]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--days", default="30,90,365,731", help="period lengths, comma-separated")
    parser.add_argument("--callgrind", action="store_true", help="also count each period's instructions")
    parser.add_argument("--check", action="store_true", help="compare the roll-ups' figures with every case's")
    parser.add_argument("--calls", type=int, help=argparse.SUPPRESS)  # the run under valgrind
    args = parser.parse_args(argv)
    periods = [int(days) for days in args.days.split(",")]
    if args.callgrind:
        for days in periods:
            print(f"{days} days: {(instructions(days, 2) - instructions(days, 1)) / 1e6:,.0f} M instructions", flush=True)
        return
    setup()

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from corrigo.desk.metrics import period_metrics
    from corrigo.desk.models import MetricsDay
    from corrigo.sites.models import Site

    site = Site.objects.get(key="bench")
    today = timezone.localdate()
    if args.calls is not None:
        period_metrics(site, today, today)  # imports and first queries, as in both runs
        for _ in range(args.calls):
            period_metrics(site, today - timedelta(days=periods[0] - 1), today)
        return

    if args.check:
        for days in periods:
            start = today - timedelta(days=days - 1)
            rolled = shown(period_metrics(site, start, today))
            with transaction.atomic():
                MetricsDay.objects.filter(site=site).delete()
                counted = shown(period_metrics(site, start, today))
                transaction.set_rollback(True)
            print(f"{days} days: {'the same figures' if rolled == counted else 'DIFFERENT FIGURES'}", flush=True)
        return

    client = Client()
    client.force_login(User.objects.get(username="bench-editor"))
    print(f"{connection.vendor}; load average before: " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
    print()
    print("| period | figures CPU ms | figures wall ms | page CPU ms | page wall ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for days in periods:
        start = today - timedelta(days=days - 1)
        params = {"day_from": start.isoformat()}
        client.get("/desk/sites/bench/metrics/", params)  # warm
        figures = fastest(lambda start=start: period_metrics(site, start, today), args.rounds)
        page = fastest(lambda params=params: client.get("/desk/sites/bench/metrics/", params), args.rounds)
        print(f"| {days} days | {figures[0]:.1f} | {figures[1]:.1f} | {page[0]:.1f} | {page[1]:.1f} |", flush=True)
    print()
    print("load average after: " + " ".join(f"{n:.2f}" for n in os.getloadavg()))


if __name__ == "__main__":
    main(sys.argv[1:])
