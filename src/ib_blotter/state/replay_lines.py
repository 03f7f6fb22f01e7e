"""`ReplayLines`: which new fills of IB's answer to reqExecutions get log lines once it is in.

The answer is history, in IB's order: of a first start's 100,000 fills the log keeps 2,000
lines, so only the newest that many by time are kept here (a heap: O(log n) a fill), and they
are logged in time order when the answer ends, as the journal's day is at start.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from .records import FillRow


class ReplayLines:
    def __init__(self, room: int) -> None:
        self._room = room
        self._newest: list[tuple[datetime, int, str]] = []  # (time, arrival, fill key)
        self._arrivals = 0

    def keep(self, fill: FillRow) -> None:
        self._arrivals += 1
        item = (fill.time, self._arrivals, fill.key)
        if len(self._newest) < self._room:
            heapq.heappush(self._newest, item)
        elif item > self._newest[0]:
            heapq.heapreplace(self._newest, item)

    def take(self) -> list[str]:
        """The kept fills' keys, oldest first; none are kept after."""
        keys = [key for _time, _arrival, key in sorted(self._newest)]
        self._newest = []
        return keys
