"""Corrigo reads URLs as Chromium does: the same origin, and one canonical URL for what the browser sends."""

import pytest

from corrigo.lib.urls import InvalidURL, canonical_url, parse_origin

URLS = [
    "https://news.example.org/2026/ferry?id=7#top",
    "HTTPS://News.Example.ORG:443/a",
    "http://news.example.org:8080/a/./b/../c",
    "https://bücher.example/a",
    "https://faß.example/",
    "https://ς.example/",
    "https://пример.рф/стаття?тема=мова",
    "https://ｎｅｗｓ.example/",
    "https://[2001:DB8::1]:8443/a",
    "https://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://127.0.0.1:8000/",
    'https://news.example.org/café?q="ja"&x=€',
    "https://news.example.org/a\\b",
    "https://news.example.org/a%2Fb?x=%26y",
    "https://news.example.org/%E2%80%AEtxt",
    "https://news.example.org/a?utm_source=x&id=3",
]


def chromium_reads(page, url: str) -> dict:
    return page.evaluate("url => { const u = new URL(url); return {href: u.href, origin: u.origin} }", url)


@pytest.mark.parametrize("url", URLS)
def test_corrigo_and_chromium_agree_on_the_origin(page, url):
    assert parse_origin(url) == chromium_reads(page, url)["origin"]


@pytest.mark.parametrize("url", URLS)
def test_a_page_has_the_same_canonical_url_as_typed_and_as_chromium_sends_it(page, url):
    # The widget sends location.href: Chromium's serialisation of the address.
    assert canonical_url(chromium_reads(page, url)["href"]) == canonical_url(url)


@pytest.mark.parametrize("url", ["https://BÜCHER.example./a", "https://news.example.org。/a"])
def test_a_trailing_dot_that_chromium_keeps_names_the_same_origin(page, url):
    # Chromium sends "Origin: https://news.example.org." from such a page: intake must take it.
    header = chromium_reads(page, url)["origin"]
    assert header.endswith(".")
    assert parse_origin(header) == parse_origin(url) == header.removesuffix(".")
    assert canonical_url(chromium_reads(page, url)["href"]) == canonical_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://0x7f.1/",  # Chromium: 127.0.0.1
        "https://127.1/",
        "https://news%2eexample.org/",  # Chromium: news.example.org
        "https://news\u200b.example.org/",  # Chromium drops the invisible character
        "https://editor:secret@news.example.org/",
    ],
)
def test_urls_chromium_would_rewrite_into_another_host_are_refused_as_origins(page, url):
    assert chromium_reads(page, url)["origin"]  # Chromium takes it…
    with pytest.raises(InvalidURL):  # …but reads another host than the one written: Corrigo says no
        parse_origin(url)
