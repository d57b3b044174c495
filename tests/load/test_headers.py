"""Oversized heads under load: eight clients, each sending request after request with 100 MB of headers, are refused
431 after 64 KiB each, while another client reads as usual and the server's memory stays where it was."""

from __future__ import annotations

from tests.e2e.helpers import LiveServer
from tests.e2e.test_headers import raw_answer, status
from tests.load.bystander import under_attack

ATTACKERS = 8
ATTEMPTS = 25
HEADERS_PER_REQUEST = 100 * 2**20
RSS_BOUND_MIB = 400
RSS_GROWTH_MIB = 64


def test_clients_pouring_100_mb_of_headers_are_refused_without_harming_another(server: LiveServer) -> None:
    statuses: list[int] = []
    slowest: list[float] = []
    poured: list[int] = []

    def attack() -> None:
        for _ in range(ATTEMPTS):
            answer, took, sent = raw_answer(server, b"GET /graphql HTTP/1.1\r\nHost: test\r\nX-Padding: ", then=HEADERS_PER_REQUEST)
            statuses.append(status(answer) if answer else 0)
            slowest.append(took)
            poured.append(sent)

    watch, took = under_attack(server, attack, attackers=ATTACKERS, timeout=60)
    print(
        f"{len(statuses)} requests of {HEADERS_PER_REQUEST // 2**20} MB of headers in {took:.1f} s, each refused within "
        f"{max(slowest) * 1000:.0f} ms after at most {max(poured) / 2**20:.1f} MB sent; {watch.summary()}"
    )
    assert statuses == [431] * ATTACKERS * ATTEMPTS, sorted(set(statuses))
    assert max(slowest) < 1.0
    watch.assert_unharmed(rss_bound_mib=RSS_BOUND_MIB)
    assert watch.rss_peak - watch.rss_start < RSS_GROWTH_MIB * 2**20, watch.summary()
