"""`TicketDesk`: the ticket's contract and live quote, and a new order from typed to confirmed.

Typed in the form or on the quick-entry line, an order takes one path: looked up, checked
field by field (`ticket.validate`), judged by the gate, confirmed, sent. A problem puts the
focus, and the cursor, on what to fix: the ticket's field, or the word on the quick-entry line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text

from ..ib.errors import AdapterError
from ..state import ib_messages
from ..state.brackets import exits
from ..state.gate import Action, Request
from ..state.money import Rates, notional, price_unit
from ..state.order_extras import ALGO_PARAM_NAMES
from ..state.order_types import order_type
from ..state.prices import Tick, format_money, format_price, format_size
from ..state.records import ContractSpec, LogKind, LogLine, OrderSpec, Quote
from ..state.ticket import Ticket, to_order_spec, validate
from .guard import guarded

NO_SUCH_CONTRACT = "No such contract: {} (IB has no stock, future or FX pair by that name)"
PROBE_ANSWER = ib_messages.describe(200, "")  # "200 No such contract", to any of its probes

if TYPE_CHECKING:
    import ib_async

    from ..ib.lookup import Found
    from .app import BlotterApp
    from .blotter_screen import BlotterScreen
    from .order_confirm_screen import OrderConfirmScreen


class TicketDesk:
    """Nothing is sent before the trader answers the confirmation with its send key."""

    def __init__(self, screen: BlotterScreen) -> None:
        self.screen = screen
        self.found: Found | None = None  # the ticket's resolved contract
        self._quote_contract: ib_async.Contract | None = None
        self._quote: Quote | None = None
        self._quote_handle: Callable[[ib_async.Ticker], None] | None = None  # ours on its line
        # an order entered (quick entry's, or the form's by its enter) waiting for its lookup
        self._waiting: tuple[Ticket, bool] | None = None
        self._confirming = False  # a confirmation is open: a second enter must not open two
        self._looking_up = ""  # the symbol being looked up, while IB answers its probes
        self._failed: tuple[str, str] = ("", "")  # the symbol whose lookup failed, and why
        self.looked_up: set[str] = set()  # what lookups found, as typed: symbols to complete

    @property
    def app(self) -> BlotterApp:
        return self.screen.blotter_app

    # ---- the contract --------------------------------------------------------------------
    def symbol_entered(self, text: str) -> None:
        self.found = None  # the old contract must not be traded while the new one is looked up
        self.app.run_worker(self._look_up(text), exclusive=True, group="lookup")

    @guarded
    async def _look_up(self, text: str) -> None:
        self.stop_quote()
        from ..ib.lookup import LookupFailed, find_contract  # loaded with ib_async, after start

        self._looking_up = text
        try:
            found = await find_contract(self.app.adapter, text)
        except (LookupFailed, AdapterError) as exc:
            self._lookup_failed(text, exc)
            return
        finally:
            if self._looking_up == text:  # a newer lookup, started meanwhile, keeps its own
                self._looking_up = ""
        self._failed = ("", "")
        self.use_contract(text, found)

    def _lookup_failed(self, text: str, exc: Exception) -> None:
        """Said once, in the log and on the ticket's line (and on quick entry's word)."""
        from ..ib.lookup import LookupFailed

        reason = NO_SUCH_CONTRACT.format(text) if isinstance(exc, LookupFailed) else str(exc)
        if isinstance(exc, LookupFailed):
            self.app.state.log(LogKind.ERROR, reason)
        self._failed = (text, reason)
        self.screen.ticket.show_contract(None, reason)
        waiting = self._waiting
        if waiting is not None and waiting[0].symbol == text:
            self._waiting = None
            if waiting[1]:
                self.screen.quick.show_problem("symbol", reason)
            else:
                self.screen.ticket.focus_field("symbol")

    def is_lookup_noise(self, line: LogLine) -> bool:
        """IB's "no such contract" to a lookup's probes (ES as a stock before ES as a future)
        is the lookup's business: it says what it found, once."""
        return bool(self._looking_up) and line.kind is LogKind.ERROR and \
            line.text.startswith(PROBE_ANSWER)

    def use_contract(self, text: str, found: Found) -> None:
        """The ticket now trades this contract (looked up for `text`)."""
        self.found = found
        self.looked_up.update((text, found.spec.symbol))
        form = self.screen.ticket
        form.base_currency = self.app.portfolio.rates(form.ticket().account).base
        if self.app.exchange_rates is not None:  # valued at the market's rate until IB's comes
            self.app.exchange_rates.want(found.contract.currency, form.base_currency)
        form.show_contract(found.spec, found.description, text)
        self._start_quote(found.contract)
        self.screen.portfolio_view.show_ticket_position()
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting[0].symbol == text:
            entered, quick = waiting  # the form's as it reads now: typed on meanwhile
            self.submit(entered if quick else form.ticket(), quick=quick)

    def _start_quote(self, contract: ib_async.Contract) -> None:
        if not self.app.ib_connected:
            return
        try:  # the adapter re-subscribes after 1101 and reconnects
            self._quote_handle = self.app.adapter.subscribe_quote(contract, self.quote_updated)
            self._quote_contract = contract
        except AdapterError as exc:
            self.app.state.log(LogKind.WARNING, f"No quote for {contract.symbol}: {exc}")

    def stop_quote(self) -> None:
        if self._quote_contract is not None:
            self.app.adapter.unsubscribe_quote(self._quote_contract, self._quote_handle)
            self._quote_contract = self._quote = self._quote_handle = None

    def quote_updated(self, quote: Quote) -> None:
        self._quote = quote
        self.screen.ticket.show_quote(quote)

    # ---- a new order ---------------------------------------------------------------------
    def quick_entered(self, ticket: Ticket) -> None:
        """A quick-entry line: shown in the form, then checked and confirmed like one."""
        if not ticket.account:
            ticket = replace(ticket, account=self.screen.ticket.ticket().account)
        self.screen.ticket.load(ticket)
        if self.found is not None and self.screen.ticket.resolved_text == ticket.symbol:
            self.submit(ticket, quick=True)
            return
        self._waiting = (ticket, True)
        self.screen.ticket.look_up(ticket.symbol)

    def submit(self, ticket: Ticket, *, quick: bool = False) -> None:
        """Checked field by field, then judged by the gate and confirmed."""
        if self._confirming:
            return
        found = self.found
        form = self.screen.ticket
        if found is None and self._looking_up_for(ticket.symbol):
            self._waiting = (ticket, quick)  # entered before IB answered: sent for a look
            return
        if found is None or ticket.symbol != form.resolved_text:
            problem = _not_looked_up(ticket.symbol, form.resolved_text, self._failed)
            form.show_errors({"symbol": problem})
            self._problems({"symbol": problem}, quick)
            return
        errors = validate(ticket, found.spec, accounts=form.accounts)
        form.show_errors(errors)
        if errors:
            self._problems(errors, quick)
            return
        spec = to_order_spec(ticket, found.spec, accounts=form.accounts)
        self._confirming = True
        self.app.run_worker(self._judge(found, spec, quick), group="judge")

    def _looking_up_for(self, symbol: str) -> bool:
        """The ticket's symbol is being looked up (entered, not yet found or failed)."""
        form = self.screen.ticket
        return bool(symbol) and symbol == form.resolved_text and self._failed[0] != symbol

    async def _judge(self, found: Found, spec: OrderSpec, quick: bool) -> None:
        """The gate's word once the market is known (a quick entry right after its lookup
        waits up to a second for the first quote, so the deviation limit has a price)."""
        screen = None
        try:
            quote = self._quote
            if self.app.ib_connected:
                quote = await self.app.adapter.market(found.contract) or quote
            decision = self.app.decide(Request(Action.PLACE, spec, found.spec))
            if not decision.allowed:
                named = {name: text for name, text in decision.problems if name}
                if not named:  # read-only, not connected: not about a field
                    self.screen.sender.refused(decision.refusal, "Order not sent")
                self.screen.ticket.show_errors(named or {"symbol": decision.refusal})
                self._problems(named or {"": decision.refusal}, quick)
                return
            online = self.app.ib_connected and not self.app.settings.readonly
            screen = self.screen.sender.confirm(
                decision, order_summary(found, spec, quote, decision_rates(self.app, spec)),
                title="Send this order?",
                contract=found.contract,
                preview_note="asking IB..." if online else "not available (not connected)",
                sent=lambda: self._sent(quick), back=lambda: self._back(quick))
            if screen is not None and online:
                self.app.run_worker(self.preview(screen, found, spec), group="what-if")
        except Exception as exc:
            self.app.report(f"Order not sent: {exc}", exc)
        finally:
            self._confirming = screen is not None  # until it is answered

    async def preview(self, screen: OrderConfirmScreen, found: Found, spec: OrderSpec) -> None:
        """IB's what-if of the order (a spread's too), onto its confirmation."""
        try:
            preview = await self.app.adapter.what_if(found.contract, spec)
        except AdapterError as exc:
            if screen.is_attached:
                screen.show_preview(None, str(exc))
            return
        if screen.is_attached:
            screen.show_preview(preview)

    def _sent(self, quick: bool) -> None:
        self._confirming = False
        self.screen.ticket.clear_prices()
        if quick:
            self.screen.quick.close()
        self.screen.orders.focus()

    def _back(self, quick: bool) -> None:
        self._confirming = False
        if quick:
            self.screen.quick.focus_line()

    def _problems(self, errors: dict[str, str], quick: bool) -> None:
        """Focus on what to fix: the word on the quick-entry line, or the ticket's field."""
        name, text = next(iter(errors.items()))
        if quick:
            self.screen.quick.show_problem(name, text)
        else:
            self.screen.ticket.focus_field(name)


