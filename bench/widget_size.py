"""What the reader widget costs a publisher's page: bytes on page view, bytes on first use.

    python bench/widget_size.py            # the table for bench/README.md ("## Widget")
    python bench/widget_size.py --check    # exit 1 when page view or first use is over budget
    python bench/widget_size.py --browser  # also time the widget in Chromium (needs playwright)

Sizes are of the files the server sends (the built widget in src/corrigo/widget/dist),
gzip -9 as corrigo.widget.views compresses them. Page view loads widget.js only; the first
report (or "write to us", or a selection on a touch screen) loads ui.js, widget.css and one
strings file. The browser timings are the loader's own run on page view (listeners only),
Ctrl+Enter until the dialog shows on a cold page (the lazy part served from memory, so no
network time), and the text model plus quote on the largest real pages in ../shared/data/pages.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDGET = REPO / "src" / "corrigo" / "widget" / "dist"
sys.path.insert(0, str(REPO))
from tests.shared_data import SHARED_PAGES as PAGES  # noqa: E402  (beside the repo, or the workplace's copy)

BUDGET = 2 * 1024  # bytes gzipped on page view (issue 14)
FIRST_USE_BUDGET = 8 * 1024  # bytes gzipped loaded on first use (issue 14)
PAGE_VIEW = ("widget.js",)
FIRST_USE = ("ui.js", "widget.css")
NOTICES_BOX = ("notices.js",)  # only on pages with a data-corrigo-notices box, when it nears the viewport


def gzipped(name: str) -> int:
    return len(gzip.compress((WIDGET / name).read_bytes(), 9, mtime=0))


def raw(name: str) -> int:
    return (WIDGET / name).stat().st_size


def page_view_bytes() -> int:
    return sum(gzipped(n) for n in PAGE_VIEW)


def strings_files() -> list[str]:
    return sorted(p.name for p in WIDGET.glob("i18n-*.json"))


def first_use_bytes() -> int:
    """The lazy part with the largest strings file: what a reader's first action loads."""
    return sum(gzipped(n) for n in FIRST_USE) + max(gzipped(n) for n in strings_files())


def size_table() -> str:
    rows = ["| file | loaded | raw bytes | gzip -9 bytes |", "| --- | --- | ---: | ---: |"]
    for name in PAGE_VIEW:
        rows.append(f"| `{name}` | page view | {raw(name):,} | {gzipped(name):,} |")
    for name in FIRST_USE:
        rows.append(f"| `{name}` | first use | {raw(name):,} | {gzipped(name):,} |")
    for name in strings_files():
        rows.append(f"| `{name}` | first use, one language | {raw(name):,} | {gzipped(name):,} |")
    for name in NOTICES_BOX:
        rows.append(f"| `{name}` | a notices box nears the viewport | {raw(name):,} | {gzipped(name):,} |")
    rows.append(f"| **page view** | | | **{page_view_bytes():,}** of {BUDGET:,} budget |")
    rows.append(
        f"| **first use** (lazy part, styles, largest strings file) | | | **{first_use_bytes():,}** of {FIRST_USE_BUDGET:,} budget |"
    )
    rows.append(f"| **page view and first use together** | | | **{page_view_bytes() + first_use_bytes():,}** |")
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

TIME_QUOTE = """async (runs) => {
    const root = document.body, times = [];
    // A selection of a whole paragraph three quarters of the way down the page.
    const ps = [...root.querySelectorAll('p')].filter((p) => p.textContent.trim().length > 60);
    const p = ps[Math.floor(ps.length * 3 / 4)];
    const range = document.createRange(); range.selectNodeContents(p);
    await Corrigo._textModel('body', []);  // loads the lazy part, untimed
    let q;
    for (let i = 0; i < runs; i++) {
        const t0 = performance.now(); q = await Corrigo._quote(range, 'body', []); times.push(performance.now() - t0);
    }
    return {times, length: q ? q.length : 0};
}"""

