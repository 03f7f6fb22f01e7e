"""`SessionSync`: what a new session brings, a mixin of IBAdapter.

The working orders first, each shown once, with their ticks: the blotter says *connected* once
they are on screen. Then the completed orders, and the executions since the last one seen (the
whole day on a first start), each taken as it arrives with its commission (the newest the log
keeps get their lines once the answer is in, a count meanwhile); ib_async is then let
go of every fill it holds, so a busy day does not stay in memory twice. When the journal vouches
for all but the last minutes (a restart, a reconnect), those few executions are asked for first,
right after the handshake: reqAllOpenOrders reads every working order a second time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import ib_async

from ib_blotter.ib import convert, seam
from ib_blotter.state.records import LogKind, OrderKey

if TYPE_CHECKING:
    from ib_blotter.ib.adapter import IBAdapter

logger = logging.getLogger(__name__)

# After a reconnect, executions are asked for from this long before the last one seen: IB's
# clock and ours differ a little, and a replayed fill costs nothing (fills are keyed by id).
RESYNC_MARGIN = timedelta(minutes=5)
COMPLETED_ORDERS_VERSION = 150  # the first server version that answers reqCompletedOrders
TICKS_TIMEOUT = 2.0  # seconds the sync's orders wait for their ticks before being shown
READ_CHUNK = 16 * 1024  # bytes taken from the socket per turn of the event loop
HOLD_AT_MOST = 0.5  # seconds the socket waits for a key that never settles
RETAKE_CHUNK = 100  # orders taken between two looks at the keyboard (500 held keys 260 ms)
BULK_TIMEOUT = 60.0  # seconds for the day's orders and executions after a (re)connect
READING_EVERY = 0.5  # seconds between two counts of a catch-up's executions read so far
# While caught up the journal vouches for "every fill until now" this often: after a kill -9
# the next start asks IB only for the last few minutes (with RESYNC_MARGIN), not the day.
VOUCH_EVERY = 10.0
# Missed executions are asked for ahead of the working orders when the journal vouches for all
# but this last stretch: few of them, and a restart shows the whole day at once. Longer away,
# there may be many: the orders come first.
FEW_MISSED_WITHIN = timedelta(minutes=30)
# ib_async's own start-up sync, less what we ask for ourselves: the completed orders, and the
# executions since the last one seen. Less our open orders too: reqAllOpenOrders brings them
# with everyone else's. Client 0 still asks: its reqOpenOrders is what binds orders typed into
# TWS.
STARTUP_FETCH = ib_async.StartupFetchALL & ~(
    ib_async.StartupFetch.EXECUTIONS | ib_async.StartupFetch.ORDERS_COMPLETE)
STARTUP_FETCH_BUT_OPEN = STARTUP_FETCH & ~ib_async.StartupFetch.ORDERS_OPEN


class SessionSync:
    _synced: dict[OrderKey, ib_async.Trade]  # orders heard of during the sync, taken at its end
    _vouched: float | None  # every fill before this is journaled (None: unknown)
    _vouch_read: bool  # the journal's word on it is read once, at the first connect
    _caught_up: bool  # this session asked IB for what it missed, and got it
    _open_at_ib: set[int] | None  # perm ids of the orders IB said are open, this session
    _holds: int  # keys being applied (hold_reading): nothing is read from IB meanwhile
    _unheld: asyncio.Event  # set while no key is being applied

    async def _handshake(self: IBAdapter, host: str, port: int, timeout: float) -> None:
        """Connect: TWS sends this client's working orders before the handshake ends."""
        # readonly also tells ib_async to skip the order syncs a read-only TWS refuses.
        with seam.no_auto_bind(self.ib, skip=self.readonly):
            await self._while_ib_talks(self.ib.connectAsync(
                host, port, self.client_id, None, readonly=self.readonly,
                account=self.account,
                fetchFields=STARTUP_FETCH if self.client_id == 0 else STARTUP_FETCH_BUT_OPEN,
            ), timeout)
        self._read_in_small_chunks()

    async def _sync_working_orders(self: IBAdapter, timeout: float) -> None:
        """Show every client's working orders (raises if the connection is lost meanwhile)."""
        await self._see_all_open_orders(timeout)
        await self._show_synced()
        if not self.ib.isConnected():
            raise ConnectionError("Connection lost while syncing")

    async def _missed_first(self: IBAdapter, timeout: float, since: float | None
                            ) -> asyncio.Task[None] | None:
        """The executions missed since `since`, asked for now, ahead of everyone's working
        orders, when they are few: the journal vouches for all but the last FEW_MISSED_WITHIN
        (a restart, a dropped connection). Else (a first start's whole day) None: they wait
        for the orders, so the trader can act first."""
        if since is None or self.wall() - since > FEW_MISSED_WITHIN.total_seconds():
            return None
        return await self._catch_up_executions(max(timeout, BULK_TIMEOUT), since)

    async def _while_ib_talks(self: IBAdapter, work: Awaitable[object], quiet: float) -> None:
        """`work`, given up (TimeoutError) only once IB has sent nothing for `quiet` seconds:
        TWS sends a busy day's working orders before the handshake's end, and reading 10,000
        of them takes seconds on a loaded machine."""
        heard = [time.monotonic()]

        def data(_chunk: bytes) -> None:
            heard[0] = time.monotonic()
            self._read_in_small_chunks()  # the download of the working orders as well

        connection = self.ib.client.conn
        connection.hasData += data
        task = asyncio.ensure_future(work)
        try:
            while not task.done():
                left = quiet - (time.monotonic() - heard[0])
                if left <= 0:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                    raise TimeoutError(f"nothing from IB for {quiet:g} s")
                await asyncio.wait({task}, timeout=left)
            task.result()
        finally:
            connection.hasData -= data
            task.cancel()

    async def _catch_up(self: IBAdapter, timeout: float, since: float | None,
                        missed: asyncio.Task[None] | None = None) -> None:
        """The completed orders and the missed executions (`missed` if already asked for),
        once the trader can act."""
        try:  # a busy day takes longer than the handshake: allow for it
            await self._see_completed_orders(max(timeout, BULK_TIMEOUT))
            self._reconcile()
            if missed is None:
                missed = await self._catch_up_executions(max(timeout, BULK_TIMEOUT), since)
            await missed
        except Exception as exc:  # the connection stands: what is missing comes with the next
            logger.exception("catching up after the connect failed")
            self.state.log(LogKind.ERROR, f"Catching up after the connect failed: {exc}")

    def _reconcile(self: IBAdapter) -> None:
        """An order shown as working that IB has not told this session of (not among its open
        orders, nor the completed ones, nor since) is not left working: IB forgot it (a
        restart) or it never got there. Only when IB's open orders were read in full."""
        reported = self._open_at_ib
        if reported is None:
            return
        for row in self.state.working_orders():
            heard = row.key in self._trades or (row.perm_id and row.perm_id in reported)
            if row.is_ended or heard:
                continue
            gone = self.state.order_not_at_ib(row.key)
            if gone is not None and self.journal is not None:
                self.journal.record_status(gone)

    def _read_in_small_chunks(self: IBAdapter) -> None:
        """ib_async decodes all of one socket read before anything else runs, and asyncio reads
        up to 256 KiB at once: during a day's catch-up that is ~150 ms of decoding per read
        while the keyboard waits. Smaller reads give the screen a turn every few ms. (A loop
        whose transports lack this knob, such as uvloop's, keeps its own reads.)"""
        transport = self.ib.client.conn.transport
        if transport is not None and hasattr(transport, "max_size"):
            transport.max_size = READ_CHUNK

    def hold_reading(self: IBAdapter) -> Callable[[], None]:
        """Read nothing from IB, and take none of a sync's orders, until the returned release
        is called (once counts; several holds, until the last goes), or HOLD_AT_MOST has
        passed: the trader's key first. A key's steps (message queues, layout, paint) each
        wait a loop turn, and during a catch-up every turn is a socket read of its own."""
        transport = self.ib.client.conn.transport
        if transport is None or not hasattr(transport, "pause_reading"):
            return lambda: None
        if self._holds == 0:
            transport.pause_reading()
            self._unheld.clear()
        self._holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            timer.cancel()
            self._holds -= 1
            if self._holds == 0:
                transport.resume_reading()  # a no-op once the transport is closed
                self._unheld.set()

        timer = asyncio.get_running_loop().call_later(HOLD_AT_MOST, release)
        return release

    async def _see_all_open_orders(self: IBAdapter, timeout: float) -> None:
        """Every client's open orders, not just ours: a blotter shows the whole book (the
        master client then keeps getting their updates). Ours are keyed as before."""
        self._open_at_ib = None
        try:
            await asyncio.wait_for(self.ib.reqAllOpenOrdersAsync(), timeout)
        except (TimeoutError, ConnectionError) as exc:
            logger.warning("all open orders not fetched: %r", exc)
            return
        trades = self.ib.openTrades()
        for trade in trades:
            self._synced[self._remember(trade)] = trade
        self._open_at_ib = {trade.order.permId for trade in trades}

    async def _see_completed_orders(self: IBAdapter, timeout: float) -> None:
        """The day's ended orders, for the full view (ib_async asks before executions too: it
        matches commission reports to orders it knows). A read-only TWS refuses the request."""
        if self.readonly or self.ib.client.serverVersion() < COMPLETED_ORDERS_VERSION:
            return
        try:
            trades = await asyncio.wait_for(self.ib.reqCompletedOrdersAsync(False), timeout)
        except (TimeoutError, ConnectionError) as exc:
            logger.warning("completed orders not fetched: %r", exc)
            return
        known = self.ib.wrapper.permId2Trade  # an order we follow already stays that Trade
        for answered in trades:
            trade = known.get(answered.order.permId, answered)
            self._synced[self._remember(trade)] = trade
        await self._show_synced()

    async def _show_synced(self: IBAdapter) -> None:
        """Each order the sync told of, with its tick, taken once as it stands at the sync's
        end (10,000 working orders bring 10,000 statuses besides the orders themselves)."""
        await self._learn_synced_ticks(TICKS_TIMEOUT)
        while self._synced:  # statuses heard of in the pauses below come in the next round
            synced, self._synced = self._synced, {}
            await self._take_each(((trade, key) for key, trade in synced.items()),
                                  from_sync=True)

    async def _take_each(
        self: IBAdapter, trades: Iterable[tuple[ib_async.Trade, OrderKey | None]], *,
        from_sync: bool,
    ) -> None:
        """Take many orders, a chunk between two looks at the keyboard and the screen; none
        while a key is being applied (see hold_reading)."""
        take = self._guarded(self._take_one)
        for done, (trade, key) in enumerate(trades, 1):
            take(trade, key, from_sync)
            if done % RETAKE_CHUNK == 0:
                await asyncio.sleep(0)
                await self._unheld.wait()

    def _take_one(self: IBAdapter, trade: ib_async.Trade, key: OrderKey | None,
                  from_sync: bool) -> None:
        self._take(trade, key=key, from_sync=from_sync)

    async def _learn_synced_ticks(self: IBAdapter, timeout: float) -> None:
        """The ticks of the contracts the sync's orders are in, asked all at once before they
        are shown: else 10,000 orders are each shown twice, before and after their tick."""
        con_ids = {con_id for trade in self._synced.values()
                   for con_id in convert.looked_up_con_ids(trade.contract)}
        wanted = [c for c in con_ids
                  if c and c not in self._min_ticks and c not in self._tick_lookups]
        if not wanted:
            return
        self._tick_lookups.update(wanted)
        asked = [asyncio.ensure_future(self._ask_tick(con_id)) for con_id in wanted]
        _done, late = await asyncio.wait(asked, timeout=timeout)
        for task in late:  # left to _learn_tick, which shows the orders again when it comes
            task.cancel()
        self._tick_lookups.difference_update(c for c in wanted if c not in self._min_ticks)

    async def _catch_up_executions(self: IBAdapter, timeout: float, since: float | None
                                   ) -> asyncio.Task[None]:
        """The executions this session may have missed, asked for once the journal's day is in
        the state: from a little before `since`, the moment before which every fill is
        journaled (the whole day IB keeps when there is none); the task shows them as they
        arrive. Only what was journaled and seen before this connection began moves `since`
        (see connect): never a fill of the connection being set up."""
        if self.history is not None:  # the journal's day first: the log reads in time order
            await self.history()
        return self._ask_executions(timeout, since)

    def _ask_executions(self: IBAdapter, timeout: float, since: float | None
                        ) -> asyncio.Task[None]:
        """reqExecutions sent now (before any request made after this returns); the task
        shows the answer as it comes."""
        wanted = ib_async.ExecutionFilter()
        if since is not None:
            wanted.time = asked_from(since)
        asked_at = self.wall()
        answer = seam.CountingAnswer()
        self.recorder.answer_began()
        answered = seam.request_executions(self.ib, wanted, answer)
        return asyncio.ensure_future(
            self._executions_answered(answered, answer, wanted.time, asked_at, timeout))

    async def _executions_answered(self: IBAdapter, answered: Awaitable[object],
                                   answer: seam.CountingAnswer, since: str, asked_at: float,
                                   timeout: float) -> None:
        line = f"catch-up {asked_at}"  # one line: how far it has read, then what it brought
        counting = asyncio.ensure_future(self._tell_reading(answer, line))
        try:
            await asyncio.wait_for(answered, timeout)
        except (TimeoutError, ConnectionError) as exc:
            logger.warning("executions since %r not fetched: %r", since, exc)
            self.state.tell(line, LogKind.WARNING, "Missed executions not fetched: "
                            f"{exc or 'no answer'} (they come on the next connect)")
        except asyncio.CancelledError:  # the session's setup failed after asking
            if answer.count:
                self.state.tell(line, LogKind.WARNING, f"Catch-up stopped after "
                                f"{answer.count:,} executions (the rest come on the next connect)")
            raise
        else:
            self._caught_up = True  # from here on every fill comes live
            self._vouch(asked_at)
            self._spawn(self._keep_vouching())
            logger.info("%d executions since %r caught up", answer.count, since)
            if answer.count:
                self.state.tell(line, LogKind.INFO,
                                f"Caught up on {answer.count:,} executions from IB")
        finally:
            counting.cancel()
            self.recorder.answer_ended()

    async def _tell_reading(self: IBAdapter, answer: seam.CountingAnswer, line: str) -> None:
        """While a long answer comes (a first start's 100,000 fills), its count on `line`: the
        fills themselves get their log lines once it is in (state.replay_ended)."""
        told = 0
        while True:
            await asyncio.sleep(READING_EVERY)
            if answer.count != told:
                told = answer.count
                self.state.tell(line, LogKind.INFO, f"Reading IB's executions: {told:,} so far")

    def _catch_up_point(self: IBAdapter) -> float | None:
        """Before which every fill is journaled: read from the journal once, then moved only
        by this adapter's own catch-ups and by the sessions that end while caught up."""
        if not self._vouch_read and self.journal is not None:
            self._vouch_read = True
            self._vouched = self.journal.vouched(self._vouch_scope())
        return self._vouched

    def _vouch(self: IBAdapter, moment: float) -> None:
        if self._vouched is not None and moment <= self._vouched:
            return
        self._vouched = moment
        if self.journal is not None:
            self.journal.vouch(self._vouch_scope(), moment)

    async def _keep_vouching(self: IBAdapter) -> None:
        while True:
            await asyncio.sleep(VOUCH_EVERY)
            if not (self._caught_up and self.ib.isConnected()):
                return
            self._vouch_now()

    def _vouch_now(self: IBAdapter) -> None:
        """A session that caught up heard of every fill since, live: until now."""
        if self._caught_up:
            self._vouch(self.wall())

    def _vouch_scope(self: IBAdapter) -> str:
        """What a vouch is about: the executions this client of this gateway is told of."""
        return f"executions {self._host}:{self._port} client {self.client_id}"


def asked_from(since: float) -> str:
    """The time reqExecutions asks from when the journal has every fill before `since`: a
    little before it (RESYNC_MARGIN), as TWS reads a time ("-": UTC)."""
    return (datetime.fromtimestamp(since, UTC) - RESYNC_MARGIN).strftime("%Y%m%d-%H:%M:%S")
