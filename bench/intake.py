"""Intake throughput: `corrigo serve` (2 workers) on SQLite, against its own cheapest endpoint.

Starts a fresh server on a temporary data folder, then drives it with wrk (Debian's
package): first GET /api/v1/health (the framework's ceiling), then POST
/api/v1/reports with real article bodies from ../shared/data/pages and a fresh
client_report_id per request. Prints requests per second, p50 and p99 for both, the
ratio, and checks that every acknowledged report is in the database.

    python bench/intake.py [--seconds 15] [--connections 8] [--database-url URL] [--bounds]

With --bounds (SQLite only) the same server also serves the two endpoints of
bench/intake_bounds_urls.py, and the run measures them too: intake's work without
any write, and with only a raw receipt committed. They show how much of the
ceiling is left for a durable report at all.
"""

import argparse
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("CORRIGO_SHARED_DATA", BENCH.parent.parent / "shared" / "data"))
PAGES = SHARED_DATA / "pages" / "pages.jsonl"
ORIGIN = "https://bench.example"
RECEIPTS = (  # for /api/bench/receipt-only
    "CREATE TABLE bench_receipt (id INTEGER PRIMARY KEY, site_id INTEGER, client_report_id TEXT, uid TEXT, body TEXT,"
    " UNIQUE (site_id, client_report_id))"
)


def article_bodies() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in PAGES.read_text().splitlines()]
    return [(row["url"], row["article_body"]) for row in rows if row.get("article_body") and len(row["article_body"]) > 800]


def report_bodies(count: int, seed: int = 7) -> list[str]:
    """Reports on a few popular articles: a word or a phrase, sometimes with a comment."""
    rng = random.Random(seed)
    bodies = []
    articles = article_bodies()
    for _ in range(count):
        url, text = rng.choice(articles)
        words = [m.span() for m in re.finditer(r"\S+", text)]
        first = rng.randrange(len(words) - 4)
        start, end = words[first][0], words[first + rng.choice([0, 0, 1, 3])][1]
        body = {
            "site": "bench",
            "url": url + "?utm_source=bench",
            "title": "Benchmark article",
            "quote": {
                "exact": text[start:end],
                "prefix": text[max(0, start - 32) : start],
                "suffix": text[end : end + 32],
                "start": start,
                "end": end,
            },
            "article_text": text,
            "suggestion": "a better wording",
            "category": rng.choice(["typo", "fact", "other"]),
            "language": "en",
            "client_report_id": "__ID__",
        }
        if rng.random() < 0.3:
            body["comment"] = "This looks wrong to me; the figure was different in yesterday's story."
        bodies.append(json.dumps(body, ensure_ascii=False))
    return bodies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def corrigo(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "corrigo", *args], env=env, check=True, capture_output=True, text=True).stdout


def server_cpu(master: int) -> float:
    """User and system CPU seconds of the gunicorn master and its live workers."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout.split()
    total = 0
    for pid in [str(master), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def bench_site(database_url: str | None, prefix: str = "corrigo-bench-") -> tuple[Path, dict]:
    """A fresh data folder (or the empty PostgreSQL database), migrated, with the site "bench"; its environment."""
    data = Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO"}}
    env.update(CORRIGO_DATA=str(data), CORRIGO_ALLOWED_HOSTS="127.0.0.1", CORRIGO_TRUSTED_PROXIES="127.0.0.1")
    if database_url:
        env["DATABASE_URL"] = database_url
    corrigo(env, "migrate")
    corrigo(env, "createsite", "bench", "--origin", ORIGIN)
    # The readers' limits stay on (each request comes from another reader); the site's 600 a minute would stop the run.
    corrigo(env, "limits", "bench", "--per-site-minute", "0")
    return data, env


def reader_address(number: int) -> str:
    """A reader's address of its own for each number (bench_site trusts 127.0.0.1 as a proxy; intake_wrk.lua makes the same)."""
    return f"198.18.{number // 256 % 256}.{number % 256}"


