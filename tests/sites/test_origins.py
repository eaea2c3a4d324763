"""Allowed origins of a site: what is stored, and who asks whether an origin is allowed."""

import pytest

from corrigo.lib.urls import MAX_HOST_LENGTH
from corrigo.sites.models import AllowedOrigin, Site
from corrigo.sites.services import create_site, intake_site, origin_allowed_anywhere, set_origins


def test_an_internationalised_host_matches_the_header_its_pages_send(site):
    set_origins(site, ["https://bücher.example"])
    assert intake_site("courier").allows("https://xn--bcher-kva.example")


def test_the_longest_origin_fits_the_column():
    assert AllowedOrigin._meta.get_field("origin").max_length >= len("https://:65535") + MAX_HOST_LENGTH


# ---- set_origins: what is stored ---------------------------------------------


def stored(site):
    return sorted(AllowedOrigin.objects.filter(site=site).values_list("origin", flat=True))


def test_origins_are_stored_in_their_canonical_form(db):
    site = create_site("courier", origins=["https://News.Example.org:443/2026/ferry?x=1#top", "https://bücher.example."])
    assert stored(site) == ["https://news.example.org", "https://xn--bcher-kva.example"]


def test_origins_that_are_the_same_origin_are_stored_once(db):
    site = create_site("courier")
    kept = set_origins(
        site,
        [
            "https://news.example.org",
            "https://NEWS.example.org:443/",
            "https://news.example.org/other#x",
            "https://news.example.org.",
        ],
    )
    assert kept == ["https://news.example.org"]
    assert stored(site) == ["https://news.example.org"]


def test_set_origins_replaces_the_list(site):
    assert set_origins(site, ["https://a.example", "https://news.example.org"]) == [
        "https://a.example",
        "https://news.example.org",
    ]
    assert stored(site) == ["https://a.example", "https://news.example.org"]
    assert set_origins(site, []) == []
    assert stored(site) == []


def test_a_bad_origin_is_named_and_nothing_changes(site):
    with pytest.raises(ValueError) as error:
        set_origins(site, ["https://new.example", "https://editor:pw@news.example.org"])
    assert str(error.value) == "'https://editor:pw@news.example.org' is not an http(s) origin: it carries a user name or password"
    assert stored(site) == ["https://news.example.org"]


def test_an_over_long_bad_origin_is_named_briefly(site):
    with pytest.raises(ValueError) as error:
        set_origins(site, ["https://" + "a" * 100_000])
    assert len(str(error.value)) < 200
    assert "(100008 characters) is not an http(s) origin: URL is longer than 2048 characters" in str(error.value)
    assert stored(site) == ["https://news.example.org"]


def test_a_lone_surrogate_is_refused_before_it_reaches_the_database(site):
    with pytest.raises(ValueError, match=r"'https://x\\ud800.example' is not an http\(s\) origin"):
        set_origins(site, ["https://x\ud800.example"])
    assert stored(site) == ["https://news.example.org"]


def test_one_string_is_not_taken_for_a_list_of_characters(site):
    with pytest.raises(TypeError):
        set_origins(site, "https://new.example")
    assert stored(site) == ["https://news.example.org"]


def test_the_same_origin_may_belong_to_two_sites(site):
    gazette = create_site("gazette", origins=["https://news.example.org"])
    assert stored(gazette) == ["https://news.example.org"]
    assert stored(Site.objects.get(key="courier")) == ["https://news.example.org"]


# ---- origin_allowed_anywhere (CORS on errors and preflights) ------------------


def test_an_origin_allowed_by_some_site_is_known_in_any_spelling(site):
    assert origin_allowed_anywhere("https://news.example.org")
    assert origin_allowed_anywhere("https://NEWS.example.org:443")


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "", "https://news.example.org.evil.example", "http://news.example.org", "https://x\x00"],
)
def test_an_origin_no_site_allows_is_unknown(site, origin):
    assert not origin_allowed_anywhere(origin)
