"""Read-API tokens: shown once, stored hashed, refused once revoked, bound to one site."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from corrigo.sites.models import ApiToken, hash_token
from corrigo.sites.services import create_token, token_for

pytestmark = pytest.mark.django_db


def test_create_token_returns_the_secret_and_stores_only_its_hash(site):
    secret = create_token(site, "newsroom feed")
    stored = ApiToken.objects.get()
    assert secret.startswith("crg_") and len(secret) == 47
    assert stored.digest == hash_token(secret) != secret
    assert stored.hint == secret[:10]
    assert secret not in (stored.digest, stored.hint, stored.name)
    assert (stored.site, stored.name, stored.can_see_email, stored.created_by, stored.last_used_at, stored.revoked_at) == (
        site,
        "newsroom feed",
        False,
        None,
        None,
        None,
    )


def test_each_token_is_new(site):
    assert len({create_token(site) for _ in range(20)}) == 20
    assert ApiToken.objects.values("digest").distinct().count() == 20


def test_a_token_remembers_who_made_it_and_what_it_may_see(site):
    ada = User.objects.create_user("ada")
    create_token(site, can_see_email=True, created_by=ada)
    stored = ApiToken.objects.get()
    assert (stored.can_see_email, stored.created_by) == (True, ada)


@pytest.mark.parametrize("name,reason", [("n" * 101, "too long"), ("feed\x00", "NUL"), ("feed \ud800", "surrogate")])
def test_a_bad_token_name_is_refused_and_nothing_is_stored(site, name, reason):
    with pytest.raises(ValueError, match=reason):
        create_token(site, name)
    assert not ApiToken.objects.exists()


def test_token_for_finds_the_token_and_its_site(site):
    secret = create_token(site)
    token = token_for(secret)
    assert token == ApiToken.objects.get() and token.site == site


def test_token_for_records_the_first_use(site):
    token_for(create_token(site))
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused(site):
    secret = create_token(site)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert token_for(secret) is None


def test_a_token_is_bound_to_its_own_site(site, other_site):
    theirs = create_token(other_site)
    assert token_for(theirs).site == other_site


def test_the_stored_digest_is_not_a_token(site):
    create_token(site)
    assert token_for(ApiToken.objects.get().digest) is None


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "crg_",
        "nope",
        "crg_" + "x" * 42,
        "crg_" + "x" * 44,
        "CRG_" + "x" * 43,
        "crg_" + "x" * 42 + "=",
        "crg_" + "x" * 42 + "\x00",
        "crg_" + "x" * 42 + "\ud800",
        "crg_" + "é" * 43,
        "crg_" + "x" * 1_000_000,
        None,
        b"crg_",
    ],
)
def test_a_malformed_bearer_value_is_refused_without_a_query(site, secret, django_assert_num_queries):
    create_token(site)
    with django_assert_num_queries(0):
        assert token_for(secret) is None


def test_a_well_formed_but_unknown_token_is_refused(site):
    create_token(site)
    assert token_for("crg_" + "x" * 43) is None


def test_a_token_with_spaces_around_it_is_refused(site):
    # The API strips "Bearer "; anything else around the token is a different value.
    secret = create_token(site)
    assert token_for(f" {secret}") is None and token_for(f"{secret}\n") is None


def test_a_token_reads_by_default_and_has_only_the_scopes_it_was_given(site):
    create_token(site, "feed")
    create_token(site, "cms", scopes="publish, read")
    feed, cms = ApiToken.objects.order_by("pk")
    assert (feed.scopes, feed.has_scope("read"), feed.has_scope("publish")) == ("read", True, False)
    assert (cms.scopes, cms.scope_list) == ("read,publish", ["read", "publish"])
    assert not cms.has_scope("triage")


@pytest.mark.parametrize(
    ("scopes", "why"),
    [
        ("", "at least one scope"),
        ("read,admin", "'admin' is not a scope"),
        ([], "at least one scope"),
        ("READ", "'READ' is not a scope"),
    ],
)
def test_unknown_or_missing_scopes_are_refused_and_nothing_is_stored(site, scopes, why):
    with pytest.raises(ValueError, match=why):
        create_token(site, scopes=scopes)
    assert not ApiToken.objects.exists()
