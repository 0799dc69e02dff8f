"""The client's address, for rate limits and the audit log.

Behind reverse proxies the peer is the nearest proxy, and the client's address
is in ``X-Forwarded-For``, to which every proxy appends the address it heard
from. Only the entries our own proxies appended can be believed: anything to
their left was sent by the client and may be forged. So the client is found
from the right: past ``GONGZHI_TRUST_PROXY`` hops, or past every address listed
in ``GONGZHI_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """Comma-separated addresses or networks (``10.0.0.0/8``); ValueError if one is not."""
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for p in value.split(",") if p.strip()
    )


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str, forwarded: str, hops: int, trusted: Sequence[Network] = ()) -> str:
    """The client's address given the peer, the X-Forwarded-For header and the proxies.

    ``hops`` is the number of our proxies in front (0: the header is ignored);
    ``trusted``, when given, lists their addresses instead: the header is read
    only when the peer is one of them, and listed addresses are skipped from
    the right. Invariants: the answer is the peer or an entry of the header;
    entries left of the trusted part never change it; an entry that is not an
    address is never returned (the proxy that reported it is, instead).
    """
    if hops <= 0 and not trusted:
        return peer
    chain = [peer]  # nearest first
    chain += reversed([e.strip() for e in forwarded.split(",") if e.strip()])

    def is_trusted(value: str) -> bool:
        address = _address(value)
        return address is not None and any(address in net for net in trusted)

    if trusted:
        index = 0
        while index + 1 < len(chain) and is_trusted(chain[index]):
            index += 1
    else:
        index = min(hops, len(chain) - 1)
    # An entry that is not an address: the hop that reported it is the best we know.
    while index > 0 and _address(chain[index]) is None:
        index -= 1
    return str(_address(chain[index]) or chain[index]) if index else peer


def client_ip(request: Request) -> str:
    settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    return client_address(
        peer,
        request.headers.get("x-forwarded-for", ""),
        settings.trust_proxy,
        settings.proxy_networks,
    )
