"""parse_http_url: the URLs Corrigo will fetch or call, read as browsers read them, refused with a reason."""

import ipaddress

import pytest

from corrigo.lib.urls import MAX_URL_LENGTH, HttpURL, InvalidURL, parse_http_url


def test_it_gives_the_parts_a_client_needs():
    url = parse_http_url("HTTPS://Hooks.Example.org:8443/corrigo/in?token=abc&utm_source=x#frag")
    assert url == HttpURL("https", "hooks.example.org", 8443, "/corrigo/in", "token=abc&utm_source=x")
    assert url.href == "https://hooks.example.org:8443/corrigo/in?token=abc&utm_source=x"  # no fragment: never sent
    assert (url.origin, url.port_number, url.ip_address) == ("https://hooks.example.org:8443", 8443, None)


@pytest.mark.parametrize(
    "raw,port,port_number,href",
    [
        ("https://news.example.org", None, 443, "https://news.example.org/"),
        ("https://news.example.org:443/", None, 443, "https://news.example.org/"),
        ("http://news.example.org:80/a", None, 80, "http://news.example.org/a"),
        ("http://news.example.org:443/a", 443, 443, "http://news.example.org:443/a"),
    ],
)
def test_a_default_port_is_left_out_and_still_known(raw, port, port_number, href):
    url = parse_http_url(raw)
    assert (url.port, url.port_number, url.href) == (port, port_number, href)


@pytest.mark.parametrize(
    "raw,host,href",
    [
        ("https://bücher.example/a", "xn--bcher-kva.example", "https://xn--bcher-kva.example/a"),
        ("https://пример.рф/", "xn--e1afmkfd.xn--p1ai", "https://xn--e1afmkfd.xn--p1ai/"),
        ("https://news.example.org./a", "news.example.org", "https://news.example.org/a"),
    ],
)
def test_the_host_is_in_its_ascii_form(raw, host, href):
    url = parse_http_url(raw)
    assert (url.host, url.href) == (host, href)


def test_the_path_and_query_are_percent_encoded_as_browsers_send_them():
    url = parse_http_url('https://news.example.org/café/a/../b?q="ja"&x=€')
    assert (url.path, url.query) == ("/caf%C3%A9/b", "q=%22ja%22&x=%E2%82%AC")


@pytest.mark.parametrize(
    "raw,address",
    [
        ("http://127.0.0.1:8000/hook", ipaddress.IPv4Address("127.0.0.1")),
        ("https://[::1]/hook", ipaddress.IPv6Address("::1")),
        ("https://[::ffff:10.0.0.1]/", ipaddress.IPv6Address("::ffff:10.0.0.1")),
        ("https://web1.example/", None),
        ("https://1password.example/", None),
    ],
)
def test_an_ip_address_host_is_known_as_one(raw, address):
    # What the outbound client will check against private ranges before it connects.
    assert parse_http_url(raw).ip_address == address


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("ftp://files.example.org/a", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("https:hooks.example.org", "must start with http:// or https://"),
        ("https:\\\\hooks.example.org", "must start with http:// or https://"),
        ("//hooks.example.org/a", "must start with http:// or https://"),
        ("https://user:pw@hooks.example.org/", "user name or password"),
        ("https://hooks.example.org@127.0.0.1/", "user name or password"),
        ("https://hooks.example.org\\@127.0.0.1/", "host is not a valid host name"),  # urllib would call 127.0.0.1
        ("https://hooks.example.org%2F@127.0.0.1/", "user name or password"),
        ("https://127.1/", "not a valid IPv4 address"),
        ("https://0x7f000001/", "not a valid IPv4 address"),
        ("https://2130706433/", "not a valid IPv4 address"),
        ("https://0177.0.0.1/", "not a valid IPv4 address"),
        ("https://hooks.example.org:0/", "port 0"),
        ("https://hooks.example.org:70000/", "port is not a number from 1 to 65535"),
        ("https://[fe80::1%25eth0]/", "IPv6 zone"),
        ("https://[::1/", "not a valid IPv6 address"),
        ("https://hooks.example.org/\r\nHost: evil.example", "whitespace or control"),
        ("https://hooks.example.org/\x00", "NUL character"),
        ("https://hooks%2eexample.org/", "host is not a valid host name"),
        ("https://hooks\u200b.example.org/", "characters no host name has"),
        ("https://xn--zz.example/", "not valid punycode"),
        ("https://", "no host"),
        ("https://:443/", "no host"),
        ("https://hooks.example.org/" + "a" * MAX_URL_LENGTH, f"longer than {MAX_URL_LENGTH}"),
    ],
)
def test_what_corrigo_must_not_call_is_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidURL, match=reason):
        parse_http_url(raw)


@pytest.mark.parametrize("value", [None, 443, b"https://hooks.example.org/", ("https://hooks.example.org/",)])
def test_a_value_that_is_not_text_is_refused(value):
    with pytest.raises(InvalidURL, match="not text"):
        parse_http_url(value)
