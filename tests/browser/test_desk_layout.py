"""The desk's layout in Chromium at a phone's, a tablet's and a desktop's width, in light and dark:
no page scrolls sideways, the top bar's actions stay in view, text meets WCAG AA contrast,
and the keyboard focus is visible."""

import pytest
from playwright.sync_api import Page, expect

from corrigo import audit
from corrigo.articles.models import Article
from corrigo.audit.models import Verb
from corrigo.reports import actions
from corrigo.reports.models import Case
from tests.browser.desk import log_in
from tests.conftest import make_user
from tests.desk.conftest import report

pytestmark = pytest.mark.browser
WIDTHS = (360, 768, 1280)
UNBROKEN = "Kilometre" * 30  # one word far wider than a phone

# Each element with text of its own, its colour against the ground it is painted on
# (ancestors' backgrounds composited), measured as WCAG 2 defines contrast.
LOW_CONTRAST = """() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ground = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("script, style, dialog:not([open]), .visually-hidden, [hidden]")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 2 || box.height < 2 || style.visibility === "hidden") continue;
    const inSvg = el.closest("svg");
    const fg = parse(inSvg ? style.fill : style.color);
    if (!fg) continue;
    const bg = ground(inSvg ? el.closest("svg") : el);
    const a = lum(over(fg, bg)), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


@pytest.fixture
def desk(live_server, settings, transactional_db, site):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    admin = make_user("ada", site, "admin")
    fact = report(exact="islanders", category="fact", suggestion=UNBROKEN, comment="A " + UNBROKEN).case
    report(exact="Augest", category="typo", title="Harbour town keeps its night ferry — The Courier")
    other = report(exact="ferry", url="https://news.example.org/" + UNBROKEN).case
    Article.objects.filter(pk=other.article_id).update(title=UNBROKEN, section="Local", author="Mira Okonkwo")
    Case.objects.filter(pk=fact.pk).update(anchor_status="changed")
    actions.resolve(Case.objects.get(pk=other.pk), "fixed", by=admin)
    actions.add_note(fact, "Called the council: " + UNBROKEN, by=admin)
    audit.record(site, admin, Verb.ORIGIN_ADD, subject="https://" + "m" * 200 + ".example.org")
    return live_server, fact


def pages(case):
    return {
        "queue": "/desk/",
        "queue, one list": "/desk/?group=none&status=all",
        "case": f"/desk/cases/{case.pk}/",
        "log": "/desk/sites/courier/log/",
        "metrics": "/desk/sites/courier/metrics/",
        "settings": "/desk/sites/courier/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_every_width_with_the_top_bar_in_view_and_readable_text(page: Page, desk, scheme):
    server, case = desk
    page.emulate_media(color_scheme=scheme)
    log_in(page, server, "ada")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in pages(case).items():
            page.goto(server.url + path)
            where = f"{name} at {width}px, {scheme}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, where
            for action in ("Log out", "Cases", "Log", "Metrics", "Settings"):
                control = page.locator(".bar").get_by_role("button" if action == "Log out" else "link", name=action, exact=True)
                expect(control).to_be_visible()
                box = control.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (where, action)
                assert box["y"] + box["height"] <= 200, (where, action)  # at the top, not pushed down the page
            assert page.evaluate(LOW_CONTRAST) == [], where


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_login_page_and_the_confirmations_fit_a_phone(page: Page, desk, scheme):
    server, _ = desk
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(server.url + "/desk/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(LOW_CONTRAST) == []
    log_in(page, server, "ada")
    page.check("[data-select-page]")
    page.click("#bulk button:has-text('Apply')")
    expect(page.locator("h1")).to_contain_text("Mark 2 cases")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(LOW_CONTRAST) == []


def test_the_keyboard_focus_is_visible(page: Page, desk):
    server, _ = desk
    log_in(page, server, "ada")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert focused[0] != "none" and focused[1] >= 2, focused
    page.keyboard.press("j")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('li.case.current')); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring


def test_the_contrast_check_flags_grey_on_white(page: Page):
    """The measure above is itself measured: it must catch what AA refuses and pass what it allows."""
    page.set_content(
        '<body style="background:#fff"><p id="pale" style="color:#999">pale</p><p style="color:#595959">enough</p>'
        '<div style="background:#14213d"><span style="color:#fff">on navy</span><span style="color:#555">lost</span></div>'
        '<svg><text style="fill:#ccc" x="10" y="10">axis</text></svg></body>'
    )
    flagged = page.evaluate(LOW_CONTRAST)
    assert [item.split('"')[1] for item in flagged] == ["pale", "lost", "axis"]