def _not_looked_up(symbol: str, resolved: str, failed: tuple[str, str]) -> str:
    if symbol and symbol == failed[0]:
        return failed[1]
    if symbol and symbol == resolved:
        return f"Still looking up {symbol}..."
    return f"Look up {symbol or 'a symbol'} first: type it and press enter"


def decision_rates(app: BlotterApp, spec: OrderSpec) -> Rates:
    """The rates the gate judged the order by: its account's."""
    return app.portfolio.rates(spec.account)


def order_summary(found: Found, spec: OrderSpec, quote: Quote | None = None,
                  rates: Rates | None = None) -> Text:
    """The confirmation's body: side, size, symbol, type, prices, TIF, a bracket's exits and
    the estimated notional (a market order's from the quote), in the contract's currency and
    about what it is in the account's."""
    symbol, tick = found.spec.symbol, found.spec.grid
    kind = order_type(spec.order_type)
    text = Text()
    text.append(f"{spec.side} ", style="bold green3" if spec.side == "BUY" else "bold red1")
    text.append(f"{format_size(spec.quantity)} {symbol} {spec.order_type}", style="bold")
    terms = kind.terms(spec, tick)
    text.append(f" {terms}" if terms else "")
    text.append(f"  {spec.tif}")
    if spec.outside_rth:
        text.append("  outside RTH")
    text.append_text(_extras(spec, tick))
    text.append_text(_notional(found.spec, spec, kind.working_price(kind.prices(spec)), quote,
                               rates or Rates()))
    if spec.account:
        text.append(f"\nAccount: {spec.account}")
    text.append(f"\n{found.description}", style="dim")
    return text