# Ctrl+Enter on a fresh page until the dialog is open: loading the lazy part (from memory),
# starting it, quoting the selection and building the dialog.
TIME_FIRST_USE = """() => new Promise((done) => {
    const p = document.querySelector('p');
    const range = document.createRange(); range.selectNodeContents(p);
    getSelection().removeAllRanges(); getSelection().addRange(range);
    const t0 = performance.now();
    dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true}));
    const check = () => {
        const host = document.querySelector('corrigo-widget');
        const dialog = host && host.shadowRoot.querySelector('dialog');
        if (dialog && dialog.open) done(performance.now() - t0); else requestAnimationFrame(check);
    };
    check();
})"""
FIRST_USE_RUNS = 5


def browser_timings() -> str:
    from playwright.sync_api import sync_playwright

    src = (WIDGET / "widget.js").read_text(encoding="utf-8")
    files = {name: (WIDGET / name).read_bytes() for name in (*FIRST_USE, *strings_files())}
    pages = sorted(PAGES.glob("*.html"), key=lambda p: p.stat().st_size, reverse=True)[:3] if PAGES.is_dir() else []
    lines = ["| measurement (Chromium, this machine) | median | max |", "| --- | ---: | ---: |"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda route: _answer(route, src, files))
        page.goto("https://bench.test/empty")
        times = page.evaluate(TIME_LOADER, src)
        # The clock is coarse (0.1 ms): report the mean over all runs, and the first (cold) run.
        lines.append(
            f"| loader run on page view: mean of {LOADER_RUNS} runs; first run | "
            f"{sum(times) / len(times):.3f} ms | {times[0]:.1f} ms |"
        )
        first_use = []
        for _ in range(FIRST_USE_RUNS):
            page.goto("https://bench.test/article")
            page.wait_for_function("window.Corrigo")
            first_use.append(page.evaluate(TIME_FIRST_USE))
        lines.append(
            f"| first use: Ctrl+Enter until the dialog is open, lazy part served from memory ({FIRST_USE_RUNS} cold pages) | "
            f"{statistics.median(first_use):.1f} ms | {max(first_use):.1f} ms |"
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


TYPES = {"js": "text/javascript", "css": "text/css", "json": "application/json"}


def _answer(route, src: str, files: dict[str, bytes]) -> None:
    """The bench pages and the widget; nothing else (no page asset, no internet)."""
    url = route.request.url
    if url == "https://corrigo.test/widget.js":
        return route.fulfill(body=src, content_type="text/javascript")
    name = url.removeprefix("https://corrigo.test/widget/")
    if name in files:
        headers = {"access-control-allow-origin": "*", "content-type": TYPES[name.rsplit(".", 1)[1]]}
        return route.fulfill(body=files[name], headers=headers)
    if url.startswith("https://bench.test/") and route.request.resource_type == "document":
        return route.fulfill(body=_page_for(url), content_type="text/html; charset=utf-8")
    return route.abort()


def _page_for(url: str) -> str:
    tag = '<script src="https://corrigo.test/widget.js" data-site="bench"></script>'
    name = url.rsplit("/", 1)[1]
    if name == "empty":
        return "<!doctype html><title>bench</title><p>bench</p>"
    if name == "article":
        paragraph = "<p>The council of Port Elwin voted <em>7 to 2</em> to keep the night ferry running.</p>"
        return "<!doctype html><title>article</title><article>" + paragraph * 30 + "</article>" + tag
    if name == "longest":  # 2,000 paragraphs of ~100 code points: the API's 200,000 limit
        paragraph = "<p>The council of Port Elwin voted <em>7 to 2</em> to keep the night ferry running. Café Ζωή, Київ.</p>"
        return "<!doctype html><title>longest</title><article>" + paragraph * 2000 + "</article>" + tag
    html = (PAGES / f"{name}.html").read_bytes().decode("utf-8-sig", errors="replace")
    # The page's own scripts are dropped by policy: only the widget runs.
    csp = '<meta http-equiv="Content-Security-Policy" content="script-src https://corrigo.test">'
    return csp + html + tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when page view or first use is over budget")
    parser.add_argument("--browser", action="store_true", help="also time the widget in Chromium")
    args = parser.parse_args(argv)
    print(size_table())
    if args.browser:
        print()
        print(browser_timings())
    over = [
        f"{what}: {used} > {budget} bytes"
        for what, used, budget in (("page view", page_view_bytes(), BUDGET), ("first use", first_use_bytes(), FIRST_USE_BUDGET))
        if used > budget
    ]
    if args.check and over:
        print("over budget: " + "; ".join(over), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
