"""Site rules shared by the API, the desk and the CLI: origins, memberships, tokens."""

import time
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from corrigo.articles.canonical import InvalidURL, origin_of
from corrigo.sites.models import AllowedOrigin, ApiToken, Membership, Role, Site, hash_token

ORIGIN_MAX_LENGTH = AllowedOrigin._meta.get_field("origin").max_length


def normalise_origin(value: str) -> str | None:
    """The origin in canonical form, or None when it is not an http(s) origin (e.g. "null")."""
    try:
        origin = origin_of(value)
    except InvalidURL:
        return None
    return origin if len(origin) <= ORIGIN_MAX_LENGTH else None


@dataclass(frozen=True)
class IntakeSite:
    site: Site
    origins: frozenset[str]
    expires: float

    def allows(self, origin: str) -> bool:
        """True when a page of this origin may send reports for the site."""
        return normalise_origin(origin) in self.origins


# Every report looks its site up; each process keeps sites for a few seconds, so a
# change of origins in the desk reaches all app processes within SITE_CACHE_SECONDS.
SITE_CACHE_SECONDS = 5.0
_site_cache: dict[str, IntakeSite] = {}


def intake_site(key: str) -> IntakeSite | None:
    cached = _site_cache.get(key)
    if cached is not None and cached.expires > time.monotonic():
        return cached
    site = Site.objects.filter(key=key).first()
    if site is None:
        _site_cache.pop(key, None)
        return None
    entry = IntakeSite(site, frozenset(site.allowed_origins.values_list("origin", flat=True)), time.monotonic() + SITE_CACHE_SECONDS)
    if len(_site_cache) > 10_000:  # keys come from the network: keep the cache bounded
        _site_cache.clear()
    _site_cache[key] = entry
    return entry


def forget_cached_sites() -> None:
    _site_cache.clear()


def origin_allowed_anywhere(origin: str) -> bool:
    normal = normalise_origin(origin)
    return normal is not None and AllowedOrigin.objects.filter(origin=normal).exists()


@transaction.atomic
def create_site(key: str, name: str = "", origins: list[str] = (), **settings) -> Site:
    """A new site; raises ValidationError for a bad or taken key, ValueError for a bad origin."""
    site = Site(key=key, name=name or key, **settings)
    site.full_clean()
    site.save()
    set_origins(site, origins)
    return site


@transaction.atomic
def set_origins(site: Site, origins: list[str]) -> list[str]:
    """Replace the site's allowed origins; raises ValueError naming the first bad one."""
    normal = []
    for value in origins:
        origin = normalise_origin(value)
        if origin is None:
            raise ValueError(f"{value!r} is not an http(s) origin")
        if origin not in normal:
            normal.append(origin)
    forget_cached_sites()
    site.allowed_origins.exclude(origin__in=normal).delete()
    existing = set(site.allowed_origins.values_list("origin", flat=True))
    AllowedOrigin.objects.bulk_create([AllowedOrigin(site=site, origin=o) for o in normal if o not in existing])
    return normal


def set_membership(user: User, site: Site, role: Role | str) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, site=site, defaults={"role": Role(role)})
    return membership


def create_token(site: Site, name: str = "", *, can_see_email: bool = False, created_by: User | None = None) -> str:
    """Create a token and return it in clear: the only time anyone sees it."""
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValueError("the token's name is too long")
    token = ApiToken.generate()
    ApiToken.objects.create(
        site=site, name=name, digest=hash_token(token), hint=token[:10],
        can_see_email=can_see_email, created_by=created_by,
    )
    return token


def token_for(secret: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("site").filter(digest=hash_token(secret), revoked_at=None).first()
    if token is not None:
        now = timezone.now()
        # Record use at most once a minute: a busy integration should not write on every read.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
