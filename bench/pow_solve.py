"""How long a reader's browser works on a proof-of-work challenge (issue 12 item 4).

Makes real challenges with the server's code (corrigo.reports.challenges, the same
maxNumber), and has Chromium solve each with the widget's own search (solver.js's
search(), in a Web Worker, as the widget runs it, and on the main thread), at full speed and with the
CPU slowed 4× (Lighthouse's stand-in for a mid-range phone; Chromium slows the page's
thread only, so that run is of the main-thread fallback, the same search). Prints the median and 90th
percentile of the solve times and the hashes per second.

    python bench/pow_solve.py [--challenges 20]
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOLVER = REPO / "src" / "corrigo" / "widget" / "js" / "solver.js"
PAGE = b"<!doctype html><title>pow</title><p>proof of work bench</p>"


def search_source() -> str:
    source = SOLVER.read_text()
    match = re.search(r"^async function search \(challenge\) \{.*?^\}$", source, re.DOTALL | re.MULTILINE)
    return match[0]


def challenges(count: int) -> list[dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    os.environ.setdefault("CORRIGO_DATA", tempfile.mkdtemp(prefix="corrigo-pow-"))
    import django

    django.setup()
    from corrigo.reports.challenges import new_challenge
    from corrigo.sites.models import Site

    return [new_challenge(Site(key="bench")) for _ in range(count)]


class Quiet(SimpleHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


MAIN_THREAD = """async ([search, challenge]) => {
  const solve = new Function('return ' + search)()
  const started = performance.now()
  const number = await solve(challenge)
  return [number, performance.now() - started]
}"""
RUN = """async ([search, challenge]) => {
  const source = 'onmessage=async(event)=>postMessage(await(' + search + ')(event.data))'
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })))
  const started = performance.now()
  const number = await new Promise((resolve) => { worker.onmessage = (event) => resolve(event.data); worker.postMessage(challenge) })
  worker.terminate()
  return [number, performance.now() - started]
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--challenges", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = challenges(args.challenges)
    search = search_source()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        cdp = page.context.new_cdp_session(page)
        print(f"maxNumber {work[0]['maxNumber']}; {len(work)} challenges each; load average {os.getloadavg()[0]:.1f}")
        print("| CPU | median ms | p90 ms | hashes/s (median) |")
        print("| --- | ---: | ---: | ---: |")
        # Chromium slows the page's thread only, not a worker's: the slowed run is of the
        # widget's main-thread fallback, which does the same work.
        runs = [("Web Worker, this machine", 1, RUN), ("main thread, this machine", 1, MAIN_THREAD)]
        runs.append(("main thread, CPU 4× slower (mid-range phone)", 4, MAIN_THREAD))
        for label, rate, script in runs:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            times, speeds = [], []
            for challenge in work:
                number, ms = page.evaluate(script, [search, challenge])
                if number < 0:
                    sys.exit("a challenge was not solved")
                times.append(ms)
                speeds.append((number + 1) / (ms / 1000) if ms else 0)
            p90 = statistics.quantiles(times, n=10)[-1]
            print(f"| {label} | {statistics.median(times):.0f} | {p90:.0f} | {statistics.median(speeds):,.0f} |")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