def _notional(contract: ContractSpec, spec: OrderSpec, price: float | None,
              quote: Quote | None, rates: Rates) -> Text:
    """Size x price x multiplier: at the order's price, else where the market would fill it."""
    notes = []
    if price is None and quote is not None:
        side, price = ("ask", quote.ask) if spec.side == "BUY" else ("bid", quote.bid)
        if price is None:
            side, price = "mark", quote.mark
        if price:
            notes.append(f"at the {side} {format_price(price, contract.grid)}")
    if price is None:
        return Text()
    value = notional(spec, contract, price)
    currency = contract.currency or rates.base
    in_base = rates.to_base(value, currency)
    if currency != rates.base and in_base is not None:
        notes.insert(0, f"about {format_money(in_base, places=0)} {rates.base}")
    if unit := price_unit(contract):
        notes.insert(0, f"its prices are in {unit}")
    said = f" ({'; '.join(notes)})" if notes else ""
    return Text(f"\nEstimated notional: {format_money(value)} {currency}{said}")


def _extras(spec: OrderSpec, tick: Tick) -> Text:
    """The bracket's exits, OCA group and algo, when the order has them."""
    text = Text()
    legs = exits(spec)
    if legs:
        text.append("\nBracket exits, working once it fills:", style="bold")
        for leg in legs:
            text.append(f"\n  {leg.name:<11} {leg.side} {format_size(leg.quantity)} "
                        f"{leg.order_type} {format_price(leg.price, tick)} {leg.tif}")
        if legs[0].tif != spec.tif:
            text.append(f"\n  the exits are {legs[0].tif}, not {spec.tif}: they keep working "
                        "after today's close", style="yellow")
    if spec.oca_group:
        text.append(f"\nOCA group {spec.oca_group}: a fill cancels the rest of the group")
    if spec.algo:
        params = ", ".join(f"{ALGO_PARAM_NAMES.get(tag, tag)} {value}"
                           for tag, value in spec.algo_params)
        text.append(f"\nAlgo: {spec.algo}" + (f" ({params})" if params else ""))
    return text
