"""`FillRecorder`: every execution and commission report IB sends, however it came: journal
first, then the state, so what the trader sees is on disk.

It hears of them from the wire itself (seam.on_executions), not from ib_async's events: those
skip a report whose order ib_async does not know and tie a report to the first copy of a fill
it kept, which is how a live fill that came during a catch-up lost its commission. Whether an
arrival is new, a duplicate, a correction or a commission is `state.fill_identity`'s rule,
which the journal and the state both apply; here only the order of things is decided:
- a live fill goes on at once, and its report when it comes;
- a fill of a reqExecutions answer waits for its report (one journal row with the
  commission), or for the answer's end; the newest get their log lines at the end;
- a report whose fill is not here goes to both, which keep it for the fill.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import FillRow

if TYPE_CHECKING:
    from ib_blotter.journal import Journal


class FillRecorder:
    def __init__(self, state: BlotterState, journal: Journal | None) -> None:
        self.state = state
        self.journal = journal
        self._waiting: dict[str, FillRow] = {}  # exec id -> an answer's fill awaiting its report
        self.replayed = 0  # fills of reqExecutions answers heard of, for the log

    def execution(self, fill: FillRow, *, replayed: bool) -> None:
        if replayed:
            self.replayed += 1
            self._waiting[fill.exec_id] = fill
        else:
            self._record(fill, replayed=False)

    def commission(self, exec_id: str, commission: float, currency: str,
                   realized_pnl: float | None) -> None:
        waiting = self._waiting.pop(exec_id, None)
        if waiting is not None:
            self._record(replace(waiting, commission=commission, commission_currency=currency,
                                 realized_pnl=realized_pnl), replayed=True)
            return
        if self.journal is not None:
            self.journal.record_commission(exec_id, commission, currency, realized_pnl)
        self.state.commission_received(exec_id, commission, currency, realized_pnl)

    def answer_began(self) -> None:
        """reqExecutions is sent: the new fills of its answer get their log lines at its end."""
        self.state.replay_began()

    def answer_ended(self) -> None:
        """A reqExecutions answer is in (or failed): its fills no report came for go on now;
        a report that comes later completes them."""
        waiting, self._waiting = self._waiting, {}
        for fill in waiting.values():
            self._record(fill, replayed=True)
        self.state.replay_ended()

    def _record(self, fill: FillRow, *, replayed: bool) -> None:
        if self.journal is not None:
            if replayed:  # at IB already: written with the rest of its socket read
                self.journal.record_replayed(fill)
            else:
                self.journal.record_fill(fill)
        # a caught-up fill is logged at the time it happened, as the journal's history is
        self.state.fill_received(fill, at=fill.time.astimezone() if replayed else None,
                                 replayed=replayed)
