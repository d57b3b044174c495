"""Large variables under load: twelve clients, each sending body after body of 100,000 actor codes (which once took
1.2-1.9 s of the event loop apiece and moved another client's median to 6-11 s), are refused with VARIABLES_TOO_LARGE
while another client reads as usual."""

from __future__ import annotations

import time

import httpx

from tests.e2e.helpers import LiveServer
from tests.e2e.test_variable_limits import CODES, codes_body
from tests.load.bystander import under_attack

ATTACKERS = 12
REQUESTS_EACH = 15
RSS_BOUND_MIB = 400


def test_clients_sending_100000_codes_are_refused_without_harming_another(server: LiveServer) -> None:
    body = codes_body(CODES)
    answers: list[tuple[int, str]] = []
    durations: list[float] = []

    def attack() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for _ in range(REQUESTS_EACH):
                started = time.perf_counter()
                response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
                durations.append(time.perf_counter() - started)
                answers.append((response.status_code, response.json()["errors"][0]["extensions"]["code"]))

    watch, took = under_attack(server, attack, attackers=ATTACKERS, timeout=120)
    durations.sort()
    print(
        f"{len(answers)} bodies of {len(body) // 1000} KB with {CODES:,} codes from {ATTACKERS} clients in {took:.1f} s, each answered "
        f"in p50 {durations[len(durations) // 2] * 1000:.0f} ms, max {durations[-1] * 1000:.0f} ms; {watch.summary()}"
    )
    assert answers == [(400, "VARIABLES_TOO_LARGE")] * ATTACKERS * REQUESTS_EACH, sorted(set(answers))
    watch.assert_unharmed(rss_bound_mib=RSS_BOUND_MIB)
