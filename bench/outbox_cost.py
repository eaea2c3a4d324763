"""What the outbox adds to intake: reports with and without their events, interleaved in one process.

bench/intake.py measures the whole server, and on a shared 2-core machine its runs
differ by more than the outbox's one INSERT. This script takes the network out: it
POSTs reports to /api/v1/reports through Django's test client (the whole intake: the
middleware, django-ninja, validation, and `submit_report`'s transaction: article,
version, case, report, and now the event), or with --service calls `submit_report`
alone, on a fresh SQLite database (synchronous=FULL, as served), in alternating blocks
with the events left in and taken out (the bench swaps `emit` for a no-op), so load on
the machine falls on both alike. Half the reports open a
case (case.created), half join one (case.updated, throttled).

Each pair of neighbouring blocks (one with, one without) gives a ratio; the median of
the ratios is the figure, in wall time and in this process's CPU time (which leaves
out time spent waiting for the disk and for other processes on a busy machine).

    python bench/outbox_cost.py [--blocks 60] [--per-block 25] [--service]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=60, help="pairs of blocks")
    parser.add_argument("--per-block", type=int, default=25)
    parser.add_argument("--service", action="store_true", help="call submit_report alone, not the API")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="corrigo-outbox-bench-")
    os.environ.update(CORRIGO_DATA=data, DJANGO_SETTINGS_MODULE="corrigo.settings", CORRIGO_ALLOWED_HOSTS="testserver")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    from corrigo.reports import services
    from corrigo.reports.schemas import ReportIn
    from corrigo.sites.services import create_site

    site = create_site("bench", "Bench", ["https://bench.example"])
    client = Client(HTTP_ORIGIN="https://bench.example")
    text = " ".join(f"Sentence {n} of the article, with a word to quote here." for n in range(200))
    emit = services.emit
    number = 0

    def block(with_events: bool) -> tuple[float, float]:
        nonlocal number
        services.emit = emit if with_events else (lambda *args, **kwargs: True)
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.per_block):
            number += 1
            # Reports come in pairs on one passage: the first opens a case, the second joins it.
            pair = (number + 1) // 2
            sentence = (pair // 20) % 200
            start = text.index(f"Sentence {sentence} ")
            body = {
                "site": "bench",
                "url": f"https://bench.example/story/{pair % 20}",
                "quote": {
                    "exact": f"Sentence {sentence}",
                    "prefix": text[max(0, start - 32) : start],
                    "suffix": "",
                    "start": start,
                    "end": start + len(f"Sentence {sentence}"),
                },
                "article_text": text,
                "suggestion": "Phrase",
                "client_report_id": f"bench-{number:07d}",
            }
            body["quote"]["suffix"] = text[body["quote"]["end"] : body["quote"]["end"] + 32]
            if args.service:
                services.submit_report(site, ReportIn.model_validate(body))
            else:
                answer = client.post("/api/v1/reports", json.dumps(body), content_type="text/plain")
                assert answer.status_code == 201, answer.content
        return (time.perf_counter() - started) / args.per_block * 1000, (time.process_time() - cpu) / args.per_block * 1000

    block(True)  # warm-up: caches, the SQL strings, the first article versions
    pairs = []
    for index in range(args.blocks):
        # Alternate which goes first, so a trend in the machine's load favours neither.
        first = index % 2 == 0
        one, other = block(first), block(not first)
        pairs.append((one, other) if first else (other, one))
    services.emit = emit
    measured = "submit_report" if args.service else "POST /api/v1/reports"
    synchronous = os.environ.get("CORRIGO_SQLITE_SYNCHRONOUS", "FULL")
    print(json.dumps({"measured": measured, "pairs": args.blocks, "per_block": args.per_block, "synchronous": synchronous}))
    for label, at in (("wall", 0), ("CPU", 1)):
        with_events = [pair[0][at] for pair in pairs]
        without = [pair[1][at] for pair in pairs]
        ratio = statistics.median(on / off for on, off in zip(with_events, without, strict=True) if off > 0)
        print(
            f"{label}: {measured} {statistics.median(without):.3f} ms without events, "
            f"{statistics.median(with_events):.3f} ms with (medians); the outbox adds {100 * (ratio - 1):.1f} % "
            "(median of paired blocks; budget ≤ 10 %)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