def wait_until_up(base: str, data: Path) -> None:
    """Until the server at `base` answers /api/v1/health (10 s at most)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not start; see {data / 'server.log'}")


def wrk(url: str, seconds: int, connections: int, script: Path, env: dict) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if "JSON " not in out.stdout:
        raise SystemExit(f"wrk failed: {out.stdout}{out.stderr}")
    out = out.stdout
    return json.loads(out.split("JSON ", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite (the database must exist and be empty)")
    parser.add_argument("--bounds", action="store_true", help="also measure the bounds endpoints (SQLite only)")
    args = parser.parse_args()
    if args.bounds and args.database_url:
        parser.error("--bounds measures SQLite only")

    data, env = bench_site(args.database_url)
    if args.bounds:
        with sqlite3.connect(data / "corrigo.sqlite3") as db:
            db.execute(RECEIPTS)
        env.update(
            DJANGO_SETTINGS_MODULE="intake_bounds_settings",
            PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")])),
        )
    bodies_file = data / "bodies.jsonl"
    bodies_file.write_text("\n".join(report_bodies(2000)) + "\n")

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corrigo",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(data / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, data)
        wrk_env = dict(env, CORRIGO_BENCH_BODIES=str(bodies_file))
        wrk(base + "/api/v1/health", 3, args.connections, BENCH / "health_wrk.lua", wrk_env)  # warm up
        cpu_before = server_cpu(server.pid)
        ceiling = wrk(base + "/api/v1/health", args.seconds, args.connections, BENCH / "health_wrk.lua", wrk_env)
        cpu_health = server_cpu(server.pid)
        intake = wrk(base, args.seconds, args.connections, BENCH / "intake_wrk.lua", wrk_env)
        cpu_intake = server_cpu(server.pid)
        bounds = {
            path: wrk(base, args.seconds, args.connections, BENCH / "intake_wrk.lua", dict(wrk_env, CORRIGO_BENCH_PATH=path))
            for path in (["/api/bench/receipt-only", "/api/bench/validate-only"] if args.bounds else [])
        }
    finally:
        server.terminate()
        server.wait(timeout=30)

    if args.database_url:
        import psycopg

        with psycopg.connect(args.database_url) as db:
            stored = db.execute("select count(*) from reports_report").fetchone()[0]
    else:
        with sqlite3.connect(data / "corrigo.sqlite3") as db:
            stored = db.execute("select count(*) from reports_report").fetchone()[0]
    acknowledged = intake["requests"] - intake["non2xx"] - intake["errors"]
    print(
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; {args.workers} workers × {args.threads} threads;"
        f" wrk -t1 -c{args.connections} -d{args.seconds}s; load average before: {os.getloadavg()[0]:.1f}"
    )
    print("| endpoint | requests/s | p50 ms | p99 ms | non-2xx |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| GET /api/v1/health (ceiling) | {ceiling['rps']:.0f} | {ceiling['p50_ms']:.2f} | {ceiling['p99_ms']:.2f} | {ceiling['non2xx']} |"
    )
    print(
        f"| POST /api/v1/reports | {intake['rps']:.0f} | {intake['p50_ms']:.2f} | {intake['p99_ms']:.2f} | {intake['non2xx']} |"
    )
    for path, run in bounds.items():
        print(f"| POST {path} (bound) | {run['rps']:.0f} | {run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {run['non2xx']} |")
    print(f"intake / ceiling: {intake['rps'] / ceiling['rps']:.0%} (target ≥ 60 %)")
    # CPU the server spent per request: far steadier than requests/s on a machine shared with others.
    print(
        f"server CPU per request: health {(cpu_health - cpu_before) / max(1, ceiling['requests']) * 1000:.2f} ms,"
        f" intake {(cpu_intake - cpu_health) / max(1, intake['requests']) * 1000:.2f} ms"
    )
    for path, run in bounds.items():
        print(f"{path} / ceiling: {run['rps'] / ceiling['rps']:.0%}")
    if stored is not None:
        # wrk counts a request cut off at the end of the run as an error, so stored may exceed acknowledged by a few.
        print(f"acknowledged {acknowledged}, stored {stored}: {'ok' if stored >= acknowledged else 'LOST REPORTS'}")


if __name__ == "__main__":
    main()
