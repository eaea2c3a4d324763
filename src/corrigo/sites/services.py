"""Site rules shared by the API, the desk, the CLI and the demo: origins, members and roles, tokens."""

import re
import time
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from corrigo import audit
from corrigo.lib.urls import InvalidURL, normalise_origin, parse_origin
from corrigo.sites.models import TOKEN_PREFIX, AllowedOrigin, ApiToken, ChallengeMode, Membership, Role, Scope, Site, hash_token
from corrigo.sql import UNSTORABLE

# For people, from the CLI and the desk alike: far beyond any passphrase, and short
# enough that hashing it costs nothing.
MAX_PASSWORD_LENGTH = 4096
SITE_KEY = re.compile(r"[-a-zA-Z0-9_]{1,64}")  # Site.key is a SlugField
TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{43}")  # ApiToken.generate()


@dataclass(frozen=True)
class IntakeSite:
    site: Site
    origins: frozenset[str]
    expires: float

    def allows(self, origin: str) -> bool:
        """True when a page of this origin may send reports for the site."""
        # Browsers send origins in canonical form already: normalise only what does not match.
        return origin in self.origins or normalise_origin(origin) in self.origins


# Every report looks its site up; each process keeps sites for a few seconds, so a
# change of origins in the desk reaches all app processes within SITE_CACHE_SECONDS.
SITE_CACHE_SECONDS = 5.0
_site_cache: dict[str, IntakeSite] = {}


def intake_site(key: str) -> IntakeSite | None:
    """The site with this key and its allowed origins, as of at most SITE_CACHE_SECONDS ago.

    An unknown key is looked up afresh each time, so a new site takes reports at once.
    """
    cached = _site_cache.get(key)
    if cached is not None and cached.expires > time.monotonic():
        return cached
    site = Site.objects.filter(key=key).first() if isinstance(key, str) and SITE_KEY.fullmatch(key) else None
    if site is None:
        _site_cache.pop(key, None)
        return None
    entry = IntakeSite(
        site, frozenset(site.allowed_origins.values_list("origin", flat=True)), time.monotonic() + SITE_CACHE_SECONDS
    )
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
    unstorable = [field for field, value in vars(site).items() if isinstance(value, str) and UNSTORABLE.search(value)]
    if unstorable:
        raise ValidationError(dict.fromkeys(unstorable, "It contains a NUL character or an unpaired surrogate."))
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:  # created by someone else since full_clean() looked
        raise ValidationError({"key": "Site with this Key already exists."}) from None
    set_origins(site, origins)
    return site


@transaction.atomic
def set_origins(site: Site, origins: list[str]) -> list[str]:
    """Replace the site's allowed origins; raises ValueError naming the first bad one."""
    if isinstance(origins, str):
        raise TypeError("origins is a list of origins, not one string")
    normal = []
    for value in origins:
        try:
            origin = parse_origin(value)
        except InvalidURL as exc:
            raise InvalidURL(f"{_shown(value)} is not an http(s) origin: {exc}") from None
        if origin not in normal:
            normal.append(origin)
    site.allowed_origins.exclude(origin__in=normal).delete()
    existing = set(site.allowed_origins.values_list("origin", flat=True))
    AllowedOrigin.objects.bulk_create([AllowedOrigin(site=site, origin=o) for o in normal if o not in existing])
    # Now for this thread, and again once committed, so no request re-caches the old origins.
    forget_cached_sites()
    transaction.on_commit(forget_cached_sites)
    return normal


INTAKE_LIMITS = ("reports_per_client_minute", "reports_per_client_hour", "reports_per_site_minute")


def set_intake_limits(site: Site, **limits: int | str) -> None:
    """Change how many reports the site takes (reports.limits) and when it asks for proof of work (`challenge`).

    Every app process follows within SITE_CACHE_SECONDS.
    """
    if unknown := set(limits) - {*INTAKE_LIMITS, "challenge"}:
        raise TypeError(f"not an intake limit: {', '.join(sorted(unknown))}")
    if limits.get("challenge", ChallengeMode.AUTO) not in ChallengeMode.values:
        raise ValueError(f"challenge: one of {', '.join(ChallengeMode.values)}")
    numbers = {name: value for name, value in limits.items() if name != "challenge"}
    if bad := [
        name for name, value in numbers.items() if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    ]:
        raise ValueError(f"{', '.join(bad)}: a limit is a whole number, 0 for none")
    for name, value in limits.items():
        setattr(site, name, value)
    site.save(update_fields=list(limits))
    forget_cached_sites()


