"""`ReplayLines`: which new fills of IB's answer to reqExecutions get log lines once it is in.

The answer is history, in IB's order: of a first start's 100,000 fills the log keeps 2,000
lines, so only the newest that many by time are kept here (a heap: O(log n) a fill), each as
it reads by the end (its correction, its commission), and they are logged in time order when
the answer ends, as the journal's day is at start.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from .records import FillRow


class ReplayLines:
    def __init__(self, room: int) -> None:
        self._room = room
        self._newest: list[tuple[datetime, int, str]] = []  # (time, arrival, fill key)
        self._fills: dict[str, FillRow] = {}  # the kept ones, by key
        self._arrivals = 0

    def holds(self, key: str) -> bool:
        return key in self._fills

    def keep(self, fill: FillRow) -> None:
        """A new fill of the answer, or the newer word on one kept (a correction, its
        commission)."""
        key = fill.key
        if key in self._fills:
            self._fills[key] = fill
            return
        self._arrivals += 1
        item = (fill.time, self._arrivals, key)
        if len(self._newest) < self._room:
            heapq.heappush(self._newest, item)
        elif item > self._newest[0]:
            del self._fills[heapq.heapreplace(self._newest, item)[2]]
        else:
            return
        self._fills[key] = fill

    def clear(self) -> None:
        self._newest, self._fills = [], {}

    def take(self, room: int) -> list[FillRow]:
        """The newest `room` of the kept fills, oldest first; none are kept after."""
        newest = sorted(self._newest)[-room:] if room > 0 else []
        fills = [self._fills[key] for _time, _arrival, key in newest]
        self.clear()
        return fills
