"""Allowed origins: what an admin may type, the form a browser's Origin header takes, and what is stored."""

import pytest

from corrigo.sites.models import AllowedOrigin, Site
from corrigo.sites.services import (
    InvalidOrigin,
    create_site,
    intake_site,
    normalise_origin,
    origin_allowed_anywhere,
    parse_origin,
    set_origins,
)

# ---- normalise_origin: the form browsers send ----------------------------------


@pytest.mark.parametrize(
    "typed,origin",
    [
        ("https://news.example.org", "https://news.example.org"),
        ("https://news.example.org/", "https://news.example.org"),
        ("https://news.example.org/2026/ferry", "https://news.example.org"),
        ("https://news.example.org/?page=2", "https://news.example.org"),
        ("https://news.example.org#comments", "https://news.example.org"),
        ("https://news.example.org/a?b=c#d", "https://news.example.org"),
    ],
)
def test_a_page_url_is_reduced_to_its_origin(typed, origin):
    assert normalise_origin(typed) == origin


@pytest.mark.parametrize(
    "typed,origin",
    [
        ("https://news.example.org:443", "https://news.example.org"),
        ("http://news.example.org:80", "http://news.example.org"),
        ("https://news.example.org:443/", "https://news.example.org"),
        ("https://news.example.org:", "https://news.example.org"),
    ],
)
def test_a_default_port_is_dropped(typed, origin):
    assert normalise_origin(typed) == origin


@pytest.mark.parametrize(
    "typed,origin",
    [
        ("https://news.example.org:8443", "https://news.example.org:8443"),
        ("https://news.example.org:80", "https://news.example.org:80"),
        ("http://news.example.org:443", "http://news.example.org:443"),
        ("http://localhost:3000", "http://localhost:3000"),
    ],
)
def test_another_port_is_kept(typed, origin):
    assert normalise_origin(typed) == origin


def test_scheme_and_host_are_lower_cased():
    assert normalise_origin("HTTPS://News.Example.ORG") == "https://news.example.org"


@pytest.mark.parametrize(
    "typed,origin",
    [
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://BÜCHER.example", "https://xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("https://пример.рф", "https://xn--e1afmkfd.xn--p1ai"),
        ("https://ｎｅｗｓ.example", "https://news.example"),  # full-width letters, as browsers map them
    ],
)
def test_an_internationalised_host_is_stored_as_browsers_send_it(typed, origin):
    # Browsers put the xn-- form in the Origin header: a stored Unicode host would never match.
    assert normalise_origin(typed) == origin


def test_an_internationalised_host_matches_the_header_its_pages_send(site):
    set_origins(site, ["https://bücher.example"])
    assert intake_site("courier").allows("https://xn--bcher-kva.example")


@pytest.mark.parametrize("typed", ["https://news.example.org.", "https://news.example.org。"])
def test_a_trailing_dot_names_the_same_host(typed):
    assert normalise_origin(typed) == "https://news.example.org"


