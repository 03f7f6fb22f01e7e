"""ib-blotter-sim: the listener, the sessions, who hears what, the market clock, and controls."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import faults
from . import outgoing as out
from .events import CommissionEvent, ErrorEvent, Event, FillEvent, OrderEvent, WhatIfEvent
from .exchange import Exchange
from .faults import CONNECTIVITY_TEXT, Faults, Timed, execution_messages
from .feeds import option_ticks, quote_key, quote_ticks
from .instruments import Universe
from .market import Market
from .model import Fill, OrderRequest, SimContract, SimOrder
from .requests import (
    REQUESTS,
    push_account_changes,
    push_periodic,
    refuse_unsimulated,
    send_orders,
)
from .session import Session

log = logging.getLogger("ib_blotter.sim")

DEFAULT_ACCOUNTS = ("DU1234567", "DU7654321")
FARM_NOTICES = (
    (2104, "Market data farm connection is OK:usfarm"),
    (2106, "HMDS data farm connection is OK:ushmds"),
    (2158, "Sec-def data farm connection is OK:secdefnj"),
)


@dataclass(slots=True)
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 7497  # 0: any free port
    seed: int = 1
    accounts: tuple[str, ...] = DEFAULT_ACCOUNTS
    master_client_id: int | None = None
    pace: float = 4.0  # market moves per second per instrument; 0 freezes prices
    manual_orders: int = 0  # "orders typed into TWS" to seed at start
    clock: Callable[[], float] = time.time
    max_connections: int = 32  # TWS takes up to 32 API clients (IB's API docs, "Connection")
    max_market_data_lines: int = 100  # per client; more gets error 101, as TWS's default
    # IB documents neither; a client on loopback or a LAN needs milliseconds for either
    handshake_timeout: float = 10.0  # from accept to startApi
    frame_timeout: float = 10.0  # a frame begun and not finished this long: the peer is stuck
    # TWS's "Download open orders on connection" (API settings), ticked by default: a client's
    # working orders arrive before managedAccounts and nextValidId
    download_open_orders: bool = True


@dataclass(slots=True)
class ReceivedOrder:
    """A placeOrder as it reached the exchange: what tests assert on."""

    client_id: int
    order_id: int
    contract: SimContract
    request: OrderRequest


@dataclass(slots=True)
class Traffic:
    received_orders: list[ReceivedOrder] = field(default_factory=list)
    cancels: list[tuple[int, int]] = field(default_factory=list)  # (clientId, orderId)
    global_cancels: int = 0
    messages_in: int = 0


class Simulator:
    """A paper exchange behind a TWS API socket. Start it, connect ib_async or ibapi to it."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.universe = Universe(dt.date.fromtimestamp(self.config.clock()))
        self.market = Market(self.universe.instruments, self.config.seed, self.universe.today)
        self.exchange = Exchange(
            self.universe, self.market, list(self.config.accounts), self.config.clock, self.notify
        )
        self.exchange.master_client_id = self.config.master_client_id
        self.faults = Faults()
        self._reports_due: dict[str, list[Timed]] = {}  # execId -> its commission reports
        self.traffic = Traffic()
        self.sessions: dict[int, Session] = {}
        self.market_paused = self.config.pace <= 0
        self._server: asyncio.Server | None = None
        self._tasks: dict[Session, asyncio.Task[None]] = {}  # open connections, handshakes too
        self._loops: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()  # restarts under way
        self._last_quotes: dict[tuple[int, int], tuple[float, ...]] = {}
        self.port = self.config.port
        self._refused_until = 0.0  # loop time until which connections are refused
        self._reopening = asyncio.Lock()
        self._stopped = False

    # ---- life cycle ------------------------------------------------------------------------
    async def start(self) -> int:
        await self._listen()
        if self.config.host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("listening on %s: anyone who reaches it can trade", self.config.host)
        for _ in range(self.config.manual_orders):
            self._seed_manual_order()
        self._loops = [
            asyncio.create_task(self._market_loop()),
            asyncio.create_task(self._account_loop()),
        ]
        return self.port

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.config.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._stopped = True
        for task in [*self._loops, *self._background]:
            task.cancel()
        await self._close_listener()
        # Sessions end by themselves once their sockets close; cancelling them makes asyncio
        # log a spurious traceback from its connection callback.
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()), timeout=1.0)
        await asyncio.gather(*self._loops, *self._background, return_exceptions=True)

    async def _close_listener(self) -> None:
        """Stop accepting and drop every client, then wait for the listener to close (on
        Python >= 3.12 wait_closed also waits for connections, so they must go first)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        self.drop_connections()
        with contextlib.suppress(Exception):  # asyncio.timeout: wait_for can eat a cancel (3.11)
            async with asyncio.timeout(1.0):
                await server.wait_closed()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._tasks) >= self.config.max_connections:
            log.warning("refused a connection from %s: %d open, the most it takes",
                        writer.get_extra_info("peername"), len(self._tasks))
            writer.transport.abort()
            return
        session = Session(self, reader, writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks[session] = task
        try:
            await session.run()
        finally:
            self._tasks.pop(session, None)

    # ---- sessions --------------------------------------------------------------------------
    def register(self, session: Session, client_id: int) -> bool:
        if client_id in self.sessions:
            session.error(
                -1,
                326,
                "Unable to connect as the client id is already in use. "
                "Retry with a unique client id.",
            )
            log.info("client %s refused: client id in use (%s)", client_id, session.peer)
            return False
        session.client_id = client_id
        self.sessions[client_id] = session
        log.info("client %s connected from %s", client_id, session.peer)
        if self.config.download_open_orders:
            self._download_open_orders(session, client_id)
        session.send(out.managed_accounts(self.config.accounts))
        session.send(out.next_valid_id(self.exchange.next_order_id(client_id)))
        for code, text in FARM_NOTICES:
            session.error(-1, code, text)
        return True

    def _download_open_orders(self, session: Session, client_id: int) -> None:
        mine = [o for o in self.exchange.by_perm.values()
                if self.exchange._visible(o) and o.clientId == client_id and o.orderId]
        if mine:  # in slices as the client reads; managedAccounts and nextValidId behind
            send_orders(session, mine)

    def unregister(self, session: Session) -> None:
        if session.client_id is not None and self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]
            for req_id in session.subs.market_data:
                self.forget_quotes(session, req_id)
            for req_id in session.subs.tick_by_tick:
                self.forget_quotes(session, -req_id)
            log.info("client %s disconnected (%s)", session.client_id, session.peer)

    def handle(self, session: Session, message: list[str]) -> None:
        self.traffic.messages_in += 1
        try:
            entry = REQUESTS.get(int(message[0]))
            if entry is None:
                refuse_unsimulated(session, message)
                return
            entry(self, session, message)
        except Exception as exc:  # one bad request must not take the server down
            log.warning(
                "client %s sent a request we cannot read: %s (%r)",
                session.client_id,
                message[:4],
                exc,
            )
            session.error(-1, 320, "Server error when reading an API client request.")

    # ---- who hears what --------------------------------------------------------------------
    def audience(self, order: SimOrder) -> list[Session]:
        """The placing client, the master client, and client 0 for bound manual orders."""
        ids = {order.clientId} if (order.clientId or order.orderId) else set()
        if order.cancelledBy is not None:
            ids.add(order.cancelledBy)
        if self.config.master_client_id is not None:
            ids.add(self.config.master_client_id)
        return [self.sessions[i] for i in ids if i in self.sessions]

    def notify(self, event: Event) -> None:
        if isinstance(event, OrderEvent):
            self._send_order(event.order, event.open_order)
        elif isinstance(event, FillEvent):
            self._send_fill(event.order, event.fill)
        elif isinstance(event, CommissionEvent):
            self._send_reports(event.order, event.fill)
        elif isinstance(event, ErrorEvent):
            self._send_error(event)
        elif isinstance(event, WhatIfEvent):
            session = self.sessions.get(event.order.clientId)
            if session:
                session.send(out.open_order(event.order, event.margin))

    def _send_order(self, order: SimOrder, open_order: bool) -> None:
        """openOrder (when the terms changed, or this client was never sent the order: it
        connected after it was placed) and orderStatus, to everyone who hears of it."""
        self._bind_if_auto(order)
        for session in self.audience(order):
            if open_order or order.permId not in session.announced:
                session.send(out.open_order(order))
                session.announced.add(order.permId)
            session.send(out.order_status(order))

    def _bind_if_auto(self, order: SimOrder) -> None:
        client_zero = self.sessions.get(0)
        if (
            order.clientId == 0
            and order.orderId == 0
            and client_zero
            and (client_zero.subs.auto_bind)
        ):
            self.exchange.bind_manual_orders()

    def _send_fill(self, order: SimOrder, fill: Fill) -> None:
        details, reports, corrected = execution_messages(self.faults, fill)
        if corrected is not None:
            self.exchange.correct(fill, corrected)
        self._reports_due[fill.execId] = reports
        self._send_timed(order, details)

    def _send_reports(self, order: SimOrder, fill: Fill) -> None:
        self._send_timed(order, self._reports_due.pop(fill.execId, []))
        push_account_changes(self, fill.account)

    def _send_timed(self, order: SimOrder, messages: list[Timed]) -> None:
        for session in self.audience(order):
            for delay, fields in messages:
                if delay > 0:
                    session.send_later(delay, fields)
                else:
                    session.send(fields)

    def _send_error(self, event: ErrorEvent) -> None:
        if event.client_id == -1:
            targets = list(self.sessions.values())
        else:
            target = self.sessions.get(event.client_id)
            targets = [target] if target else []
        for session in targets:
            session.error(event.req_id, event.code, event.text)

    # ---- clocks ----------------------------------------------------------------------------
    async def _market_loop(self) -> None:
        interval = 1.0 / self.config.pace if self.config.pace > 0 else 0.25
        while True:
            await asyncio.sleep(interval)
            self._step_markets()
            for session in list(self.sessions.values()):
                self._publish_to(session)
                await asyncio.sleep(0)  # one client's many lines never hold up another's replies

    def _step_markets(self) -> None:
        for con_id in self.market.walked:  # options follow their underlying
            try:
                if self.market_paused:  # algos and GTD still run on a frozen market
                    self.exchange.rematch_with_options(con_id)
                else:
                    self.exchange.step(con_id)
            except Exception:  # a bug in one market must not stop the others
                log.exception("the market of conId %s failed to move", con_id)

    def publish_quotes(self) -> None:
        """Send every market data subscriber the ticks that changed since its last update."""
        for session in list(self.sessions.values()):
            self._publish_to(session)

    def _publish_to(self, session: Session) -> None:
        epoch = int(self.config.clock())
        try:
            self._publish_tick_by_tick(session, epoch)
            for req_id, con_id in list(session.subs.market_data.items()):
                quote = self.market.quote(con_id)
                key = (id(session), req_id)
                current = quote_key(quote)
                previous = self._last_quotes.get(key)
                if previous == current:
                    continue
                self._last_quotes[key] = current
                for message in quote_ticks(
                    req_id, quote, session.subs.market_data_type, epoch, previous
                ):
                    session.send(message)
                for message in option_ticks(req_id, self.market.greeks(con_id)):
                    session.send(message)
        except Exception:
            log.exception("quotes to client %s failed", session.client_id)

    def _publish_tick_by_tick(self, session: Session, epoch: int) -> None:
        for req_id, (con_id, tick_type) in list(session.subs.tick_by_tick.items()):
            quote = self.market.quote(con_id)
            key = (id(session), -req_id)  # its own slot beside the market data lines (reqIds > 0)
            current = quote_key(quote)
            if self._last_quotes.get(key) == current:
                continue
            self._last_quotes[key] = current
            inst = self.universe.by_con_id[con_id]
            session.send(out.tick_by_tick(req_id, tick_type, quote, epoch, inst))

    def forget_quotes(self, session: Session, req_id: int) -> None:
        self._last_quotes.pop((id(session), req_id), None)

    async def _account_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                push_periodic(self)
            except Exception:
                log.exception("the account updates failed")

    # ---- controls: market ------------------------------------------------------------------
    def instrument_id(self, symbol: str) -> int:
        """By symbol or local symbol; an OCC symbol's spaces may be left out (a console word)."""
        symbol = symbol.upper().replace(" ", "")
        for inst in self.universe.instruments:
            local = inst.contract.localSymbol.upper().replace(" ", "")
            if symbol in (local, inst.contract.symbol.upper()):
                return inst.contract.conId
        raise KeyError(f"unknown symbol {symbol}")

    def set_quote(
        self,
        symbol: str,
        bid: float,
        ask: float,
        last: float | None = None,
        size: float | None = None,
    ) -> None:
        """Move a market by hand; resting orders and subscribers react at once."""
        con_id = self.instrument_id(symbol)
        self.market.set_quote(con_id, bid, ask, last, size)
        self.exchange.rematch_with_options(con_id)
        self.publish_quotes()

    def pause_market(self, paused: bool = True) -> None:
        self.market_paused = paused

    def auction(self, which: str) -> None:
        self.exchange.auction(which)

    def set_session(self, session: str) -> None:
        """'regular', 'extended' (outsideRth orders only) or 'closed'."""
        self.exchange.session = session
        for con_id in self.market.instruments:
            self.exchange.rematch(con_id)

    def add_manual_order(
        self,
        symbol: str,
        action: str,
        quantity: float,
        order_type: str = "LMT",
        limit: float | None = None,
        stop: float | None = None,
        tif: str = "DAY",
    ) -> SimOrder | None:
        """An order placed by hand in TWS: client 0 can bind it, the master client sees it."""
        contract = SimContract(conId=self.instrument_id(symbol))
        request = OrderRequest(
            action=action.upper(),
            totalQuantity=quantity,
            orderType=order_type.upper(),
            lmtPrice=limit,
            auxPrice=stop,
            tif=tif.upper(),
        )
        return self.exchange.add_manual_order(contract, request)

    def _seed_manual_order(self) -> None:
        con_id = self.universe.instruments[len(self.exchange.by_perm) % 3].contract.conId
        quote = self.market.quote(con_id)
        inst = self.universe.by_con_id[con_id]
        limit = round(quote.bid - 20 * inst.minTick, 2)
        self.add_manual_order(inst.contract.localSymbol, "BUY", 100, "LMT", limit=limit)

    # ---- controls: faults ------------------------------------------------------------------
    def fault(self, name: str, *args: object) -> str:
        """Apply a fault of the registry (`faults.FAULTS`) by name: `sim.fault("restart", 5)`;
        arguments as Python values or console words. Says what it did."""
        return faults.apply(self, name, *args)

    def restart(self, seconds: float) -> None:
        """A gateway restart in the background: `refuse_connections` without waiting for it."""
        task = asyncio.get_running_loop().create_task(self.refuse_connections(seconds))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def drop_connections(self) -> None:
        """Every connection, those still in their handshake too."""
        for session in list(self._tasks):
            session.writer.transport.abort()
            session.close()

    async def refuse_connections(self, seconds: float) -> None:
        """A gateway restart: drop everyone and refuse connections; orders live on at 'IB'.
        Restarts that overlap make one longer refusal (the port is listened on once again)."""
        loop = asyncio.get_running_loop()
        self._refused_until = max(self._refused_until, loop.time() + seconds)
        await self._close_listener()
        while not self._stopped and loop.time() < self._refused_until:
            await asyncio.sleep(self._refused_until - loop.time())
        async with self._reopening:
            if not self._stopped and self._server is None:  # stopped meanwhile: stay closed
                await self._listen()

    def send_connectivity(self, code: int) -> None:
        for session in list(self.sessions.values()):
            session.error(-1, code, CONNECTIVITY_TEXT[code])
