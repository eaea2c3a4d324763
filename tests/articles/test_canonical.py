"""Canonical URLs: one article however readers reached it; hostile URLs are refused cleanly."""

import pytest

from corrigo.articles.canonical import InvalidURL, canonical_url, origin_of


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("https://news.example.org/a", "https://news.example.org/a"),
        ("HTTPS://News.Example.ORG/a", "https://news.example.org/a"),
        ("https://news.example.org", "https://news.example.org/"),
        ("https://news.example.org:443/a", "https://news.example.org/a"),
        ("http://news.example.org:80/a", "http://news.example.org/a"),
        ("http://news.example.org:8080/a", "http://news.example.org:8080/a"),
        ("https://news.example.org/a#comments", "https://news.example.org/a"),
        ("https://news.example.org/a?utm_source=x&utm_medium=y&id=3", "https://news.example.org/a?id=3"),
        ("https://news.example.org/a?gclid=1&fbclid=2&mc_cid=3&page=2", "https://news.example.org/a?page=2"),
        ("https://news.example.org/a?UTM_Campaign=x", "https://news.example.org/a"),
        ("https://news.example.org/a?flag=", "https://news.example.org/a?flag="),
        ("https://[2001:DB8::1]:8443/a", "https://[2001:db8::1]:8443/a"),
        ("https://новини.example/стаття", "https://новини.example/стаття"),
        ("https://news.example.org/a?q=caf%C3%A9+au+lait&utm_source=x", "https://news.example.org/a?q=caf%C3%A9+au+lait"),
        ("https://news.example.org/a?q=café", "https://news.example.org/a?q=café"),
        ("https://news.example.org/a?a=1&&b=2&", "https://news.example.org/a?a=1&b=2"),
        ("https://news.example.org/a?utm%5Fsource=x&id=1", "https://news.example.org/a?id=1"),
    ],
)
def test_it_canonicalises(raw, expected):
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "news.example.org/a",
        "/a",
        "ftp://news.example.org/a",
        "javascript:alert(1)",
        "data:text/html,x",
        "https://",
        "https://news.example.org:99999/a",
        "https://news.example.org:port/a",
        "https://exa mple.org/",
        "https://news.example.org/\x00",
        "https://news.example.org/a\nb",
        "https://news.example.org/" + "a" * 2048,
        "https://[::1/a",
    ],
)
def test_it_refuses_what_is_not_an_http_url(raw):
    with pytest.raises(InvalidURL):
        canonical_url(raw)


def test_a_canonical_url_never_outgrows_the_limit():
    # Re-encoding a query used to turn 1,000 "é" into 6,000 characters, past the column size.
    for raw in ["https://example.org/?" + "é" * 1000, "https://example.org/?" + "a&" * 1000]:
        url = canonical_url(raw)
        assert len(url) <= 2048
    with pytest.raises(InvalidURL):
        canonical_url("https://" + "İ" * 1100 + ".example/")  # lower-casing doubles this host


def test_origin_of_keeps_scheme_host_and_port():
    assert origin_of("https://News.example.org:443/path?q#f") == "https://news.example.org"
    assert origin_of("http://localhost:8000") == "http://localhost:8000"
