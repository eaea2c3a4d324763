"""Host pages for the widget's browser tests, and the fake web that serves them.

Chromium refuses a public page's requests to a loopback address (Local Network Access),
and real publishers serve the widget cross-origin anyway, so the tests give both sides
fake https origins: the publisher's pages are answered from memory, and requests to
Corrigo's origin are forwarded to the live server (which stores reports for real).
Everything else a page asks for is refused, so no test reaches the internet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from tests.shared_data import SHARED_PAGES

PUBLISHER = "https://publisher.test"
CORRIGO = "https://corrigo.test"
# The policy docs/widget.md promises publishers the widget works under, plus Trusted Types,
# which turns any innerHTML, eval or string-to-code in the widget into a violation.
STRICT_CSP = (
    f"default-src 'self'; script-src 'self' {CORRIGO}; connect-src {CORRIGO}; style-src 'self'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
HERE = Path(__file__).resolve().parent

# Record securitypolicyviolation events from the first moment of every page.
WATCH_CSP = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample}));
"""


def embed(site: str = "publisher", origin: str = CORRIGO, **data: str) -> str:
    """The normative embed tag, loading the widget from `origin`."""
    attrs = "".join(f' data-{k}="{escape(v)}"' for k, v in data.items() if v is not None)
    return f'<script async src="{origin}/widget.js" data-site="{escape(site)}"{attrs}></script>'


def host_page(name: str, **data: str) -> str:
    """A hand-made page from this folder with the embed tag in place of {{ widget }}."""
    html = (HERE / name).read_text(encoding="utf-8")
    return html.replace("{{ widget }}", embed(**data))


def inject(html: str, tag: str) -> str:
    """The page with the tag added just before its last </body> (or at its end)."""
    at = html.lower().rfind("</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


@dataclass
class FakeWeb:
    """Answers every request of a browser context: publisher pages, Corrigo, nothing else."""

    live_url: str
    pages: dict[str, tuple[bytes, dict]] = field(default_factory=dict)
    # What to do with the next report POSTs, first in first out: "offline" (no network),
    # "lost" (the server stores it but the answer never arrives), "hold" (no answer until
    # the test calls release()) or an HTTP status to fake.
    report_faults: list[str | int] = field(default_factory=list)
    # While set, every report POST fails as if there were no network: retries too, which
    # the widget makes on its own timer (3 s and up), whenever that fires.
    offline: bool = False
    held: list = field(default_factory=list)
    # Paths on Corrigo's origin (e.g. "/widget/ui.js") whose requests wait until the test
    # calls release_files(): a slow network for the widget's lazy part.
    slow_files: set[str] = field(default_factory=set)
    held_files: list = field(default_factory=list)
    posted: list[dict] = field(default_factory=list)
    posted_headers: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, context) -> FakeWeb:
        context.route("**/*", self._handle)
        return self

    def serve(
        self,
        path: str,
        html: str,
        csp: str | None = STRICT_CSP,
        headers: dict | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> str:
        head = {"content-type": content_type, **(headers or {})}
        if csp:
            head["content-security-policy"] = csp
        self.pages[path] = (html.encode("utf-8"), head)
        return PUBLISHER + path

    def release(self, fault: str | None = None) -> None:
        """Answer the held report requests: forwarded to the server, or failed with `fault`."""
        while self.held:
            route = self.held.pop(0)
            route.abort("internetdisconnected") if fault == "offline" else self._forward(route)

    def release_files(self) -> None:
        """Let the held file requests through, and any later ones."""
        self.slow_files.clear()
        while self.held_files:
            self._forward(self.held_files.pop(0))

    def wait_for_held(self, page, count: int = 1) -> None:
        """Wait (up to 10 s) until `count` report requests are held: a request leaves the page
        before the fake web sees it, and nothing on the page shows when it has."""
        self.wait_until(page, lambda: len(self.held) >= count, f"{count} held report requests")

    def wait_for_posts(self, page, count: int) -> None:
        """Wait (up to 10 s) until the page has made `count` report requests in all."""
        self.wait_until(page, lambda: len(self.posted) >= count, f"{count} report requests")

    @staticmethod
    def wait_until(page, done, what: str) -> None:
        # Route handlers run while Playwright waits, so wait through it, not with sleep().
        for _ in range(200):
            if done():
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"the page never made {what}")

    def corrigo_requests(self) -> list[str]:
        return [u for u in self.requests if u.startswith(CORRIGO)]

    def _handle(self, route) -> None:
        request = route.request
        url = request.url
        self.requests.append(url)
        if url.startswith(PUBLISHER + "/"):
            page = self.pages.get(url[len(PUBLISHER) :].split("#")[0])
            if page is None:
                return route.fulfill(status=404, body="not found")
            body, headers = page
            return route.fulfill(status=200, body=body, headers=headers)
        if url.startswith(CORRIGO + "/"):
            if request.method == "POST" and "/api/v1/reports" in url:
                return self._report(route)
            if url[len(CORRIGO) :] in self.slow_files:
                return self.held_files.append(route)
            return self._forward(route)
        return route.abort()

    def _forward(self, route):
        request = route.request
        response = route.fetch(url=self.live_url + request.url[len(CORRIGO) :])
        # The body arrives decoded: drop the headers that described its encoding.
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        }
        route.fulfill(status=response.status, headers=headers, body=response.body())

    def _report(self, route):
        self.posted.append(json.loads(route.request.post_data))
        self.posted_headers.append(route.request.headers)
        fault = self.report_faults.pop(0) if self.report_faults else ("offline" if self.offline else None)
        if fault is None:
            return self._forward(route)
        if fault == "offline":
            return route.abort("internetdisconnected")
        if fault == "hold":
            return self.held.append(route)
        if fault == "lost":
            route.fetch(url=self.live_url + route.request.url[len(CORRIGO) :])
            return route.abort("connectionreset")
        body = json.dumps({"error": {"code": "unavailable", "message": "Try again later."}})
        route.fulfill(
            status=int(fault),
            body=body,
            headers={"content-type": "application/json", "access-control-allow-origin": route.request.headers.get("origin", "*")},
        )


