"""The day's executions after a connect, taken as they arrive rather than as one list at the end.

ib_async's reqExecutionsAsync collects every fill of the answer in a list and hands it over when
IB says it is done: on a busy day that is 100,000 fills held at once (~2 KB each) and then shown
in one go while the screen waits. `ExecutionReplay` is the container ib_async appends the
answer's fills to instead (ib_async's `Wrapper.startReq` takes one): each fill goes on to the
adapter as soon as its commission report is in, or when the answer ends for a fill whose report
never comes (ib_async reports commissions only for orders it knows).
"""

from __future__ import annotations

from collections.abc import Callable

import ib_async


class ExecutionReplay:
    """Receives the fills of one reqExecutions answer; `deliver` gets each one, once."""

    def __init__(self, deliver: Callable[[ib_async.Fill], None]) -> None:
        self._deliver = deliver
        self._waiting: dict[str, ib_async.Fill] = {}  # exec id -> fill awaiting its commission
        self.count = 0

    def append(self, fill: ib_async.Fill) -> None:
        """ib_async's call for each execution of the answer."""
        self.count += 1
        self._waiting[fill.execution.execId] = fill

    def commission_in(self, exec_id: str) -> bool:
        """A commission report arrived: True when it was for a fill of this answer, which is
        now delivered (ib_async has put the report onto the fill)."""
        fill = self._waiting.pop(exec_id, None)
        if fill is None:
            return False
        self._deliver(fill)
        return True

    def finish(self) -> None:
        """The answer ended: deliver the fills no commission report came for."""
        waiting, self._waiting = self._waiting, {}
        for fill in waiting.values():
            self._deliver(fill)
