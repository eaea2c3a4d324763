"""The demo: an original news article carrying the widget, as a publisher's page would."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from corrigo.sites.models import Site

DEMO_SITE = "demo"
# The demo page holds itself to the strict policy docs/widget.md promises publishers.
DEMO_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:"


def published_paragraphs(site: Site | None) -> list[str] | None:
    """The demo article's latest published text, a paragraph a line (None before anything is published).

    Each line of a text in the text model read back as a <p> gives that same text, so the
    page, a fetch of it and a push to it all agree.
    """
    from corrigo.articles.models import Article
    from corrigo.demo.setup import DEMO_ARTICLE_ID

    if site is None:
        return None
    article = Article.objects.filter(site=site, external_id=DEMO_ARTICLE_ID).select_related("published_version").first()
    if article is None or article.published_version is None:
        return None
    return article.published_version.text.split("\n")


@require_safe
def home(request):
    if not settings.DEMO:
        return redirect("desk:queue")
    site = Site.objects.filter(key=DEMO_SITE).first()
    response = render(request, "demo/article.html", {"site": site, "paragraphs": published_paragraphs(site)})
    response["Content-Security-Policy"] = DEMO_CSP
    return response
