"""The anonymous per-IP rate limit's key behind Google's front end (X-Forwarded-For)."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from shopper.api.auth import client_ip
from shopper.settings import Settings

FRONT_END = "35.191.0.1"  # the socket peer on Cloud Run: Google's front end


def request(forwarded: str | None, peer: str = FRONT_END) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


def behind_google(hops: int = 1) -> Settings:
    return Settings(trust_forwarded_for=True, forwarded_for_hops=hops)


def test_behind_the_front_end_the_client_is_the_hop_it_appended() -> None:
    assert client_ip(request("203.0.113.7"), behind_google()) == "203.0.113.7"
    # Whatever the client put in the header itself is ignored: the last hop is Google's.
    assert client_ip(request("1.2.3.4, 198.51.100.9, 203.0.113.7"), behind_google()) == "203.0.113.7"
    # Behind an external load balancer, which appends its own address after the client's.
    assert client_ip(request("1.2.3.4, 203.0.113.7, 130.211.0.5"), behind_google(hops=2)) == "203.0.113.7"


def test_callers_do_not_share_the_front_ends_budget() -> None:
    keys = {client_ip(request(f"203.0.113.{n}"), behind_google()) for n in range(5)}
    assert len(keys) == 5 and FRONT_END not in keys


@pytest.mark.parametrize("forwarded", [None, "", "not-an-ip", "203.0.113.7, <script>"])
def test_a_missing_or_forged_header_falls_back_to_the_peer(forwarded: str | None) -> None:
    assert client_ip(request(forwarded), behind_google()) == FRONT_END


def test_without_trust_the_header_is_ignored() -> None:
    assert client_ip(request("203.0.113.7"), Settings(trust_forwarded_for=False)) == FRONT_END


def test_ipv6_callers_are_keyed_by_their_64() -> None:
    first = client_ip(request("2001:db8:1:2::1"), behind_google())
    assert first == client_ip(request("2001:db8:1:2:ffff::9"), behind_google()) == "2001:db8:1:2::/64"
    assert client_ip(request("::ffff:203.0.113.7"), behind_google()) == "203.0.113.7"
