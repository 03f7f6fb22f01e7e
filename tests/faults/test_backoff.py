"""The reconnect back-off on its own: exponential, capped, jittered, reset by a success."""

from __future__ import annotations

import random

from ib_blotter.ib.backoff import Backoff


def test_delays_double_up_to_the_cap_and_never_exceed_it() -> None:
    backoff = Backoff(first=0.5, cap=5.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_jitter_only_shortens_and_by_at_most_its_fraction() -> None:
    backoff = Backoff(first=1.0, cap=8.0, jitter=0.25, rng=random.Random(3))
    delays = [backoff.next_delay() for _ in range(200)]
    bases = [min(8.0, 2.0**n) for n in range(200)]
    assert all(0.75 * base <= d <= base for d, base in zip(delays, bases, strict=True))
    assert len({round(d, 6) for d in delays[10:]}) > 100  # spread, not one fixed value


def test_a_success_starts_again_from_the_first_delay() -> None:
    backoff = Backoff(first=0.5, cap=5.0, jitter=0.0)
    for _ in range(10):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_thousands_of_failures_do_not_overflow() -> None:
    backoff = Backoff(first=0.5, cap=5.0, jitter=0.0, failures=10_000)
    assert backoff.next_delay() == 5.0
