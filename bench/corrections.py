"""Time the public corrections surfaces of a site with 10,000 notices: the page, both feeds,
the notices API and the HTML fragment, and a repeated GET with the ETag (a 304).

A `bench-corrections` site is made anew (the database is migrated first) with NOTICES
notices over ARTICLES articles, written in bulk (the services' per-notice log lines and
events are not what is timed here). An answer is made once per ETag and kept for the next
reader, so the repeated rows (page 1, the feeds) are mostly kept answers; the "made anew"
rows clear the cache first, as for the first reader after a change. Each answer is
requested in process through Django's
test client, so the time is the server's whole work (middleware, queries, templates,
serialising) without a network. Prints p50, p95 and max in milliseconds and the number
of SQL queries, as a Markdown table for bench/README.md; the p95 of this process's CPU
time shows the server's own work when the machine is shared (on SQLite that is all of it).

    CORRIGO_DATA=/tmp/corrigo-bench python bench/corrections.py [--notices 10000] [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/corrigo_bench python bench/corrections.py
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from requests_timing import QueryCounter, percentile

SITE = "bench-corrections"
ARTICLES = 2_000


def setup():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    os.environ["CORRIGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(notices: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from corrigo.articles.models import Article
    from corrigo.articles.services import identity
    from corrigo.corrections.models import CorrectionNotice, NoticeKind
    from corrigo.sites.models import Site

    Site.objects.filter(key=SITE).delete()
    rng = random.Random(11)
    with transaction.atomic():
        site = Site.objects.create(
            key=SITE, name="The Bench Gazette", corrections_policy="We correct every error we find.\n\nWrite to us."
        )
        articles = Article.objects.bulk_create(
            Article(
                site=site,
                identity=identity(f"https://bench.example.org/{n}"),
                url=f"https://bench.example.org/{n}",
                external_id=f"cms-{n}",
                title=f"Story {n}: the council, the ferry and the budget",
            )
            for n in range(ARTICLES)
        )
        start = timezone.now() - timedelta(days=365)
        kinds = NoticeKind.values
        CorrectionNotice.objects.bulk_create(
            (
                CorrectionNotice(
                    site=site,
                    article=articles[rng.randrange(ARTICLES)],
                    kind=rng.choice(kinds),
                    minor=rng.random() < 0.3,
                    text=f"An earlier version of this article said “€{rng.randrange(10**6):,}”; the figure is "
                    f"€{rng.randrange(10**6):,}. See https://bench.example.org/notes/{n}.",
                    language="en",
                    published_at=start + timedelta(minutes=50 * n),
                    updated_at=start + timedelta(minutes=50 * n),
                    author_name="bench",
                )
                for n in range(notices)
            ),
            batch_size=1000,
        )
    # Fresh statistics, as PostgreSQL's autovacuum leaves them after a bulk load (SQLite: ANALYZE);
    # without them PostgreSQL thinks the site has one notice and sorts all 10,000.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind")
    args = parser.parse_args(argv)
    setup()
    seed(args.notices)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client()
    rng = random.Random(7)
    pages = -(-args.notices // 20)
    base = f"/corrections/{SITE}"
    kinds = {
        "corrections page, page 1": lambda: (f"{base}/", {}),
        "corrections page, a random page": lambda: (f"{base}/", {"page": rng.randrange(1, pages + 1)}),
        "feed.atom (50 newest)": lambda: (f"{base}/feed.atom", {}),
        "feed.json (50 newest)": lambda: (f"{base}/feed.json", {}),
        "GET /api/v1/notices, one article + JSON-LD": lambda: (
            "/api/v1/notices",
            {"site": SITE, "article_id": f"cms-{rng.randrange(ARTICLES)}"},
        ),
        "GET /api/v1/notices, newest 50": lambda: ("/api/v1/notices", {"site": SITE}),
        "HTML fragment, one article": lambda: (
            f"{base}/fragment",
            {"url": f"https://bench.example.org/{rng.randrange(ARTICLES)}"},
        ),
        # The first reader after a change: nothing kept yet (the cache is cleared before each request).
        "corrections page, page 1, made anew": lambda: (f"{base}/", {"_cold": True}),
        "feed.atom, made anew": lambda: (f"{base}/feed.atom", {"_cold": True}),
        "feed.json, made anew": lambda: (f"{base}/feed.json", {"_cold": True}),
    }
    vendor = connection.vendor
    print(f"{args.notices:,} notices over {ARTICLES:,} articles on {vendor}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print()
    print(f"| answer ({vendor}) | p50 ms | p95 ms | max ms | p95 CPU ms | queries | repeated with ETag: p95 ms | status |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, make in kinds.items():
        timings, cpus, revalidated, queries, statuses = [], [], [], set(), set()
        for i in range(args.requests + 5):
            path, params = make()
            if params.pop("_cold", False):
                cache.clear()
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(path, params)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu) * 1000
            assert response.status_code == 200, (path, params, response.status_code)
            started = time.perf_counter()
            again = client.get(path, params, HTTP_IF_NONE_MATCH=response["ETag"])
            again_ms = (time.perf_counter() - started) * 1000
            statuses.add(again.status_code)
            if i >= 5:  # the first few warm caches and connections
                timings.append(elapsed)
                cpus.append(cpu)
                revalidated.append(again_ms)
                queries.add(counter.count)
        q = "–".join(str(n) for n in sorted(queries)) if len(queries) > 1 else str(queries.pop())
        print(
            f"| {name} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} | {max(timings):.1f} | {percentile(cpus, 0.95):.1f} | {q} "
            f"| {percentile(revalidated, 0.95):.1f} | {', '.join(map(str, sorted(statuses)))} |",
            flush=True,
        )
    print()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main(sys.argv[1:])
