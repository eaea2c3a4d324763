"""A CMS pushes the next version of a long article with 200 open cases: how long the push takes to answer.

    python bench/push.py [--database-url postgres://…/corrigo_push_bench] [--repeat 5] [--words 20000]

The article and edit of bench/reanchor_in_product.py (20,000 words, 200 cases, a
newsroom's edits). 200 readers' reports open the cases on the first text; the CMS pushed
that text first. Then the edited text is pushed to POST /api/v1/articles, through Django's
test client (JSON parsing, token, schema, the text model check, publish_text, the 200
anchors stored, the answer listing them), as `html` (the page, read by the site's
selectors) and as `text`, each timed from request to answer. Each repeat uses a site and
article of its own. Budget (issue 9): under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from html import escape
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_anchoring_cases import shared_data  # noqa: E402  (bench/ is not a package)


def as_page(text: str) -> str:
    paragraphs = "".join(f"<p>{escape(line)}</p>\n" for line in text.split("\n"))
    return (
        f"<!doctype html><html><head><title>Long</title></head><body><nav>Menu</nav><article>{paragraphs}</article></body></html>"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data())
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (an existing, empty database)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args(argv)

    os.environ["CORRIGO_DATA"] = tempfile.mkdtemp(prefix="corrigo-bench-")
    os.environ["CORRIGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django

    django.setup()
    from anchoring_speed import edited_long_article
    from django.core.management import call_command
    from django.test import Client

    from corrigo.articles.publishing import PublishedText, publish_text
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report
    from corrigo.sites.services import create_site, create_token

    call_command("migrate", verbosity=0)
    old, quotes, new = edited_long_article(args.data, args.cases, args.words, seed=7)
    client = Client()
    url = "https://bench.example/long"
    timings: dict[str, list[float]] = {"html": [], "text": []}
    answers = {}
    # One push first, untimed: the first request of a process builds the URL resolver and the API's schemas.
    warm = create_site(f"bench-warm-{os.getpid()}", "Bench", ["https://bench.example"])
    warm_token = create_token(warm, scopes=["publish"])
    client.post(
        "/api/v1/articles",
        json.dumps({"site": warm.key, "url": url, "html": as_page("Warm.")}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {warm_token}",
    )
    for run in range(args.repeat):
        for kind, runs in timings.items():
            # A site and article of their own each time: the same starting state, nothing to clean.
            site = create_site(f"bench-{kind}-{run}-{os.getpid()}", "Bench", ["https://bench.example"])
            site.article_selector = "article"
            site.save()
            token = create_token(site, scopes=["publish"])
            publish_text(site, PublishedText(url=url, text=old))
            for number, quote in enumerate(quotes):
                report = {
                    "site": site.key,
                    "url": url,
                    "article_text": old,
                    "quote": {"exact": quote.exact, "start": quote.start, "end": quote.end},
                    "client_report_id": f"bench-{number:06d}",
                }
                submit_report(site, ReportIn.model_validate(report))
            body = json.dumps({"site": site.key, "url": url, kind: as_page(new) if kind == "html" else new})
            started = time.perf_counter()
            response = client.post(
                "/api/v1/articles", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            runs.append(time.perf_counter() - started)
            if response.status_code != 201:
                print(f"push answered {response.status_code}: {response.content[:300]!r}", file=sys.stderr)
                return 1
            answer = response.json()
            states: dict[str, int] = {}
            for case in answer["cases"]:
                states[case["anchor"]["status"]] = states.get(case["anchor"]["status"], 0) + 1
            answers[kind] = (len(answer["cases"]), dict(sorted(states.items())), len(body))
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{database}: {len(old.split())} words, {len(quotes)} reports")
    for kind, runs in timings.items():
        cases, states, size = answers[kind]
        print(
            f"push as {kind} ({size / 1024:.0f} KiB): {statistics.median(runs):.3f} s (median of {len(runs)};"
            f" runs {', '.join(f'{r:.3f}' for r in runs)}); {cases} cases re-anchored: {states}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
