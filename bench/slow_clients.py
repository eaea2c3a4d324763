"""Slow clients: 50 connections trickle report bodies while /api/v1/health is timed.

Starts `corrigo serve` (or `corrigo demo` with --demo) on a fresh temporary data folder,
opens N connections to 127.0.0.1 that each send the headers of POST /api/v1/reports with a
Content-Length of 4 kB and then one byte of body every second, and meanwhile asks
GET /api/v1/health once every 0.25 s. Prints how many health checks answered, their p50,
p99 and slowest time, and how the slow connections ended (408 when the server cut them off).
Bounded: at most --seconds of trickling, connections to 127.0.0.1 only.

    python bench/slow_clients.py [--clients 50] [--seconds 20] [--demo] [-- extra serve args]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def trickle(port: int, stop: threading.Event, outcomes: list[str]) -> None:
    """One slow client: headers at once, then a byte a second until stopped or cut off."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as exc:
        outcomes.append(f"connect failed: {exc.__class__.__name__}")
        return
    with sock:
        sock.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"
        )
        sock.settimeout(0.05)
        while not stop.wait(1.0):
            try:
                sock.sendall(b" ")
                answer = sock.recv(200)
            except TimeoutError:
                continue
            except OSError as exc:
                outcomes.append(f"cut: {exc.__class__.__name__}")
                return
            outcomes.append(answer.split(b"\r\n", 1)[0].decode("latin-1") if answer else "closed by the server")
            return
        outcomes.append("still trickling at the end")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--demo", action="store_true", help="run `corrigo demo` instead of `corrigo serve`")
    parser.add_argument("serve_args", nargs="*", help="more arguments for the command, after --")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 120:
        parser.error("at most 500 clients and 120 seconds")

    data = Path(tempfile.mkdtemp(prefix="corrigo-slow-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO"}}
    env.update(CORRIGO_DATA=str(data), CORRIGO_ALLOWED_HOSTS="127.0.0.1")
    port = free_port()
    if args.demo:
        command = ["demo", "--port", str(port), *args.serve_args]
    else:
        subprocess.run([sys.executable, "-m", "corrigo", "migrate"], env=env, check=True, capture_output=True)
        command = ["serve", "--port", str(port), *args.serve_args]
    server = subprocess.Popen(
        [sys.executable, "-m", "corrigo", *command], env=env, stdout=subprocess.DEVNULL, stderr=(data / "server.log").open("w")
    )
    health = f"http://127.0.0.1:{port}/api/v1/health"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(health, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"the server did not start; see {data / 'server.log'}")
        stop = threading.Event()
        outcomes: list[str] = []
        clients = [threading.Thread(target=trickle, args=(port, stop, outcomes), daemon=True) for _ in range(args.clients)]
        for client in clients:
            client.start()
        time.sleep(1.0)  # every slow client has sent its headers
        times, failures = [], 0
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(health, timeout=10) as answer:
                    answer.read()
                times.append(time.monotonic() - started)
            except OSError:
                failures += 1
            time.sleep(0.25)
        stop.set()
        for client in clients:
            client.join(timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{' '.join(command[:1] + command[3:])}; {args.clients} slow clients for {args.seconds} s; load average {os.getloadavg()[0]:.1f}"
    )
    if times:
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(
            f"health: {len(times)} answered, {failures} failed; p50 {statistics.median(times) * 1000:.1f} ms,"
            f" p99 {p99 * 1000:.1f} ms, slowest {ordered[-1] * 1000:.1f} ms"
        )
    else:
        print(f"health: none answered, {failures} failed")
    ends: dict[str, int] = {}
    for outcome in outcomes:
        ends[outcome] = ends.get(outcome, 0) + 1
    print("slow clients ended: " + ", ".join(f"{count} × {what}" for what, count in sorted(ends.items())))
    slowest_ok = bool(times) and failures == 0 and max(times) < 1.0
    print("under 1 s: " + ("yes" if slowest_ok else "NO"))


if __name__ == "__main__":
    main()
