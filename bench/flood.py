"""A flood of reports against `corrigo serve` on SQLite (issue 12): what is stored, refused, and what it costs others.

Starts a fresh server (2 workers, CORRIGO_TRUSTED_PROXIES=127.0.0.1 so the script can
speak for many readers through X-Forwarded-For), with the site's default limits and
proof of work (`auto`). Two floods, each a bounded number of reports sent as fast as
--connections threads can, each report with a made-up article text of --text-kb KB
(the worst case for storage), while one honest reader a second (each from its own
address) sends a real report and times the answer:

1. one client: every report from one address;
2. many clients: every report from another address (a botnet; the site's flood
   defence, proof of work for everyone past half the per-minute limit, takes over).

Prints, per flood: sent, stored, refused by code, database growth (the SQLite file and
its WAL) per report sent and per report stored, and the honest readers' p50/p99.

    python bench/flood.py [--reports 1000] [--connections 4] [--text-kb 100]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from intake import ORIGIN, corrigo, free_port, wait_until_up  # noqa: E402


def post(base: str, body: dict, address: str) -> tuple[int, str]:
    request = urllib.request.Request(
        base + "/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain", "Origin": ORIGIN, "X-Forwarded-For": address},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, "stored" if answer.status == 201 else "folded"
    except urllib.error.HTTPError as refused:
        try:
            return refused.code, json.loads(refused.read())["error"]["code"]
        except (ValueError, KeyError):
            return refused.code, f"HTTP {refused.code}"


def report(serial: int, text_kb: int) -> dict:
    filler = f"Paragraph {serial} of a made-up article. " * (text_kb * 1024 // 40)
    text = f"Flood article {serial}: the council voted on Tuesday. " + filler
    start = serial * 97 % (len(text) - 20)  # another passage each time: nothing is folded into an earlier report
    return {
        "site": "flood",
        "url": "https://flood.example/article",
        "quote": {"exact": text[start : start + 12], "start": start, "end": start + 12},
        "article_text": text,
        "category": "fact",
        "client_report_id": f"flood-{serial:08d}",
    }


def db_bytes(data: Path) -> int:
    return sum(path.stat().st_size for path in data.glob("corrigo.sqlite3*") if path.is_file())


def stored(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(data / "corrigo.sqlite3") as db:
        return db.execute("SELECT count(*) FROM reports_report").fetchone()[0]


def flood(base: str, data: Path, name: str, args, address_of) -> dict:
    answers: Counter = Counter()
    honest_ms: list[float] = []
    serials = iter(range(args.offset, args.offset + args.reports))
    lock, done = threading.Lock(), threading.Event()
    size_before, stored_before = db_bytes(data), stored(data)

    def flooder():
        while True:
            with lock:
                serial = next(serials, None)
            if serial is None:
                return
            _, code = post(base, report(serial, args.text_kb), address_of(serial))
            with lock:
                answers[code] += 1

    def honest_reader():
        number = 0
        while not done.wait(1.0):
            number += 1
            body = report(10**7 + args.offset + number, 4)
            started = time.perf_counter()
            post(base, body, f"198.51.100.{number % 250 + 1}")
            honest_ms.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=flooder) for _ in range(args.connections)]
    watcher = threading.Thread(target=honest_reader)
    started = time.perf_counter()
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    seconds = time.perf_counter() - started
    taken = stored(data) - stored_before - len(honest_ms)
    growth = db_bytes(data) - size_before
    return {
        "flood": name,
        "sent": args.reports,
        "seconds": seconds,
        "answers": dict(answers),
        "stored": taken,
        "growth": growth,
        "honest": honest_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--text-kb", type=int, default=100)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="corrigo-flood-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO", "REDIS_URL"}}
    env.update(CORRIGO_DATA=str(data), CORRIGO_ALLOWED_HOSTS="127.0.0.1", CORRIGO_TRUSTED_PROXIES="127.0.0.1")
    corrigo(env, "migrate")
    corrigo(env, "createsite", "flood", "--origin", ORIGIN)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(data / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        wait_until_up(base, data)
        args.offset = 0
        results.append(flood(base, data, "one client", args, lambda serial: "203.0.113.9"))
        args.offset = 10**6
        results.append(
            flood(
                base,
                data,
                "many clients",
                args,
                lambda serial: f"10.{serial // 65536 % 256}.{serial // 256 % 256}.{serial % 256}",
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{args.reports} reports a flood, {args.connections} connections, {args.text_kb} KB of made-up text each; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| flood | seconds | stored | refused | DB growth | bytes / report sent | bytes / report stored | honest p50 | honest p99 |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for run in results:
        refused = ", ".join(f"{code} {count}" for code, count in sorted(run["answers"].items()) if code != "stored")
        honest = sorted(run["honest"])
        p99 = honest[min(len(honest) - 1, int(len(honest) * 0.99))] if honest else 0
        per_stored = run["growth"] / run["stored"] if run["stored"] else 0
        print(
            f"| {run['flood']} | {run['seconds']:.1f} | {run['stored']} | {refused or '–'} | {run['growth'] / 1e6:.1f} MB |"
            f" {run['growth'] / run['sent']:,.0f} | {per_stored:,.0f} |"
            f" {statistics.median(honest) if honest else 0:.0f} ms | {p99:.0f} ms |"
        )


if __name__ == "__main__":
    main()
