"""The outbound HTTP client's rules, each against a real server on 127.0.0.1 (lib/http.py)."""

import gzip
import re
import time

import pytest

from corrigo.lib import http
from tests.servers import LocalServer, reply

PAGE = b"<html><body><article><p>The council voted.</p></article></body></html>"


@pytest.fixture
def server():
    with LocalServer() as running:

        @running.route("/page")
        def page(handler, request):
            reply(handler, 200, PAGE)

        yield running


@pytest.fixture
def other():
    with LocalServer() as running:

        @running.route("/page")
        def page(handler, request):
            reply(handler, 200, PAGE)

        yield running


def allow_only(*ports):
    return lambda scheme, host, port: port in ports


@pytest.fixture
def private_ok(settings, server, other):
    """The two local servers may be reached although 127.0.0.1 is not a public address."""
    settings.ALLOW_PRIVATE_HOSTS = frozenset(
        {("127.0.0.1", server.port), ("127.0.0.1", other.port), ("news.example", server.port), ("localhost", server.port)}
    )


def resolver(table):
    """A stand-in for DNS: these names resolve to these addresses (the system's resolver is tested too)."""
    return lambda host, port: table[host]


def test_it_fetches_a_page_from_an_allowed_private_host(server, private_ok):
    answer = http.request("GET", server.url("/page"), allow=allow_only(server.port))
    assert (answer.status, answer.body, answer.content_type) == (200, PAGE, "text/html")
    assert answer.text().startswith("<html>")
    [received] = server.received
    assert received.headers["user-agent"].startswith("Corrigo/")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("ftp://news.example/a", "must start with http:// or https://"),
        ("gopher://127.0.0.1:70/", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http://user:secret@news.example/", "user name or password"),
        ("http://", "no host"),
        ("not a url", "whitespace or control characters"),
        ("", "must start with"),
        ("https://news.example/" + "a" * 3000, "longer than 2048"),
        ("http://127.1/", "not a valid IPv4 address"),
    ],
)
def test_it_refuses_urls_it_must_not_fetch(url, why):
    with pytest.raises(http.Refused, match=why):
        http.request("GET", url, allow=lambda *a: True, resolve=resolver({"news.example": ["93.184.216.34"]}))


def test_it_refuses_a_host_the_caller_does_not_allow_without_connecting(server, private_ok):
    with pytest.raises(http.Refused, match="not among the hosts"):
        http.request("GET", server.url("/page"), allow=allow_only(server.port + 1))
    assert server.received == []


def test_it_refuses_a_name_that_resolves_to_a_private_address_without_connecting(server):
    table = {"news.example": ["127.0.0.1"]}
    with pytest.raises(http.Refused, match=re.escape("127.0.0.1, which is not a public address")):
        http.request("GET", server.url("/page", host="news.example"), allow=lambda *a: True, resolve=resolver(table))
    assert server.received == []


def test_the_real_resolver_is_checked_too(server):
    # localhost resolves (through the system's resolver) to a loopback address.
    with pytest.raises(http.Refused, match="not a public address"):
        http.request("GET", server.url("/page", host="localhost"), allow=lambda *a: True)
    assert server.received == []


def test_every_address_of_a_name_must_be_public(server):
    table = {"news.example": ["93.184.216.34", "10.0.0.7"]}
    with pytest.raises(http.Refused, match=re.escape("10.0.0.7")):
        http.request("GET", server.url("/page", host="news.example"), allow=lambda *a: True, resolve=resolver(table))


def test_a_name_with_no_address_is_refused():
    with pytest.raises(http.Refused, match="no address"):
        http.request("GET", "http://news.example/", allow=lambda *a: True, resolve=resolver({"news.example": []}))


def test_an_unresolvable_name_is_refused():
    with pytest.raises(http.Refused, match="cannot be resolved"):
        http.request("GET", "http://no-such-host.invalid/", allow=lambda *a: True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b::a00:1",
        "64:ff9b:1::a00:1",
        "2002:7f00:1::1",
        "2002:a00:1::",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:db8::1",
        "not an address",
    ],
)
def test_addresses_that_could_be_ours_are_not_public(address):
    assert not http.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_are_public(address):
    assert http.is_public(address)


def test_the_connection_goes_to_the_checked_address_with_the_host_name_in_the_request(server, private_ok):
    table = {"news.example": ["127.0.0.1"]}
    answer = http.request("GET", server.url("/page", host="news.example"), allow=allow_only(server.port), resolve=resolver(table))
    assert answer.status == 200
    assert server.received[0].headers["host"] == f"news.example:{server.port}"


def test_it_follows_redirects_on_the_allowed_host_and_says_where_it_went(server, private_ok):
    @server.route("/old")
    def old(handler, request):
        reply(handler, 301, b"", Location="/middle?x=1")

    @server.route("/middle")
    def middle(handler, request):
        reply(handler, 302, b"", Location=server.url("/page"))

    answer = http.request("GET", server.url("/old"), allow=allow_only(server.port), max_redirects=3)
    assert (answer.status, answer.body) == (200, PAGE)
    assert answer.url == server.url("/page")
    assert answer.redirects == [server.url("/old"), server.url("/middle?x=1")]


