"""`BlotterApp`: wires IB events -> state -> widgets, and keys -> actions -> adapter -> IB."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import ib_async
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Footer

from ..config import Settings, default_journal_path
from ..ib.account_feed import AccountFeed
from ..ib.adapter import AdapterError, IBAdapter
from ..ib.lookup import Found, LookupFailed, find_contract
from ..journal.startup import open_journal
from ..sim.simulator import SimConfig, Simulator
from ..state.blotter import BlotterState, Change, ChangeKind
from ..state.limits import Limits, breaches
from ..state.portfolio import PortfolioState
from ..state.prices import format_price, format_quantity, nudge
from ..state.records import LogKind, LogLine, OrderKey, OrderRow
from ..state.ticket import OrderSpec, Ticket, to_order_spec, validate
from .account_strip import AccountStrip
from .confirm_screen import ConfirmScreen
from .connection_bar import ConnectionBar
from .execution_log import ExecutionLog
from .guard import guarded, report_bug
from .help_screen import HelpScreen
from .modify_screen import ModifyOrderScreen
from .order_confirm_screen import OrderConfirmScreen
from .order_ticket import OrderTicket, Quote
from .orders_table import OpenOrdersTable
from .portfolio_view import PortfolioView
from .positions_table import PositionsTable
from .styles import stylesheet


class BlotterApp(PortfolioView, App[None]):
    """The blotter: a ticket, the live orders, the execution log, and one-key actions."""

    TITLE = "ib-blotter"
    CSS_PATH = stylesheet()
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("n", "new_order", "New"),
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
        # Only a connecting app keeps a journal: demos and snapshots show the state they get.
        journal_path = settings.journal_file or default_journal_path()
        self.journal = open_journal(journal_path, self.state) if connect else None
        self.adapter = IBAdapter(self.state, ib, client_id=settings.client_id,
                                 readonly=settings.readonly, account=settings.account,
                                 simulated=settings.sim, journal=self.journal)
        self.portfolio = PortfolioState()
        self.account_feed = AccountFeed(self.adapter.ib, self.portfolio)
        self.simulator: Simulator | None = None
        self.found: Found | None = None  # the ticket's resolved contract
        self._ticker: ib_async.Ticker | None = None
        self._sending = False  # a confirmation is open: a second enter must not send twice
        self.limits = Limits(settings.max_order_size, settings.max_order_value,
                             settings.max_deviation_percent, settings.max_deviation_ticks)
        self.handled_errors: list[BaseException] = []  # bugs survived, for tests to check

    # ---- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ConnectionBar(readonly=self.settings.readonly, id="connection")
        yield AccountStrip(id="account-strip")
        yield OrderTicket(accounts=(), id="ticket")
        yield OpenOrdersTable(id="orders")
        with Horizontal(id="bottom"):
            yield ExecutionLog(id="log")
            yield PositionsTable(id="positions")
        yield Footer()

    @property
    def ticket(self) -> OrderTicket:
        return self.query_one(OrderTicket)

    @property
    def orders(self) -> OpenOrdersTable:
        return self.query_one(OpenOrdersTable)

    @property
    def exec_log(self) -> ExecutionLog:
        return self.query_one(ExecutionLog)

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
            self._stay_connected()

    @work(exclusive=True, group="connection")
    async def _stay_connected(self) -> None:
        host, port = self.settings.host, self.settings.port
        if self.settings.sim:
            self.simulator = Simulator(SimConfig(port=0, seed=self.settings.sim_seed,
                                                 pace=self.settings.sim_pace))
            host, port = "127.0.0.1", await self.simulator.start()
        await self.adapter.stay_connected(host, port, self.settings.connect_timeout,
                                          self.settings.retry_every)

    async def on_unmount(self) -> None:
        self._unsubscribe()  # the widgets are going; events still arriving must not reach them
        self._unsubscribe_portfolio()
        self._stop_quote()
        self.adapter.disconnect()
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

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width >= self.WIDE, "-wide")

    # ---- the ticket ----------------------------------------------------------------------
    @on(OrderTicket.SymbolEntered)
    @guarded
    def _symbol_entered(self, event: OrderTicket.SymbolEntered) -> None:
        self.found = None  # the old contract must not be traded while the new one is looked up
        self._look_up(event.text)

    @work(exclusive=True, group="lookup")
    @guarded
    async def _look_up(self, text: str) -> None:
        self._stop_quote()
        self.found = None
        try:
            found = await find_contract(self.adapter, text)
        except (LookupFailed, AdapterError) as exc:
            self.ticket.show_contract(None, str(exc))
            return
        self.use_contract(text, found)

    def use_contract(self, text: str, found: Found) -> None:
        """The ticket now trades this contract (looked up for `text`)."""
        self.found = found
        self.ticket.show_contract(found.spec, found.description, text)
        self._start_quote(found.contract)

    def _start_quote(self, contract: ib_async.Contract) -> None:
        if not self.adapter.ib.isConnected():
            return
        try:
            # The adapter re-subscribes after 1101 and reconnects, with a new ticker.
            self._ticker = self.adapter.subscribe_quote(contract, self._quote_updated)
        except AdapterError as exc:
            self.state.log(LogKind.WARNING, f"No quote for {contract.symbol}: {exc}")

    def _stop_quote(self) -> None:
        if self._ticker is not None:
            self.adapter.unsubscribe_quote(self._ticker.contract)
            self._ticker = None

    @guarded
    def _quote_updated(self, ticker: ib_async.Ticker) -> None:
        self._ticker = ticker
        self.ticket.show_quote(Quote(_price(ticker.bid), _price(ticker.ask), _price(ticker.last)))

    @on(OrderTicket.Submitted)
    @guarded
    def _ticket_submitted(self, event: OrderTicket.Submitted) -> None:
        if self._sending:
            return
        found = self.found
        ticket = event.ticket
        if found is None or ticket.symbol != self.ticket.resolved_text:
            self.ticket.show_errors({"symbol": _not_looked_up(ticket.symbol, self.ticket)})
            return
        errors = validate(ticket, found.spec, accounts=self.ticket.accounts)
        self.ticket.show_errors(errors)
        if errors:
            return
        spec = to_order_spec(ticket, found.spec, accounts=self.ticket.accounts)
        self._confirm_and_place(found, ticket, spec)

    def _confirm_and_place(self, found: Found, ticket: Ticket, spec: OrderSpec) -> None:
        self._sending = True
        broken = breaches(spec, found.spec, self._last_price(), self.limits)
        online = self.adapter.ib.isConnected() and not self.settings.readonly
        note = "asking IB..." if online else "not available (not connected or read-only)"
        screen = OrderConfirmScreen(order_summary(found, spec), broken, note)

        def answered(yes: bool | None) -> None:
            self._sending = False
            if yes:
                self._guard(lambda: self._place(found, spec), "Order not sent")

        self.push_screen(screen, answered)
        if online:
            self._preview(screen, found, spec)

    @work(group="what-if")
    async def _preview(self, screen: OrderConfirmScreen, found: Found, spec: OrderSpec) -> None:
        try:
            preview = await self.adapter.what_if(found.contract, spec)
        except AdapterError as exc:
            if screen.is_attached:
                screen.show_preview(None, str(exc))
            return
        if screen.is_attached:
            screen.show_preview(preview)

    def _last_price(self) -> float | None:
        ticker = self._ticker
        if ticker is None:
            return None
        return _price(ticker.last) or _price(ticker.midpoint())

    def _place(self, found: Found, spec: OrderSpec) -> None:
        self.adapter.place(found.contract, spec)
        self.ticket.clear_prices()
        self.orders.focus()

    # ---- keys on the orders table --------------------------------------------------------
    def _selected(self) -> OrderRow | None:
        row = self.orders.selected
        if row is None:
            self.notify("No order selected", severity="warning")
        return row

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
    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all

    @guarded
    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    @guarded
    def action_reconnect(self) -> None:
        if not self.adapter.retry_now():
            state = self.state.connection.state.value
            self.notify(f"Nothing to retry: {state}", severity="information")

    @guarded
    def action_modify(self) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return

        def answered(spec: OrderSpec | None) -> None:
            if spec is not None:
                self._guard(lambda: self.adapter.modify(
                    row.key, quantity=spec.quantity, limit=spec.limit, aux=spec.aux,
                    tif=spec.tif, trailing_percent=spec.trailing_percent,
                    good_till=spec.good_till if spec.tif == "GTD" else None), "Modify not sent")

        self.push_screen(ModifyOrderScreen(row), answered)

    @guarded
    def action_cancel(self) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return
        body = Text(f"{row.side} {format_quantity(row.quantity)} {row.symbol} {row.order_type} "
                    f"{format_price(row.limit, row.min_tick)}  (order {row.order_id})")

        def answered(yes: bool | None) -> None:
            if yes:
                self._guard(lambda: self.adapter.cancel(row.key), "Cancel not sent")

        self.push_screen(ConfirmScreen("Cancel this order?", body, yes="y: cancel it",
                                       danger=True), answered)

    @guarded
    def action_cancel_all(self) -> None:
        count = len([r for r in self.state.working_orders() if not r.is_ended])
        first = ConfirmScreen("Cancel ALL orders?",
                              Text(f"A global cancel: every open order of every client and of "
                                   f"TWS itself ({count} shown here)."), yes="y: go on",
                              danger=True)
        second = ConfirmScreen("Really cancel everything?",
                               Text("This cannot be undone."), yes="y: cancel all", danger=True)

        def confirmed_twice(yes: bool | None) -> None:
            if yes:
                self._guard(self.adapter.cancel_all, "Global cancel not sent")

        def confirmed_once(yes: bool | None) -> None:
            if yes:
                self.push_screen(second, confirmed_twice)

        self.push_screen(first, confirmed_once)

    @guarded
    def action_nudge(self, ticks: int) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return
        tick = row.min_tick
        if not tick:
            self.notify("Tick size of this contract is not known yet", severity="warning")
            return
        if row.limit is not None:
            new_limit = nudge(row.limit, ticks, tick)
            self._guard(lambda: self.adapter.modify(row.key, limit=new_limit), "Nudge not sent")
        elif row.aux is not None and row.order_type in ("STP", "STP LMT"):
            new_stop = nudge(row.aux, ticks, tick)
            self._guard(lambda: self.adapter.modify(row.key, aux=new_stop), "Nudge not sent")
        else:
            self.notify(f"A {row.order_type} order has no price to nudge", severity="warning")

    def _may_change(self, row: OrderRow) -> bool:
        if row.is_ended:
            self.notify(f"Order {row.order_id} has ended ({row.status})", severity="warning")
            return False
        if not row.ours:
            self.notify(f"Order {row.order_id} belongs to client {row.client_id}: only that "
                        "client can change it", severity="warning")
            return False
        if not self.adapter.ib.isConnected():
            self.notify("Not connected: orders can't be changed until the connection is back "
                        "(r reconnects now)", severity="warning")
            return False
        return True

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


def _not_looked_up(symbol: str, ticket: OrderTicket) -> str:
    if symbol and symbol == ticket.resolved_text:
        return f"Still looking up {symbol}..."
    return f"Look up {symbol or 'a symbol'} first: type it and press enter"


def _price(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or value <= 0 else value


def order_summary(found: Found, spec: OrderSpec) -> Text:
    """The confirmation's body: side, size, symbol, type, price, TIF and estimated notional."""
    symbol, tick = found.spec.symbol, found.spec.min_tick
    price = spec.limit if spec.limit is not None else spec.aux
    text = Text()
    text.append(f"{spec.side} ", style="bold green3" if spec.side == "BUY" else "bold red1")
    text.append(f"{format_quantity(spec.quantity)} {symbol} {spec.order_type}", style="bold")
    if spec.limit is not None:
        text.append(f" limit {format_price(spec.limit, tick)}")
    if spec.aux is not None:
        text.append(f" {'trail' if spec.order_type == 'TRAIL' else 'stop'} "
                    f"{format_price(spec.aux, tick)}")
    if spec.trailing_percent is not None:
        text.append(f" trail {spec.trailing_percent:g}%")
    text.append(f"  {spec.tif}")
    if spec.outside_rth:
        text.append("  outside RTH")
    if price is not None:
        notional = spec.quantity * price * (found.spec.multiplier or 1)
        text.append(f"\nEstimated notional: {notional:,.2f} {found.spec.currency or 'USD'}")
    if spec.account:
        text.append(f"\nAccount: {spec.account}")
    text.append(f"\n{found.description}", style="dim")
    return text
