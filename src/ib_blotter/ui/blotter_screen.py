"""`BlotterScreen`: what the trader sees, and what it does with what its widgets tell it.

Data flows one way: IB events -> state -> widgets (the state's changes, row by row); keys ->
widgets -> messages -> this screen (`@on`) -> the gate -> a confirmation -> the adapter. The
keys live on the widgets that own them (the orders table binds the order keys); the screen
binds only what works from anywhere.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Sparkline

from .. import gc_policy
from ..state.blotter import Change, ChangeKind
from ..state.chain import chain_underlying
from ..state.option_symbols import OptionWanted, describe_option
from ..state.records import ConnectionState, LogLine, OrderKey, OrderRow
from ..state.spreads import SpreadDraft, SpreadTicket
from .account_strip import AccountStrip
from .blotter_footer import BlotterFooter
from .connection_bar import ConnectionBar
from .execution_log import ExecutionLog
from .guard import guarded
from .order_actions import OrderActions
from .order_ticket import OrderTicket
from .orders_table import OpenOrdersTable
from .portfolio_view import PortfolioView
from .positions_table import PositionsTable
from .quick_entry_bar import QuickEntryBar
from .sending import Sender
from .spread_desk import SpreadDesk
from .ticket_desk import TicketDesk

if TYPE_CHECKING:
    from .app import BlotterApp

# Layouts by width, on the widgets they change: from 120 columns the ticket's quote sparkline,
# from 140 the log and the positions side by side, from 160 the day's PnL sparkline.
WIDTHS = ((120, "#ticket-spark", "-room"), (140, "#bottom", "-wide"), (160, "#pnl-spark", "-room"))


class BlotterScreen(Screen[None]):
    """The ticket, the quick-entry line, the working orders, the log and the positions."""

    AUTO_FOCUS = "#orders"  # not the ticket: restyling it on focus would cost the first frame
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?",
                tooltip="This help: every key, and quick entry's words"),
        Binding("f1", "help", "Help", priority=True,  # from a text field too, where ? is text
                tooltip="This help: every key, and quick entry's words"),
        Binding("n", "new_order", "New", tooltip="New order: focus the ticket's symbol"),
        Binding("colon,slash", "quick_entry", "Quick", key_display=":",
                tooltip="Quick entry: the whole order on one line, e.g. b 100 aapl 187.5 gtc "
                        "(right arrow takes the completion)"),
        Binding("p", "toggle_positions", "Positions",
                tooltip="Positions instead of the log (from 140 columns both show)"),
        Binding("f", "next_account", "Account",
                tooltip="Show one account's orders, positions and figures (cycles)"),
        Binding("h", "chain", "Chain",
                tooltip="Option chain of the ticket's symbol (else the selected order's or "
                        "position's underlying)"),
        Binding("o", "focus_orders", "Orders", tooltip="Jump to the orders table"),
        Binding("l", "focus_log", "Log", tooltip="Jump to the execution log"),
        Binding("escape", "leave", "Leave",  # in the footer only in the ticket
                tooltip="Leave the ticket or the quick-entry line without sending"),
        Binding("r", "reconnect", "Reconnect",  # in the footer only while the link is down
                tooltip="Reconnect now, while the connection is down"),
    ]
    # Each watcher redraws what it changes: a repainting reactive on the screen redraws all.
    show_all: reactive[bool] = reactive(False, init=False, repaint=False)
    """Show ended orders too, not only working ones."""
    show_positions: reactive[bool] = reactive(False, init=False, repaint=False)
    """The bottom pane shows positions instead of the log (both show on wide screens)."""
    account_filter: reactive[str | None] = reactive(None, init=False, repaint=False)
    """Show only this account's orders and positions; None shows every account."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.sender = Sender(self.blotter_app)
        self.ticket_desk = TicketDesk(self)
        self.spread_desk = SpreadDesk(self)
        self.order_actions = OrderActions(self)
        self.portfolio_view = PortfolioView(self)
        self._listening: list[object] = []
        self._last_chain = ""  # the underlying whose chain was shown last

    @property
    def blotter_app(self) -> BlotterApp:
        return cast("BlotterApp", self.app)

    def compose(self) -> ComposeResult:
        readonly = self.blotter_app.settings.readonly
        yield ConnectionBar(readonly=readonly, id="connection")
        with Horizontal(id="account-row"):
            yield AccountStrip(id="account-strip")
            yield Sparkline([], id="pnl-spark")  # the day's PnL, from 160 columns
        yield OrderTicket(accounts=(), readonly=readonly, symbols=self._symbols, id="ticket")
        yield QuickEntryBar(self._quick_words, lambda: self.spread_desk.today(), id="quick")
        yield OpenOrdersTable(readonly=readonly, id="orders")
        with Horizontal(id="bottom"):
            yield ExecutionLog(id="log")
            yield PositionsTable(id="positions")
        yield BlotterFooter(readonly=readonly)

    # Looked up once: these are touched on every IB event, and a query walks the DOM.
    @cached_property
    def ticket(self) -> OrderTicket:
        return self.query_one(OrderTicket)

    @cached_property
    def quick(self) -> QuickEntryBar:
        return self.query_one(QuickEntryBar)

    @cached_property
    def orders(self) -> OpenOrdersTable:
        return self.query_one(OpenOrdersTable)

    @cached_property
    def exec_log(self) -> ExecutionLog:
        return self.query_one(ExecutionLog)

    @cached_property
    def positions_table(self) -> PositionsTable:
        return self.query_one(PositionsTable)

    def on_mount(self) -> None:
        app = self.blotter_app
        self.spread_desk.today = app.today  # one clock for what "today" is
        self.orders.border_title = "Working orders"
        self.exec_log.set_title("Executions and messages")
        self.positions_table.border_title = "Positions"
        self._listening = [app.state.subscribe(self._state_changed),
                           app.portfolio.subscribe(self.portfolio_view.changed)]
        self.portfolio_view.refilter()
        self._connection_changed()
        self._journal_behind()
        self.set_interval(0.5, self._expire_ended)
        self._reload_orders()
        for line in app.state.log_lines():
            self.exec_log.add(line)
        if app.connect_on_start:
            self.call_after_refresh(app.start_ib)
        self.call_after_refresh(gc_policy.first_frame_out)

    def on_unmount(self) -> None:
        self.stop_listening()  # the widgets are going; events must not reach them

    def stop_listening(self) -> None:
        for unsubscribe in self._listening:
            unsubscribe()  # type: ignore[operator]
        self._listening = []

    # ---- IB events -> state -> widgets ---------------------------------------------------
    def _state_changed(self, change: Change) -> None:
        if not self.is_attached:  # shutting down: the widgets are gone
            return
        try:
            if change.kind is ChangeKind.ORDER and isinstance(change.key, OrderKey):
                self._order_changed(change.key)
            elif change.kind is ChangeKind.LOG and isinstance(change.key, LogLine):
                if not self.ticket_desk.is_lookup_noise(change.key):
                    self.exec_log.add(change.key)
            elif change.kind is ChangeKind.LOG_COMPLETED and isinstance(change.key, LogLine):
                self.exec_log.complete(change.key)
            elif change.kind is ChangeKind.CONNECTION:
                self._connection_changed()
            elif change.kind is ChangeKind.JOURNAL:
                self._journal_behind()
        except Exception as exc:  # a widget failing must not take the feed down
            self.blotter_app.report(f"Display update failed: {exc}", exc)

    def _order_changed(self, key: OrderKey) -> None:
        row = self.blotter_app.state.order(key)
        if row is not None and self._order_visible(row):
            self.orders.upsert(row)
        else:
            self.orders.remove_row(key)

    def _order_visible(self, row: OrderRow) -> bool:
        if self.account_filter is not None and row.account != self.account_filter:
            return False
        return self.show_all or self.blotter_app.state.is_working(row.key)

    def _reload_orders(self) -> None:
        state = self.blotter_app.state
        # working_orders() is the working view already: only the account is left to filter
        rows = state.all_orders() if self.show_all else state.working_orders()
        account = self.account_filter  # read once: a reactive costs ~1 us a read
        self.orders.replace_all(rows if account is None else
                                (r for r in rows if r.account == account))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reconnect":  # shown (and bound) while there is something to retry
            return self.blotter_app.state.connection.state is not ConnectionState.CONNECTED
        if action == "leave":
            return self.focused is not None and self.ticket in self.focused.ancestors_with_self
        return True

    def _journal_behind(self) -> None:
        for bar in self.query(ConnectionBar):  # none while closing: the journal lands its last
            bar.journal_behind(self.blotter_app.state.journal_lag)

    def _connection_changed(self) -> None:
        app = self.blotter_app
        info = app.state.connection
        self.query_one(ConnectionBar).describe(info)
        self.refresh_bindings()
        if info.accounts and info.accounts != self.ticket.accounts:
            self.ticket.set_accounts(info.accounts, app.settings.account)
        self.portfolio_view.show_account()
        if info.state is ConnectionState.CONNECTED:
            gc_policy.synced()

    @guarded
    def _expire_ended(self) -> None:
        for key in self.blotter_app.state.expire_ended():
            if not self.show_all:
                self.orders.remove_row(key)

    @guarded
    def watch_show_all(self, show_all: bool) -> None:
        self._reload_orders()
        self.orders.border_title = "All orders" if show_all else "Working orders"

    @guarded
    def watch_account_filter(self, account: str | None) -> None:
        self.portfolio_view.refilter()
        self._reload_orders()
        if account is not None:  # what is shown is what the ticket trades
            self.ticket.choose_account(account)
            self.portfolio_view.show_ticket_position()

    @guarded
    def watch_show_positions(self, show: bool) -> None:
        self.query_one("#bottom").set_class(show, "-positions")

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        self._lay_out(event.size.width)

    @guarded
    def on_screen_resume(self) -> None:
        self._lay_out(self.app.size.width)  # resized while a dialog was on top

    def _lay_out(self, width: int) -> None:
        """Classes for the width of now (Textual's breakpoints skip a screen under a dialog),
        each on the widget it changes: a class on the screen restyles every widget (~50 ms)."""
        for columns, where, name in WIDTHS:
            self.query_one(where).set_class(width >= columns, name)

    # ---- what the widgets tell -----------------------------------------------------------
    @on(OrderTicket.SymbolEntered)
    @guarded
    def _symbol_entered(self, event: OrderTicket.SymbolEntered) -> None:
        self.ticket_desk.symbol_entered(event.text)

    @on(OrderTicket.Submitted)
    @guarded
    def _ticket_submitted(self, event: OrderTicket.Submitted) -> None:
        self.ticket_desk.submit(event.ticket)

    @on(QuickEntryBar.Entered)
    @guarded
    def _quick_entered(self, event: QuickEntryBar.Entered) -> None:
        if isinstance(event.ticket, SpreadTicket):
            self.spread_desk.quick_entered(event.ticket)
        else:
            self.ticket_desk.quick_entered(event.ticket)

    def open_spread(self, draft: SpreadDraft) -> None:
        """The spread ticket with these legs (what the chain screen's picked legs open)."""
        self.spread_desk.open(draft)

    @on(QuickEntryBar.Closed)
    @guarded
    def _quick_closed(self) -> None:
        self.ticket.clear_order()  # the line's numbers, loaded into the ticket, go with it
        self.orders.focus()

    @on(OpenOrdersTable.ModifyRequested)
    @guarded
    def _modify(self, event: OpenOrdersTable.ModifyRequested) -> None:
        self.order_actions.modify(event.row)

    @on(OpenOrdersTable.NudgeRequested)
    @guarded
    def _nudge(self, event: OpenOrdersTable.NudgeRequested) -> None:
        self.order_actions.nudge(event.row, event.ticks, event.key)

    @on(OpenOrdersTable.CancelRequested)
    @guarded
    def _cancel(self, event: OpenOrdersTable.CancelRequested) -> None:
        self.order_actions.cancel(event.row)

    @on(OpenOrdersTable.CancelAllRequested)
    @guarded
    def _cancel_all(self) -> None:
        self.order_actions.cancel_all()

    @on(OpenOrdersTable.ShowAllToggled)
    @guarded
    def _toggle_all(self) -> None:
        self.show_all = not self.show_all

    # ---- keys that work from anywhere ----------------------------------------------------
    @guarded
    def action_new_order(self) -> None:
        self.ticket.focus_field("symbol")

    @guarded
    def action_quick_entry(self) -> None:
        self.quick.open()

    @guarded
    def action_focus_orders(self) -> None:
        self.orders.focus()

    @guarded
    def action_leave(self) -> None:
        """Out of the ticket without sending: its numbers go, so none is sent later by
        mistake (the contract, side and type stay)."""
        self.ticket.clear_order()
        self.orders.focus()

    @guarded
    def action_focus_log(self) -> None:
        self.exec_log.focus()

    @guarded
    def action_toggle_positions(self) -> None:
        self.show_positions = not self.show_positions

    @guarded
    def action_next_account(self) -> None:
        accounts = list(self.blotter_app.state.connection.accounts)
        if not accounts:
            self.notify("No accounts yet", severity="warning")
            return
        choices: list[str | None] = [None, *accounts]
        self.account_filter = choices[(choices.index(self.account_filter) + 1) % len(choices)]
        self.notify(f"Showing {self.account_filter or 'all accounts'}")

    @guarded
    def action_help(self) -> None:
        from .help_screen import HelpScreen  # a dialog: loaded when first opened (start-up)

        self.app.push_screen(HelpScreen())

    @guarded
    def action_chain(self) -> None:
        from .chain_screen import ChainScreen  # a screen of its own: loaded when first opened

        found = self.ticket_desk.found
        selected = self.positions_table if self.focused is self.positions_table else self.orders
        row = selected.selected
        underlying = chain_underlying(found.spec.symbol if found is not None else "",
                                      row.symbol if row is not None else "", self._last_chain)
        if underlying is None:
            self.notify("No symbol for a chain: look one up in the ticket (n), or select an "
                        "order or a position", severity="warning")
            return
        if not self.blotter_app.ib_connected:
            self.notify(f"Not connected: no chain for {underlying}", severity="warning")
            return
        self._last_chain = underlying
        self.app.push_screen(ChainScreen(underlying, self.blotter_app.today()),
                             callback=self._option_picked)

    def _option_picked(self, option: OptionWanted | None) -> None:
        """The chain's pick goes into the ticket as if typed, the quantity next to fill."""
        if option is None:
            return
        self.ticket.look_up(describe_option(option))
        self.ticket.focus_field("quantity")

    @guarded
    def action_reconnect(self) -> None:
        app = self.blotter_app
        if not app.retry_now():
            state = app.state.connection.state.value
            self.notify(f"Nothing to retry: {state}", severity="information")

    def _quick_words(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Symbols and accounts quick entry may complete: what this session has seen."""
        return self._symbols(), self.blotter_app.state.connection.accounts

    def _symbols(self) -> tuple[str, ...]:
        """Symbols to complete, in the ticket and on the quick-entry line: those of the
        orders, the positions and the lookups of this session."""
        app = self.blotter_app
        symbols = {row.symbol for row in app.state.all_orders()}
        symbols.update(p.symbol for p in app.portfolio.positions())
        symbols.update(self.ticket_desk.looked_up)
        return tuple(sorted(symbols))