def test_a_redirect_to_a_host_not_allowed_is_refused_without_connecting_to_it(server, other, private_ok):
    @server.route("/away")
    def away(handler, request):
        reply(handler, 302, b"", Location=other.url("/page"))

    with pytest.raises(http.Refused, match="not among the hosts"):
        http.request("GET", server.url("/away"), allow=allow_only(server.port), max_redirects=3)
    assert other.received == []


def test_a_redirect_to_a_private_address_is_refused(server, private_ok):
    @server.route("/inside")
    def inside(handler, request):
        reply(handler, 302, b"", Location="http://169.254.169.254/latest/meta-data/")

    with pytest.raises(http.Refused, match=re.escape("169.254.169.254, which is not a public address")):
        http.request("GET", server.url("/inside"), allow=lambda *a: True, max_redirects=3)


def test_more_than_the_allowed_redirects_fail(server, private_ok):
    @server.route("/loop")
    def loop(handler, request):
        reply(handler, 302, b"", Location="/loop")

    with pytest.raises(http.FetchFailed, match="more than 3 redirects"):
        http.request("GET", server.url("/loop"), allow=allow_only(server.port), max_redirects=3)
    assert len(server.received) == 4


def test_without_redirects_allowed_a_3xx_is_the_answer(server, private_ok):
    @server.route("/moved")
    def moved(handler, request):
        reply(handler, 307, b"", Location="/page")

    answer = http.request("POST", server.url("/moved"), allow=allow_only(server.port), body=b"{}")
    assert answer.status == 307
    assert len(server.received) == 1


def test_an_answer_over_the_size_limit_fails(server, private_ok):
    @server.route("/big")
    def big(handler, request):
        reply(handler, 200, b"x" * (3 * 1024 * 1024))

    with pytest.raises(http.FetchFailed, match="larger than 2097152 bytes"):
        http.request("GET", server.url("/big"), allow=allow_only(server.port))


def test_an_answer_over_the_limit_without_a_length_fails(server, private_ok):
    @server.route("/stream")
    def stream(handler, request):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b"y" * 65536)

    with pytest.raises(http.FetchFailed, match="larger than"):
        http.request("GET", server.url("/stream"), allow=allow_only(server.port))


def test_a_decompression_bomb_fails_at_the_limit(server, private_ok):
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), 9)
    assert len(bomb) < 300 * 1024

    @server.route("/bomb")
    def serve_bomb(handler, request):
        reply(handler, 200, bomb, Content_Encoding="gzip")

    with pytest.raises(http.FetchFailed, match="larger than"):
        http.request("GET", server.url("/bomb"), allow=allow_only(server.port))


def test_a_compressed_answer_within_the_limit_is_decompressed(server, private_ok):
    @server.route("/small")
    def small(handler, request):
        reply(handler, 200, gzip.compress(PAGE), Content_Encoding="gzip")

    assert http.request("GET", server.url("/small"), allow=allow_only(server.port)).body == PAGE


def test_a_server_that_drips_its_answer_is_cut_off_at_the_time_limit(server, private_ok):
    @server.route("/drip")
    def drip(handler, request):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):  # a byte every 0.3 s: 30 s for the whole answer
            handler.wfile.write(b"z")
            handler.wfile.flush()
            time.sleep(0.3)

    began = time.monotonic()
    with pytest.raises(http.FetchFailed, match="timed out"):
        http.request("GET", server.url("/drip"), allow=allow_only(server.port), timeout=1.5)
    assert time.monotonic() - began < 15, "cut off long before the server finished"


def test_a_server_that_never_answers_is_cut_off(server, private_ok):
    @server.route("/silent")
    def silent(handler, request):
        time.sleep(8)

    with pytest.raises(http.FetchFailed, match="timed out"):
        http.request("GET", server.url("/silent"), allow=allow_only(server.port), timeout=1)


def test_a_refused_connection_fails_with_a_reason(private_ok, settings):
    settings.ALLOW_PRIVATE_HOSTS = frozenset({("127.0.0.1", 9)})
    with pytest.raises(http.FetchFailed):
        http.request("GET", "http://127.0.0.1:9/", allow=lambda *a: True, timeout=2)


def test_a_post_carries_its_body_and_headers(server, private_ok):
    @server.route("/hook")
    def hook(handler, request):
        reply(handler, 204)

    answer = http.request(
        "POST",
        server.url("/hook"),
        allow=allow_only(server.port),
        body=b'{"type":"case.created"}',
        headers={"Content-Type": "application/json", "webhook-id": "msg_1"},
    )
    assert answer.status == 204
    [received] = server.received
    assert (received.method, received.body, received.headers["webhook-id"]) == ("POST", b'{"type":"case.created"}', "msg_1")


def test_the_private_host_list_is_read_from_the_environment():
    import os

    from corrigo.config import host_port_list

    os.environ["CORRIGO_TEST_HOSTS"] = "localhost:8000, [::1]:8080 ,10.0.0.5:443"
    try:
        assert host_port_list("CORRIGO_TEST_HOSTS") == {("localhost", 8000), ("::1", 8080), ("10.0.0.5", 443)}
        for bad in ("localhost", "localhost:http", ":80", "host:0", "host:70000"):
            os.environ["CORRIGO_TEST_HOSTS"] = bad
            with pytest.raises(ValueError, match="is not host:port"):
                host_port_list("CORRIGO_TEST_HOSTS")
    finally:
        del os.environ["CORRIGO_TEST_HOSTS"]
