"""The yardstick itself: with no attack, a bystander meets the pass line, and the pass line refuses a slow or bloated run."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import LiveServer
from tests.load.bystander import Watch, watching


def test_a_quiet_server_meets_the_pass_line(server: LiveServer) -> None:
    with watching(server) as watch:
        time.sleep(2)
    print(watch.summary())
    watch.assert_unharmed(rss_bound_mib=400)


def test_the_pass_line_refuses_a_slow_median_a_slow_outlier_a_failure_and_a_bloated_server() -> None:
    fast = [0.01] * 9
    for spoilt in (
        Watch(latencies=[0.2] * 9, rss_peak=2**20),
        Watch(latencies=[*fast, 1.5], rss_peak=2**20),
        Watch(latencies=fast, failures=["503: busy"], rss_peak=2**20),
        Watch(latencies=fast, rss_peak=500 * 2**20),
    ):
        with pytest.raises(AssertionError):
            spoilt.assert_unharmed(rss_bound_mib=400)
    Watch(latencies=fast, rss_peak=2**20).assert_unharmed(rss_bound_mib=400)
