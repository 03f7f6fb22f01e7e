"""`BlotterApp`: wires IB events -> state -> widgets, and keys -> actions -> adapter -> IB."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from .. import gc_policy
from ..config import Settings, default_journal_path
from ..ib.errors import AdapterError, NotConnectedError
from ..state.blotter import BlotterState, Change, ChangeKind
from ..state.limits import Limits
from ..state.portfolio import PortfolioState
from ..state.records import ConnectionState, LogKind, LogLine, OrderKey, OrderRow, Quote
from ..state.ticket import Ticket
from .account_strip import AccountStrip
from .connection_bar import ConnectionBar
from .execution_log import ExecutionLog
from .guard import guarded, report_bug
from .order_entry import OrderEntry
from .order_keys import OrderKeys
from .order_ticket import OrderTicket
from .orders_table import OpenOrdersTable
from .portfolio_view import PortfolioView
from .positions_table import PositionsTable
from .quick_entry_bar import QuickEntryBar
from .styles import stylesheet

if TYPE_CHECKING:  # ib_async and the simulator load after the first frame (start-up time)
    import ib_async

    from ..ib.account_feed import AccountFeed
    from ..ib.adapter import IBAdapter
    from ..ib.lookup import Found
    from ..journal import Journal
    from ..sim.simulator import Simulator


class BlotterApp(OrderEntry, OrderKeys, PortfolioView, App[None]):
    """The blotter: a ticket, the live orders, the execution log, and one-key actions."""

    TITLE = "ib-blotter"
    CSS_PATH = stylesheet()
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("n", "new_order", "New"),
        Binding("colon,slash", "quick_entry", "Quick", key_display=":"),
        Binding("m", "modify", "Modify"),
        Binding("c", "cancel", "Cancel"),
        Binding("C", "cancel_all", "Cancel all", key_display="C"),
        Binding("plus,equals_sign", "nudge(1)", "+tick", key_display="+"),
        Binding("minus", "nudge(-1)", "-tick", key_display="-"),
        Binding("a", "toggle_all", "All"),
        Binding("p", "toggle_positions", "Positions"),
        Binding("f", "next_account", "Account"),
        Binding("o", "focus_orders", "Orders", show=False),
        Binding("l", "focus_log", "Log", show=False),
        Binding("escape", "focus_orders", "Leave", show=False),
        Binding("r", "reconnect", "Reconnect now", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    show_all: reactive[bool] = reactive(False, init=False)
    """Show ended orders too, not only working ones."""
    show_positions: reactive[bool] = reactive(False, init=False)
    """The bottom pane shows positions instead of the log (both show on wide screens)."""
    account_filter: reactive[str | None] = reactive(None, init=False)
    """Show only this account's orders and positions; None shows every account."""
    WIDE = 140  # columns from which the log and the positions sit side by side

    def __init__(self, settings: Settings, *, state: BlotterState | None = None,
                 ib: ib_async.IB | None = None, connect: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.connect_on_start = connect  # False: show `state` as given (snapshots, demos)
        self.state = state or BlotterState(linger=settings.linger)
        self.journal: Journal | None = None  # a connecting app's, opened in _start_ib
        self.portfolio = PortfolioState()
        self._ib = ib
        self._adapter: IBAdapter | None = None  # made after the first frame, see _start_ib
        self.account_feed: AccountFeed | None = None
        self.simulator: Simulator | None = None
        self.found: Found | None = None  # the ticket's resolved contract
        self._quote_contract: ib_async.Contract | None = None  # the ticket's live quote
        self._quote: Quote | None = None
        self._pending_quick: Ticket | None = None  # a quick-entry order waiting for its lookup
        self._sending = False  # a confirmation is open: a second enter must not send twice
        self.limits = Limits(settings.max_order_size, settings.max_order_value,
                             settings.max_deviation_percent, settings.max_deviation_ticks)
        self.handled_errors: list[BaseException] = []  # bugs survived, for tests to check

    # ---- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ConnectionBar(readonly=self.settings.readonly, id="connection")
        yield AccountStrip(id="account-strip")
        yield OrderTicket(accounts=(), id="ticket")
        yield QuickEntryBar(self._quick_words, id="quick")
        yield OpenOrdersTable(id="orders")
        with Horizontal(id="bottom"):
            yield ExecutionLog(id="log")
            yield PositionsTable(id="positions")
        yield Footer()

    # Looked up once: these are touched on every IB event, and a query walks the DOM.
    @cached_property
    def ticket(self) -> OrderTicket:
        return self.query_one(OrderTicket)

    @cached_property
    def orders(self) -> OpenOrdersTable:
        return self.query_one(OpenOrdersTable)

    @cached_property
    def exec_log(self) -> ExecutionLog:
        return self.query_one(ExecutionLog)

    def get_default_screen(self) -> Screen:
        # Focus starts on the orders: auto-focusing the ticket's first field and then moving
        # away would restyle the whole ticket twice before the first frame (:focus-within).
        screen = Screen(id="_default")
        screen.AUTO_FOCUS = "#orders"
        return screen

    def on_mount(self) -> None:
        self.query_one("#orders").border_title = "Working orders"
        self.query_one("#log").border_title = "Executions and messages"
        self.query_one("#positions").border_title = "Positions"
        self._unsubscribe = self.state.subscribe(self._state_changed)
        self._unsubscribe_portfolio = self.portfolio.subscribe(self._portfolio_changed)
        self.positions_table.replace_all(self.portfolio.positions())
        self._show_account()
        self._connection_changed()
        self.set_interval(0.5, self._expire_ended)
        self._reload_orders()
        for line in self.state.log_lines():
            self.exec_log.add(line)
        self.orders.focus()
        if self.connect_on_start:
            self.call_after_refresh(self._start_ib)
        self.call_after_refresh(gc_policy.first_frame_out)

    @property
    def adapter(self) -> IBAdapter:
        if self._adapter is None:
            raise NotConnectedError("Starting up: not connected to IB yet")
        return self._adapter

    @property
    def ib_connected(self) -> bool:
        return self._adapter is not None and self._adapter.ib.isConnected()

    def _start_ib(self) -> None:
        """Open the journal, load ib_async and make the adapter once the screen is up: a trader
        sees the blotter at once instead of waiting for imports (ib_async and numpy: ~0.2 s).
        Only a connecting app keeps a journal: demos and snapshots show the state they get."""
        from ..ib.account_feed import AccountFeed
        from ..ib.adapter import IBAdapter
        from ..journal.startup import open_journal

        settings = self.settings
        # Today's fills come back into the log from the journal before IB is asked anything.
        journal_path = settings.journal_file or default_journal_path(settings.sim)
        self.journal = open_journal(journal_path, self.state)
        self._adapter = IBAdapter(
            self.state, self._ib, client_id=settings.client_id, readonly=settings.readonly,
            account=settings.account, simulated=settings.sim, journal=self.journal)
        self.account_feed = AccountFeed(self._adapter.ib, self.portfolio)
        self._stay_connected()

    @work(exclusive=True, group="connection")
    async def _stay_connected(self) -> None:
        host, port = self.settings.host, self.settings.port
        if self.settings.sim:
            from ..sim.simulator import SimConfig, Simulator

            self.simulator = Simulator(SimConfig(port=0, seed=self.settings.sim_seed,
                                                 pace=self.settings.sim_pace))
            host, port = "127.0.0.1", await self.simulator.start()
        await self.adapter.stay_connected(host, port, self.settings.connect_timeout,
                                          self.settings.retry_every)

    async def on_unmount(self) -> None:
        self._unsubscribe()  # the widgets are going; events still arriving must not reach them
        self._unsubscribe_portfolio()
        if self._adapter is not None:
            self._stop_quote()
            self._adapter.disconnect()
        if self.simulator is not None:
            await self.simulator.stop()
        if self.journal is not None:
            self.journal.close()

    # ---- IB events -> state -> widgets ---------------------------------------------------
    def _state_changed(self, change: Change) -> None:
        try:
            if change.kind is ChangeKind.ORDER and isinstance(change.key, OrderKey):
                self._order_changed(change.key)
            elif change.kind is ChangeKind.LOG and isinstance(change.key, LogLine):
                self.exec_log.add(change.key)
            elif change.kind is ChangeKind.CONNECTION:
                self._connection_changed()
        except Exception as exc:  # a widget failing must not take the feed down
            self._report(f"Display update failed: {exc}", exc)

    def _order_changed(self, key: OrderKey) -> None:
        row = self.state.order(key)
        visible = row is not None and self._order_visible(row)
        if visible and row is not None:
            self.orders.upsert(row)
        else:
            self.orders.remove(key)

    def _order_visible(self, row: OrderRow) -> bool:
        if self.account_filter is not None and row.account != self.account_filter:
            return False
        return self.show_all or self.state.is_working(row.key)

    def _reload_orders(self) -> None:
        rows = self.state.all_orders() if self.show_all else self.state.working_orders()
        self.orders.replace_all(r for r in rows if self._order_visible(r))

    def _connection_changed(self) -> None:
        info = self.state.connection
        self.query_one(ConnectionBar).show(info)
        if info.accounts and info.accounts != self.ticket.accounts:
            self.ticket.set_accounts(info.accounts, self.settings.account)
        self._show_account()
        if info.state is ConnectionState.CONNECTED:
            gc_policy.synced()

    @guarded
    def _expire_ended(self) -> None:
        for key in self.state.expire_ended(time.monotonic()):
            if not self.show_all:
                self.orders.remove(key)

    @guarded
    def watch_show_all(self, show_all: bool) -> None:
        self._reload_orders()
        self.orders.border_title = "All orders" if show_all else "Working orders"

    @guarded
    def watch_account_filter(self, account: str | None) -> None:
        self._refilter()

    @guarded
    def watch_show_positions(self, show: bool) -> None:
        self.query_one("#bottom").set_class(show, "-positions")

    @guarded
    def on_resize(self) -> None:
        self.screen.set_class(self.size.width >= self.WIDE, "-wide")

    # ---- the ticket ----------------------------------------------------------------------
    @guarded
    def action_new_order(self) -> None:
        self.ticket.query_one("#symbol").focus()

    @guarded
    def action_focus_orders(self) -> None:
        self.orders.focus()

    @guarded
    def action_focus_log(self) -> None:
        self.exec_log.focus()

    @guarded
    def action_quick_entry(self) -> None:
        self.query_one(QuickEntryBar).open()

    def _quick_words(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Symbols and accounts quick entry may complete: what this session has seen."""
        symbols = {row.symbol for row in self.state.all_orders()}
        symbols.update(p.symbol for p in self.portfolio.positions())
        if self.found is not None:
            symbols.add(self.found.spec.symbol)
        return tuple(sorted(symbols)), self.state.connection.accounts

    @guarded
    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all

    @guarded
    def action_help(self) -> None:
        from .help_screen import HelpScreen  # a dialog: loaded when first opened (start-up time)

        self.push_screen(HelpScreen())

    @guarded
    def action_reconnect(self) -> None:
        if self._adapter is None or not self._adapter.retry_now():
            state = self.state.connection.state.value
            self.notify(f"Nothing to retry: {state}", severity="information")

    # ---- errors --------------------------------------------------------------------------
    def _guard(self, action: Callable[[], Any], failure: str) -> None:
        """Run a request; a refusal or a bug becomes a message, never a crash."""
        try:
            action()
        except AdapterError as exc:
            self.notify(str(exc), title=failure, severity="warning")
            self.state.log(LogKind.WARNING, f"{failure}: {exc}")
        except Exception as exc:
            self._report(f"{failure}: {exc}", exc)

    def _report(self, text: str, exc: BaseException) -> None:
        report_bug(self, text, exc)

