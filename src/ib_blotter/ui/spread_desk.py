"""`SpreadDesk`: a spread from typed (the spread ticket or quick entry) to confirmed: its legs
looked up as options, the combo judged by the gate and shown in the usual confirmation with
its legs, its net price in words and its notional with the multiplier.

Nothing is sent before the trader answers the confirmation with its send key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text

from ..ib.errors import AdapterError
from ..state.gate import Action, Request
from ..state.money import notional
from ..state.prices import format_money, format_price, format_size
from ..state.records import LogKind, OrderSpec
from ..state.spreads import (
    SpreadDraft,
    SpreadTicket,
    leg_side,
    net_words,
    spread_order,
    validate_spread,
)
from .guard import guarded
from .spread_ticket import SpreadTicketScreen

if TYPE_CHECKING:
    from ..ib.lookup import Found
    from .app import BlotterApp
    from .blotter_screen import BlotterScreen


class SpreadDesk:
    def __init__(self, screen: BlotterScreen) -> None:
        self.screen = screen
        # What month-day expiries count from, here and on the quick-entry line (tests fix it).
        self.today: Callable[[], date] = date.today
        self.form: SpreadTicketScreen | None = None  # the spread ticket, while it is open
        self._judging = False  # a spread is being looked up or confirmed: one at a time

    @property
    def app(self) -> BlotterApp:
        return self.screen.blotter_app

    def open(self, draft: SpreadDraft, ticket: SpreadTicket | None = None) -> None:
        """The spread ticket with these legs (the chain's, or quick entry's)."""
        form = SpreadTicketScreen(draft, self.today(), self._from_form, ticket)
        self.form = form

        def closed(_result: None) -> None:
            if self.form is form:
                self.form = None

        self.app.push_screen(form, closed)

    def quick_entered(self, ticket: SpreadTicket) -> None:
        """A spread on the quick-entry line: confirmed at once, or, with no price, opened in
        the spread ticket for its net price."""
        if ticket.order_type == "LMT" and not ticket.limit:
            self.screen.quick.close()
            self.open(ticket.draft, ticket)
            return
        self._submit(ticket, quick=True)

    def _from_form(self, ticket: SpreadTicket) -> None:
        self._submit(ticket, quick=False)

    def _submit(self, ticket: SpreadTicket, *, quick: bool) -> None:
        if self._judging:
            return
        if not ticket.account:
            ticket = replace(ticket, account=self.screen.ticket.ticket().account)
        self._judging = True
        self.app.run_worker(self._judge(ticket, quick), group="judge")

    @guarded
    async def _judge(self, ticket: SpreadTicket, quick: bool) -> None:
        asked = False
        try:
            asked = await self._look_up_and_confirm(ticket, quick)
        finally:
            self._judging = asked  # until the confirmation is answered

    async def _look_up_and_confirm(self, ticket: SpreadTicket, quick: bool) -> bool:
        from ..ib.combos import find_spread  # loaded with ib_async, after start
        from ..ib.lookup import LookupFailed

        try:
            found = await find_spread(self.app.adapter, ticket.draft)
        except (LookupFailed, AdapterError) as exc:
            self.app.state.log(LogKind.ERROR, f"Spread not looked up: {exc}")
            self._problems({"legs": str(exc)}, quick)
            return False
        errors = validate_spread(ticket, found.spec)
        if errors:
            self._problems(errors, quick)
            return False
        spec = spread_order(ticket, found.spec)
        await self.app.adapter.market(found.contract)  # the legs' quotes, for the gate
        decision = self.app.decide(Request(Action.PLACE, spec, found.spec))
        if not decision.allowed:
            named = {name: text for name, text in decision.problems if name}
            if not named:
                self.screen.sender.refused(decision.refusal, "Spread not sent")
            self._problems(named or {"legs": decision.refusal}, quick)
            return False
        online = self.app.ib_connected and not self.app.settings.readonly
        screen = self.screen.sender.confirm(
            decision, spread_summary(found, spec), title="Send this spread?",
            contract=found.contract,
            preview_note="asking IB..." if online else "not available (not connected)",
            sent=lambda: self._sent(quick), back=self._back)
        if screen is not None and online:
            self.app.run_worker(self.screen.ticket_desk.preview(screen, found, spec),
                                group="what-if")
        return screen is not None

    def _sent(self, quick: bool) -> None:
        self._judging = False
        if self.form is not None:
            self.form.dismiss(None)
        if quick:
            self.screen.quick.close()
        self.screen.orders.focus()

    def _back(self) -> None:
        self._judging = False

    def _problems(self, errors: dict[str, str], quick: bool) -> None:
        """Next to what to fix: the word on the quick-entry line, or the ticket's field."""
        if quick:
            name, text = next(iter(errors.items()))
            self.screen.quick.show_problem(name, text)
        elif self.form is not None:
            self.form.show_errors(errors)


def spread_summary(found: Found, spec: OrderSpec) -> Text:
    """The confirmation's body: the spread, its net price in words, each leg as it trades,
    the notional (quantity x net x multiplier), the account."""
    combo = found.spec
    tick = combo.grid
    text = Text()
    text.append(f"{spec.side} ", style="bold green3" if spec.side == "BUY" else "bold red1")
    price = f" {format_price(spec.limit, tick)} net" if spec.limit is not None else ""
    text.append(f"{format_size(spec.quantity)} {combo.symbol} {spec.order_type}{price}",
                style="bold")
    text.append(f"  {spec.tif}")
    text.append(f"\n{net_words(spec.side, spec.limit, tick).capitalize()} per spread")
    for leg in combo.legs:
        action = leg_side(leg.action, spec.side)
        text.append(f"\n  {action:<4} {format_size(spec.quantity * leg.ratio)} {leg.symbol}",
                    style="green3" if action == "BUY" else "red1")
    if spec.limit is not None:
        value = notional(spec, combo, spec.limit)
        text.append(f"\nEstimated notional: {format_money(value)} {combo.currency} "
                    f"({format_size(spec.quantity)} x {format_price(abs(spec.limit), tick)} "
                    f"x {combo.multiplier:g})")
    if spec.account:
        text.append(f"\nAccount: {spec.account}")
    text.append(f"\n{found.description}", style="dim")
    return text
