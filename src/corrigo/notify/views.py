"""The two pages mail links to: no login, the signed token in the link is the proof.

A GET shows a button and changes nothing (mail scanners follow links); the POST, from
that button or a mail client's one-click unsubscribe (RFC 8058), makes the change. Both
are exempt from CSRF for that reason: the token, not a cookie, says who asks.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from corrigo.notify import editors, links, thanks
from corrigo.notify.models import EmailChoice
from corrigo.notify.strings import language_of, strings
from corrigo.sites.models import Membership

PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def _page(request, language: str, title: str, message: str, button: str = "", status: int = 200) -> HttpResponse:
    context = {"language": language, "title": title, "message": message, "button": button}
    response = render(request, "notify/public/page.html", context, status=status)
    response["Content-Security-Policy"] = PAGE_POLICY
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    found = links.read_unsubscribe(token)
    membership = (
        Membership.objects.select_related("site", "user").filter(user_id=found[0], site_id=found[1]).first() if found else None
    )
    if membership is None:
        t = strings("en")
        return _page(request, "en", t["link_broken"], t["link_broken"], status=404)
    _, language = editors.choice_of(membership.user, membership.site)
    language = language_of(language, membership.site.default_language)
    t, site = strings(language), membership.site.name
    if request.method == "POST":
        editors.set_choice(
            membership.user,
            membership.site,
            EmailChoice.NONE,
            editors.choice_of(membership.user, membership.site)[1],
            by=membership.user,  # the signed link is theirs
        )
        return _page(request, language, t["unsubscribe_title"].format(site=site), t["unsubscribe_done"].format(site=site))
    return _page(
        request,
        language,
        t["unsubscribe_title"].format(site=site),
        t["unsubscribe_question"].format(site=site),
        t["unsubscribe_button"],
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token: str):
    found = links.read_opt_out(token)
    if found is None:
        t = strings("en")
        return _page(request, "en", t["link_broken"], t["link_broken"], status=404)
    digest, language = found
    language = language_of(language)
    t = strings(language)
    if request.method == "POST":
        thanks.opt_out(digest)
        return _page(request, language, t["opt_out_title"], t["opt_out_done"])
    return _page(request, language, t["opt_out_title"], t["opt_out_question"], t["opt_out_button"])
