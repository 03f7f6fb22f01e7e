"""`Backoff`: how long to wait before the next reconnect attempt.

Exponential so a gateway that is down for its nightly restart is not hammered, capped so the
blotter is back within `cap` seconds of the gateway, and jittered so many blotters (or client
ids) do not all knock at the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delays first, 2*first, 4*first ... up to cap, each shortened by up to `jitter` of itself."""

    first: float = 0.5
    cap: float = 5.0
    jitter: float = 0.25  # fraction of a delay that may be taken off at random
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0  # attempts failed since the last success

    def next_delay(self) -> float:
        """The wait before the next attempt; each call counts one more failed attempt."""
        base = min(self.cap, self.first * 2 ** min(self.failures, 32))
        self.failures += 1
        return base * (1 - self.jitter * self.rng.random())

    def reset(self) -> None:
        """Connected: the next drop starts again from `first`."""
        self.failures = 0
