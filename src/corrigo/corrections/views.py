"""The public corrections surfaces of a site: the page, the Atom and JSON feeds, the HTML fragment.

No login. Every answer carries an ETag and Last-Modified (a repeated GET is a 304) and
open CORS, since other sites' pages and feed readers fetch them. All reader and editor
text is escaped (templates autoescape; the feeds are written by serialisers).
"""

import json
import re
from functools import lru_cache, wraps

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from corrigo.corrections import public
from corrigo.corrections.strings import kind_label, page_strings
from corrigo.notify import text as safe
from corrigo.notify.strings import language_of
from corrigo.sites.models import Site

PAGE_SIZE = 20
# How long an answer is kept for the next reader: its ETag changes with any notice, so this only bounds memory.
KEEP_SECONDS = 300
# The corrections page runs no script and loads only its own stylesheet.
PAGE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
TITLE_LENGTH = 300


def cors_get(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def conditional(request, freshness: public.Freshness, make_response) -> HttpResponse:
    """304 when the client has this answer already; else the answer, made once per ETag and kept
    for the next reader (feed readers poll); all with the validators and open CORS."""
    etag = freshness.etag(request.get_full_path())
    last_modified = int(freshness.last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        key = "corrections:" + etag.strip('"')
        if (kept := cache.get(key)) is not None:
            response = HttpResponse(kept[0], headers=kept[1])
        else:
            response = make_response()
            if response.status_code == 200:
                cache.set(key, (response.content, dict(response.headers)), KEEP_SECONDS)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "public, no-cache"  # keep it, but ask each time: the ETag makes that cheap
    return cors_get(response)


def public_view(view):
    """GET and HEAD of a site's public surface: the site from the URL, a 304 when nothing changed."""

    @require_safe
    @wraps(view)
    def wrapper(request, key: str):
        site = Site.objects.filter(key=key).first()
        if site is None:
            raise Http404("No such site.")
        freshness = public.freshness(site)
        return conditional(request, freshness, lambda: view(request, site, freshness))

    return wrapper


def _language(site: Site) -> str:
    return language_of(site.default_language)


def _title(article) -> str:
    return safe.one_line(article.title, TITLE_LENGTH) or article.url


def _http(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else ""


# A bare http(s) URL in a notice's text; punctuation that ends a sentence is not part of it.
BARE_URL = re.compile(r"https?://[^\s<>\"']+")
URL_END = ".,;:!?)]}»”’"


@lru_cache(maxsize=2048)  # 2,048 notices' HTML: a few MB at worst (5,000 characters each)
def text_html(text: str) -> str:
    """Plain text as HTML: every character escaped, paragraphs and line breaks kept, bare URLs made links.

    Django's urlize did this at a third of a feed's time (bench/corrections.py); notices
    only ever link bare http(s) URLs, which one regular expression finds.
    """
    parts, last = [], 0
    for match in BARE_URL.finditer(text):
        url = match.group().rstrip(URL_END)
        parts += [escape(text[last : match.start()]), f'<a href="{escape(url)}" rel="nofollow">{escape(url)}</a>']
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    paragraphs = re.split(r"\n{2,}", "".join(parts).strip())
    return "".join(f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs)


def notice_html(notice) -> str:
    return mark_safe(text_html(notice.text))  # escaped by text_html


def _dressed(notices, language: str) -> list:
    for notice in notices:
        notice.label = kind_label(notice.kind, language)
        notice.html = notice_html(notice)
        notice.title = _title(notice.article)
        notice.article_link = _http(notice.article.url)
    return notices


@public_view
def page(request, site: Site, freshness: public.Freshness):
    language = _language(site)
    # A page's ids from the index alone (a deep OFFSET skips index entries, not joined rows), then its 20 notices.
    pages = Paginator(public.live_notices(site).values_list("pk", flat=True), PAGE_SIZE)
    current = pages.get_page(request.GET.get("page"))
    notices = public.live_notices(site).filter(pk__in=list(current.object_list))
    t = page_strings(language)
    response = render(
        request,
        "corrections/page.html",
        {
            "site": site,
            "language": language,
            "t": t,
            "title": t["title"].format(site=site.name),
            "page": current,
            "notices": _dressed(list(notices), language),
            "page_of": t["page_of"].format(page=current.number, pages=pages.num_pages),
        },
    )
    response["Content-Security-Policy"] = PAGE_POLICY
    return response


def _urls(request, site: Site) -> dict[str, str]:
    return {
        name: request.build_absolute_uri(reverse(f"corrections:{name}", args=[site.key]))
        for name in ("page", "feed-atom", "feed-json")
    }


def _notice_link(urls: dict, notice) -> str:
    return f"{urls['page']}#notice-{notice.pk}"


@public_view
def feed_atom(request, site: Site, freshness: public.Freshness):
    language = _language(site)
    urls = _urls(request, site)
    feed = Atom1Feed(
        title=page_strings(language)["title"].format(site=safe.one_line(site.name, TITLE_LENGTH)),
        link=urls["page"],
        description="",
        language=language,
        feed_url=urls["feed-atom"],
        feed_guid=urls["page"],
        author_name=safe.one_line(site.name, TITLE_LENGTH),
        subtitle=safe.one_line(site.corrections_policy, 500) or None,
    )
    for notice in public.live_notices(site)[: public.FEED_SIZE]:
        label = kind_label(notice.kind, language)
        feed.add_item(
            title=f"{label}: {_title(notice.article)}",
            link=_http(notice.article.url) or _notice_link(urls, notice),
            description=notice_html(notice),  # Atom1Feed writes it as <summary type="html">
            unique_id=_notice_link(urls, notice),
            pubdate=notice.published_at,
            updateddate=notice.updated_at,
            categories=[notice.kind, *(["minor"] if notice.minor else [])],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@public_view
def feed_json(request, site: Site, freshness: public.Freshness):
    language = _language(site)
    urls = _urls(request, site)
    items = []
    for notice in public.live_notices(site)[: public.FEED_SIZE]:
        article_url = _http(notice.article.url)
        items.append(
            {
                "id": f"notice-{notice.pk}",
                "url": _notice_link(urls, notice),
                **({"external_url": article_url} if article_url else {}),
                "title": f"{kind_label(notice.kind, language)}: {_title(notice.article)}",
                "content_text": notice.text,
                "content_html": notice_html(notice),
                "date_published": notice.published_at.isoformat(),
                "date_modified": notice.updated_at.isoformat(),
                "tags": [notice.kind, *(["minor"] if notice.minor else [])],
                "language": notice.language,
                "_corrigo": {"kind": notice.kind, "minor": notice.minor, "article_id": notice.article_id},
            }
        )
    feed = {
        "version": JSON_FEED_VERSION,
        "title": page_strings(language)["title"].format(site=site.name),
        "home_page_url": urls["page"],
        "feed_url": urls["feed-json"],
        **({"description": site.corrections_policy} if site.corrections_policy else {}),
        "language": language,
        "authors": [{"name": site.name}],
        "items": items,
    }
    return HttpResponse(json.dumps(feed, ensure_ascii=False), content_type="application/feed+json; charset=utf-8")


@public_view
def fragment(request, site: Site, freshness: public.Freshness):
    """One article's notices as an HTML fragment, for a CMS to include server-side (empty when it has none)."""
    url, article_id = request.GET.get("url"), request.GET.get("article_id")
    if bool(url) == bool(article_id):
        return cors_get(HttpResponseBadRequest("Ask for one article: ?url=… or ?article_id=…", content_type="text/plain"))
    try:
        article = public.find_article(site, url=url, article_id=article_id)
    except public.InvalidURL:
        return cors_get(HttpResponseBadRequest("url is not a valid URL.", content_type="text/plain"))
    language = _language(site)
    notices = _dressed(list(public.article_notices(article)[: public.ARTICLE_LIMIT]), language) if article else []
    return render(
        request,
        "corrections/fragment.html",
        {
            "t": page_strings(language),
            "language": language,
            "banner": [n for n in notices if not n.minor],
            "smaller": [n for n in notices if n.minor],
            "page_url": request.build_absolute_uri(reverse("corrections:page", args=[site.key])),
        },
    )
