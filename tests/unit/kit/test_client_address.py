"""The client's address behind reverse proxies (web.kit.client_ip.client_address)."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.kit.client_ip import client_address, parse_networks
from web.settings import Settings, SettingsError

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "hops", "trusted", "client"),
    [
        ("1.2.3.4", "6.6.6.6", 0, (), "1.2.3.4"),  # no proxy: the header is the client's
        ("10.0.0.2", "6.6.6.6, 5.5.5.5", 1, (), "5.5.5.5"),  # one proxy: the rightmost
        ("10.0.0.2", "6.6.6.6, 5.5.5.5, 10.0.0.9", 2, (), "5.5.5.5"),
        ("10.0.0.2", "", 1, (), "10.0.0.2"),  # header missing
        ("10.0.0.2", "5.5.5.5", 3, (), "5.5.5.5"),  # fewer entries than hops
        ("10.0.0.2", "6.6.6.6, not-an-ip", 1, (), "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6, 5.5.5.5, 10.1.1.1", 0, PROXIES, "5.5.5.5"),
        ("10.0.0.2", "6.6.6.6, 10.1.1.1, 127.0.0.1", 0, PROXIES, "6.6.6.6"),
        ("8.8.8.8", "6.6.6.6", 0, PROXIES, "8.8.8.8"),  # peer is no proxy of ours
        ("10.0.0.2", "10.0.0.3", 0, PROXIES, "10.0.0.3"),  # all ours: the leftmost
        ("10.0.0.2", "[2001:db8::1]", 1, (), "2001:db8::1"),
    ],
)
def test_client_address_table(
    peer: str, forwarded: str, hops: int, trusted: Sequence[IPv4Network | IPv6Network], client: str
) -> None:
    assert client_address(peer, forwarded, hops, trusted) == client


addresses = st.ip_addresses().map(str)


@given(
    st.lists(st.text(max_size=20) | addresses, max_size=4),
    st.lists(addresses, max_size=3),
    st.integers(0, 3),
)
def test_what_the_client_writes_never_matters(
    forged: list[str], appended: list[str], hops: int
) -> None:
    """Entries left of those our proxies appended cannot change the answer."""
    forged = [f.replace(",", "") for f in forged]
    honest = ", ".join(appended)
    both = ", ".join([*forged, *appended])
    if hops <= len(appended):
        assert client_address("10.0.0.2", both, hops) == client_address("10.0.0.2", honest, hops)


@pytest.mark.parametrize(
    "env",
    [
        {"GONGZHI_TRUST_PROXY": "yes"},
        {"GONGZHI_TRUST_PROXY": "-1"},
        {"GONGZHI_TRUSTED_PROXIES": "10.0.0.0/8, nginx"},
    ],
)
def test_bad_proxy_settings_are_refused_at_start(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_proxy_settings_from_env() -> None:
    settings = Settings.from_env({"GONGZHI_TRUST_PROXY": "2", "GONGZHI_TRUSTED_PROXIES": "::1"})
    assert settings.trust_proxy == 2
    assert [str(n) for n in settings.proxy_networks] == ["::1/128"]
