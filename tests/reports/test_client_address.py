"""Intake knows a client by a keyed hash of its address, and trusts X-Forwarded-For only from our own proxies."""

import ipaddress
import json
from datetime import date

import pytest
from django.db import connection

from corrigo.config import network_list
from corrigo.reports.clients import client_hash
from corrigo.reports.models import ClientSalt, Report
from tests.conftest import ORIGIN, payload

PROXIES = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "::1/128"))


def stored_hash(client, remote="192.0.2.10", forwarded=None):
    headers = {"REMOTE_ADDR": remote, "HTTP_ORIGIN": ORIGIN}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post("/api/v1/reports", data=json.dumps(payload()), content_type="text/plain", **headers)
    assert response.status_code == 201, response.content
    return Report.objects.get(uid=response.json()["id"]).client_hash


def hash_of(site, address):
    return client_hash(site.pk, ipaddress.ip_address(address))


@pytest.fixture
def behind_proxies(settings):
    settings.TRUSTED_PROXIES = PROXIES


def test_a_report_keeps_the_hash_of_the_peer_address(client, site):
    assert stored_hash(client, "192.0.2.10") == hash_of(site, "192.0.2.10")


def test_an_untrusted_peer_cannot_choose_its_address_with_x_forwarded_for(client, site, behind_proxies):
    assert stored_hash(client, "192.0.2.10", forwarded="203.0.113.5") == hash_of(site, "192.0.2.10")


def test_x_forwarded_for_is_ignored_when_no_proxy_is_trusted(client, site):
    assert stored_hash(client, "10.1.2.3", forwarded="203.0.113.5") == hash_of(site, "10.1.2.3")


def test_a_trusted_proxy_passes_the_client_address_on(client, site, behind_proxies):
    assert stored_hash(client, "10.1.2.3", forwarded="203.0.113.5") == hash_of(site, "203.0.113.5")


def test_a_client_cannot_hide_behind_addresses_it_wrote_itself(client, site, behind_proxies):
    # The client sent "X-Forwarded-For: 198.51.100.1, 10.9.9.9"; our proxy appended the real one.
    forwarded = "198.51.100.1, 10.9.9.9, 203.0.113.5"
    assert stored_hash(client, "10.1.2.3", forwarded=forwarded) == hash_of(site, "203.0.113.5")


def test_a_chain_of_trusted_proxies_is_walked_to_the_client(client, site, behind_proxies):
    assert stored_hash(client, "10.1.2.3", forwarded="203.0.113.5, 10.7.7.7") == hash_of(site, "203.0.113.5")


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "203.0.113.5, <script>", "  ,  ", "999.1.1.1", "\x00"])
def test_garbage_from_a_trusted_proxy_leaves_the_proxy_as_the_client(client, site, behind_proxies, forwarded):
    assert stored_hash(client, "10.1.2.3", forwarded=forwarded) == hash_of(site, "10.1.2.3")


def test_ports_and_brackets_in_x_forwarded_for_are_read(client, site, behind_proxies):
    assert stored_hash(client, "10.1.2.3", forwarded="203.0.113.5:4711") == hash_of(site, "203.0.113.5")
    assert stored_hash(client, "10.1.2.3", forwarded="[2001:db8::7]:443") == hash_of(site, "2001:db8::7")


def test_ipv6_clients_of_one_64_block_are_one_client(client, site):
    assert stored_hash(client, "2001:db8:1:2::1") == stored_hash(client, "2001:db8:1:2:ffff::9")
    assert stored_hash(client, "2001:db8:1:2::1") != stored_hash(client, "2001:db8:1:3::1")


def test_the_hash_differs_between_sites(site, other_site):
    assert hash_of(site, "192.0.2.10") != hash_of(other_site, "192.0.2.10")


def test_no_raw_address_is_stored_anywhere(client, site, behind_proxies):
    stored_hash(client, "10.1.2.3", forwarded="203.0.113.77")
    stored_hash(client, "192.0.2.99")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump = repr(cursor.fetchall())
            for address in ("203.0.113.77", "192.0.2.99", "10.1.2.3"):
                assert address not in dump, f"{address} in {table}"


def test_old_salts_are_deleted_so_old_hashes_cannot_be_traced(site):
    address = ipaddress.ip_address("192.0.2.10")
    first = client_hash(site.pk, address, date(2026, 3, 1))
    assert client_hash(site.pk, address, date(2026, 3, 1)) == first
    assert client_hash(site.pk, address, date(2026, 3, 3)) != first
    assert list(ClientSalt.objects.values_list("day", flat=True)) == [date(2026, 3, 3)]


@pytest.mark.parametrize("value", ["10.0.0.0/33", "example.org", "10.0.0.0/8, nope"])
def test_a_bad_trusted_proxy_entry_is_named(monkeypatch, value):
    monkeypatch.setenv("CORRIGO_TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="CORRIGO_TRUSTED_PROXIES"):
        network_list("CORRIGO_TRUSTED_PROXIES")
