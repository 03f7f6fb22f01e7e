"""Order entry: the ticket's symbol lookup and live quote, checks, confirmation and sending.

A mixin of BlotterApp: ticket messages -> lookup/what-if/place through the adapter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from ..ib.errors import AdapterError
from ..state.limits import breaches
from ..state.order_extras import ALGO_PARAM_NAMES
from ..state.prices import format_money, format_price, format_quantity
from ..state.records import LogKind, Quote
from ..state.ticket import OrderSpec, Ticket, to_order_spec, validate
from .guard import guarded
from .order_ticket import OrderTicket
from .quick_entry_bar import QuickEntryBar

if TYPE_CHECKING:
    import ib_async

    from ..ib.lookup import Found
    from .app import BlotterApp
    from .order_confirm_screen import OrderConfirmScreen


class OrderEntry:
    """From typed ticket to placed order; nothing is sent before the trader says yes."""

    # Named handlers, not @on: Textual collects @on only from its own classes, not mixins.
    @guarded
    def on_order_ticket_symbol_entered(self: BlotterApp,
                                       event: OrderTicket.SymbolEntered) -> None:
        self.found = None  # the old contract must not be traded while the new one is looked up
        self._look_up(event.text)

    @work(exclusive=True, group="lookup")
    @guarded
    async def _look_up(self: BlotterApp, text: str) -> None:
        self._stop_quote()
        self.found = None
        from ..ib.lookup import LookupFailed, find_contract  # loaded with ib_async, after start-up

        try:
            found = await find_contract(self.adapter, text)
        except (LookupFailed, AdapterError) as exc:
            self._pending_quick = None
            self.ticket.show_contract(None, str(exc))
            return
        self.use_contract(text, found)

    def use_contract(self: BlotterApp, text: str, found: Found) -> None:
        """The ticket now trades this contract (looked up for `text`)."""
        self.found = found
        self.ticket.show_contract(found.spec, found.description, text)
        self._start_quote(found.contract)
        self._show_ticket_position()
        pending, self._pending_quick = self._pending_quick, None
        if pending is not None and pending.symbol == text:
            self.submit_ticket(pending)

    def _start_quote(self: BlotterApp, contract: ib_async.Contract) -> None:
        if not self.ib_connected:
            return
        try:
            # The adapter re-subscribes after 1101 and reconnects.
            self.adapter.subscribe_quote(contract, self._quote_updated)
            self._quote_contract = contract
        except AdapterError as exc:
            self.state.log(LogKind.WARNING, f"No quote for {contract.symbol}: {exc}")

    def _stop_quote(self: BlotterApp) -> None:
        if self._quote_contract is not None:
            self.adapter.unsubscribe_quote(self._quote_contract)
            self._quote_contract = self._quote = None

    @guarded
    def _quote_updated(self: BlotterApp, quote: Quote) -> None:
        self._quote = quote
        self.ticket.show_quote(quote)

    @guarded
    def on_order_ticket_submitted(self: BlotterApp, event: OrderTicket.Submitted) -> None:
        self.submit_ticket(event.ticket)

    @guarded
    def on_quick_entry_bar_entered(self: BlotterApp, event: QuickEntryBar.Entered) -> None:
        """A quick-entry line: shown in the form, then checked and confirmed like one."""
        ticket = event.ticket
        if not ticket.account:
            ticket = replace(ticket, account=self.ticket.ticket().account)
        self.ticket.load(ticket)
        if self.found is not None and self.ticket.resolved_text == ticket.symbol:
            self.submit_ticket(ticket)
            return
        self._pending_quick = ticket
        self.ticket.look_up(ticket.symbol)

    @guarded
    def on_quick_entry_bar_closed(self: BlotterApp) -> None:
        self.orders.focus()

    def submit_ticket(self: BlotterApp, ticket: Ticket) -> None:
        """The one way an order goes out: checked, confirmed, then placed."""
        if self._sending:
            return
        found = self.found
        if found is None or ticket.symbol != self.ticket.resolved_text:
            self.ticket.show_errors({"symbol": _not_looked_up(ticket.symbol, self.ticket)})
            return
        errors = validate(ticket, found.spec, accounts=self.ticket.accounts)
        self.ticket.show_errors(errors)
        if errors:
            return
        spec = to_order_spec(ticket, found.spec, accounts=self.ticket.accounts)
        self._confirm_and_place(found, ticket, spec)

    def _confirm_and_place(self: BlotterApp, found: Found, ticket: Ticket, spec: OrderSpec) -> None:
        from .order_confirm_screen import OrderConfirmScreen  # loaded when first used (start-up)

        self._sending = True
        broken = breaches(spec, found.spec, self._last_price(), self.limits)
        online = self.ib_connected and not self.settings.readonly
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
    async def _preview(self: BlotterApp, screen: OrderConfirmScreen, found: Found,
                       spec: OrderSpec) -> None:
        try:
            preview = await self.adapter.what_if(found.contract, spec)
        except AdapterError as exc:
            if screen.is_attached:
                screen.show_preview(None, str(exc))
            return
        if screen.is_attached:
            screen.show_preview(preview)

    def _last_price(self: BlotterApp) -> float | None:
        return self._quote.mark if self._quote is not None else None

    def _place(self: BlotterApp, found: Found, spec: OrderSpec) -> None:
        self.adapter.place(found.contract, spec)
        self.ticket.clear_prices()
        self.orders.focus()

    # ---- keys on the orders table --------------------------------------------------------


def _not_looked_up(symbol: str, ticket: OrderTicket) -> str:
    if symbol and symbol == ticket.resolved_text:
        return f"Still looking up {symbol}..."
    return f"Look up {symbol or 'a symbol'} first: type it and press enter"


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
    text.append_text(_extras(spec, tick))
    if price is not None:
        notional = spec.quantity * price * (found.spec.multiplier or 1)
        text.append(f"\nEstimated notional: {format_money(notional)} "
                    f"{found.spec.currency or 'USD'}")
    if spec.account:
        text.append(f"\nAccount: {spec.account}")
    text.append(f"\n{found.description}", style="dim")
    return text


def _extras(spec: OrderSpec, tick: float) -> Text:
    """The bracket, OCA group and algo, when the order has them."""
    text = Text()
    if spec.is_bracket:
        exits = [f"take-profit {format_price(spec.take_profit, tick)}"
                 if spec.take_profit is not None else "",
                 f"stop-loss {format_price(spec.stop_loss, tick)}"
                 if spec.stop_loss is not None else ""]
        text.append("\nBracket: " + ", ".join(e for e in exits if e), style="bold")
    if spec.oca_group:
        text.append(f"\nOCA group {spec.oca_group}: a fill cancels the rest of the group")
    if spec.algo:
        params = ", ".join(f"{ALGO_PARAM_NAMES.get(tag, tag)} {value}"
                           for tag, value in spec.algo_params)
        text.append(f"\nAlgo: {spec.algo}" + (f" ({params})" if params else ""))
    return text