@pytest.mark.parametrize(
    "typed,origin",
    [
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://[0:0:0:0:0:0:0:1]", "https://[::1]"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_an_ip_address_is_written_the_way_browsers_write_it(typed, origin):
    assert normalise_origin(typed) == origin


@pytest.mark.parametrize(
    "value,reason",
    [
        ("null", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("file://host/share", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("data:text/html,<script>alert(1)</script>", "http:// or https://"),
        ("ftp://news.example.org", "http:// or https://"),
        ("ws://news.example.org", "http:// or https://"),
        ("blob:https://news.example.org/uuid", "http:// or https://"),
        ("news.example.org", "http:// or https://"),
        ("//news.example.org", "http:// or https://"),
        ("", "http:// or https://"),
        ("https://", "no host"),
        ("https:///path", "no host"),
    ],
)
def test_what_is_not_an_http_origin_is_refused(value, reason):
    with pytest.raises(InvalidOrigin, match=reason):
        parse_origin(value)
    assert normalise_origin(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "https://editor:secret@news.example.org",
        "https://editor@news.example.org",
        "https://@news.example.org",
        "https://news.example.org@evil.example",  # reads as news.example.org, is evil.example
    ],
)
def test_an_origin_with_a_user_name_or_password_is_refused(value):
    with pytest.raises(InvalidOrigin, match="user name or password"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value",
    [
        " https://news.example.org",
        "https://news.example.org ",
        "https://news.example.org\n",
        "https://news.example.org\nhttps://evil.example",
        "https://news.\texample.org",
        "https://news example.org",
        "https://news.example.org\x7f",
    ],
)
def test_an_origin_with_whitespace_or_control_characters_is_refused(value):
    with pytest.raises(InvalidOrigin, match="whitespace or control"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value",
    ["https://news\x00.example.org", "https://news.example.org\x00", "https://news.example.org\ud800", "https://\udcff.example"],
)
def test_an_origin_with_a_nul_or_a_lone_surrogate_is_refused(value):
    with pytest.raises(InvalidOrigin, match="NUL character or an unpaired surrogate"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://<script>.example",
        'https://news".example.org',
        "https://news'.example.org",
        "https://news%2eexample.org",
        "https://news\\evil.example",
        "https://news.example.org\\path",
        "https://.example.org",
        "https://news..example.org",
        "https://news.example.org..",
        "https://news\u200b.example.org",  # an invisible character
        "https://\u2603.example",  # a symbol, not a letter
        "https://" + "a" * 64 + ".example",  # a label is at most 63 characters
    ],
)
def test_a_host_no_browser_could_send_is_refused(value):
    with pytest.raises(InvalidOrigin, match="host"):
        parse_origin(value)


@pytest.mark.parametrize("value", ["https://xn--zz.example", "https://xn--9.example"])
def test_broken_punycode_is_refused(value):
    with pytest.raises(InvalidOrigin, match="punycode"):
        parse_origin(value)


@pytest.mark.parametrize("value", ["https://faß.example", "https://ς.example"])
def test_a_host_whose_xn_form_browsers_disagree_on_must_be_written_in_it(value):
    # Python's IDNA 2003 would turn ß into "ss"; browsers keep it: the origin would never match.
    with pytest.raises(InvalidOrigin, match="xn-- form"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value", ["https://0x7f.1", "https://127.1", "https://01.2.3.4", "https://300.2.3.4", "https://news.example.123"]
)
def test_a_host_browsers_would_read_as_another_ip_address_is_refused(value):
    with pytest.raises(InvalidOrigin, match="IPv4"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("https://[zz]", "cannot be parsed"),
        ("https://[fe80::1%25eth0]", "IPv6 zone"),
        ("https://news.example.org:0", "port 0"),
        ("https://news.example.org:65536", "cannot be parsed"),
        ("https://news.example.org:-1", "cannot be parsed"),
        ("https://news.example.org:http", "cannot be parsed"),
    ],
)
def test_a_bad_address_or_port_is_refused(value, reason):
    with pytest.raises(InvalidOrigin, match=reason):
        parse_origin(value)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("https://" + ".".join(["a" * 60] * 5), "longer than 253"),
        ("https://news.example.org/" + "p" * 3000, "longer than 2048"),
        ("https://" + "a" * 10_000_000, "longer than 2048"),
    ],
)
def test_an_over_long_origin_is_refused(value, reason):
    # The longest possible origin ("https://" + 253 + ":65535") fits AllowedOrigin.origin.
    assert AllowedOrigin._meta.get_field("origin").max_length >= len("https://:65535") + 253
    with pytest.raises(InvalidOrigin, match=reason):
        parse_origin(value)


@pytest.mark.parametrize("value", [None, 443, b"https://news.example.org", ["https://news.example.org"]])
def test_a_value_that_is_not_text_is_refused(value):
    with pytest.raises(InvalidOrigin, match="not text"):
        parse_origin(value)
    assert normalise_origin(value) is None


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
