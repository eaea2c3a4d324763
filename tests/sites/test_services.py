"""Sites: create_site, and the intake's site cache (members: test_members.py)."""

import time

import pytest
from django.core.exceptions import ValidationError

from corrigo.sites import services
from corrigo.sites.models import AllowedOrigin, Membership, Site
from corrigo.sites.services import create_site, forget_cached_sites, intake_site, set_origins
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# ---- create_site -------------------------------------------------------------


def test_create_site_stores_the_site_its_settings_and_origins():
    site = create_site(
        "courier", "The Courier", ["https://news.example.org/"], article_selector="article .body", default_language="uk"
    )
    stored = Site.objects.get(key="courier")
    assert (stored.pk, stored.name, stored.article_selector, stored.ignore_selectors, stored.default_language) == (
        site.pk,
        "The Courier",
        "article .body",
        "",
        "uk",
    )
    assert stored.origins == ["https://news.example.org"]


def test_a_site_without_a_name_is_named_after_its_key():
    assert create_site("courier").name == "courier"


@pytest.mark.parametrize(
    "key", ["", "bad key", "Kurier/Köln", "courier.", "<script>", "k" * 65, "ключ", "a\x00b", "a\ud800b", "courier\n"]
)
def test_a_key_that_is_not_a_slug_is_refused(key):
    with pytest.raises(ValidationError) as error:
        create_site(key, origins=["https://news.example.org"])
    assert "key" in error.value.message_dict
    assert not Site.objects.exists() and not AllowedOrigin.objects.exists()


def test_a_taken_key_is_refused_and_the_first_site_is_untouched():
    create_site("courier", "The Courier", ["https://news.example.org"])
    with pytest.raises(ValidationError) as error:
        create_site("courier", "Impostor", ["https://evil.example"])
    assert error.value.message_dict == {"key": ["Site with this Key already exists."]}
    site = Site.objects.get()
    assert (site.name, site.origins) == ("The Courier", ["https://news.example.org"])


def test_a_bad_origin_leaves_no_site_behind():
    with pytest.raises(ValueError, match="'javascript:alert\\(1\\)' is not an http\\(s\\) origin"):
        create_site("courier", origins=["https://news.example.org", "javascript:alert(1)"])
    assert not Site.objects.exists() and not AllowedOrigin.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [("name", "n" * 201), ("article_selector", "a" * 501), ("ignore_selectors", "i" * 1001), ("default_language", "x" * 36)],
)
def test_an_over_long_setting_is_refused(field, value):
    with pytest.raises(ValidationError) as error:
        create_site("courier", **{field: value})
    assert list(error.value.message_dict) == [field]
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    "field,value", [("name", "The\x00Courier"), ("name", "The \ud800 Courier"), ("article_selector", "article\x00")]
)
def test_unstorable_text_is_refused_on_every_database(field, value):
    # PostgreSQL cannot store NUL and no database stores a lone surrogate: refuse both everywhere.
    with pytest.raises(ValidationError) as error:
        create_site("courier", **{field: value})
    assert error.value.message_dict == {field: ["It contains a NUL character or an unpaired surrogate."]}
    assert not Site.objects.exists()


# ---- intake_site: the cached site every report looks up -----------------------


def test_intake_site_gives_the_site_and_its_origins(site):
    entry = intake_site("courier")
    assert entry.site == site
    assert entry.origins == frozenset({"https://news.example.org"})
    assert entry.allows("https://news.example.org") and entry.allows("https://NEWS.example.org:443")
    assert not entry.allows("https://evil.example") and not entry.allows("null")


@pytest.mark.parametrize("key", ["nowhere", "", "bad key", "a\x00b", "a\ud800b", "k" * 10_000, None])
def test_an_unknown_or_malformed_key_has_no_site(site, key, django_assert_num_queries):
    with django_assert_num_queries(0 if key != "nowhere" else 1):  # a malformed key never reaches the database
        assert intake_site(key) is None


def test_a_cached_site_is_served_without_a_query(site, django_assert_num_queries):
    intake_site("courier")
    with django_assert_num_queries(0):
        assert intake_site("courier").site == site


def test_a_new_site_takes_reports_at_once(db):
    assert intake_site("courier") is None
    Site.objects.create(key="courier", name="The Courier")  # as another process would
    assert intake_site("courier").site.key == "courier"


def test_set_origins_is_seen_at_once_in_this_process(site):
    assert not intake_site("courier").allows("https://new.example")
    set_origins(site, ["https://new.example"])
    entry = intake_site("courier")
    assert entry.allows("https://new.example") and not entry.allows("https://news.example.org")


def sleep_past(entry):
    time.sleep(max(0.0, entry.expires - time.monotonic()) + 0.01)


def test_a_change_made_in_another_process_is_seen_within_the_cache_window(site, monkeypatch):
    monkeypatch.setattr(services, "SITE_CACHE_SECONDS", 1.0)  # the documented 5 s, shortened
    cached = intake_site("courier")
    assert not cached.allows("https://new.example")
    # Another app process changes the origins: this process's cache does not hear of it.
    AllowedOrigin.objects.filter(site=site).update(origin="https://new.example")
    assert intake_site("courier") is cached
    sleep_past(cached)
    entry = intake_site("courier")
    assert entry.allows("https://new.example") and not entry.allows("https://news.example.org")


def test_a_site_deleted_in_another_process_is_gone_within_the_cache_window(site, monkeypatch):
    monkeypatch.setattr(services, "SITE_CACHE_SECONDS", 1.0)
    cached = intake_site("courier")
    Site.objects.filter(pk=site.pk).delete()
    sleep_past(cached)
    assert intake_site("courier") is None


def test_forget_cached_sites_makes_the_next_lookup_read_the_database(site, django_assert_num_queries):
    intake_site("courier")
    forget_cached_sites()
    with django_assert_num_queries(2):  # the site, then its origins
        assert intake_site("courier").site == site
