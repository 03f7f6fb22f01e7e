"""`IBAdapter`: ib_async's events in, state records out; the trader's requests out to IB.

It shares Textual's event loop, so it only ever awaits ib_async's `...Async` methods (the sync
API would call run_until_complete on a running loop). Every event handler is guarded: an
exception is logged and becomes a state log line, never raised into ib_async.
Nothing leaves without the gate's yes (order_requests.py): `--readonly` among the rest.
What a new session brings (orders, executions) is in sync.py; the requests in order_requests.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ib_async

from ib_blotter.ib import convert, seam
from ib_blotter.ib.backoff import Backoff
from ib_blotter.ib.errors import (
    IBConnectError,
)
from ib_blotter.ib.guard import guard_handler
from ib_blotter.ib.market_rules import MarketRules
from ib_blotter.ib.order_requests import OrderRequests
from ib_blotter.ib.quotes import QuoteBook
from ib_blotter.ib.recorder import FillRecorder
from ib_blotter.ib.sync import SessionSync
from ib_blotter.state import ib_messages
from ib_blotter.state.blotter import FINAL_STATUSES, BlotterState
from ib_blotter.state.connection import ConnectionMachine
from ib_blotter.state.limits import Limits
from ib_blotter.state.money import Rates
from ib_blotter.state.prices import PriceRule
from ib_blotter.state.records import (
    ConnectionInfo,
    ConnectionState,
    LogKind,
    OrderKey,
    OrderRow,
)
from ib_blotter.state.tws_time import is_simulator, zone_of_connection_time

if TYPE_CHECKING:
    from ib_blotter.journal import Journal

logger = logging.getLogger(__name__)

# IB codes that say how TWS's own link to IB is doing (the socket to TWS stays up).
LINK_LOST = frozenset({1100, 2110})
LINK_BACK = frozenset({1101, 1102})
DATA_LOST = 1101  # the link is back but IB dropped every market data line


class IBAdapter(SessionSync, OrderRequests):
    """Connects to TWS / IB Gateway (or the simulator) and keeps `state` in step with it."""

    def __init__(
        self,
        state: BlotterState,
        ib: ib_async.IB | None = None,
        *,
        client_id: int = 1,
        readonly: bool = False,
        account: str = "",
        simulated: bool = False,
        clock: Callable[[], float] = time.monotonic,
        journal: Journal | None = None,
        limits: Limits | None = None,
        history: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.state = state
        self.ib = ib or ib_async.IB()
        self.limits = limits or Limits()
        self.journal = journal  # written before the state hears of an event
        self.history = history  # once the journal's day is in the state (before IB's catch-up)
        self.recorder = FillRecorder(state, journal)
        self.wall: Callable[[], float] = time.time  # when we last knew we had every fill
        self.quotes = QuoteBook(self.ib)
        self.backoff: Backoff | None = None  # stay_connected makes one if none is given
        self.client_id = client_id
        self.readonly = readonly
        self.account = account
        self.simulated = simulated
        self.link = ConnectionMachine(client_id, simulated)
        self.on_simulator: Callable[[], None] | None = None  # told when the other end says so
        self._clock = clock
        self._host, self._port = "", 0
        self._trades: dict[OrderKey, ib_async.Trade] = {}
        self._ib_status: dict[OrderKey, str] = {}  # IB's last real status of each order
        self._order_keys: dict[int, OrderKey] = {}  # our order ids (errors name only these)
        self._min_ticks: dict[int, float] = {}  # conId -> tick, learned from resolve()
        self._price_rules: dict[int, PriceRule] = {}  # conId -> its ticks by price band
        self._magnifiers: dict[int, int] = {}  # conId -> IB's priceMagnifier (pence: 100)
        self._symbols: dict[int, str] = {}  # conId -> its symbol (a combo's legs are named)
        self._multipliers: dict[int, float] = {}  # conId -> its multiplier
        self.rules = MarketRules(self.ib)
        # The account's base currency and IB's exchange rates (the app's portfolio knows them)
        self.rates_of: Callable[[str], Rates] = lambda _account: Rates()
        self._tick_lookups: set[int] = set()  # conIds whose tick we asked IB for
        self._tasks: set[asyncio.Task[None]] = set()  # held so they are not collected
        self._syncing = False
        self._synced: dict[OrderKey, ib_async.Trade] = {}  # heard of during the sync
        self._closing = False
        self._last_error = ""
        self._down = asyncio.Event()
        self._retry_now = asyncio.Event()
        self._vouched: float | None = None  # every fill before this is journaled (None: unknown)
        self._vouch_read = False  # the journal's word on it is read once, at the first connect
        self._caught_up = False  # this session asked IB for what it missed, and got it
        self._open_at_ib: set[int] | None = None  # perm ids IB said are open, this session
        self._holds = 0  # keys being applied: nothing is read from IB meanwhile
        self._unheld = asyncio.Event()  # set while no key is being applied
        self._unheld.set()
        self._wire()

    # -- event wiring ----------------------------------------------------------------------

    def _wire(self) -> None:
        ib = self.ib
        for event, handler in (
            (ib.newOrderEvent, self._on_new_order),
            (ib.openOrderEvent, self._on_open_order),
            (ib.orderStatusEvent, self._on_order_status),
            (ib.errorEvent, self._on_error),
            (ib.connectedEvent, self._on_connected),
            (ib.disconnectedEvent, self._on_disconnected),
            (ib.client.apiError, self._on_api_error),
        ):
            event.connect(self._guarded(handler), keep_ref=True)
        seam.short_log_forms()  # a fifth of ib_async's reading went on log lines nobody sees
        seam.follow_order_terms(ib)
        seam.statuses_by_perm_id(ib)
        seam.on_connection_time(ib, self._guarded(self._on_connection_time))
        seam.on_executions(ib, self._guarded(self._on_execution),
                           self._guarded(self._on_commission))

    def _guarded(self, handler: Callable[..., None]) -> Callable[..., None]:
        return guard_handler(handler, lambda text: self.state.log(LogKind.ERROR, text))

    # -- connection ------------------------------------------------------------------------

    async def connect(
        self, host: str, port: int, timeout: float = 4.0, *, retrying: bool = False
    ) -> None:
        """Connect and sync; raises IBConnectError with a sentence for the trader.

        retrying: a reconnect attempt; the header keeps saying "reconnecting" and why.
        """
        self._host, self._port = host, port
        self._closing, self._last_error = False, ""
        since = self._catch_up_point()  # before anything this connection brings can move it
        self._forget_session()
        self._show(self.link.attempt(host, port, retry=retrying))
        self._syncing, self._synced = True, {}
        missed: asyncio.Task[None] | None = None
        try:
            await self._handshake(host, port, timeout)
            if not self._vouch_read:  # the journal was switched at the handshake (use_journal)
                since = self._catch_up_point()
            missed = await self._missed_first(timeout, since)
            await self._sync_working_orders(timeout)
        except Exception as exc:
            if missed is not None:
                missed.cancel()
            if not isinstance(exc, OSError):  # TimeoutError is one too
                logger.exception("connect to %s:%s failed", host, port)
            message = self._connect_failure(exc, timeout)
            self._show(self.link.failed(message))
            raise IBConnectError(message) from exc
        finally:
            self._syncing, self._synced = False, {}
        self.quotes.resubscribe()  # a new session has no market data lines
        # The orders are in: the trader may act while the day's executions come in behind.
        client = self.ib.client
        self._show(self.link.up(tuple(client.getAccounts()), client.serverVersion()))
        await self._catch_up(timeout, since, missed)

    async def stay_connected(
        self, host: str, port: int, timeout: float = 4.0, retry_every: float = 5.0
    ) -> None:
        """Connect, and reconnect whenever the connection drops, until disconnect().

        Attempts back off exponentially up to `retry_every` seconds apart (see Backoff);
        retry_now() cuts a wait short.
        """
        backoff = self.backoff = self.backoff or Backoff(first=min(0.25, retry_every),
                                                         cap=retry_every)
        retrying = False
        while not self._closing:
            self._down.clear()
            try:
                await self.connect(host, port, timeout, retrying=retrying)
                backoff.reset()
                await self._down.wait()
            except IBConnectError:
                pass
            if self._closing:
                return
            retrying = True
            await self._wait_to_retry(backoff.next_delay())

    async def _wait_to_retry(self, delay: float) -> None:
        """Say when the next attempt comes, then wait for it (or for retry_now())."""
        self._show(self.link.waiting(delay))
        self._retry_now.clear()
        with contextlib.suppress(TimeoutError):  # the wait ran out: time for the next attempt
            await asyncio.wait_for(self._retry_now.wait(), delay)

    def retry_now(self) -> bool:
        """The trader's "reconnect now": cut the wait short. False when there is no wait
        (connected, or an attempt is already under way)."""
        info = self.link.info
        waiting = info.retry_in is not None and info.state is ConnectionState.RECONNECTING
        if self._closing or not waiting:
            return False
        if self.backoff is not None:
            self.backoff.reset()  # the trader says the gateway is back: short waits again
        self._retry_now.set()
        return True

    def disconnect(self) -> None:
        self._vouch_now()
        self._caught_up = False
        self._closing = True
        self._down.set()
        self._retry_now.set()  # a reconnect loop waiting to retry ends now, not after the wait
        if self.ib.isConnected():
            seam.end_pending_requests(self.ib)  # ib_async forgets them without an answer
            self.ib.disconnect()  # emits disconnectedEvent, which updates the state
        else:
            self._show(self.link.closed())

    def use_journal(self, journal: Journal | None) -> None:
        """Write to another journal from now on (the paper one, once the other end says it
        is the simulator)."""
        self.journal = self.recorder.journal = journal
        self._vouch_read, self._vouched = False, None

    def _show(self, info: ConnectionInfo) -> None:
        self.state.connection_changed(info)

    def _forget_session(self) -> None:
        """A new session starts clean: Trades of a dropped one would shadow what IB says now."""
        self._trades.clear()
        self._ib_status.clear()
        self._order_keys.clear()
        if not self.ib.isConnected():
            self.ib.wrapper.reset()

    def _connect_failure(self, exc: BaseException, timeout: float) -> str:
        where = f"{self._host}:{self._port}"
        if isinstance(exc, ConnectionRefusedError):
            return f"Nothing listens on {where}: is TWS or IB Gateway running with the API on?"
        if self._last_error:
            return self._last_error
        if isinstance(exc, TimeoutError):
            return f"No API answer from {where} within {timeout:g} s (client id in use?)"
        return f"Can't reach {where}: {exc}"

    # -- ib_async events -------------------------------------------------------------------

    def _on_connected(self) -> None:
        for trade in self.ib.trades():
            self._synced[self._remember(trade)] = trade

    def _on_execution(self, contract: ib_async.Contract, execution: ib_async.Execution,
                      moment: datetime, replayed: bool) -> None:
        if not replayed:  # one line per live execution, before it is journaled
            logger.info("execution %s received", execution.execId)
        magnifier = self._magnifiers.get(contract.conId, 1)
        self.recorder.execution(convert.execution_row(contract, execution, moment, magnifier),
                                replayed=replayed)

    def _on_commission(self, report: ib_async.CommissionReport) -> None:
        self.recorder.commission(report.execId, report.commission, report.currency,
                                 convert.realized_pnl(report.realizedPNL))

    def _on_connection_time(self, text: str) -> None:
        """TWS names its zone when a client connects: its execution times name none. The
        simulator names itself there too: its fills are paper fills, whatever was asked."""
        if is_simulator(text) and not self.simulated:
            self.simulated = True
            self.link.simulated()
            if self.on_simulator is not None:
                self.on_simulator()
        zone = zone_of_connection_time(text)
        if zone is None:
            logger.warning("TWS's time %r names no zone we know: its execution times are read "
                           "as this machine's local time", text)
            return
        self.ib.TimezoneTWS = zone

    def _on_disconnected(self) -> None:
        self._vouch_now()  # every fill until now came live, or was caught up
        self._caught_up = False
        self._down.set()
        if self._closing:
            self._show(self.link.closed())
        else:
            self._show(self.link.dropped(self._last_error or "Connection closed"))

    def _on_api_error(self, message: str) -> None:
        self._last_error = message

    def _on_new_order(self, trade: ib_async.Trade) -> None:
        self._take(trade)

    def _on_open_order(self, trade: ib_async.Trade) -> None:
        if self._syncing:  # TWS's download of the working orders: each shown once, at the end
            self._synced[self._remember(trade)] = trade
            return
        self._take(trade)

    def _on_order_status(self, trade: ib_async.Trade) -> None:
        key = self._remember(trade)
        if _status_made_by_ib_async(trade):
            # Undo ib_async's guess so the next real orderStatus from IB still counts as a change.
            real = self._ib_status.get(key) or _state_status(self.state, key)
            if real:
                trade.orderStatus.status = real
            return
        if self._syncing and trade.orderStatus.status not in FINAL_STATUSES:
            # shown once, as it stands when the sync ends; an end is taken now: a status
            # IB sends out of order after it must not be what the sync shows
            self._synced[key] = trade
            return
        self._take(trade, key=key)

    def _on_error(
        self, req_id: int, code: int, text: str, contract: ib_async.Contract | None = None
    ) -> None:
        if self.journal is not None:
            self.journal.record_error(req_id, code, text)
        key = self._order_keys.get(req_id) if req_id != -1 else None
        if key is not None:
            self.state.order_message(key, code, text)
            self._refused(key, code)
        else:
            about = f" ({convert.display_symbol(contract)})" if contract else ""
            self.state.log(ib_messages.kind(code), ib_messages.describe(code, text) + about)
        if ib_messages.kind(code) is LogKind.CONNECTION:
            self._connection_message(code, ib_messages.describe(code, text))

    def _refused(self, key: OrderKey, code: int) -> None:
        """A new order IB never acknowledged, named by an error: refused (none of its statuses
        will come; ib_async would leave it PendingSubmit, or guess a cancel of its own)."""
        if self._ib_status.get(key, "PendingSubmit") != "PendingSubmit":
            return
        if ib_messages.refuses_new_order(code):
            ended = self.state.order_refused(key)
            if ended is not None and self.journal is not None:
                self.journal.record_status(ended)

    def _connection_message(self, code: int, sentence: str) -> None:
        # 1100: IB keeps the orders; we keep showing them and say the link is down.
        self._last_error = "" if code in LINK_BACK else sentence
        if code == DATA_LOST:
            self.quotes.resubscribe()
        if code in LINK_LOST:
            self._show(self.link.link_lost(sentence))
        elif code in LINK_BACK:
            self._show(self.link.link_back())

    def _remember(self, trade: ib_async.Trade) -> OrderKey:
        order = trade.order
        key = OrderKey.of(order.clientId, order.orderId, order.permId)
        self._trades[key] = trade
        if order.clientId == self.client_id and order.orderId != 0:
            self._order_keys[order.orderId] = key
        if len(trade.log) > 2:
            # ib_async formats the whole Trade, log included, on every status it reads: an
            # order with thousands of statuses would cost milliseconds each. Keep the first
            # entry (when it was placed) and the last (what ib_async and we compare against).
            del trade.log[1:-1]
        return key

    def _take(self, trade: ib_async.Trade, *, key: OrderKey | None = None,
              from_sync: bool = False) -> None:
        """IB's own word on an order: remember the trade and its real status, and show it."""
        key = key or self._remember(trade)
        self._ib_status[key] = trade.orderStatus.status
        contract = trade.contract
        if contract.secType == "BAG":
            row = self._combo_row(trade)
        else:
            tick = self._min_ticks.get(contract.conId)
            row = convert.order_row(trade, self.client_id, self._clock(), min_tick=tick,
                                    price_rule=self._price_rules.get(contract.conId, ()),
                                    price_magnifier=self._magnifiers.get(contract.conId, 1))
            if tick is None:
                self._learn_tick(contract.conId)
        if self.journal is not None:
            self.journal.record_status(row)
        self.state.order_updated(row, from_sync=from_sync or self._syncing)

    def _combo_row(self, trade: ib_async.Trade) -> OrderRow:
        """A combo's row: its legs named, its tick the finest of theirs. The BAG itself is
        never looked up (321, which never ends in ib_async); a leg we never resolved is."""
        legs = convert.looked_up_con_ids(trade.contract)
        ticks = [self._min_ticks[c] for c in legs if c in self._min_ticks]
        for con_id in legs:
            if con_id not in self._symbols:
                self._learn_tick(con_id)
        return convert.order_row(
            trade, self.client_id, self._clock(),
            min_tick=min(ticks) if ticks and len(ticks) == len(legs) else None,
            leg_symbols=self._symbols,
            multiplier=next((self._multipliers[c] for c in legs if c in self._multipliers), None))

    def _learn_tick(self, con_id: int) -> None:
        """Ask IB once for the tick of an order's contract we never resolved (an order from
        another session or client), so its prices format right and nudge works."""
        if not con_id or con_id in self._tick_lookups or not self.ib.isConnected():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop, no socket traffic: nothing to ask with
        self._tick_lookups.add(con_id)
        self._spawn(self._fetch_tick(con_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the loop, held so it is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ask_tick(self, con_id: int) -> bool:
        """Ask IB for a contract's tick; True once it is known."""
        try:
            request = self.ib.reqContractDetailsAsync(ib_async.Contract(conId=con_id))
            details = await asyncio.wait_for(request, 10.0)
        except Exception as exc:
            logger.warning("no contract details for conId %s: %s", con_id, exc)
            return False
        if not details or not details[0].minTick:
            return False
        self._price_rules[con_id] = await self.rules.rule_of(details[0])
        self._magnifiers[con_id] = details[0].priceMagnifier or 1
        self._min_ticks[con_id] = details[0].minTick
        self._know(details[0].contract or ib_async.Contract(conId=con_id))
        return True

    def _know(self, contract: ib_async.Contract) -> None:
        """What a combo's row needs of a leg: its symbol and multiplier."""
        self._symbols[contract.conId] = convert.display_symbol(contract)
        self._multipliers[contract.conId] = convert.multiplier_of(contract)

    async def _fetch_tick(self, con_id: int) -> None:
        if not await self._ask_tick(con_id):
            return
        # shown again, now with prices on the grid (a combo's too, when it is a leg)
        trades = [(t, None) for t in self._trades.values() if t.contract.conId == con_id
                  or any(leg.conId == con_id for leg in t.contract.comboLegs or ())]
        await self._take_each(trades, from_sync=False)


def _status_made_by_ib_async(trade: ib_async.Trade) -> bool:
    """ib_async 2.1.0 sets ValidationError or Cancelled itself when IB sends an error for an
    order, and logs that with the error code; IB's own statuses are logged with code 0."""
    last = trade.log[-1] if trade.log else None
    return last is not None and last.errorCode != 0 and last.status == trade.orderStatus.status


def _state_status(state: BlotterState, key: OrderKey) -> str:
    row = state.order(key)
    return row.status if row else ""
