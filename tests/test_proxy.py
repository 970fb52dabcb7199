"""Behind a trusted reverse proxy the client's own address is what login
lockout counts; a forwarded header from any other peer is ignored (iop/proxy.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from iop.proxy import client_address, parse_networks
from tests.conftest import World
from tests.factories import PASSWORD

PROXY = "10.0.0.5"
TRUSTED = parse_networks([PROXY, "172.16.0.0/12"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),  # one trusted proxy
        ("172.18.0.2", "203.0.113.7, 10.0.0.5", "203.0.113.7"),  # two trusted hops
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # what the client wrote itself is not believed
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # forged by a peer that is no proxy
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_it_finds_the_client_behind_trusted_proxies(remote: str, forwarded: str, expected: str) -> None:
    assert client_address(remote, forwarded, TRUSTED) == expected


def test_a_bad_proxy_setting_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_networks(["10.0.0.300"])


def fail_logins(client: Client, **meta: str) -> None:
    statuses = [
        client.post(reverse("login"), {"username": "teacher@test.example", "password": "feil"}, **meta).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429, statuses  # the last failure locks


def log_in(client: Client, **meta: str) -> int:
    response = client.post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD}, **meta)
    return response.status_code


def test_lockout_counts_the_forwarded_client_not_the_proxy(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    fail_logins(Client(), **attacker)
    assert log_in(Client(), **attacker) == 429
    # The real user comes through the same proxy from another address: not locked out.
    assert log_in(Client(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7") == 302


def test_a_forged_header_from_an_untrusted_peer_is_ignored(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = [PROXY]
    forger = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    fail_logins(Client(), **forger)
    # The lockout lies on the forger's own address, whatever header it sends next ...
    assert log_in(Client(), REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.99") == 429
    # ... and not on the address it named.
    assert log_in(Client(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7") == 302
