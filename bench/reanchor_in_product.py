"""Re-anchoring in the product: a new text of a long article arrives with 200 open cases.

    python bench/reanchor_in_product.py [--database-url postgres://…/corrigo_reanchor_bench] [--repeat 5]

The same article and edit as bench/anchoring_speed.py's long-article run (20,000 words,
200 cases, a newsroom's edits), but through intake: 200 reports open the cases on the
first text, then two more reports carry the edited text (a site with neither push nor
fetching follows a reader's text once a second report brings it: decision 0021), and the
second one's submit_report call is timed. That call re-anchors the 200 open cases, stores
every anchor and files the report, all in the one transaction a reader's report waits for.
bench/push.py times the same re-anchoring arriving as a CMS push.
Each repeat uses a site and article of its own. Budget (issue 3): under a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_anchoring_cases import shared_data  # noqa: E402  (bench/ is not a package)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data())
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (an existing, empty database)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    os.environ["CORRIGO_DATA"] = tempfile.mkdtemp(prefix="corrigo-bench-")
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django

    django.setup()
    from anchoring_speed import edited_long_article
    from django.core.management import call_command
    from django.db.models import Count

    from corrigo.reports.models import Case
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report
    from corrigo.sites.services import create_site

    call_command("migrate", verbosity=0)
    old, quotes, new = edited_long_article(args.data, 200, 20_000, seed=7)

    runs = []
    for run in range(args.repeat):
        # A site and article of its own each run: the same starting state, nothing to clean.
        site = create_site(f"bench-{run}-{os.getpid()}", "Bench", ["https://bench.example"])

        def report(text: str, start: int, end: int, number: int, key: str = site.key) -> ReportIn:
            return ReportIn.model_validate(
                {
                    "site": key,
                    "url": "https://bench.example/long",
                    "article_text": text,
                    "quote": {"exact": text[start:end], "start": start, "end": end},
                    "client_report_id": f"bench-{number:06d}",
                }
            )

        for number, quote in enumerate(quotes):
            submit_report(site, report(old, quote.start, quote.end, number))
        opened = Case.objects.filter(site=site).count()
        start = new.index(" ", 100) + 1
        submit_report(site, report(new, start, new.index(" ", start), len(quotes)))  # stored, not followed yet
        start = new.index(" ", 300) + 1
        started = time.perf_counter()
        submit_report(site, report(new, start, new.index(" ", start), len(quotes) + 1))
        runs.append(time.perf_counter() - started)
        anchors = Case.objects.filter(site=site).exclude(version__text=new).values_list("anchor_status").annotate(n=Count("id"))
        states = dict(anchors)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{database}: {len(old.split())} words, {opened} open cases (of {len(quotes)} reports)")
    print(
        f"the report carrying the new text took {statistics.median(runs):.3f} s (median of {len(runs)};"
        f" runs {', '.join(f'{r:.3f}' for r in runs)}); anchors: {dict(sorted(states.items()))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
