"""What the reader widget costs a publisher's page: bytes on page view, bytes on first use.

    python bench/widget_size.py            # the table for bench/README.md ("## Widget")
    python bench/widget_size.py --check    # exit 1 when page view is over the budget
    python bench/widget_size.py --browser  # also time the widget in Chromium (needs playwright)

Sizes are gzip -9, as the server sends them (corrigo.widget.views compresses at level 9).
Page view loads widget.js only; the first report loads ui.js, widget.css and one strings
file. The browser timings are the loader's own run on page view (listeners only) and the
text model plus quote on Ctrl+Enter, on the largest real pages in ../shared/data/pages.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDGET = REPO / "src" / "corrigo" / "widget" / "js"
PAGES = (REPO / ".." / "shared" / "data" / "pages").resolve()
BUDGET = 6 * 1024  # bytes gzipped on page view (issue 4)
PAGE_VIEW = ("widget.js",)
FIRST_USE = ("ui.js", "widget.css")


def gzipped(name: str) -> int:
    return len(gzip.compress((WIDGET / name).read_bytes(), 9, mtime=0))


def raw(name: str) -> int:
    return (WIDGET / name).stat().st_size


def page_view_bytes() -> int:
    return sum(gzipped(n) for n in PAGE_VIEW)


def strings_files() -> list[str]:
    return sorted(p.name for p in WIDGET.glob("i18n-*.json"))


def size_table() -> str:
    rows = ["| file | loaded | raw bytes | gzip -9 bytes |", "| --- | --- | ---: | ---: |"]
    for name in PAGE_VIEW:
        rows.append(f"| `{name}` | page view | {raw(name):,} | {gzipped(name):,} |")
    for name in FIRST_USE:
        rows.append(f"| `{name}` | first use | {raw(name):,} | {gzipped(name):,} |")
    for name in strings_files():
        rows.append(f"| `{name}` | first use, one language | {raw(name):,} | {gzipped(name):,} |")
    first_use = sum(gzipped(n) for n in FIRST_USE) + max(gzipped(n) for n in strings_files())
    rows.append(f"| **page view** | | | **{page_view_bytes():,}** of {BUDGET:,} budget |")
    rows.append(f"| **first use** (dialog, styles, largest strings file) | | | **{first_use:,}** |")
    return "\n".join(rows)


# ---- browser timings ----------------------------------------------------------------------

LOADER_RUNS = 200
QUOTE_RUNS = 5

TIME_LOADER = """(src) => {
    const run = new Function(src);  // this bench page has no CSP
    const times = [];
    for (let i = 0; i < LOADER_RUNS; i++) {
        delete window.Corrigo;
        const t0 = performance.now(); run(); times.push(performance.now() - t0);
    }
    return times;
}""".replace("LOADER_RUNS", str(LOADER_RUNS))

TIME_QUOTE = """(runs) => {
    const root = document.body, times = [];
    // A selection of a whole paragraph three quarters of the way down the page.
    const ps = [...root.querySelectorAll('p')].filter((p) => p.textContent.trim().length > 60);
    const p = ps[Math.floor(ps.length * 3 / 4)];
    const range = document.createRange(); range.selectNodeContents(p);
    let q;
    for (let i = 0; i < runs; i++) {
        const t0 = performance.now(); q = Corrigo._quote(range, 'body', []); times.push(performance.now() - t0);
    }
    return {times, length: q ? q.length : 0};
}"""


def browser_timings() -> str:
    from playwright.sync_api import sync_playwright

    src = (WIDGET / "widget.js").read_text(encoding="utf-8")
    pages = sorted(PAGES.glob("*.html"), key=lambda p: p.stat().st_size, reverse=True)[:3] if PAGES.is_dir() else []
    lines = ["| measurement (Chromium, this machine) | median | max |", "| --- | ---: | ---: |"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda route: _answer(route, src))
        page.goto("https://bench.test/empty")
        times = page.evaluate(TIME_LOADER, src)
        # The clock is coarse (0.1 ms): report the mean over all runs, and the first (cold) run.
        lines.append(
            f"| loader run on page view: mean of {LOADER_RUNS} runs; first run | "
            f"{sum(times) / len(times):.3f} ms | {times[0]:.1f} ms |"
        )
        page.goto("https://bench.test/longest")
        page.wait_for_function("window.Corrigo")
        result = page.evaluate(TIME_QUOTE, QUOTE_RUNS)
        lines.append(
            f"| Ctrl+Enter: text model + quote, longest article the API takes "
            f"({result['length']:,} code points) | {statistics.median(result['times']):.1f} ms | {max(result['times']):.1f} ms |"
        )
        for path in pages:
            page.goto(f"https://bench.test/{path.stem}")
            page.wait_for_function("window.Corrigo")
            result = page.evaluate(TIME_QUOTE, QUOTE_RUNS)
            times = result["times"]
            lines.append(
                f"| Ctrl+Enter: text model + quote, `{path.stem}` ({path.stat().st_size // 1024} KB HTML, "
                f"{result['length']:,} code points) | {statistics.median(times):.1f} ms | {max(times):.1f} ms |"
            )
        browser.close()
    return "\n".join(lines)


def _answer(route, src: str) -> None:
    """The bench pages and the widget; nothing else (no page asset, no internet)."""
    url = route.request.url
    if url == "https://corrigo.test/widget.js":
        return route.fulfill(body=src, content_type="text/javascript")
    if url.startswith("https://bench.test/") and route.request.resource_type == "document":
        return route.fulfill(body=_page_for(url), content_type="text/html; charset=utf-8")
    return route.abort()


def _page_for(url: str) -> str:
    tag = '<script src="https://corrigo.test/widget.js" data-site="bench"></script>'
    name = url.rsplit("/", 1)[1]
    if name == "empty":
        return "<!doctype html><title>bench</title><p>bench</p>"
    if name == "longest":  # 2,000 paragraphs of ~100 code points: the API's 200,000 limit
        paragraph = "<p>The council of Port Elwin voted <em>7 to 2</em> to keep the night ferry running. Café Ζωή, Київ.</p>"
        return "<!doctype html><title>longest</title><article>" + paragraph * 2000 + "</article>" + tag
    html = (PAGES / f"{name}.html").read_bytes().decode("utf-8-sig", errors="replace")
    # The page's own scripts are dropped by policy: only the widget runs.
    csp = '<meta http-equiv="Content-Security-Policy" content="script-src https://corrigo.test">'
    return csp + html + tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when page view is over the budget")
    parser.add_argument("--browser", action="store_true", help="also time the widget in Chromium")
    args = parser.parse_args(argv)
    print(size_table())
    if args.browser:
        print()
        print(browser_timings())
    if args.check and page_view_bytes() > BUDGET:
        print(f"over budget: {page_view_bytes()} > {BUDGET} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