def _shown(value: object, limit: int = 80) -> str:
    """A value for an error message: quoted, escaped, and cut short if long."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value)} characters)"
    return repr(value)


# ---- members: the one way to make users and give them roles (CLI, desk, demo) ----


class SiteRuleError(ValueError):
    """A change that would break a site rule; the message is for the admin."""


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    new_user: bool  # False: an existing user, whose password and email were left as they were


def check_new_user(username: str, email: str = "") -> User:
    """An unsaved user of this name and email; raises ValidationError naming what is wrong.

    The CLI asks for a password only after this passed: nobody should type one for nothing.
    """
    unstorable = {field: value for field, value in (("username", username), ("email", email)) if UNSTORABLE.search(value)}
    if unstorable:
        raise ValidationError(dict.fromkeys(unstorable, "It contains a NUL character or an unpaired surrogate."))
    user = User(username=username, email=email)
    # Django's own rules: letters, digits and @.+-_, at most 150 characters, a free name (in
    # NFKC form: "ｍｉｒａ" is "mira"), and an email address it would send to.
    user.full_clean(exclude=["password"])
    return user


@transaction.atomic
def add_member(
    site: Site, username: str, role: Role | str, *, password: str = "", email: str = "", by: User | None = None
) -> MemberAdded:
    """Give a user a role on the site, creating the user when a first password is given.

    An existing user keeps their password and email address: being made a member of one site
    gives that site's admins no say over an account that other sites may share.
    Raises ValidationError (keyed by username, email, password) or SiteRuleError.
    """
    role = Role(role)
    user = None if UNSTORABLE.search(username) else User.objects.filter(username=User.normalize_username(username)).first()
    new_user = user is None
    if new_user:
        if not password:
            raise ValidationError({"password": f"There is no user {username!r}: give a first password to create one."})
        user = check_new_user(username, email)
        _check_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # created by someone else since the check
            raise ValidationError({"username": f"User {user.username!r} was created meanwhile: try again."}) from None
    return MemberAdded(change_role(site, user, role, by=by, verb="member.add"), new_user)


def _check_password(password: str, user: User) -> None:
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError({"password": f"The password is longer than {MAX_PASSWORD_LENGTH} characters."})
    if UNSTORABLE.search(password):  # a lone surrogate cannot be hashed
        raise ValidationError({"password": "The password contains a NUL character or an unpaired surrogate."})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None


def change_email(user: User, email: str) -> None:
    """Set a user's email address (the CLI's --email): the operator's say, not a site admin's."""
    if UNSTORABLE.search(email):
        raise ValidationError({"email": "It contains a NUL character or an unpaired surrogate."})
    previous, user.email = user.email, email
    try:
        # Checked as written, then stored in Django's form of it (the domain in lower case).
        user.full_clean(exclude=[field.name for field in User._meta.concrete_fields if field.name != "email"])
    except ValidationError:
        user.email = previous
        raise
    user.save(update_fields=["email"])


@transaction.atomic
def change_role(site: Site, user: User, role: Role | str, *, by: User | None = None, verb: str = "member.role") -> Membership:
    """Give the user this role on the site (one membership per user and site), keeping an admin.

    The site log says who did it (`by`; None is Corrigo itself: the CLI, the demo).
    """
    role = Role(role)
    current = _members_of(site).filter(user=user).first()
    if current is not None and current.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(site, leaving=user)
    membership, _ = Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
    before = current.role if current is not None else ""
    if before != role:
        audit.record(site, by, verb, subject=user.get_username(), before=before, after=role)
    return membership


@transaction.atomic
def remove_member(site: Site, user: User, *, by: User | None = None) -> None:
    """Take the user's role on the site away (their account stays), keeping an admin."""
    membership = _members_of(site).filter(user=user).first()
    if membership is None:
        return
    if membership.role == Role.ADMIN:
        _keep_an_admin(site, leaving=user)
    membership.delete()
    audit.record(site, by, "member.remove", subject=user.get_username(), before=membership.role, after="")


def _members_of(site: Site):
    # Changes to one site's members queue up behind its row: two admins demoting each other
    # at once cannot both pass the check below (SQLite's IMMEDIATE transactions queue anyway).
    list(Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True))
    return Membership.objects.filter(site=site)


def _keep_an_admin(site: Site, leaving: User) -> None:
    if not Membership.objects.filter(site=site, role=Role.ADMIN).exclude(user=leaving).exists():
        raise SiteRuleError("A site needs at least one admin: make someone else admin first.")


# ---- tokens ------------------------------------------------------------------


def parse_scopes(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """Scopes from "read,publish" or a list, in their canonical order; ValueError naming an unknown one."""
    wanted = [part.strip() for part in value.split(",")] if isinstance(value, str) else [str(part).strip() for part in value]
    wanted = [part for part in wanted if part]
    if not wanted:
        raise ValueError(f"a token needs at least one scope ({', '.join(Scope.values)})")
    unknown = [part for part in wanted if part not in Scope.values]
    if unknown:
        raise ValueError(f"{_shown(unknown[0])} is not a scope: use {', '.join(Scope.values)}")
    return [scope for scope in Scope.values if scope in wanted]


def create_token(
    site: Site,
    name: str = "",
    *,
    scopes: str | list[str] | tuple[str, ...] = (Scope.READ,),
    can_see_email: bool = False,
    created_by: User | None = None,
) -> str:
    """Create a token and return it in clear: the only time anyone sees it."""
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValueError("the token's name is too long")
    if UNSTORABLE.search(name):
        raise ValueError("the token's name contains a NUL character or an unpaired surrogate")
    chosen = parse_scopes(scopes)
    token = ApiToken.generate()
    ApiToken.objects.create(
        site=site,
        name=name,
        digest=hash_token(token),
        hint=token[:10],
        scopes=",".join(chosen),
        can_see_email=can_see_email,
        created_by=created_by,
    )
    return token


def revoke_token(site: Site, token_id: int) -> bool:
    """Stop a token from working at once. False when there was no such live token."""
    return bool(ApiToken.objects.filter(pk=token_id, site=site, revoked_at=None).update(revoked_at=timezone.now()))


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (revoked, unknown, or not a token at all)."""
    if not isinstance(secret, str) or not TOKEN.fullmatch(secret):
        return None
    token = ApiToken.objects.select_related("site").filter(digest=hash_token(secret), revoked_at=None).first()
    if token is not None:
        now = timezone.now()
        # Record use at most once a minute: a busy integration should not write on every read.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
