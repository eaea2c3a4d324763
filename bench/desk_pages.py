"""Time the desk's queue, case, site log and metrics pages on the seeded bench site (bench/desk_seed.py).

Each page is requested in process through Django's test client as the bench editor:
the time is the server's whole work for the request (middleware, session, queries,
templates), without a network. Prints p50, p95 and max in milliseconds, the p95 of
this process's CPU time (on SQLite that is all the server's work; it shows what the
wall time would be on a quiet machine), and the number of SQL queries per page, as a
Markdown table for bench/README.md.

    CORRIGO_DATA=/tmp/corrigo-bench python bench/desk_pages.py [--requests 200]

On a machine shared with other work, run it as `nice -n -10 python bench/desk_pages.py`
(as root); on PostgreSQL the script gives its database backend the same priority.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/corrigo_bench python bench/desk_pages.py
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from requests_timing import QueryCounter, percentile


def setup():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    # The test client's host. No setup_test_environment(): its template instrumentation
    # copies every context and would time the test harness, not the desk.
    os.environ["CORRIGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    parser.add_argument("--only", default="", help="time only the page kinds whose name holds this")
    args = parser.parse_args(argv)
    setup()

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from corrigo.articles.models import Article
    from corrigo.audit.models import Entry
    from corrigo.reports.models import Case, Report

    editor = User.objects.get(username="bench-editor")
    client = Client()
    client.force_login(editor)
    rng = random.Random(7)
    case_ids = list(Case.objects.filter(site__key="bench").values_list("pk", flat=True))
    busy = list(Case.objects.filter(site__key="bench").order_by("-report_count").values_list("pk", flat=True)[:50])
    articles = Article.objects.filter(site__key="bench").count()
    reports = Report.objects.filter(site__key="bench").count()
    log_deep = str(Entry.objects.filter(site__key="bench").order_by("-pk").values_list("pk", flat=True)[400])

    # A cursor 20 pages deep, found by walking the queue as an editor would.
    from corrigo.desk.queue import QueueFilters, queue_page

    deep = None
    site_ids = list(editor.memberships.values_list("site_id", flat=True))
    for _ in range(20):
        filters = QueueFilters({"after": deep} if deep else {}).values()
        deep = queue_page(site_ids, filters, editor).next_cursor

    week_ago = (timezone.now() - timedelta(days=7)).date().isoformat()
    today = timezone.localdate()
    quarter_ago = (today - timedelta(days=89)).isoformat()
    year_ago = (today - timedelta(days=364)).isoformat()
    two_years_ago = (today - timedelta(days=730)).isoformat()
    kinds = {
        "queue, open, page 1": lambda: ("/desk/", {}),
        "queue, open, page 21 (keyset)": lambda: ("/desk/", {"after": deep}),
        "queue, all statuses": lambda: ("/desk/", {"status": "all"}),
        "queue, fact + looks fixed": lambda: ("/desk/", {"category": "fact", "looks_fixed": "on"}),
        "queue, assigned to me": lambda: ("/desk/", {"assignee": "me"}),
        "queue, reported in the last 7 days": lambda: ("/desk/", {"reported_from": week_ago}),
        "queue, one list (not by article)": lambda: ("/desk/", {"group": "none"}),
        "queue, htmx filter swap": lambda: ("/desk/", {"category": "typo", "_htmx": "1"}),
        "queue, search, few matches": lambda: ("/desk/", {"q": f"paragraph {rng.randrange(2000)}."}),
        "queue, search, 10,000+ matches": lambda: ("/desk/", {"q": "Tallinn"}),
        "queue, search, an article's title": lambda: ("/desk/", {"q": f"Story {rng.randrange(articles)}:"}),
        "queue, search, a reporter's email": lambda: ("/desk/", {"q": f"reader{rng.randrange(reports)}@"}),
        "case page, random case": lambda: (f"/desk/cases/{rng.choice(case_ids)}/", {}),
        "case page, busiest cases": lambda: (f"/desk/cases/{rng.choice(busy)}/", {}),
        "site log, newest": lambda: ("/desk/sites/bench/log/", {}),
        "site log, search": lambda: ("/desk/sites/bench/log/", {"q": f"case {rng.choice(case_ids)} "}),
        "site log, cases, page 5": lambda: ("/desk/sites/bench/log/", {"kind": "case", "after": log_deep}),
        "metrics, last 30 days": lambda: ("/desk/sites/bench/metrics/", {}),
        "metrics, last 90 days": lambda: ("/desk/sites/bench/metrics/", {"day_from": quarter_ago}),
        "metrics, last 365 days": lambda: ("/desk/sites/bench/metrics/", {"day_from": year_ago}),
        "metrics, last 731 days": lambda: ("/desk/sites/bench/metrics/", {"day_from": two_years_ago}),
    }
    vendor = connection.vendor
    if vendor == "postgresql":
        # Run under `nice -n -10` on a shared machine: give our PostgreSQL backend the same priority.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        try:
            os.setpriority(os.PRIO_PROCESS, backend, os.getpriority(os.PRIO_PROCESS, 0))
        except OSError:
            pass  # not root, or another host: the backend keeps its priority
    print(
        f"{Case.objects.filter(site__key='bench').count():,} cases, {Report.objects.filter(site__key='bench').count():,} reports on {vendor}"
    )
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print()
    print(f"| page ({vendor}) | p50 ms | p95 ms | max ms | p95 CPU ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, make in kinds.items():
        if args.only not in name:
            continue
        timings, cpus, queries = [], [], set()
        for i in range(args.requests + 5):
            path, params = make()
            headers = {}
            if params.pop("_htmx", None):
                headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue"}
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(path, params, **headers)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 5:  # the first few warm caches and connections
                timings.append(elapsed)
                cpus.append(cpu)
                queries.add(counter.count)
        q = "–".join(str(n) for n in sorted(queries)) if len(queries) > 1 else str(queries.pop())
        print(
            f"| {name} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} | {max(timings):.1f} | {percentile(cpus, 0.95):.1f} | {q} |",
            flush=True,
        )
    print()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main(sys.argv[1:])
