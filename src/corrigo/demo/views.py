"""The demo: an original news article carrying the widget, as a publisher's page would."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from corrigo.sites.models import Site

DEMO_SITE = "demo"
# The demo page holds itself to the strict policy docs/widget.md promises publishers.
DEMO_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:"


@require_safe
def home(request):
    if not settings.DEMO:
        return redirect("desk:queue")
    site = Site.objects.filter(key=DEMO_SITE).first()
    response = render(request, "demo/article.html", {"site": site})
    response["Content-Security-Policy"] = DEMO_CSP
    return response
