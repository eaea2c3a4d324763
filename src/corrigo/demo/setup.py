"""Creates the demo site and the demo editor; safe to run on every start."""

from datetime import UTC, datetime

from django.db import transaction

from corrigo.demo.views import DEMO_SITE
from corrigo.sites.models import Role, Site
from corrigo.sites.services import add_member, set_origins

# The demo page's embed tag says the same (demo/templates/demo/article.html).
DEMO_ARTICLE_SELECTOR = "article .article-body"
DEMO_IGNORE_SELECTORS = ".ad-slot, .teaser"
DEMO_ARTICLE_ID = "demo-ferry-2026"
DEMO_TITLE = "Harbour town votes to keep its night ferry"


@transaction.atomic
def ensure_demo(port: int, username: str, password: str) -> Site:
    site, _ = Site.objects.get_or_create(
        key=DEMO_SITE,
        defaults={
            "name": "The Coastline Courier (demo)",
            "article_selector": DEMO_ARTICLE_SELECTOR,
            "ignore_selectors": DEMO_IGNORE_SELECTORS,
            # The demo fetches its own page (CORRIGO_ALLOW_PRIVATE_HOSTS lists its address).
            "fetch_articles": True,
        },
    )
    origins = set(site.origins) | {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    set_origins(site, sorted(origins))
    added = add_member(site, username, Role.ADMIN, password=password)
    if not added.new_user:  # the printed credentials must work on every start, even after a change in the desk
        added.membership.user.set_password(password)
        added.membership.user.save(update_fields=["password"])
    return site


# A few readers' reports, so that a first look at the desk shows what Corrigo is for:
# one case that several readers reported, one that the newsroom has since fixed in a
# later version of the article, pushed by its CMS ("looks fixed"), and a message sent
# without a selection. The earlier version misprinted the saving, since corrected.
_EARLIER = ("€180,000", "€18,000")
PUBLISHED_AT = datetime(2026, 11, 12, 7, 0, tzinfo=UTC)
CORRECTED_AT = datetime(2026, 11, 12, 10, 30, tzinfo=UTC)
_SEED = [
    # (text the reader saw, exact, suggestion, comment, category)
    ("earlier", "€18,000", "€180,000", "The council's own papers say €180,000.", "fact"),
    ("earlier", "€18,000", "", "This figure looks far too small for a year of night crossings.", "fact"),
    ("current", "Augest", "August", "", "typo"),
    ("current", "Augest", "August", "", "typo"),
    (None, "", "", "The photo on your home page shows the day ferry, not the night one.", "other"),
]


def seed_demo_reports(site: Site, page_url: str) -> int:
    """Publish the demo article's two versions through the publisher's service and file the demo
    readers' reports through the real intake, once: before any report on the demo article.

    Returns how many reports this call stored (0 on every start after the first). Later
    starts leave the article alone, so its published text stays the one last pushed.
    """
    from django.template.loader import render_to_string

    from corrigo.anchoring import article_text
    from corrigo.articles.models import Article
    from corrigo.articles.publishing import PublishedText, publish_text
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report

    if Article.objects.filter(site=site, external_id=DEMO_ARTICLE_ID).exists():
        return 0
    # The page as the widget reads it, by the demo's own selectors (the admin may edit the site's).
    page = render_to_string("demo/article.html", {"site": site})
    current = article_text(page, DEMO_ARTICLE_SELECTOR, DEMO_IGNORE_SELECTORS)
    texts = {"current": current, "earlier": current.replace(*_EARLIER, 1)}
    # What the newsroom's CMS pushed: the first edition, then the correction (as POST /api/v1/articles does).
    pushes = {"earlier": PUBLISHED_AT, "current": CORRECTED_AT}
    stored = 0
    for number, (seen, exact, suggestion, comment, category) in enumerate(_SEED, 1):
        if seen in pushes:
            version = PublishedText(
                url=page_url,
                text=texts[seen],
                external_id=DEMO_ARTICLE_ID,
                title=DEMO_TITLE,
                published_at=PUBLISHED_AT,
                modified_at=pushes.pop(seen),
            )
            publish_text(site, version)
        report = {
            "site": site.key,
            "url": page_url,
            "article_id": DEMO_ARTICLE_ID,
            "category": category,
            "client_report_id": f"demo-seed-{number:02d}",
            "language": "en",
        }
        if seen is not None:
            text = texts[seen]
            start = text.index(exact)
            report.update(article_text=text, quote={"exact": exact, "start": start, "end": start + len(exact)})
        report.update({k: v for k, v in {"suggestion": suggestion, "comment": comment}.items() if v})
        stored += submit_report(site, ReportIn.model_validate(report)).created
    return stored
