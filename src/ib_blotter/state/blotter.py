"""`BlotterState`: the one place that turns events into the blotter's state and says what changed.

The adapter feeds it records (never ib_async objects); widgets read it and subscribe to `Change`s.
Every event costs O(1) (dicts keyed by order key or exec id, a heap for expiry): a burst of
order updates never scans the book.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from . import ib_messages, log_text
from .fill_identity import FillNews, ReportNews, fill_news, report_news
from .prices import Grid
from .records import (
    NOT_AT_IB,
    REFUSED,
    ConnectionInfo,
    FillRow,
    JournalLag,
    LogKind,
    LogLine,
    OrderKey,
    OrderRow,
    exec_base,
)
from .replay_lines import ReplayLines

logger = logging.getLogger(__name__)

PENDING_SUBMIT = "PendingSubmit"  # ib_async's status of an order IB has not answered yet
# Statuses no later message can undo (Inactive can: IB may still accept the order later).
FINAL_STATUSES = frozenset({"Filled", "Cancelled", "ApiCancelled"})


ChangeKey = OrderKey | str | LogLine | tuple[str, int] | None


CORRECTED = "Corrected: "  # how a correction's line begins, completed or not


class ChangeKind(StrEnum):
    ORDER = "order"
    FILL = "fill"
    LOG = "log"
    LOG_COMPLETED = "log completed"  # a kept line reads more now: shown where it stands
    CONNECTION = "connection"
    JOURNAL = "journal"  # how far the journal is behind changed


@dataclass(frozen=True, slots=True)
class Change:
    """What changed. key: the OrderKey for ORDER (the row may be gone: a re-keyed order), the
    fill's key (exec id without its correction suffix) for FILL, the new LogLine for LOG,
    the line as it reads now for LOG_COMPLETED,
    (account, conId) for POSITIONS, None for CONNECTION and JOURNAL."""

    kind: ChangeKind
    key: ChangeKey = None


Listener = Callable[[Change], None]


@dataclass(frozen=True, slots=True)
class _Commission:
    commission: float
    currency: str
    realized_pnl: float | None


def _local_now() -> datetime:
    return datetime.now().astimezone()


class BlotterState:
    """Orders, fills, the log and the connection, changed only through its methods."""

    def __init__(
        self,
        *,
        linger: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _local_now,
        max_fills: int = 10_000,
        max_log_lines: int = 2_000,
        max_pending: int = 1_000,
        base_of: Callable[[str], str] = lambda _account: "USD",
    ) -> None:
        self.linger = linger
        self._clock = clock
        self._wall_clock = wall_clock
        self._max_fills = max_fills
        self._max_pending = max_pending
        self.base_of = base_of  # an account's base currency: a fill's price in another says so
        self._orders: dict[OrderKey, OrderRow] = {}
        self._working: dict[OrderKey, None] = {}  # an insertion-ordered set
        self._ended: list[tuple[float, int, OrderKey]] = []  # heap: when each order ended
        self._ended_seq = 0
        self._key_by_perm: dict[int, OrderKey] = {}
        self._pending_messages: OrderedDict[OrderKey, str] = OrderedDict()
        self._fills: OrderedDict[str, FillRow] = OrderedDict()
        self._pending_commissions: OrderedDict[str, _Commission] = OrderedDict()
        self._log: deque[LogLine] = deque(maxlen=max_log_lines)
        self._keyed: dict[str, LogLine] = {}  # exec id -> its line as it reads, while kept
        self._key_lines: dict[str, int] = {}  # kept lines of each key (a fill's line again)
        self._logged = 0  # lines ever logged
        self._replay_lines = ReplayLines(max_log_lines)
        self._replay_from: int | None = None  # lines logged when the open replay began
        self._connection = ConnectionInfo()
        self._journal_lag = JournalLag()
        self._listeners: list[Listener] = []

    # -- listeners -------------------------------------------------------------------------

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call `callback(change)` after every change; returns a function that unsubscribes."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _notify(self, kind: ChangeKind, key: ChangeKey = None) -> None:
        change = Change(kind, key)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                # One broken widget must not stop the others, nor the event that fed us.
                logger.exception("state listener failed on %s", change)

    # -- reading ---------------------------------------------------------------------------

    def order(self, key: OrderKey) -> OrderRow | None:
        return self._orders.get(key)

    def is_working(self, key: OrderKey) -> bool:
        """True while the order shows in the working view (live, or ended less than linger ago)."""
        return key in self._working

    def working_orders(self) -> list[OrderRow]:
        return [self._orders[key] for key in self._working]

    def all_orders(self) -> list[OrderRow]:
        return list(self._orders.values())

    def fill(self, key: str) -> FillRow | None:
        return self._fills.get(exec_base(key))

    def fills(self) -> list[FillRow]:
        """Fills in arrival order, newest last; at most max_fills."""
        return list(self._fills.values())

    def log_lines(self) -> list[LogLine]:
        """The kept lines, oldest first, each as it reads now (a fill's with its commission)."""
        return [self._keyed.get(line.key, line) if line.key else line for line in self._log]

    @property
    def connection(self) -> ConnectionInfo:
        return self._connection

    @property
    def journal_lag(self) -> JournalLag:
        return self._journal_lag


    # -- orders ----------------------------------------------------------------------------

    def order_updated(self, row: OrderRow, *, from_sync: bool = False) -> None:
        """IB said something about an order (openOrder, orderStatus, or our own placeOrder).

        from_sync: the row came from the start-up sync; an order already ended by then goes
        straight to the full view instead of lingering in the working view.
        """
        key, prev = self._find(row)
        if prev is not None and key != row.key:
            row = replace(row, client_id=prev.client_id, order_id=prev.order_id)
        row = _keep_progress(prev, row)
        row = self._merge(key, prev, row)
        if row == prev:
            return
        self._orders[key] = row
        if row.perm_id:
            self._key_by_perm.setdefault(row.perm_id, key)
        self._place_in_views(key, prev, row, from_sync)
        if not from_sync:
            self._log_order_change(prev, row)
        self._notify(ChangeKind.ORDER, key)

    def _find(self, row: OrderRow) -> tuple[OrderKey, OrderRow | None]:
        """The key this row lives under, and its previous version.

        Orders that ended while we were away come back keyed by perm id only (completed orders
        carry no order id), so a perm id we know maps back to the key we already show.
        """
        key = row.key
        known = self._key_by_perm.get(row.perm_id) if row.perm_id else None
        if known is None or known == key:
            return key, self._orders.get(key)
        if key.by_perm_id:
            return known, self._orders.get(known)
        # First seen by perm id, now with its real key: move the row under the real key.
        prev = self._forget(known)
        self._key_by_perm[row.perm_id] = key
        return key, self._orders.get(key, prev)

    def _forget(self, key: OrderKey) -> OrderRow | None:
        row = self._orders.pop(key, None)
        self._working.pop(key, None)
        self._notify(ChangeKind.ORDER, key)
        return row

    def _merge(self, key: OrderKey, prev: OrderRow | None, row: OrderRow) -> OrderRow:
        """Keep what only the state knows: first-seen time, last message, tick, end time."""
        message = row.last_message or self._pending_messages.pop(key, "")
        if prev is None:
            return replace(
                row,
                placed=row.placed or self._wall_clock(),
                last_message=message,
                ended_at=self._ended_at(None, row),
            )
        merged = (
            prev.placed or row.placed,
            message or prev.last_message,
            row.min_tick or prev.min_tick,
            row.price_rule or prev.price_rule,
            row.sec_type or prev.sec_type,
            row.ours or prev.ours,
            self._ended_at(prev, row),
        )
        if merged == (row.placed, row.last_message, row.min_tick, row.price_rule, row.sec_type,
                      row.ours, row.ended_at):
            return row  # the usual status update: nothing to carry over, no copy to make
        placed, last_message, min_tick, price_rule, sec_type, ours, ended_at = merged
        return replace(row, placed=placed, last_message=last_message, min_tick=min_tick,
                       price_rule=price_rule, sec_type=sec_type, ours=ours, ended_at=ended_at)

    def _ended_at(self, prev: OrderRow | None, row: OrderRow) -> float | None:
        if not row.is_ended:
            return None
        if prev is not None and prev.ended_at is not None:
            return prev.ended_at
        return row.ended_at if row.ended_at is not None else self._clock()

    def _place_in_views(
        self, key: OrderKey, prev: OrderRow | None, row: OrderRow, from_sync: bool
    ) -> None:
        if not row.is_ended:
            self._working[key] = None
            return
        just_ended = prev is None or not prev.is_ended
        if from_sync and prev is None:
            return  # ended before we connected: full view only
        if just_ended and row.ended_at is not None:
            self._working[key] = None
            self._ended_seq += 1
            heapq.heappush(self._ended, (row.ended_at, self._ended_seq, key))

    def expire_ended(self, now: float | None = None) -> list[OrderKey]:
        """Take orders that ended more than `linger` seconds ago out of the working view, by
        the clock that stamped their end (`now` defaults to it).

        Returns their keys (they stay in the full view). Listeners are not told: the caller
        removes these rows itself, so nothing is removed twice.
        """
        now = self._clock() if now is None else now
        expired: list[OrderKey] = []
        while self._ended and self._ended[0][0] + self.linger <= now:
            ended_at, _seq, key = heapq.heappop(self._ended)
            row = self._orders.get(key)
            if row is not None and row.ended_at == ended_at and key in self._working:
                del self._working[key]
                expired.append(key)
        return expired

    def order_not_at_ib(self, key: OrderKey) -> OrderRow | None:
        """IB no longer reports a working order (not open, not completed): it ends here, with
        a sentence saying so, instead of staying Submitted. Returns the ended row."""
        return self._end_here(key, NOT_AT_IB, "IB no longer reports this order: it is not "
                              "working at IB", "not at IB any more (IB reports it neither open "
                              "nor completed)")

    def order_refused(self, key: OrderKey) -> OrderRow | None:
        """IB refused a new order with an error alone: no status will ever come."""
        row = self._orders.get(key)
        reason = row.last_message if row is not None else ""
        return self._end_here(key, REFUSED, reason, f"refused by IB: {reason}")

    def _end_here(self, key: OrderKey, status: str, message: str, said: str) -> OrderRow | None:
        """An end IB will not send: ours, until IB says otherwise (a later status of IB's
        still counts). Returns the ended row."""
        row = self._orders.get(key)
        if row is None or row.is_ended:
            return None
        ended = replace(row, status=status, ended_at=self._clock(), last_message=message)
        self._orders[key] = ended
        self._place_in_views(key, row, ended, from_sync=False)
        self.log(LogKind.WARNING, f"{log_text.order_name(ended)}: {said}")
        self._notify(ChangeKind.ORDER, key)
        return ended

    def order_message(self, key: OrderKey, code: int, text: str) -> None:
        """IB sent an error or warning about an order: it becomes the row's last message and a
        log line. It never changes the status: only IB's own statuses do."""
        sentence = ib_messages.describe(code, text)
        row = self._orders.get(key)
        if row is None:
            self._pending_messages[key] = sentence
            _trim(self._pending_messages, self._max_pending)
        elif row.last_message != sentence:
            self._orders[key] = replace(row, last_message=sentence)
            self._notify(ChangeKind.ORDER, key)
        name = log_text.order_name(row) if row else f"Order {key}"
        self.log(ib_messages.kind(code), f"{name}: {sentence}")

    def _log_order_change(self, prev: OrderRow | None, row: OrderRow) -> None:
        if prev is not None and prev.status == row.status and _terms(prev) == _terms(row):
            return  # a fill's progress: the table shows it; the log has nothing to say
        text = log_text.order_change(prev, row)
        if text:
            self.log(LogKind.ORDER, text)

    # -- fills -----------------------------------------------------------------------------

    def fill_received(self, fill: FillRow, *, at: datetime | None = None,
                      logged: bool = True, replayed: bool = False) -> None:
        """An execution. Each is shown once: keyed by exec id, and IB's corrections (same id,
        higher suffix) replace the fill they correct.

        at: when its log lines are dated (the fill's own time for history from the journal).
        logged: False for history older than what the log keeps (see fills_the_log_keeps).
        replayed: of IB's answer to reqExecutions: a new one's line waits for replay_ended.
        """
        key = fill.key
        prev = self._fills.get(key)
        news = fill_news(prev.exec_id if prev else None,
                         prev is not None and prev.commission is not None,
                         self._with_pending(fill))
        if news is FillNews.NOTHING or (news is FillNews.NEW and self._too_old_to_keep(fill)):
            return
        fill = self._with_commission(prev, fill)
        if fill == prev:
            return
        self._fills[key] = fill
        _trim(self._fills, self._max_fills)
        if logged:
            self._log_fill_change(prev, fill, at, replayed=replayed)
        self._notify(ChangeKind.FILL, key)

    def replay_began(self) -> None:
        """IB is asked for executions: the new ones of its answer wait for replay_ended."""
        self._replay_from = self._logged

    def replay_ended(self) -> None:
        """IB's answer to reqExecutions is in (or failed): the newest of its new fills get
        their lines, in time order, dated when they happened, as many as the log keeps
        without pushing out a line said since the answer began (a live fill, its outcome)."""
        if self._replay_from is None:
            return
        room = (self._log.maxlen or 0) - (self._logged - self._replay_from)
        self._replay_from = None
        for fill in self._replay_lines.take(room):  # each as it reads now, in the state or not
            self._log_fill_change(None, fill, fill.time.astimezone())

    @property
    def fills_the_log_keeps(self) -> int:
        """How many of the newest fills the log has room for (a line each, its commission
        completing it): older history's lines would be dropped as soon as written."""
        return self._log.maxlen or 0

    def _too_old_to_keep(self, fill: FillRow) -> bool:
        """A replayed fill older than the oldest we keep was evicted: don't bring it back."""
        if len(self._fills) < self._max_fills:
            return False
        oldest = next(iter(self._fills.values()))
        return fill.time < oldest.time

    def _with_pending(self, fill: FillRow) -> FillRow:
        """The fill with a commission report that came before it, if one did."""
        pending = self._pending_commissions.get(fill.exec_id)
        return _apply(fill, pending) if pending is not None and fill.commission is None else fill

    def _with_commission(self, prev: FillRow | None, fill: FillRow) -> FillRow:
        pending = self._pending_commissions.pop(fill.exec_id, None)
        if pending is not None and fill.commission is None:
            return _apply(fill, pending)
        if prev is not None and prev.exec_id == fill.exec_id and fill.commission is None:
            return replace(
                fill,
                commission=prev.commission,
                commission_currency=prev.commission_currency,
                realized_pnl=prev.realized_pnl,
            )
        return fill

    def forget_fills(self) -> None:
        """Show no fill from before (they were another exchange's: the live journal's, before
        the other end said it is the simulator)."""
        self._fills.clear()
        self._pending_commissions.clear()
        self._replay_lines.clear()

    def commission_received(
        self, exec_id: str, commission: float, currency: str, realized_pnl: float | None
    ) -> None:
        """A commission report. One for a fill not seen yet waits for that fill."""
        report = _Commission(commission, currency, realized_pnl)
        key = exec_base(exec_id)
        fill = self._fills.get(key)
        news = report_news(fill.exec_id if fill else None,
                           fill is not None and fill.commission is not None, exec_id)
        if news is ReportNews.WAIT:
            self._pending_commissions[exec_id] = report
            _trim(self._pending_commissions, self._max_pending)
        if news is not ReportNews.APPLY or fill is None:
            return
        updated = _apply(fill, report)
        if updated == fill:
            return
        self._fills[key] = updated
        self._log_fill_change(fill, updated)
        self._notify(ChangeKind.FILL, key)

    def _log_fill_change(self, prev: FillRow | None, fill: FillRow, at: datetime | None = None,
                         *, replayed: bool = False) -> None:
        """One line per fill: a new fill or a correction gets its line; its commission,
        when the report comes, completes the same line in place. One of an open replay
        waiting for its line (new in it, or kept already) is kept as it reads now."""
        if self._replay_from is not None and (
                (replayed and prev is None) or self._replay_lines.holds(fill.key)):
            self._replay_lines.keep(fill)
            return
        text = log_text.fill_text(fill, self._tick_of(fill), self.base_of(fill.account))
        if prev is None or prev.exec_id != fill.exec_id:
            self.log(LogKind.FILL, text if prev is None else CORRECTED + text, at=at,
                     key=fill.exec_id)
        elif fill.commission is not None and prev.commission is None:
            self._complete_line(fill.exec_id, text)

    def _tick_of(self, fill: FillRow) -> Grid | None:
        """The tick of the fill's order, when we know the order and its tick."""
        key = self._key_by_perm.get(fill.perm_id) if fill.perm_id else None
        row = self._orders.get(key) if key is not None else None
        return row.grid if row is not None else None

    # -- connection, log --------------------------------------------------------

    def connection_changed(self, info: ConnectionInfo) -> None:
        prev = self._connection
        if info == prev:
            return
        self._connection = info
        if info.state != prev.state or (info.last_error and info.last_error != prev.last_error):
            self.log(LogKind.CONNECTION, log_text.connection_text(info))
        self._notify(ChangeKind.CONNECTION)

    def journal_lag_changed(self, lag: JournalLag) -> None:
        if lag != self._journal_lag:
            self._journal_lag = lag
            self._notify(ChangeKind.JOURNAL)

    def log(self, kind: LogKind, text: str, *, at: datetime | None = None,
            key: str = "") -> None:
        line = LogLine(at or self._wall_clock(), kind, text, key)
        if self._log.maxlen and len(self._log) == self._log.maxlen:
            self._unkey(self._log[0])
        self._log.append(line)
        self._logged += 1
        if key:
            self._keyed[key] = line
            self._key_lines[key] = self._key_lines.get(key, 0) + 1
        self._notify(ChangeKind.LOG, line)

    def _unkey(self, leaving: LogLine) -> None:
        """`leaving` is pushed out of the kept lines: its key is kept while a line has it."""
        if not leaving.key:
            return
        left = self._key_lines[leaving.key] - 1
        if left:
            self._key_lines[leaving.key] = left
        else:
            del self._key_lines[leaving.key]
            del self._keyed[leaving.key]

    def tell(self, key: str, kind: LogKind, text: str) -> None:
        """The line of `key` reads `text`: a new line the first time, then rewritten where it
        stands (a count going up, then its outcome)."""
        shown = self._keyed.get(key)
        if shown is None:
            self.log(kind, text, key=key)
        else:
            self._rewrite(replace(shown, kind=kind), text)

    def _complete_line(self, key: str, text: str) -> None:
        """The line of `key` reads `text` now: where it stands, not as a new line."""
        shown = self._keyed.get(key)
        if shown is None:  # scrolled out of the kept lines: the news gets a line of its own
            self.log(LogKind.FILL, text, key=key)
            return
        self._rewrite(shown, CORRECTED + text if shown.text.startswith(CORRECTED) else text)

    def _rewrite(self, shown: LogLine, text: str) -> None:
        line = replace(shown, text=text)
        self._keyed[line.key] = line
        self._notify(ChangeKind.LOG_COMPLETED, line)


def _terms(row: OrderRow) -> tuple[object, ...]:
    """What `log_text.order_terms` reads: equal tuples, equal sentences (without formatting)."""
    return (row.side, row.quantity, row.order_type, row.limit, row.aux, row.trailing_percent,
            row.tif, row.min_tick)


def _keep_progress(prev: OrderRow | None, row: OrderRow) -> OrderRow:
    """IB's statuses can arrive out of order. One that would un-fill shares or revive a
    filled or cancelled order is older than what we show: its status and fill figures are
    dropped (the order's terms, which come from openOrder, are still taken). PendingSubmit is
    the client's own word, never IB's: it never revives an ended order."""
    if prev is None:
        return row
    revived = (prev.status in FINAL_STATUSES and not row.is_ended) or (
        prev.is_ended and row.status == PENDING_SUBMIT)
    if row.filled >= prev.filled and not revived:
        return row
    return replace(row, status=prev.status, filled=prev.filled, remaining=prev.remaining,
                   avg_fill_price=prev.avg_fill_price, ended_at=prev.ended_at)


def _trim(items: OrderedDict[Any, Any], limit: int) -> None:
    while len(items) > limit:
        items.popitem(last=False)


def _apply(fill: FillRow, report: _Commission) -> FillRow:
    return replace(
        fill,
        commission=report.commission,
        commission_currency=report.currency,
        realized_pnl=report.realized_pnl,
    )
