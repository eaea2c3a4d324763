"""Crash under load: kill -9 app processes while readers send reports; nothing acknowledged may be lost.

Starts `corrigo serve` (2 workers) on a fresh SQLite data folder, or on the empty
PostgreSQL database given with --database-url, and sends reports from 8 client threads,
each with its own client_report_id. A report without an answer (the connection died with
its worker) is sent again with the same id, as the widget's outbox does. Meanwhile one
gunicorn worker is killed with SIGKILL every --every seconds, and once the whole server
(master and workers) is killed and started again; on PostgreSQL, with --kill-backends,
every database backend of the app is terminated too. At the end every report still
unanswered is sent until it is, then the database is counted:

  acknowledged lost = acknowledged ids not stored (must be 0)
  duplicates        = stored rows beyond one per id (must be 0)

    python bench/kill9.py [--seconds 30] [--every 3] [--database-url URL [--kill-backends]]
"""

import argparse
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ORIGIN, bench_site, free_port, reader_address, report_bodies


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corrigo", "serve", "--port", str(self.port), "--workers", "2"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
            start_new_session=True,  # its own process group: the whole server can be killed at once
        )
        for _ in range(200):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/api/v1/health")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the server did not start; see {self.log}")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False).stdout
        return [int(pid) for pid in out.split()]

    def kill_all(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def send(port: int, body: str, reader: str) -> tuple[int | None, str]:
    """The status and the receipt's id, or (None, "") when no answer came (the worker died, the server was down)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        headers = {"Content-Type": "text/plain", "Origin": ORIGIN, "X-Forwarded-For": reader}
        connection.request("POST", "/api/v1/reports", body.encode(), headers)
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        receipt = json.loads(answer).get("id", "") if response.status in (200, 201) else ""
        return response.status, receipt
    except (OSError, http.client.HTTPException, ValueError):
        return None, ""


def reader_of(report_id: str) -> str:
    """Each report from its own reader, the same one when sent again."""
    return reader_address(zlib.crc32(report_id.encode()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of SQLite")
    parser.add_argument("--kill-backends", action="store_true", help="also terminate the app's PostgreSQL backends")
    args = parser.parse_args()
    if not 5 <= args.seconds <= 300 or args.every < 0.5:
        parser.error("5 to 300 seconds, a kill at most every 0.5 s")

    data, env = bench_site(args.database_url, prefix="corrigo-kill9-")
    templates = report_bodies(500)
    server = Server(env, free_port(), data / "server.log")
    server.start()

    lock, stop = threading.Lock(), threading.Event()
    acknowledged: dict[str, str] = {}  # client_report_id -> the receipt's id, which must be stored
    unanswered: dict[str, str] = {}
    counts = {"sent": 0, "no answer": 0, "5xx": 0, "4xx": 0}

    def reader(number: int) -> None:
        sequence = 0
        while not stop.is_set():
            with lock:
                retry = next(iter(unanswered.items()), None) if unanswered else None
                if retry:
                    del unanswered[retry[0]]
            if retry:
                report_id, body = retry
            else:
                sequence += 1
                report_id = f"k{number}-{sequence:08d}"
                body = templates[sequence % len(templates)].replace("__ID__", report_id, 1)
            status, receipt = send(server.port, body, reader_of(report_id))
            with lock:
                counts["sent"] += 1
                if status in (200, 201):
                    acknowledged[report_id] = receipt
                elif status is None or status >= 500:
                    counts["no answer" if status is None else "5xx"] += 1
                    unanswered[report_id] = body
                else:
                    counts["4xx"] += 1
            if status is None:
                time.sleep(0.05)

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in readers:
        thread.start()
    kills = {"worker": 0, "server": 0, "backends": 0}
    deadline, whole_server_at = time.monotonic() + args.seconds, time.monotonic() + args.seconds / 2
    try:
        while time.monotonic() < deadline:
            time.sleep(args.every)
            if kills["server"] == 0 and time.monotonic() > whole_server_at:
                server.kill_all()
                kills["server"] += 1
                server.start()
                continue
            if workers := server.workers():
                os.kill(workers[kills["worker"] % len(workers)], signal.SIGKILL)
                kills["worker"] += 1
            if args.kill_backends:
                import psycopg

                with psycopg.connect(args.database_url, autocommit=True) as db:
                    ended = db.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ).fetchone()[0]
                kills["backends"] += ended
        stop.set()
        for thread in readers:
            thread.join()
        # The outbox's last word: everything still unanswered is sent until it is answered.
        for report_id, body in list(unanswered.items()):
            for _ in range(20):
                status, receipt = send(server.port, body, reader_of(report_id))
                if status in (200, 201):
                    acknowledged[report_id] = receipt
                    break
                time.sleep(0.2)
    finally:
        server.stop()

    query = "SELECT client_report_id, count(*) FROM reports_report GROUP BY client_report_id"
    receipts = "SELECT uid FROM reports_report"
    if args.database_url:
        import psycopg

        with psycopg.connect(args.database_url) as db:
            stored = dict(db.execute(query).fetchall())
            uids = {uid for (uid,) in db.execute(receipts).fetchall()}
    else:
        with sqlite3.connect(data / "corrigo.sqlite3") as db:
            stored = dict(db.execute(query).fetchall())
            uids = {uid for (uid,) in db.execute(receipts).fetchall()}
    # A receipt names the stored report: its own, or an earlier one of the reader's it was folded into.
    lost = {report_id for report_id, uid in acknowledged.items() if uid not in uids}
    duplicates = sum(count - 1 for count in stored.values())
    print(
        json.dumps(
            {
                "database": "PostgreSQL" if args.database_url else "SQLite",
                "seconds": args.seconds,
                "kills": kills,
                "requests": counts,
                "acknowledged": len(acknowledged),
                "stored": len(stored),
                "acknowledged_lost": len(lost),
                "duplicates": duplicates,
            }
        )
    )
    print("ok" if not lost and not duplicates else "FAILED: acknowledged reports lost or stored twice")


if __name__ == "__main__":
    main()
