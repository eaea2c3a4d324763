"""What URL parsing costs intake: canonical_url and the origin check on the intake bench's URLs.

    python bench/url_parsing.py [--rounds 20000]

Every report's `url` goes through canonical_url, and an Origin header that is not already
in its site's list in canonical form goes through the origin parser. The URLs are the
intake benchmark's own (bench/intake.py: the real pages' URLs with `?utm_source=bench`).
Two cases: the bench's 20 URLs over and over, as intake sees a few popular articles, and
1,000 distinct URLs (each bench URL with `&n=1`…`&n=50`) in turn, more than any cache
of canonical_url holds, as intake would see a new URL on every report. For scale, the
last line is intake's whole validation of one bench report body (ReportIn, URL included).
Prints the median CPU time of one call over five runs (process time, so that other work on
the machine disturbs it less), in microseconds. It also runs against
a checkout from before corrigo.lib.urls existed (PYTHONPATH=that/src), so the two can be
compared on the same machine in the same minute.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("CORRIGO_SHARED_DATA", BENCH.parent.parent / "shared" / "data"))
PAGES = SHARED_DATA / "pages" / "pages.jsonl"


def bench_urls() -> list[str]:
    rows = [json.loads(line) for line in PAGES.read_text().splitlines()]
    return [row["url"] + "?utm_source=bench" for row in rows if row.get("url")]


def url_functions():
    """canonical_url and the origin normaliser, wherever this checkout keeps them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django

    django.setup()
    try:
        from corrigo.lib.urls import canonical_url, parse_origin

        where = "corrigo.lib.urls (ada-url)"
    except ImportError:  # a checkout from before the URL module
        from corrigo.articles.canonical import canonical_url
        from corrigo.sites.services import parse_origin

        where = "corrigo.articles.canonical + sites.services (urllib)"
    return canonical_url, parse_origin, where


def per_call_us(function, values: list[str], rounds: int) -> float:
    """Median over five runs of the CPU time of one call, in microseconds."""
    passes = rounds // len(values) + 1
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(passes):
            for value in values:
                function(value)
        runs.append((time.process_time() - started) / (passes * len(values)))
    return statistics.median(runs) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="calls per run (rounded up to whole passes)")
    args = parser.parse_args()
    canonical_url, parse_origin, where = url_functions()
    urls = bench_urls()
    distinct = [f"{url}&n={n}" for n in range(1, 51) for url in urls]
    origins = ["https://bench.example", "https://Bench.example:443", "https://bücher.example", "http://127.0.0.1:8000"]
    print(f"{where}; python {sys.version.split()[0]}")
    print(f"canonical_url, the same {len(urls)} URLs  {per_call_us(canonical_url, urls, args.rounds):6.2f} µs a URL")
    print(f"canonical_url, {len(distinct)} distinct URLs {per_call_us(canonical_url, distinct, args.rounds):6.2f} µs a URL")
    print(f"origin parser                {per_call_us(parse_origin, origins, args.rounds):6.2f} µs an origin")
    # In context: intake's whole validation of a report body (schema, URL included), same bodies as bench/intake.py.
    from intake import report_bodies

    from corrigo.reports.schemas import ReportIn

    bodies = [json.loads(body.replace("__ID__", f"bench-{n:06d}")) for n, body in enumerate(report_bodies(200))]
    print(f"ReportIn of a bench report   {per_call_us(ReportIn.model_validate, bodies, args.rounds // 10):6.2f} µs a report")


if __name__ == "__main__":
    main()
