"""`OrderActions`: modify, nudge, cancel and cancel all, each judged by the gate like a new order.

A modify is a ticket of its own (`ModifyOrderScreen`) and a confirmation that shows old -> new;
a nudge goes at once unless the gate finds something to ask (a broken limit, a change that
would fill at once, no quote to judge by); a cancel asks; a global cancel asks twice, the
second time for a different key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..state.gate import Action, Decision, Request
from ..state.order_changes import NothingToNudgeError, current_terms, differences, nudged
from ..state.order_types import order_type
from ..state.prices import format_size
from ..state.records import OrderRow, OrderSpec
from ..state.ticket import spec_from_order
from .confirm_screen import ConfirmScreen
from .guard import guarded

if TYPE_CHECKING:
    from .app import BlotterApp
    from .blotter_screen import BlotterScreen


class OrderActions:
    def __init__(self, screen: BlotterScreen) -> None:
        self.screen = screen

    @property
    def app(self) -> BlotterApp:
        return self.screen.blotter_app

    # ---- modify and nudge ----------------------------------------------------------------
    def modify(self, row: OrderRow) -> None:
        decision = self._change(row, current_terms(row), Action.MODIFY)
        if not decision.allowed:  # not ours, ended, read-only, offline: say so, open nothing
            self.screen.sender.refused(decision.refusal, "Modify not possible")
            return
        from .modify_screen import ModifyOrderScreen  # loaded when first opened (start-up)

        def answered(terms: OrderSpec | None) -> None:
            if terms is not None:
                self.app.run_worker(self._judge_change(row, terms, Action.MODIFY, ""),
                                    group="judge")

        self.app.push_screen(ModifyOrderScreen(row), answered)

    def nudge(self, row: OrderRow, ticks: int, key: str) -> None:
        try:
            terms = nudged(row, ticks)
        except NothingToNudgeError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        self.app.run_worker(self._judge_change(row, terms, Action.NUDGE, key), group="judge")

    @guarded
    async def _judge_change(self, row: OrderRow, terms: OrderSpec, action: Action,
                            key: str) -> None:
        """Judged against the market of the order's contract (asked for if not known yet)."""
        if self.app.ib_connected:
            await self.app.adapter.market_for(row.key)
        decision = self._change(row, terms, action)
        if decision.allowed and not decision.needs_question:
            self.screen.sender.send(decision, key)  # a nudge with nothing to ask: its key
            return
        self.screen.sender.confirm(decision, _change_summary(row, terms),
                                   title=f"Send this change to order {row.order_id}?")

    def _change(self, row: OrderRow, terms: OrderSpec, action: Action) -> Decision:
        return self.app.decide(Request(action, terms, spec_from_order(row), row))

    # ---- cancels -------------------------------------------------------------------------
    def cancel(self, row: OrderRow) -> None:
        decision = self.app.decide(Request(Action.CANCEL, target=row))
        kind = order_type(row.order_type)
        body = Text(f"{row.side} {format_size(row.quantity)} {row.symbol} {row.order_type} "
                    f"{kind.terms(row, row.grid)}  (order {row.order_id})")
        self.screen.sender.confirm(decision, body, title="Cancel this order?")

    def cancel_all(self) -> None:
        decision = self.app.decide(Request(Action.CANCEL_ALL))
        if not decision.allowed:
            self.screen.sender.refused(decision.refusal, "Global cancel not sent")
            return
        count = sum(1 for r in self.app.state.working_orders() if not r.is_ended)
        first = ConfirmScreen("Cancel ALL orders?",
                              Text(f"A global cancel: every open order of every client and of "
                                   f"TWS itself ({count} shown here)."), yes="y: go on",
                              danger=True)

        def confirmed_once(yes: bool | None) -> None:
            if yes:
                self.screen.sender.confirm(
                    decision, Text("Every open order, at IB. This cannot be undone."),
                    title="Really cancel everything?")

        self.app.push_screen(first, confirmed_once)


def _change_summary(row: OrderRow, terms: OrderSpec) -> Text:
    text = Text()
    text.append(f"Order {row.order_id}: {row.side} {row.symbol} {row.order_type}\n",
                style="bold")
    text.append("\n".join(differences(current_terms(row), terms, row.grid)))
    return text
