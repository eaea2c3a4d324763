"""Site administration from the desk: members, roles and tokens.

Case outcomes live in reports.actions (the API will call them too); these are the few
site chores that sites.services does not cover yet.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from corrigo.sites.models import ApiToken, Membership, Role, Site
from corrigo.sites.services import set_membership


class SiteRuleError(ValueError):
    """A change that would break a site rule; the message is for the admin."""


@transaction.atomic
def add_member(site: Site, username: str, role: str, *, password: str = "") -> Membership:
    """Give a user a role on the site, creating the user when a first password is given."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=password)
    return change_role(site, user, role)


@transaction.atomic
def change_role(site: Site, user: User, role: str) -> Membership:
    current = Membership.objects.select_for_update().filter(site=site, user=user).first()
    if current is not None and current.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(site, leaving=user)
    return set_membership(user, site, role)


@transaction.atomic
def remove_member(site: Site, user: User) -> None:
    membership = Membership.objects.select_for_update().filter(site=site, user=user).first()
    if membership is None:
        return
    if membership.role == Role.ADMIN:
        _keep_an_admin(site, leaving=user)
    membership.delete()


def _keep_an_admin(site: Site, leaving: User) -> None:
    others = Membership.objects.select_for_update().filter(site=site, role=Role.ADMIN).exclude(user=leaving)
    if not others.exists():
        raise SiteRuleError("A site needs at least one admin: make someone else admin first.")


def revoke_token(site: Site, token_id: int) -> bool:
    """Stop a token from working at once. False when there was no such live token."""
    return bool(ApiToken.objects.filter(pk=token_id, site=site, revoked_at=None).update(revoked_at=timezone.now()))
