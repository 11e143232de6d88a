"""Who asked: inside the organisation or outside, and a crawler or not.

An address is internal when it is in one of the ``--internal`` networks, or in a range that never crosses the
Internet: private (RFC 1918, IPv6 unique local fc00::/7), loopback, link-local, and shared address space
(100.64.0.0/10, carrier-grade NAT). IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``, as a dual-stack server
logs IPv4 clients) are judged as the IPv4 address. A client that is not an address (a host name, ``-``) is
external: the log does not show it is ours.

Crawlers are told by the user agent, by the substrings of ``rules/crawlers.toml``; a user agent is only what the
client claims.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from ..errors import UsageError
from ..messages import text as words
from ..rules import CrawlerRule

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Ranges that never cross the Internet, named here rather than taken from ``is_private`` (which also holds the
# documentation ranges, 192.0.2.0/24 and the like, that examples use for outside clients): RFC 1918 private,
# shared address space (RFC 6598), loopback, link-local, unspecified; IPv6 loopback, unique local (RFC 4193),
# link-local, unspecified.
ALWAYS_INTERNAL: tuple[IpNetwork, ...] = tuple(ipaddress.ip_network(text) for text in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/32",
    "::1/128", "fc00::/7", "fe80::/10", "::/128"))


def parse_networks(texts: Iterable[str]) -> tuple[IpNetwork, ...]:
    """``--internal`` values (``10.0.0.0/8``, ``2001:db8::/32``, or a single address) as networks."""
    out = []
    for text in texts:
        try:
            out.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise UsageError(words("exposure.bad_network", value=text)) from None
    return tuple(out)


class ClientClassifier:
    """Whether a client address is internal (see the module's documentation); each distinct address is judged
    once."""

    def __init__(self, internal: Iterable[IpNetwork] = ()) -> None:
        self.internal = (*ALWAYS_INTERNAL, *internal)
        self.is_internal = functools.lru_cache(maxsize=65536)(self._is_internal)

    def _is_internal(self, client: str) -> bool:
        try:
            address = ipaddress.ip_address(client.strip("[]").partition("%")[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == network.version and address in network for network in self.internal)


class CrawlerMatcher:
    """The crawler a user agent names (the first rule with a substring in it), or None."""

    def __init__(self, rules: Iterable[CrawlerRule]) -> None:
        self.rules = tuple(rules)
        self.crawler_of = functools.lru_cache(maxsize=4096)(self._crawler_of)

    def _crawler_of(self, agent: str) -> CrawlerRule | None:
        lowered = agent.lower()
        return next((rule for rule in self.rules if any(part in lowered for part in rule.agents)), None)
