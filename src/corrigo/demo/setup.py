"""Creates the demo site and the demo editor; safe to run on every start."""

from django.contrib.auth.models import User
from django.db import transaction

from corrigo.demo.views import DEMO_SITE
from corrigo.sites.models import Role, Site
from corrigo.sites.services import set_membership, set_origins


@transaction.atomic
def ensure_demo(port: int, username: str, password: str) -> Site:
    site, _ = Site.objects.get_or_create(
        key=DEMO_SITE,
        defaults={
            "name": "The Coastline Courier (demo)",
            "article_selector": "article .article-body",
            "ignore_selectors": ".ad-slot, .teaser",
        },
    )
    origins = set(site.origins) | {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    set_origins(site, sorted(origins))
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    set_membership(user, site, Role.ADMIN)
    return site
