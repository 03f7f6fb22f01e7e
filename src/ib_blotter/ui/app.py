"""`BlotterApp`: the session (settings, state, journal, the IB adapter, the embedded simulator)
and the keyboard's order. What the trader sees and does is `BlotterScreen`'s."""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from ..config import LIMITS, Settings, default_journal_path
from ..ib.errors import NotConnectedError
from ..state import gate
from ..state.blotter import BlotterState
from ..state.gate import Approval, Decision, Request, Situation
from ..state.limits import Limits
from ..state.portfolio import PortfolioState
from ..state.records import ConnectionState, LogKind
from ..state.spreads import SpreadDraft
from .blotter_screen import BlotterScreen
from .chain_screen import ChainScreen
from .guard import guarded, report_bug
from .key_order import KeyOrder
from .styles import stylesheet

if TYPE_CHECKING:  # ib_async and the simulator load after the first frame (start-up time)
    import ib_async

    from ..ib.account_feed import AccountFeed
    from ..ib.adapter import IBAdapter
    from ..ib.exchange_rates import ExchangeRates
    from ..journal import Journal
    from ..sim.simulator import Simulator


# While ib_async loads in its thread, the loop waits for the GIL at every turn (Python's 5 ms
# switch interval): a key's many turns took 800 ms at a restart's first paint.
IMPORT_SWITCH = 0.0005  # seconds


