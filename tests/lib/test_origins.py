"""Origins: what an admin may type, and the form a browser's Origin header takes."""

import pytest

from corrigo.lib.urls import MAX_HOST_LENGTH, InvalidURL, normalise_origin, parse_origin


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
    with pytest.raises(InvalidURL, match=reason):
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
    with pytest.raises(InvalidURL, match="user name or password"):
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
    with pytest.raises(InvalidURL, match="whitespace or control"):
        parse_origin(value)


@pytest.mark.parametrize(
    "value",
    ["https://news\x00.example.org", "https://news.example.org\x00", "https://news.example.org\ud800", "https://\udcff.example"],
)
def test_an_origin_with_a_nul_or_a_lone_surrogate_is_refused(value):
    with pytest.raises(InvalidURL, match="NUL character or an unpaired surrogate"):
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
    with pytest.raises(InvalidURL, match="host"):
        parse_origin(value)


@pytest.mark.parametrize("value", ["https://xn--zz.example", "https://xn--9.example"])
def test_broken_punycode_is_refused(value):
    with pytest.raises(InvalidURL, match="punycode"):
        parse_origin(value)


@pytest.mark.parametrize(
    "typed,origin", [("https://faß.example", "https://xn--fa-hia.example"), ("https://ς.example", "https://xn--3xa.example")]
)
def test_a_host_with_letters_idna_2003_would_map_away_keeps_them(typed, origin):
    # Browsers follow UTS 46 without its transitional mapping: ß stays ß (Python's own codec makes it "ss").
    assert parse_origin(typed) == origin


@pytest.mark.parametrize(
    "value", ["https://0x7f.1", "https://127.1", "https://01.2.3.4", "https://300.2.3.4", "https://news.example.123"]
)
def test_a_host_browsers_would_read_as_another_ip_address_is_refused(value):
    with pytest.raises(InvalidURL, match="IPv4"):
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
    with pytest.raises(InvalidURL, match=reason):
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
    with pytest.raises(InvalidURL, match=reason):
        parse_origin(value)


@pytest.mark.parametrize("value", [None, 443, b"https://news.example.org", ["https://news.example.org"]])
def test_a_value_that_is_not_text_is_refused(value):
    with pytest.raises(InvalidURL, match="not text"):
        parse_origin(value)
    assert normalise_origin(value) is None