def shared_page_ids() -> list[str]:
    if not SHARED_PAGES.is_dir():
        return []
    return sorted(p.stem for p in SHARED_PAGES.glob("*.html"))


def shared_page(page_id: str) -> str:
    # Served as UTF-8 and read as UTF-8 here. A byte order mark is dropped, as browsers
    # drop it while decoding; left in, it would be text before <html> to a parser.
    return (SHARED_PAGES / f"{page_id}.html").read_bytes().decode("utf-8-sig", errors="replace")


def shared_page_meta() -> dict[str, dict]:
    path = SHARED_PAGES / "pages.jsonl"
    if not path.is_file():
        return {}
    return {row["id"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


# Selects from the start of the first text node occurrence of `from` to the end of the
# first occurrence of `to` at or after it (each inside one text node), like a mouse drag.
SELECT_JS = """([from, to, scope]) => {
  const root = scope ? document.querySelector(scope) : document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let start = null, node;
  while ((node = walker.nextNode())) {
    if (!start) {
      const i = node.data.indexOf(from);
      if (i < 0) continue;
      start = [node, i];
      const j = node.data.indexOf(to, i);
      if (j >= 0) { node = [node, j + to.length]; break; }
      continue;
    }
    const j = node.data.indexOf(to);
    if (j >= 0) { node = [node, j + to.length]; break; }
  }
  if (!start || !node) throw new Error('text not found: ' + from + ' … ' + to);
  const range = document.createRange();
  range.setStart(...start);
  range.setEnd(...node);
  const sel = document.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  return sel.toString();
}"""


def select(page, start: str, end: str | None = None, scope: str | None = None) -> str:
    """Select page text from `start` through `end` (default: `start` itself)."""
    return page.evaluate(SELECT_JS, [start, end or start, scope])