class BlotterApp(App[None]):
    """The blotter: a ticket, the live orders, the execution log, and one-key actions."""

    TITLE = "ib-blotter"
    CSS_PATH = stylesheet()
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Quit")]
    blotter: BlotterScreen  # the main screen, made by get_default_screen

    def __init__(self, settings: Settings, *, state: BlotterState | None = None,
                 ib: ib_async.IB | None = None, connect: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock  # the wall clock: the embedded simulator's, and what "today" is
        self.connect_on_start = connect  # False: show `state` as given (snapshots, demos)
        self.state = state or BlotterState(linger=settings.linger)
        self.portfolio = PortfolioState()
        self.state.base_of = self.portfolio.base_currency
        self.limits = Limits(**{name: getattr(settings, name) for name in LIMITS})
        self.journal: Journal | None = None  # a connecting app's, opened in start_ib
        self._ib = ib
        self._adapter: IBAdapter | None = None  # made after the first frame, see start_ib
        self.account_feed: AccountFeed | None = None
        self.exchange_rates: ExchangeRates | None = None  # for a currency not held yet
        self.simulator: Simulator | None = None
        self.keys = KeyOrder(self, self._keep_focus,  # type: ignore[arg-type]
                             hold_feed=self._hold_ib)
        self.approvals: list[Approval] = []  # every request the trader approved and we sent
        self.answered: list[tuple[Decision, str | None]] = []  # each confirmation's answer
        self.handled_errors: list[BaseException] = []  # bugs survived, for tests to check

    def today(self) -> date:
        """Today by the app's clock (the chain's days to expiry, the spread ticket's dates)."""
        return date.fromtimestamp(self.clock())

    def get_default_screen(self) -> Screen[None]:
        self.blotter = BlotterScreen(id="_default")
        return self.blotter

    @guarded
    async def on_event(self, event: events.Event) -> None:
        if self.keys.hold(event):  # applied in order, once the keys before it took effect
            return
        await super().on_event(event)

    def _hold_ib(self) -> Callable[[], None]:
        """IB's socket waits while a key is applied (IBAdapter.hold_reading)."""
        if self._adapter is None:
            return lambda: None
        return self._adapter.hold_reading()

    def _keep_focus(self) -> None:
        """After every key something has focus: the screen's own choice, else its first."""
        screen = self.screen
        if screen.focused is None or not screen.focused.is_attached:
            screen.set_focus(None)
            if isinstance(screen, BlotterScreen):
                screen.orders.focus()
            else:
                screen.focus_next()

    # ---- IB ------------------------------------------------------------------------------
    @property
    def adapter(self) -> IBAdapter:
        if self._adapter is None:
            raise NotConnectedError("Starting up: not connected to IB yet")
        return self._adapter

    @property
    def ib_connected(self) -> bool:
        return self._adapter is not None and self._adapter.ib.isConnected()

    def retry_now(self) -> bool:
        """The trader's "reconnect now"; False when there is nothing to retry."""
        return self._adapter is not None and self._adapter.retry_now()

    def decide(self, request: Request) -> Decision:
        """The gate's word on a request, with what the adapter knows (before it exists, with
        what the state says: a demo's state, or not connected)."""
        if self._adapter is not None:
            return self._adapter.decide(request)
        connected = self.state.connection.state is ConnectionState.CONNECTED
        account = request.order.account if request.order is not None else ""
        return gate.decide(request, Situation(connected=connected,
                                              readonly=self.settings.readonly,
                                              limits=self.limits,
                                              rates=self.portfolio.rates(account)))

    def start_ib(self) -> None:
        self._start_ib()

    @work(exclusive=True, group="start")
    async def _start_ib(self) -> None:
        """Load ib_async in a thread, then open the journal and make the adapter, once the
        screen is up: a trader sees the blotter at once, and keys are answered while ib_async
        and numpy load (~0.25 s that held the first keys on the loop). Only a connecting app
        keeps a journal: demos and snapshots show the state they get."""
        switching = sys.getswitchinterval()
        sys.setswitchinterval(IMPORT_SWITCH)  # the loop takes the GIL back within 0.5 ms
        try:
            await asyncio.to_thread(_load_ib, asyncio.get_running_loop(), self.settings.sim)
        finally:
            sys.setswitchinterval(switching)
        from ..ib.account_feed import AccountFeed
        from ..ib.adapter import IBAdapter
        from ..ib.exchange_rates import ExchangeRates
        from ..ib.position_greeks import PositionGreeks
        from ..journal.startup import open_journal, today_restored

        settings = self.settings
        # Today's fills come back into the log from the journal before IB is asked anything.
        journal_path = settings.journal_file or default_journal_path(settings.sim)
        self.journal = open_journal(journal_path, self.state, read_only=settings.readonly)
        self._adapter = IBAdapter(
            self.state, self._ib, client_id=settings.client_id, readonly=settings.readonly,
            account=settings.account, simulated=settings.sim, journal=self.journal,
            limits=self.limits, history=today_restored)
        self._adapter.on_simulator = self._to_paper_journal
        self.account_feed = AccountFeed(self._adapter.ib, self.portfolio)
        self.exchange_rates = ExchangeRates(self._adapter.ib, self._adapter.quotes,
                                            self.portfolio)
        PositionGreeks(self._adapter, self.portfolio)  # held by the IB events it listens to
        self._adapter.rates_of = self.portfolio.rates
        self._stay_connected()

    def _to_paper_journal(self) -> None:
        """The other end said, at the handshake, that it is ib-blotter-sim: its fills are
        paper fills and go to the paper journal, never the live one (unless --journal named
        one). Before anything of the session is recorded."""
        from ..journal.startup import open_journal

        paper = default_journal_path(simulated=True)
        if self.settings.journal_file is not None or self._adapter is None or (
                self.journal is not None and self.journal.path == paper):
            return
        if self.journal is not None:
            self.journal.close()
        self.state.forget_fills()
        self.state.log(LogKind.WARNING, f"The other end is ib-blotter-sim, a paper exchange: "
                       f"its fills go to {paper}, not the live journal")
        self.journal = open_journal(paper, self.state, read_only=self.settings.readonly)
        self._adapter.use_journal(self.journal)

    @work(exclusive=True, group="connection")
    async def _stay_connected(self) -> None:
        host, port = self.settings.host, self.settings.port
        if self.settings.sim:
            from ..sim.simulator import SimConfig, Simulator

            self.simulator = Simulator(SimConfig(port=0, seed=self.settings.sim_seed,
                                                 pace=self.settings.sim_pace,
                                                 clock=self.clock))
            host, port = "127.0.0.1", await self.simulator.start()
        await self.adapter.stay_connected(host, port, self.settings.connect_timeout,
                                          self.settings.retry_every)

    async def on_unmount(self) -> None:
        if self._adapter is not None:
            self.blotter.ticket_desk.stop_quote()
            self._adapter.disconnect()
        if self.simulator is not None:
            await self.simulator.stop()
        if self.journal is not None:
            self.journal.close()

    @on(ChainScreen.LegsPicked)
    @guarded
    def _legs_picked(self, event: ChainScreen.LegsPicked) -> None:
        """Legs picked on the chain open the spread ticket, in the chain's place."""
        if isinstance(self.screen, ChainScreen):
            self.pop_screen()
        self.blotter.open_spread(SpreadDraft(event.legs))

    def report(self, text: str, exc: BaseException) -> None:
        report_bug(self, text, exc)


def _load_ib(loop: asyncio.AbstractEventLoop, simulated: bool) -> None:
    """Import what connecting needs (run in a thread: the loop stays free for keys).
    eventkit, under ib_async, takes the thread's event loop as its own when imported: the
    app's loop is made this thread's for the import (never run here)."""
    asyncio.set_event_loop(loop)
    try:
        for name in ("ib_blotter.ib.adapter", "ib_blotter.ib.account_feed",
                     "ib_blotter.ib.lookup", "ib_blotter.ib.position_greeks",
                     "ib_blotter.ib.chains", "ib_blotter.journal.startup",
                     *(("ib_blotter.sim.simulator",) if simulated else ())):
            importlib.import_module(name)
    finally:
        asyncio.set_event_loop(None)
